#include "greekbook/io/csv.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fast_float/fast_float.h>
#include <fmt/format.h>

namespace greekbook::io {

std::optional<std::size_t> CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  return std::nullopt;
}

Result<CsvTable> parse_csv(std::string_view text, std::string_view source) {
  CsvTable table;
  std::vector<std::string> fields;
  std::string field;
  std::size_t line = 1, row_line = 1, i = 0;
  bool in_quotes = false, field_quoted = false, any = false;
  const auto end_row = [&]() -> Result<bool> {
    fields.push_back(std::move(field));
    field.clear();
    const bool blank = fields.size() == 1 && fields[0].empty() && !field_quoted;
    field_quoted = false;
    if (!blank) {
      if (table.header.empty() && table.rows.empty() && !any) {
        table.header = std::move(fields);
        any = true;
      } else if (fields.size() != table.header.size()) {
        return make_error(fmt::format("{}:{}: expected {} fields as in the header, found {}", source,
                                      row_line, table.header.size(), fields.size()));
      } else {
        table.rows.push_back(CsvRow{row_line, std::move(fields)});
      }
    }
    fields.clear();
    return true;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      ++i;
      continue;
    }
    if (c == '"' && field.empty()) {
      in_quotes = field_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (auto r = end_row(); !r) return tl::unexpected(r.error());
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      row_line = line;
    } else {
      field.push_back(c);
    }
    ++i;
  }
  if (in_quotes) return make_error(fmt::format("{}:{}: unterminated quoted field", source, row_line));
  if (!field.empty() || !fields.empty() || field_quoted) {
    if (auto r = end_row(); !r) return tl::unexpected(r.error());
  }
  if (table.header.empty()) return make_error(fmt::format("{}: empty input, expected a CSV header", source));
  for (auto& h : table.header) {  // tolerate spaces around header names
    const auto b = h.find_first_not_of(" \t");
    const auto e = h.find_last_not_of(" \t");
    h = b == std::string::npos ? std::string() : h.substr(b, e - b + 1);
  }
  return table;
}

std::string csv_field(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void append_csv_line(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back(',');
    out += csv_field(fields[i]);
  }
  out.push_back('\n');
}

std::optional<double> parse_finite_double(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);  // "+-1" is not a number
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto res = fast_float::from_chars(text.data(), text.data() + text.size(), value);
  if (res.ec != std::errc() || res.ptr != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

Result<std::string> read_text(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(fmt::format("{}: read error", path));
  return content;
}

Result<bool> write_text_atomic(const std::string& path, std::string_view content) {
  if (path == "-") {
    std::fwrite(content.data(), 1, content.size(), stdout);
    std::fflush(stdout);
    if (std::ferror(stdout)) return make_error("<stdout>: write error");
    return true;
  }
  const std::string tmp = path + ".tmp-greekbook";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return make_error(fmt::format("{}: cannot create: {}", tmp, std::strerror(errno)));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return make_error(fmt::format("{}: write error", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return make_error(fmt::format("{}: cannot replace: {}", path, why));
  }
  return true;
}

}  // namespace greekbook::io
