#pragma once
// Minimal RFC 4180 CSV reading and writing for the CLI surfaces: quoted fields, embedded commas,
// quotes and newlines, CRLF line ends. Errors name the source and the line.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greekbook/core/result.hpp"

namespace greekbook::io {

struct CsvRow {
  std::size_t line = 0;  ///< 1-based line number in the source where the row starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRow> rows;

  /// Index of a header column, or nullopt.
  std::optional<std::size_t> column(std::string_view name) const;
};

/// Parses CSV text. `source` names the input in messages ("prices.csv", "<stdin>").
/// Blank lines are skipped; every row must have as many fields as the header.
Result<CsvTable> parse_csv(std::string_view text, std::string_view source);

/// Quotes a field when it contains a comma, quote, CR or LF.
std::string csv_field(std::string_view value);

/// Appends fields joined by commas and a trailing '\n'.
void append_csv_line(std::string& out, const std::vector<std::string>& fields);

/// Parses a finite double (surrounding spaces allowed); nullopt for anything else.
std::optional<double> parse_finite_double(std::string_view text);

/// Reads a whole file, or standard input for "-".
Result<std::string> read_text(const std::string& path);

/// Writes `content` to `path` atomically (temporary file then rename), or to stdout for "-".
/// A failure never leaves a partial file at `path`.
Result<bool> write_text_atomic(const std::string& path, std::string_view content);

}  // namespace greekbook::io
