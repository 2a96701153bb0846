// Deribit PM parameters (reading, look-ups) and its scenario grid: standard table, extended table,
// roll scenarios, delta shock.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "deribit_common.hpp"
#include "greekbook/margin/deribit_portfolio.hpp"
#include "greekbook/margin/params.hpp"

namespace greekbook::margin {
using scenario::Scenario;
using scenario::VolShock;
using scenario::VolShockKind;

const DeribitPmPairParams& DeribitPmParams::pair(const std::string& name) const {
  if (auto it = currency_pair.find(name); it != currency_pair.end()) return it->second;
  return currency_pair.at("default");
}

const std::string& DeribitPmParams::currency_key(const std::string& ccy) const {
  const std::string key = deribit::lower(ccy);
  if (auto it = currency.find(key); it != currency.end()) return it->first;
  if (scenario::is_stablecoin(ccy))
    if (auto it = currency.find("usd"); it != currency.end()) return it->first;
  return currency.find("default")->first;
}

const DeribitPmCurrencyParams& DeribitPmParams::currency_for(const std::string& ccy) const {
  return currency.at(currency_key(ccy));
}

namespace {
void read_pair(ParamReader& r, DeribitPmPairParams& p) {
  deribit::number_above(r, "price_range", p.price_range, 0.0, 0.99);
  r.number("volatility_range_up", p.volatility_range_up, 0.0, 10.0)
      .number("volatility_range_down", p.volatility_range_down, 0.0, 1.0)
      .number("min_volatility_for_shock_up", p.min_volatility_for_shock_up, 0.0, 10.0)
      .number("short_term_vega_power", p.short_term_vega_power, 0.0, 5.0)
      .number("long_term_vega_power", p.long_term_vega_power, 0.0, 5.0)
      .number("max_delta_shock", p.max_delta_shock, 0.0, 1.0)
      .number("delta_total_liq_shock_threshold", p.delta_total_liq_shock_threshold, 0.0)
      .number("extended_table_factor", p.extended_table_factor, 0.0, 100.0)
      .number("m_inc", p.m_inc, 0.0, 1.0);
}

void read_currency(ParamReader& r, DeribitPmCurrencyParams& c) {
  r.number("annualised_move_risk", c.annualised_move_risk, 0.0, 1.0)
      .number("min_annualised_move", c.min_annualised_move, 0.0, 1.0)
      .number("extended_dampener", c.extended_dampener, 0.0);
  deribit::number_below(r, "haircut", c.haircut, 0.0, 1.0);
}

Result<bool> read_general(const io::Json& v, const io::JsonPath& at, DeribitPmParams& p) {
  ParamReader g(&v, at);
  g.ignore("source").ignore("comment");
  deribit::number_above(g, "mm_factor", p.mm_factor, 0.0, 1.0);
  g.integer("buckets_count", p.buckets_count, 1, 100).integer("vol_scenarios_count", p.vol_scenarios_count, 1, 3);
  GB_TRY(ok, g.finish());
  if (p.vol_scenarios_count == 2)
    return io::json_error(at.key("vol_scenarios_count"), "2 is not supported (3 = up, unchanged, down; 1 = unchanged only)");
  return ok;
}
}  // namespace

Result<DeribitPmParams> read_deribit_pm_params(const io::Json* params, const io::JsonPath& at) {
  DeribitPmParams p;
  ParamReader r(params, at);
  r.ignore("source").ignore("comment");
  r.custom("currency_pair", [&](const io::Json& v, const io::JsonPath& path) {
    return deribit::read_table<DeribitPmPairParams>(v, path, p.currency_pair, read_pair);
  });
  r.custom("currency", [&](const io::Json& v, const io::JsonPath& path) {
    return deribit::read_table<DeribitPmCurrencyParams>(v, path, p.currency, read_currency);
  });
  r.custom("general", [&](const io::Json& v, const io::JsonPath& path) { return read_general(v, path, p); });
  GB_TRY(ok, r.finish());
  (void)ok;
  return p;
}

DeribitPmGrid deribit_pm_grid(const DeribitPmPairParams& pp, int buckets, int vols) {
  VolShock up;
  up.kind = VolShockKind::Multiplicative;
  up.size = pp.volatility_range_up;
  up.ref_days = 30.0;
  up.floor_days = 1.0;
  up.short_power = pp.short_term_vega_power;
  up.long_power = pp.long_term_vega_power;
  up.min_vol = pp.min_volatility_for_shock_up;
  VolShock down = up;
  down.size = -pp.volatility_range_down;
  down.min_vol = 0.0;
  const VolShock same;

  struct Leg {
    const VolShock* shock;
    const char* label;
  };
  std::vector<Leg> legs;
  if (vols == 3) legs = {{&up, "up"}, {&same, "unchanged"}, {&down, "down"}};
  else legs = {{&same, "unchanged"}};

  DeribitPmGrid g;
  for (int k = -buckets; k <= buckets; ++k) {
    const double move = pp.price_range * k / buckets;
    for (const Leg& leg : legs) {
      Scenario s;
      s.name = fmt::format("{:+g}% vol {}", move * 100.0, leg.label);
      s.spot_factor = 1.0 + move;
      s.vol = *leg.shock;
      g.scenarios.push_back(std::move(s));
    }
  }
  g.standard = g.scenarios.size();
  for (const double move : kDeribitPmExtendedMoves) {
    Scenario s;
    s.name = fmt::format("extended {:+g}% vol up", move * 100.0);
    s.spot_factor = 1.0 + move;
    s.vol = up;
    s.weight = std::min(1.0, pp.extended_table_factor * pp.price_range / std::abs(move));
    g.scenarios.push_back(std::move(s));
  }
  g.extended = g.scenarios.size() - g.standard;
  return g;
}

std::array<Scenario, 2> deribit_pm_roll_scenarios(const DeribitPmCurrencyParams& c) {
  const double b = std::max(c.annualised_move_risk, c.min_annualised_move);
  std::array<Scenario, 2> out;
  out[0].name = fmt::format("roll {:+g}%/y", b * 100.0);
  out[0].basis_shift_per_year = b;
  out[1].name = fmt::format("roll {:+g}%/y", -b * 100.0);
  out[1].basis_shift_per_year = -b;
  return out;
}

double deribit_pm_delta_shock(const DeribitPmPairParams& pp, double delta_total_coin) noexcept {
  const double d = std::abs(delta_total_coin);
  return d * std::min(pp.max_delta_shock, pp.m_inc * d);
}

}  // namespace greekbook::margin
