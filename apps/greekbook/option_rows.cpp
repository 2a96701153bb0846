#include "option_rows.hpp"

#include <fmt/format.h>

namespace greekbook::cli {

Result<OptionColumns> find_option_columns(const io::CsvTable& table, std::string_view last_name,
                                          std::string_view source) {
  OptionColumns c;
  const auto need = [&](std::string_view name, std::size_t& idx) -> std::string {
    if (auto i = table.column(name)) {
      idx = *i;
      return {};
    }
    std::string header;
    for (const auto& h : table.header) header += (header.empty() ? "" : ",") + h;
    return fmt::format("{}:1: missing column '{}' (header is '{}'; expected type,forward,strike,"
                       "expiry_years,{} and optionally rate)",
                       source, name, header, last_name);
  };
  for (auto [name, idx] : {std::pair<std::string_view, std::size_t*>{"type", &c.type},
                           {"forward", &c.forward},
                           {"strike", &c.strike},
                           {"expiry_years", &c.expiry},
                           {last_name, &c.last}}) {
    if (auto msg = need(name, *idx); !msg.empty()) return make_error(msg);
  }
  c.rate = table.column("rate");
  return c;
}

ParsedOption parse_option_row(const io::CsvRow& row, const OptionColumns& cols,
                              std::string_view last_name) {
  ParsedOption p;
  const std::string& type_text = row.fields[cols.type];
  if (auto t = pricing::parse_option_type(type_text)) {
    p.type = *t;
  } else {
    p.error = fmt::format("column 'type': '{}' is not an option type (expected call, put, c or p)",
                          type_text);
    return p;
  }
  const auto num = [&](std::size_t idx, std::string_view name, double& out) {
    if (!p.error.empty()) return;
    if (auto v = io::parse_finite_double(row.fields[idx])) {
      out = *v;
    } else {
      p.error = fmt::format("column '{}': '{}' is not a finite number", name, row.fields[idx]);
    }
  };
  num(cols.forward, "forward", p.forward);
  num(cols.strike, "strike", p.strike);
  num(cols.expiry, "expiry_years", p.expiry);
  num(cols.last, last_name, p.last);
  if (cols.rate && !row.fields[*cols.rate].empty()) num(*cols.rate, "rate", p.rate);
  return p;
}

std::string located(std::string_view source, std::size_t line, std::string_view message) {
  return fmt::format("{}:{}: {}", source, line, message);
}

std::string number(double v) { return fmt::format("{:.17g}", v == 0.0 ? 0.0 : v); }  // no "-0"

Result<io::CsvTable> load_table(const std::string& path, std::string& source) {
  source = path == "-" ? "<stdin>" : path;
  auto text = io::read_text(path);
  if (!text) return tl::unexpected(text.error());
  return io::parse_csv(*text, source);
}

}  // namespace greekbook::cli
