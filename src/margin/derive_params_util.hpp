#pragma once
// Helpers shared by the Derive SRM and PMRM_2 parameter readers (internal to src/margin).
#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "greekbook/io/json_fields.hpp"
#include "greekbook/margin/params.hpp"

namespace greekbook::margin::derive_detail {

/// Asset and underlying names are compared upper-case ("rsETH" and "RSETH" are one asset).
inline std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

inline bool is_note_key(std::string_view key) noexcept { return key == "source" || key == "comment"; }

/// Reads a table {"ETH": {...}, "BTC": {...}, "source": "..."} into `out` (keys upper-cased). An
/// entry starts from the table's existing entry for that key, else from `fresh`, and
/// `read_entry(json, path, entry)` applies the fields given.
template <class T, class ReadEntry>
Result<bool> read_table(const io::Json& v, const io::JsonPath& at, std::map<std::string, T>& out, const T& fresh,
                        ReadEntry&& read_entry) {
  if (!v.is_object()) return io::json_error(at, fmt::format("expected an object keyed by asset, got {}", io::brief(v)));
  for (const auto& [key, entry] : v.items()) {
    if (is_note_key(key)) continue;
    if (key.empty()) return io::json_error(at, "empty asset name");
    const std::string name = upper(key);
    auto it = out.find(name);
    T value = it != out.end() ? it->second : fresh;
    auto r = read_entry(entry, at.key(key), value);
    if (!r) return tl::unexpected(r.error());
    out[name] = value;
  }
  return true;
}

/// Reads {"ETH": 0.9, ...}: oracle confidence in [0, 1] per name (upper-cased).
inline Result<bool> read_confidence(const io::Json& v, const io::JsonPath& at, std::map<std::string, double>& out) {
  if (!v.is_object()) return io::json_error(at, fmt::format("expected an object like {{\"ETH\": 0.9}}, got {}", io::brief(v)));
  for (const auto& [key, x] : v.items()) {
    if (is_note_key(key)) continue;
    if (!x.is_number()) return io::json_error(at.key(key), fmt::format("expected a number, got {}", io::brief(x)));
    const double c = x.get<double>();
    if (!(c >= 0.0 && c <= 1.0)) return io::json_error(at.key(key), fmt::format("{} is out of range (must be in [0, 1])", c));
    out[upper(key)] = c;
  }
  return true;
}

/// A nested parameter group read with its own ParamReader ("source" accepted).
template <class Fn>
auto group(Fn&& fn) {
  return [fn = std::forward<Fn>(fn)](const io::Json& v, const io::JsonPath& at) -> Result<bool> {
    ParamReader r(&v, at);
    r.ignore("source").ignore("comment");
    fn(r);
    return r.finish();
  };
}

}  // namespace greekbook::margin::derive_detail
