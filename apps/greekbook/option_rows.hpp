#pragma once
// Shared parsing of option rows for `greekbook price` and `greekbook iv`: named columns, one
// message per bad field that names the source, line, column and value.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/pricing/option_type.hpp"

namespace greekbook::cli {

/// Column indices of the fields a command reads; `rate` is optional (default 0).
struct OptionColumns {
  std::size_t type = 0, forward = 0, strike = 0, expiry = 0, last = 0;  ///< last: vol or price
  std::optional<std::size_t> rate;
};

/// Finds type, forward, strike, expiry_years, `last_name` and the optional rate column.
Result<OptionColumns> find_option_columns(const io::CsvTable& table, std::string_view last_name,
                                          std::string_view source);

/// One parsed row; `error` is non-empty (and names the column and value) when the row is bad.
struct ParsedOption {
  pricing::OptionType type = pricing::OptionType::Call;
  double forward = 0, strike = 0, expiry = 0, last = 0, rate = 0;
  std::string error;
};

ParsedOption parse_option_row(const io::CsvRow& row, const OptionColumns& cols,
                              std::string_view last_name);

/// "source:line: message".
std::string located(std::string_view source, std::size_t line, std::string_view message);

/// Formats a double with full precision (%.17g).
std::string number(double v);

/// Reads and parses the CSV input named by `path` ("-" = stdin, shown as "<stdin>").
Result<io::CsvTable> load_table(const std::string& path, std::string& source);

}  // namespace greekbook::cli
