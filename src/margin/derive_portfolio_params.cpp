// Derive PMRM_2 parameters: defaults (venues-and-peers 2.2, Appendix A.1), the JSON reader
// (params/margin/derive-pmrm.json), the scenario set and the static discount.
#include <cmath>

#include <fmt/format.h>

#include "greekbook/margin/derive_portfolio.hpp"
#include "greekbook/margin/params.hpp"
#include "margin/derive_params_util.hpp"

namespace greekbook::margin {
using derive_detail::group;
using derive_detail::upper;

double DerivePmrmParams::confidence(const std::string& name) const {
  auto it = oracle_confidence.find(upper(name));
  return it != oracle_confidence.end() ? it->second : 1.0;
}

std::vector<DerivePmrmScenario> derive_pmrm_default_grid() {
  using V = DerivePmrmVol;
  std::vector<DerivePmrmScenario> g;
  g.push_back({1.18, V::Up, 1.0});
  for (const double s : {1.135, 1.09, 1.045, 1.0, 0.955, 0.91, 0.865})
    for (const V v : {V::Up, V::None, V::Down}) g.push_back({s, v, 1.0});
  g.push_back({0.82, V::Up, 1.0});
  // Extended tail, vol Up, dampening 0.1386 / |move| (inference from the published numbers).
  for (const auto& [s, d] : {std::pair{0.34, 0.21}, {0.67, 0.42}, {1.5, 0.2772}, {2.0, 0.1386}, {3.0, 0.0693},
                             {4.0, 0.0462}, {5.0, 0.03465}, {6.0, 0.02772}})
    g.push_back({s, V::Up, d});
  g.push_back({1.0, V::Linear, 1.0});
  g.push_back({1.0, V::Abs, 1.0});
  return g;
}

DerivePmrmParams derive_pmrm_defaults() {
  DerivePmrmParams p;
  p.scenarios = derive_pmrm_default_grid();
  // Own-market collateral is risk-cancelling (moves with the spot shocks); haircuts from Derive's
  // PMRM_2 collateral setup script (not in venues-and-peers.md: see docs/margin/derive.md).
  for (const char* a : {"ETH", "WETH"}) p.collaterals[a] = {"ETH", true, 0.01, 0.015};
  for (const char* a : {"BTC", "WBTC"}) p.collaterals[a] = {"BTC", true, 0.02, 0.025};
  return p;
}

scenario::VolShock derive_pmrm_vol_shock(const DerivePmrmParams& p, DerivePmrmVol vol) {
  scenario::VolShock v;
  v.ref_days = 30.0;
  v.floor_days = p.dte_floor_days;
  v.short_power = p.short_term_power;
  v.long_power = p.long_term_power;
  if (vol == DerivePmrmVol::Up) {
    v.kind = scenario::VolShockKind::Multiplicative;
    v.size = p.vol_range_up;
    v.min_vol = p.min_vol_up_shock;
  } else if (vol == DerivePmrmVol::Down) {
    v.kind = scenario::VolShockKind::Multiplicative;
    v.size = -p.vol_range_down;
  } else if (vol == DerivePmrmVol::Linear || vol == DerivePmrmVol::Abs) {
    const bool lin = vol == DerivePmrmVol::Linear;
    v.skew = {lin ? scenario::SkewShockKind::Linear : scenario::SkewShockKind::Abs,
              lin ? p.linear_base_cap : p.abs_base_cap,
              lin ? p.linear_c_base : p.abs_c_base,
              p.min_kstar, p.width_scale, p.vol_param_static, p.vol_param_scale};
  }
  return v;
}

std::string derive_pmrm_scenario_name(const DerivePmrmScenario& s) {
  static constexpr const char* kVol[] = {"up", "none", "down", "linear", "abs"};
  const char* vol = kVol[static_cast<int>(s.vol)];
  const bool skew = s.vol == DerivePmrmVol::Linear || s.vol == DerivePmrmVol::Abs;
  const std::string spot = fmt::format("spot {:+.6g}%", (s.spot_shock - 1.0) * 100.0);
  if (skew) return s.spot_shock == 1.0 ? fmt::format("skew {}", vol) : fmt::format("{} skew {}", spot, vol);
  return fmt::format("{} vol {}", spot, vol);
}

std::vector<scenario::Scenario> derive_pmrm_scenarios(const DerivePmrmParams& p) {
  std::vector<scenario::Scenario> out;
  for (const auto& row : p.scenarios) {
    scenario::Scenario s;
    s.name = derive_pmrm_scenario_name(row);
    s.spot_factor = row.spot_shock;
    s.vol = derive_pmrm_vol_shock(p, row.vol);
    s.weight = row.dampening;
    out.push_back(std::move(s));
  }
  for (const double f : {p.scenario_spot_up, p.scenario_spot_down}) {
    scenario::Scenario s;
    s.name = fmt::format("basis spot {:+.6g}%", (f - 1.0) * 100.0);
    s.spot_factor = f;
    out.push_back(std::move(s));
  }
  return out;
}

DeriveStaticDiscount derive_pmrm_static_discount(const DerivePmrmParams& p, double tau) noexcept {
  DeriveStaticDiscount d;
  d.pos = p.long_base_static_discount * std::exp(-tau * (p.rate * p.long_rate_mult_scale + p.long_rate_add_scale));
  const double neg = p.short_base_static_discount / std::exp(-tau * (p.rate * p.short_rate_mult_scale + p.short_rate_add_scale));
  d.neg = std::min(1.0 / std::exp(-p.rate * tau), neg);
  return d;
}

namespace {
Result<bool> read_grid(const io::Json& v, const io::JsonPath& at, std::vector<DerivePmrmScenario>& out) {
  if (!v.is_array()) return io::json_error(at, fmt::format("expected an array of scenarios, got {}", io::brief(v)));
  if (v.empty() || v.size() > 40)
    return io::json_error(at, fmt::format("{} scenarios (PMRM_2 accepts 1 to 40)", v.size()));
  std::vector<DerivePmrmScenario> grid;
  bool linear = false, abs = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    DerivePmrmScenario s;
    std::string vol = "none";
    const io::JsonPath row = at.index(i);
    GB_TRY(ok, group([&](ParamReader& g) {
                 g.number("spot_shock", s.spot_shock, 1e-6, 100.0)
                     .string("vol", vol, {"up", "none", "down", "linear", "abs"})
                     .number("dampening", s.dampening, 0.0, 1.0);
               })(v[i], row));
    (void)ok;
    if (!v[i].contains("spot_shock")) return io::json_error(row, "missing field 'spot_shock'");
    s.vol = vol == "up" ? DerivePmrmVol::Up : vol == "down" ? DerivePmrmVol::Down
          : vol == "linear" ? DerivePmrmVol::Linear : vol == "abs" ? DerivePmrmVol::Abs : DerivePmrmVol::None;
    if (s.vol == DerivePmrmVol::Linear || s.vol == DerivePmrmVol::Abs) {
      bool& seen = s.vol == DerivePmrmVol::Linear ? linear : abs;
      if (seen) return io::json_error(row.key("vol"), fmt::format("a second '{}' skew scenario (PMRM_2 allows one)", vol));
      seen = true;
      if (s.spot_shock != 1.0)
        return io::json_error(row.key("spot_shock"), fmt::format("{} must be 1 in a skew scenario", s.spot_shock));
    }
    grid.push_back(s);
  }
  out = std::move(grid);
  return true;
}

auto read_collateral() {
  return [](const io::Json& v, const io::JsonPath& at, DerivePmrmCollateral& c) -> Result<bool> {
    GB_TRY(ok, group([&](ParamReader& g) {
                 g.string("market", c.market, {})
                     .boolean("risk_cancelling", c.risk_cancelling)
                     .number("mm_haircut", c.mm_haircut, 0.0, 1.0)
                     .number("im_haircut", c.im_haircut, 0.0, 1.0);
               })(v, at));
    (void)ok;
    if (c.market.empty()) return io::json_error(at.key("market"), "missing: the underlying market of this collateral");
    c.market = upper(c.market);
    return true;
  };
}

Result<bool> check_open(double x, double lo, double hi, const io::JsonPath& at) {
  if (x > lo && x < hi) return true;
  return io::json_error(at, fmt::format("{} is out of range (must be strictly between {} and {})", x, lo, hi));
}
}  // namespace

