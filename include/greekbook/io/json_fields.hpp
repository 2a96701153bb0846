#pragma once
// Typed access to nlohmann::json values with located errors: every failure names the source, the
// JSON path (e.g. accounts[0].positions[2].quantity) and the offending value.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "greekbook/core/result.hpp"

namespace greekbook::io {

using Json = nlohmann::json;

/// Where a value sits: source file and JSON path.
struct JsonPath {
  std::string source;
  std::string path;  ///< "" for the document root

  JsonPath key(std::string_view k) const;
  JsonPath index(std::size_t i) const;
  std::string where() const;  ///< "file: path" or "file"
};

/// Parses JSON text; the error names the source, line and column.
Result<Json> parse_json(std::string_view text, std::string_view source);

/// "<where>: <message>".
tl::unexpected<Error> json_error(const JsonPath& at, std::string_view message);

/// Short rendering of a value for messages (strings quoted, long values cut).
std::string brief(const Json& v);

/// Required/optional fields of an object. `at` is the object's own path.
Result<const Json*> require_field(const Json& obj, std::string_view key, const JsonPath& at);
Result<double> require_number(const Json& obj, std::string_view key, const JsonPath& at);
Result<std::optional<double>> optional_number(const Json& obj, std::string_view key, const JsonPath& at);
Result<std::string> require_string(const Json& obj, std::string_view key, const JsonPath& at);
Result<std::optional<std::string>> optional_string(const Json& obj, std::string_view key, const JsonPath& at);

}  // namespace greekbook::io
