#include "greekbook/io/json_fields.hpp"

#include <cmath>

#include <fmt/format.h>

namespace greekbook::io {

JsonPath JsonPath::key(std::string_view k) const {
  return {source, path.empty() ? std::string(k) : path + "." + std::string(k)};
}

JsonPath JsonPath::index(std::size_t i) const { return {source, fmt::format("{}[{}]", path, i)}; }

std::string JsonPath::where() const { return path.empty() ? source : source + ": " + path; }

Result<Json> parse_json(std::string_view text, std::string_view source) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based; turn it into line and column.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    if (const auto p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
    return make_error(fmt::format("{}:{}:{}: invalid JSON: {}", source, line, col, what));
  } catch (const Json::exception& e) {  // e.g. out_of_range.406 for 1e999, which has no byte position
    return make_error(fmt::format("{}: invalid JSON: {}", source, e.what()));
  }
}

tl::unexpected<Error> json_error(const JsonPath& at, std::string_view message) {
  return make_error(fmt::format("{}: {}", at.where(), message));
}

std::string brief(const Json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

Result<const Json*> require_field(const Json& obj, std::string_view key, const JsonPath& at) {
  if (!obj.is_object()) return json_error(at, fmt::format("expected an object, got {}", brief(obj)));
  const auto it = obj.find(key);
  if (it == obj.end()) return json_error(at, fmt::format("missing field '{}'", key));
  return &*it;
}

Result<double> require_number(const Json& obj, std::string_view key, const JsonPath& at) {
  auto f = require_field(obj, key, at);
  if (!f) return tl::unexpected(f.error());
  const Json& v = **f;
  if (!v.is_number()) return json_error(at.key(key), fmt::format("expected a number, got {}", brief(v)));
  const double d = v.get<double>();
  if (!std::isfinite(d)) return json_error(at.key(key), fmt::format("expected a finite number, got {}", brief(v)));
  return d;
}

Result<std::optional<double>> optional_number(const Json& obj, std::string_view key, const JsonPath& at) {
  if (!obj.is_object() || !obj.contains(key) || obj.at(key).is_null()) return std::optional<double>{};
  auto d = require_number(obj, key, at);
  if (!d) return tl::unexpected(d.error());
  return std::optional<double>(*d);
}

Result<std::string> require_string(const Json& obj, std::string_view key, const JsonPath& at) {
  auto f = require_field(obj, key, at);
  if (!f) return tl::unexpected(f.error());
  if (!(*f)->is_string()) return json_error(at.key(key), fmt::format("expected a string, got {}", brief(**f)));
  return (*f)->get<std::string>();
}

Result<std::optional<std::string>> optional_string(const Json& obj, std::string_view key, const JsonPath& at) {
  if (!obj.is_object() || !obj.contains(key) || obj.at(key).is_null()) return std::optional<std::string>{};
  auto s = require_string(obj, key, at);
  if (!s) return tl::unexpected(s.error());
  return std::optional<std::string>(*s);
}

}  // namespace greekbook::io
