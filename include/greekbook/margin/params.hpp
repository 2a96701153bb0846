#pragma once
// Reading model parameters from JSON with located, range-checked errors. A model's parameters are
// one JSON object; every field is optional (compiled-in defaults) and unknown fields are errors:
//   ParamReader r(json, at);
//   r.number("im_base", p.im_base, 0.0, 1.0).number("mm_base", p.mm_base, 0.0, 1.0);
//   GB_TRY(ok, r.finish());
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <string_view>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"

namespace greekbook::margin {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

class ParamReader {
 public:
  /// `obj` may be null (no overrides: only defaults).
  ParamReader(const io::Json* obj, io::JsonPath at);

  /// Reads a finite number in [min, max] into `out` when present.
  ParamReader& number(std::string_view key, double& out, double min = -kInf, double max = kInf);
  ParamReader& integer(std::string_view key, int& out, int min, int max);
  ParamReader& boolean(std::string_view key, bool& out);
  ParamReader& string(std::string_view key, std::string& out, const std::set<std::string>& allowed);
  /// Calls fn(value, path) for a present field of any type (nested objects, arrays).
  ParamReader& custom(std::string_view key, const std::function<Result<bool>(const io::Json&, const io::JsonPath&)>& fn);
  /// Accepts and ignores a field (e.g. "source", "comment").
  ParamReader& ignore(std::string_view key);

  /// The first error met, else an error for the first unknown field, else true.
  Result<bool> finish();

  const io::JsonPath& at() const noexcept { return at_; }

 private:
  const io::Json* obj_;
  io::JsonPath at_;
  std::set<std::string> seen_;
  std::optional<Error> error_;
};

}  // namespace greekbook::margin
