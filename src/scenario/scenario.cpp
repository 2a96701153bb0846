#include "greekbook/scenario/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

namespace greekbook::scenario {

double tenor_multiplier(const VolShock& shock, double days_to_expiry) noexcept {
  const double dte = std::max(shock.floor_days, days_to_expiry);
  const double power = days_to_expiry < shock.ref_days ? shock.short_power : shock.long_power;
  return power == 0.0 ? 1.0 : std::pow(shock.ref_days / dte, power);
}

double shock_vol(const VolShock& shock, double vol, double days_to_expiry, double log_moneyness,
                 double expiry_years) noexcept {
  double v = vol;
  if (shock.kind != VolShockKind::None) {
    const double m = tenor_multiplier(shock, days_to_expiry);
    v = shock.kind == VolShockKind::Multiplicative ? vol * (1.0 + shock.size * m) : vol + shock.size * m;
    if (shock.size > 0) v = std::max(v, shock.min_vol);
  }
  const SkewShock& k = shock.skew;
  if (k.kind != SkewShockKind::None) {
    const double rt = std::sqrt(std::max(expiry_years, 0.0));
    const double cap = k.c_base * rt + k.base_cap;
    const double kstar = std::max(k.min_kstar, rt * k.width_scale * (k.vol_static + rt * k.vol_scale));
    const double x = k.kind == SkewShockKind::Abs ? std::abs(log_moneyness) : log_moneyness;
    v *= 1.0 + std::clamp(x * cap / kstar, -std::abs(cap), std::abs(cap));
  }
  return std::max(v, 1e-6);
}

double Scenario::factor(std::string_view underlying) const noexcept {
  for (const auto& [u, f] : spot_factor_by_underlying)
    if (u == underlying) return f;
  return spot_factor;
}

namespace {
using io::Json;
using io::JsonPath;

Result<VolShock> parse_vol_shock(const Json& v, const JsonPath& at) {
  static const std::set<std::string> known = {"kind", "size", "ref_days", "floor_days", "short_power",
                                              "long_power", "min_vol", "skew"};
  if (!v.is_object()) return io::json_error(at, fmt::format("expected an object, got {}", io::brief(v)));
  for (const auto& [key, _] : v.items())
    if (!known.count(key))
      return io::json_error(at.key(key), "unknown field (kind, size, ref_days, floor_days, short_power, long_power, "
                                         "min_vol, skew)");
  VolShock s;
  GB_TRY(kind, io::optional_string(v, "kind", at));
  if (kind) {
    if (*kind == "multiplicative") s.kind = VolShockKind::Multiplicative;
    else if (*kind == "additive") s.kind = VolShockKind::Additive;
    else if (*kind == "none") s.kind = VolShockKind::None;
    else return io::json_error(at.key("kind"), fmt::format("'{}' is not multiplicative, additive or none", *kind));
  }
  const auto num = [&](const char* key, double& out) -> Result<bool> {
    GB_TRY(x, io::optional_number(v, key, at));
    if (x) {
      if (!std::isfinite(*x)) return io::json_error(at.key(key), fmt::format("{} is not finite", *x));
      out = *x;
    }
    return true;
  };
  for (auto [key, out] : {std::pair<const char*, double*>{"size", &s.size}, {"ref_days", &s.ref_days},
                           {"floor_days", &s.floor_days}, {"short_power", &s.short_power},
                           {"long_power", &s.long_power}, {"min_vol", &s.min_vol}})
    if (auto r = num(key, *out); !r) return tl::unexpected(r.error());
  if (!(s.ref_days > 0)) return io::json_error(at.key("ref_days"), fmt::format("{} must be positive", s.ref_days));
  if (!(s.floor_days > 0)) return io::json_error(at.key("floor_days"), fmt::format("{} must be positive", s.floor_days));
  if (s.kind == VolShockKind::Multiplicative && s.size < -1)
    return io::json_error(at.key("size"), fmt::format("{} would make vols negative (multiplicative size >= -1)", s.size));
  GB_TRY(skew, io::optional_string(v, "skew", at));
  if (skew) {
    if (*skew == "linear") s.skew.kind = SkewShockKind::Linear;
    else if (*skew == "abs") s.skew.kind = SkewShockKind::Abs;
    else if (*skew != "none") return io::json_error(at.key("skew"), fmt::format("'{}' is not linear, abs or none", *skew));
  }
  return s;
}
}  // namespace

Result<std::vector<Scenario>> parse_scenarios(const Json& array, const JsonPath& at) {
  static const std::set<std::string> known = {"name", "spot_move", "vol_shock", "basis_shift_per_year",
                                              "time_shift_days", "weight", "comment", "source"};
  if (!array.is_array()) return io::json_error(at, fmt::format("expected an array of scenarios, got {}", io::brief(array)));
  std::vector<Scenario> out;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const Json& j = array[i];
    const JsonPath p = at.index(i);
    if (!j.is_object()) return io::json_error(p, fmt::format("expected an object, got {}", io::brief(j)));
    for (const auto& [key, _] : j.items())
      if (!known.count(key))
        return io::json_error(p.key(key), "unknown field (name, spot_move, vol_shock, basis_shift_per_year, "
                                          "time_shift_days, weight, comment, source)");
    Scenario s;
    GB_TRY(name, io::require_string(j, "name", p));
    s.name = name;
    if (j.contains("spot_move")) {
      const Json& m = j.at("spot_move");
      const auto check = [&](double x, const JsonPath& where) -> Result<double> {
        if (!std::isfinite(x) || x <= -1.0) return io::json_error(where, fmt::format("{} must be a finite move above -1 (-0.2 = -20%)", x));
        return 1.0 + x;
      };
      if (m.is_number()) {
        GB_TRY(f, check(m.get<double>(), p.key("spot_move")));
        s.spot_factor = f;
      } else if (m.is_object()) {
        for (const auto& [u, x] : m.items()) {
          if (!x.is_number()) return io::json_error(p.key("spot_move").key(u), fmt::format("expected a number, got {}", io::brief(x)));
          GB_TRY(f, check(x.get<double>(), p.key("spot_move").key(u)));
          if (u == "*") s.spot_factor = f;
          else s.spot_factor_by_underlying.emplace_back(u, f);
        }
      } else {
        return io::json_error(p.key("spot_move"), fmt::format("expected a number or an object per underlying, got {}", io::brief(m)));
      }
    }
    if (j.contains("vol_shock")) {
      GB_TRY(v, parse_vol_shock(j.at("vol_shock"), p.key("vol_shock")));
      s.vol = v;
    }
    GB_TRY(basis, io::optional_number(j, "basis_shift_per_year", p));
    if (basis) s.basis_shift_per_year = *basis;
    GB_TRY(dt, io::optional_number(j, "time_shift_days", p));
    if (dt) {
      if (!(*dt >= 0) || !std::isfinite(*dt)) return io::json_error(p.key("time_shift_days"), fmt::format("{} must be >= 0", *dt));
      s.time_shift_days = *dt;
    }
    GB_TRY(w, io::optional_number(j, "weight", p));
    if (w) {
      if (!(*w >= 0) || !std::isfinite(*w)) return io::json_error(p.key("weight"), fmt::format("{} must be >= 0", *w));
      s.weight = *w;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace greekbook::scenario
