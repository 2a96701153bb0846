// greekbook price: Black-76 price and all Greeks for each row of a CSV.
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "greekbook/pricing/black76.hpp"
#include "greekbook/pricing/black76_batch.hpp"
#include "option_rows.hpp"

namespace greekbook::cli {
namespace {
constexpr const char* kOutColumns[] = {"price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga"};

// Column index of the field a validate() reason names (its first word).
std::size_t column_of_reason(std::string_view reason, const OptionColumns& c) {
  const auto word = reason.substr(0, reason.find(' '));
  if (word == "forward") return c.forward;
  if (word == "strike") return c.strike;
  if (word == "expiry_years") return c.expiry;
  if (word == "rate" && c.rate) return *c.rate;
  return c.last;
}
}  // namespace

int run_price(const TableOptions& opts) {
  std::string source;
  auto table = load_table(opts.input, source);
  if (!table) {
    fmt::print(stderr, "greekbook price: {}\n", table.error().message);
    return 2;
  }
  auto cols = find_option_columns(*table, "vol", source);
  if (!cols) {
    fmt::print(stderr, "greekbook price: {}\n", cols.error().message);
    return 2;
  }
  const std::size_t n = table->rows.size();
  std::vector<std::string> errors(n);
  std::vector<double> type, fwd, strike, expiry, vol, rate;
  std::vector<std::size_t> good;  // row index of each priced option
  std::size_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& row = table->rows[i];
    ParsedOption p = parse_option_row(row, *cols, "vol");
    if (p.error.empty()) {
      const pricing::Black76Input in{p.type, p.forward, p.strike, p.expiry, p.last, p.rate};
      const std::string_view reason = pricing::validate(in);
      if (!reason.empty())
        p.error = fmt::format("column '{}': '{}' is invalid: {}",
                              table->header[column_of_reason(reason, *cols)],
                              row.fields[column_of_reason(reason, *cols)], reason);
    }
    if (!p.error.empty()) {
      errors[i] = p.error;
      if (!opts.skip_bad) {
        if (bad < 20) fmt::print(stderr, "greekbook price: {}\n", located(source, row.line, p.error));
        ++bad;
      }
      continue;
    }
    good.push_back(i);
    type.push_back(pricing::sign(p.type));
    fwd.push_back(p.forward);
    strike.push_back(p.strike);
    expiry.push_back(p.expiry);
    vol.push_back(p.last);
    rate.push_back(p.rate);
  }
  if (bad > 0) {
    fmt::print(stderr, "greekbook price: {} bad row(s); nothing written (use --skip-bad to report "
                       "them in an error column and go on)\n", bad);
    return 2;
  }
  const std::size_t m = good.size();
  std::vector<double> res[8];
  for (auto& r : res) r.resize(m);
  pricing::black76_batch({type, fwd, strike, expiry, vol, rate},
                         {res[0], res[1], res[2], res[3], res[4], res[5], res[6], res[7]});

  std::string out;
  std::vector<std::string> header = table->header;
  for (const char* c : kOutColumns) header.emplace_back(c);
  if (opts.skip_bad) header.emplace_back("error");
  io::append_csv_line(out, header);
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> fields = table->rows[i].fields;
    const bool ok = errors[i].empty();
    for (int f = 0; f < 8; ++f) fields.push_back(ok ? number(res[f][k]) : std::string());
    if (opts.skip_bad) fields.push_back(errors[i]);
    if (ok) ++k;
    io::append_csv_line(out, fields);
  }
  if (auto w = io::write_text_atomic(opts.output, out); !w) {
    fmt::print(stderr, "greekbook price: {}\n", w.error().message);
    return 1;
  }
  return 0;
}

}  // namespace greekbook::cli
