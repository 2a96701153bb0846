#pragma once
// Scenarios for full revaluation: a spot move per underlying, a vol shock (multiplicative or
// additive, shaped by tenor, optionally a skew rotation) and a time shift. Plain data; the risk
// cube (risk_cube.hpp) applies a ScenarioSet to positions. Margin models build their own sets
// (Deribit PM grid, Derive PMRM_2 grid); stress files are parsed by parse_scenarios().
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"

namespace greekbook::scenario {

enum class VolShockKind : std::uint8_t {
  None,            ///< vols unchanged
  Multiplicative,  ///< vol x (1 + size x m)
  Additive,        ///< vol + size x m (size in vol units: 0.05 = +5 vol points)
};

/// Rotation of the smile (Derive PMRM_2 "Linear"/"Abs" skew scenarios):
///   k = ln(K/F) (|k| for Abs), cap = c_base sqrt(T) + base_cap,
///   k* = max(min_kstar, sqrt(T) width_scale (vol_static + sqrt(T) vol_scale)),
///   vol x (1 + clamp(k cap / k*, -cap, cap)).
enum class SkewShockKind : std::uint8_t { None, Linear, Abs };

struct SkewShock {
  SkewShockKind kind = SkewShockKind::None;
  double base_cap = 0.25, c_base = -0.1, min_kstar = 0.01, width_scale = 4.0, vol_static = 0.6, vol_scale = 0.0;
};

/// A vol shock shaped by tenor: m = (ref_days / max(floor_days, DTE))^p with p = short_power when
/// DTE < ref_days (Derive: DTE <= ref_days) else long_power. Powers 0 give m = 1 (a flat shock).
struct VolShock {
  VolShockKind kind = VolShockKind::None;
  double size = 0.0;
  double ref_days = 30.0, floor_days = 1.0, short_power = 0.0, long_power = 0.0;
  double min_vol = 0.0;  ///< floor on the shocked vol (Deribit min_volatility_for_shock_up, Derive minVolUpShock)
  SkewShock skew;
};

/// Tenor multiplier m of a VolShock for an option `days_to_expiry` calendar days away.
double tenor_multiplier(const VolShock& shock, double days_to_expiry) noexcept;

/// Shocked implied vol (annualised) of an option: tenor-shaped level shock, floor, then skew.
/// Never negative; 1e-6 at least so the option stays priceable.
double shock_vol(const VolShock& shock, double vol, double days_to_expiry, double log_moneyness,
                 double expiry_years) noexcept;

struct Scenario {
  std::string name;
  double spot_factor = 1.0;  ///< S' = S x factor for every underlying not listed below
  std::vector<std::pair<std::string, double>> spot_factor_by_underlying;  ///< overrides per underlying
  VolShock vol;
  /// Futures-curve tilt: dated futures and option forwards move by factor x (1 + basis_shift_per_year x T)
  /// (T in years; perpetuals and spot have T = 0 and do not move). Deribit-style roll shock.
  double basis_shift_per_year = 0.0;
  double time_shift_days = 0.0;  ///< calendar days of decay (options lose time value; marks otherwise unchanged)
  double weight = 1.0;  ///< dampening/fraction a margin model applies to this scenario's PnL (1 = full)

  /// Factor of one underlying's spot in this scenario.
  double factor(std::string_view underlying) const noexcept;
};

/// Parses a JSON array of scenarios (stress files; docs/margin.md lists the fields):
///   {"name": "...", "spot_move": -0.2 | {"BTC": -0.2, "ETH": -0.25}, "vol_shock": {"kind":
///    "multiplicative"|"additive", "size": 0.5, "short_power": 0.3, "long_power": 0.13, ...},
///    "time_shift_days": 1, "weight": 1}
/// Unknown fields are errors naming the path.
Result<std::vector<Scenario>> parse_scenarios(const io::Json& array, const io::JsonPath& at);

}  // namespace greekbook::scenario