Result<DerivePmrmParams> read_derive_pmrm_params(const io::Json* params, const io::JsonPath& at) {
  DerivePmrmParams p = derive_pmrm_defaults();
  ParamReader r(params, at);
  r.ignore("source").ignore("comment");
  r.string("cash_currency", p.cash_currency, {});
  // Ranges: Derive's setter bounds (PMRMLib_2 set*Params); docs/margin/derive.md lists them.
  r.custom("basis_contingency", group([&](ParamReader& g) {
    g.number("scenario_spot_up", p.scenario_spot_up, 1.0, 3.0)
        .number("scenario_spot_down", p.scenario_spot_down, 0.0, 1.0)
        .number("basis_cont_add_factor", p.basis_cont_add_factor, 0.0, 20.0)
        .number("basis_cont_mult_factor", p.basis_cont_mult_factor, 0.0, 20.0);
  }));
  r.custom("other_contingency", group([&](ParamReader& g) {
    g.number("peg_loss_threshold", p.peg_loss_threshold, 0.0, 100.0)
        .number("peg_loss_factor", p.peg_loss_factor, 0.0, 10.0)
        .number("conf_threshold", p.conf_threshold, 0.0, 1.0)
        .number("conf_margin", p.conf_margin, 0.0, 20.0)
        .number("mm_perp_percent", p.mm_perp_percent, 0.0, 3.0)
        .number("im_perp_percent", p.im_perp_percent, 0.0, 3.0)
        .number("mm_option_percent", p.mm_option_percent, 0.0, 2.0)
        .number("im_option_percent", p.im_option_percent, 0.0, 2.0);
  }));
  r.custom("margin", group([&](ParamReader& g) {
    g.number("im_factor", p.im_factor, 0.5, 10.0)
        .number("mm_factor", p.mm_factor, 0.5, 10.0)
        .number("short_rate_mult_scale", p.short_rate_mult_scale, 0.0, 10.0)
        .number("long_rate_mult_scale", p.long_rate_mult_scale, 0.0, 10.0)
        .number("short_rate_add_scale", p.short_rate_add_scale, 0.0, 10.0)
        .number("long_rate_add_scale", p.long_rate_add_scale, 0.0, 10.0)
        .number("short_base_static_discount", p.short_base_static_discount, 0.0, 4.0)
        .number("long_base_static_discount", p.long_base_static_discount, 0.0, 4.0);
  }));
  r.custom("vol_shock", group([&](ParamReader& g) {
    g.number("vol_range_up", p.vol_range_up, 0.0, 10.0)
        .number("vol_range_down", p.vol_range_down, 0.0, 10.0)
        .number("short_term_power", p.short_term_power, 0.0, 10.0)
        .number("long_term_power", p.long_term_power, 0.0, 10.0)
        .number("dte_floor_days", p.dte_floor_days, 1e-6, 400.0)
        .number("min_vol_up_shock", p.min_vol_up_shock, 0.0, 20.0);
  }));
  r.custom("skew_shock", group([&](ParamReader& g) {
    g.number("linear_base_cap", p.linear_base_cap, 0.0, 10.0)
        .number("abs_base_cap", p.abs_base_cap, 0.0, 10.0)
        .number("linear_c_base", p.linear_c_base, -10.0, 10.0)
        .number("abs_c_base", p.abs_c_base, -10.0, 10.0)
        .number("min_kstar", p.min_kstar, 1e-9, 10.0)  // > 0: k* divides (Derive allows 0)
        .number("width_scale", p.width_scale, 0.0, 10.0)
        .number("vol_param_static", p.vol_param_static, 0.0, 10.0)
        .number("vol_param_scale", p.vol_param_scale, -20.0, 20.0);
  }));
  r.custom("grid", group([&](ParamReader& g) {
    g.custom("rows", [&](const io::Json& v, const io::JsonPath& path) { return read_grid(v, path, p.scenarios); });
  }));
  r.custom("collaterals", [&](const io::Json& v, const io::JsonPath& path) {
    return derive_detail::read_table(v, path, p.collaterals, DerivePmrmCollateral{}, read_collateral());
  });
  r.number("rate", p.rate, 0.0, 1.0);
  r.number("stable_price", p.stable_price, 1e-6, 10.0);
  r.custom("oracle_confidence", [&](const io::Json& v, const io::JsonPath& path) {
    return derive_detail::read_confidence(v, path, p.oracle_confidence);
  });
  GB_TRY(ok, r.finish());
  (void)ok;
  const io::JsonPath basis = at.key("basis_contingency"), margin = at.key("margin");
  if (auto c = check_open(p.scenario_spot_up, 1.0, 3.0, basis.key("scenario_spot_up")); !c) return tl::unexpected(c.error());
  if (auto c = check_open(p.scenario_spot_down, 0.0, 1.0, basis.key("scenario_spot_down")); !c) return tl::unexpected(c.error());
  if (p.mm_factor > p.im_factor)
    return io::json_error(margin.key("mm_factor"), fmt::format("{} exceeds im_factor {} (MM would be stricter than IM)",
                                                                p.mm_factor, p.im_factor));
  if (p.cash_currency.empty()) return io::json_error(at.key("cash_currency"), "must not be empty");
  p.cash_currency = upper(p.cash_currency);
  return p;
}

}  // namespace greekbook::margin
