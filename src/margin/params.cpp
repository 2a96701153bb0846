#include "greekbook/margin/params.hpp"

#include <cmath>

#include <fmt/format.h>

namespace greekbook::margin {

ParamReader::ParamReader(const io::Json* obj, io::JsonPath at) : obj_(obj), at_(std::move(at)) {
  seen_ = {"model", "comment"};  // a shipped parameter file names its model; comments are free text
  if (obj_ && !obj_->is_object())
    error_ = io::json_error(at_, fmt::format("expected an object of parameters, got {}", io::brief(*obj_))).value();
}

ParamReader& ParamReader::custom(std::string_view key,
                                 const std::function<Result<bool>(const io::Json&, const io::JsonPath&)>& fn) {
  seen_.emplace(key);
  if (error_ || !obj_ || !obj_->is_object() || !obj_->contains(key)) return *this;
  auto r = fn(obj_->at(std::string(key)), at_.key(key));
  if (!r) error_ = r.error();
  return *this;
}

ParamReader& ParamReader::number(std::string_view key, double& out, double min, double max) {
  return custom(key, [&](const io::Json& v, const io::JsonPath& p) -> Result<bool> {
    if (!v.is_number()) return io::json_error(p, fmt::format("expected a number, got {}", io::brief(v)));
    const double x = v.get<double>();
    if (!std::isfinite(x) || x < min || x > max) {
      const std::string range = max == kInf ? fmt::format(">= {}", min)
                                : min == -kInf ? fmt::format("<= {}", max)
                                               : fmt::format("in [{}, {}]", min, max);
      return io::json_error(p, fmt::format("{} is out of range (must be {})", x, range));
    }
    out = x;
    return true;
  });
}

ParamReader& ParamReader::integer(std::string_view key, int& out, int min, int max) {
  return custom(key, [&](const io::Json& v, const io::JsonPath& p) -> Result<bool> {
    if (!v.is_number_integer()) return io::json_error(p, fmt::format("expected an integer, got {}", io::brief(v)));
    const auto x = v.get<long long>();
    if (x < min || x > max) return io::json_error(p, fmt::format("{} is out of range (must be in [{}, {}])", x, min, max));
    out = static_cast<int>(x);
    return true;
  });
}

ParamReader& ParamReader::boolean(std::string_view key, bool& out) {
  return custom(key, [&](const io::Json& v, const io::JsonPath& p) -> Result<bool> {
    if (!v.is_boolean()) return io::json_error(p, fmt::format("expected true or false, got {}", io::brief(v)));
    out = v.get<bool>();
    return true;
  });
}

ParamReader& ParamReader::string(std::string_view key, std::string& out, const std::set<std::string>& allowed) {
  return custom(key, [&](const io::Json& v, const io::JsonPath& p) -> Result<bool> {
    if (!v.is_string()) return io::json_error(p, fmt::format("expected a string, got {}", io::brief(v)));
    const auto s = v.get<std::string>();
    if (!allowed.empty() && !allowed.count(s)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return io::json_error(p, fmt::format("'{}' is not one of {}", s, list));
    }
    out = s;
    return true;
  });
}

ParamReader& ParamReader::ignore(std::string_view key) {
  seen_.emplace(key);
  return *this;
}

Result<bool> ParamReader::finish() {
  if (error_) return tl::unexpected(*error_);
  if (obj_ && obj_->is_object()) {
    for (const auto& [key, _] : obj_->items()) {
      if (seen_.count(key)) continue;
      std::string list;
      for (const auto& s : seen_) list += (list.empty() ? "" : ", ") + s;
      return io::json_error(at_.key(key), fmt::format("unknown parameter (known: {})", list));
    }
  }
  return true;
}

}  // namespace greekbook::margin
