// greekbook iv: implied volatility for each row of a CSV of option prices.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "greekbook/pricing/implied_vol.hpp"
#include "option_rows.hpp"

namespace greekbook::cli {

int run_iv(const TableOptions& opts) {
  std::string source;
  auto table = load_table(opts.input, source);
  if (!table) {
    fmt::print(stderr, "greekbook iv: {}\n", table.error().message);
    return 2;
  }
  auto cols = find_option_columns(*table, "price", source);
  if (!cols) {
    fmt::print(stderr, "greekbook iv: {}\n", cols.error().message);
    return 2;
  }
  std::string out;
  std::vector<std::string> header = table->header;
  header.emplace_back("vol");
  header.emplace_back("error");
  io::append_csv_line(out, header);
  std::size_t bad = 0;
  for (const auto& row : table->rows) {
    const ParsedOption p = parse_option_row(row, *cols, "price");
    std::vector<std::string> fields = row.fields;
    if (!p.error.empty()) {
      if (!opts.skip_bad) {
        if (bad < 20) fmt::print(stderr, "greekbook iv: {}\n", located(source, row.line, p.error));
        ++bad;
        continue;
      }
      fields.emplace_back();
      fields.push_back(p.error);
    } else {
      const auto vol = pricing::implied_vol({p.type, p.forward, p.strike, p.expiry, p.last, p.rate});
      fields.push_back(vol ? number(*vol) : std::string());
      fields.push_back(vol ? std::string() : std::string(pricing::to_string(vol.error())));
    }
    io::append_csv_line(out, fields);
  }
  if (bad > 0) {
    fmt::print(stderr, "greekbook iv: {} bad row(s); nothing written (use --skip-bad to report them "
                       "in the error column and go on)\n", bad);
    return 2;
  }
  if (auto w = io::write_text_atomic(opts.output, out); !w) {
    fmt::print(stderr, "greekbook iv: {}\n", w.error().message);
    return 1;
  }
  return 0;
}

}  // namespace greekbook::cli
