#include "greekbook/margin/deribit_portfolio.hpp"

#include <cmath>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "deribit_common.hpp"
#include "deribit_pm_blocks.hpp"
#include "greekbook/scenario/risk_cube.hpp"

namespace greekbook::margin {
using deribit_pm::Block;
using deribit_pm::Blocks;
using deribit_pm::Context;
using io::Json;
using scenario::PositionState;
using scenario::Scenario;

DeribitPortfolioMargin::DeribitPortfolioMargin(DeribitPmParams params) : p_(std::move(params)) {
  for (const auto& [pair, pp] : p_.currency_pair)
    grids_.emplace(pair, deribit_pm_grid(pp, p_.buckets_count, p_.vol_scenarios_count));
  for (const auto& [key, c] : p_.currency) rolls_.emplace(key, deribit_pm_roll_scenarios(c));
  for (const auto& [pair, g] : grids_)
    for (const auto& [ccy, roll] : rolls_) {
      auto& all = all_[{pair, ccy}];
      all = g.scenarios;
      all.insert(all.end(), roll.begin(), roll.end());
    }
}

const std::vector<Scenario>& DeribitPortfolioMargin::all_scenarios(const std::string& pair,
                                                                   const std::string& currency) const {
  const std::string& g = grids_.count(pair) ? pair : std::string("default");
  return all_.at({g, p_.currency_key(currency)});
}

const std::array<Scenario, 2>& DeribitPortfolioMargin::roll_scenarios(const std::string& currency) const {
  return rolls_.at(p_.currency_key(currency));
}

const DeribitPmGrid& DeribitPortfolioMargin::grid(const std::string& pair) const {
  if (auto it = grids_.find(pair); it != grids_.end()) return it->second;
  return grids_.at("default");
}

namespace {
Json pair_params_json(const DeribitPmPairParams& p) {
  return Json{{"price_range", p.price_range},
              {"volatility_range_up", p.volatility_range_up},
              {"volatility_range_down", p.volatility_range_down},
              {"min_volatility_for_shock_up", p.min_volatility_for_shock_up},
              {"short_term_vega_power", p.short_term_vega_power},
              {"long_term_vega_power", p.long_term_vega_power},
              {"max_delta_shock", p.max_delta_shock},
              {"delta_total_liq_shock_threshold", p.delta_total_liq_shock_threshold},
              {"extended_table_factor", p.extended_table_factor},
              {"m_inc", p.m_inc}};
}

Json currency_params_json(const DeribitPmCurrencyParams& c) {
  return Json{{"annualised_move_risk", c.annualised_move_risk},
              {"min_annualised_move", c.min_annualised_move},
              {"extended_dampener", c.extended_dampener},
              {"haircut", c.haircut}};
}

/// Adds quantity x unit vector (settlement currency), converted to the pool currency, to `out`.
/// `factor(s)` is the position's spot factor in scenario s.
template <class Factor>
Result<bool> add_vector(const Context& ctx, const PositionState& p, double quantity, std::span<const double> unit,
                        Factor factor, std::span<double> out) {
  GB_TRY(conv, ctx.conversion(p));
  for (std::size_t s = 0; s < unit.size(); ++s) {
    const double to_pool = conv.first ? p.spot * factor(s) : conv.second;
    out[s] += quantity * unit[s] * to_pool;
  }
  return true;
}
}  // namespace

Result<MarginResult> DeribitPortfolioMargin::run(const scenario::AccountState& a, Detail detail) const {
  const bool per_instrument = detail == Detail::PerInstrument;
  const Context ctx{*this, a, deribit::is_segregated(a)};

  // Net the positions by instrument name (the first position's market state is kept); no copies.
  std::vector<std::pair<const PositionState*, double>> netted;
  std::unordered_map<std::string_view, std::size_t> index;
  netted.reserve(a.positions.size());
  index.reserve(a.positions.size());
  for (const auto& p : a.positions) {
    GB_TRY(ok, deribit::check_position(a, p, name()));
    (void)ok;
    auto [it, inserted] = index.try_emplace(p.instrument.name, netted.size());
    if (inserted) netted.emplace_back(&p, p.quantity);
    else netted[it->second].second += p.quantity;
  }

  Blocks blocks;
  std::map<const Block*, std::vector<std::pair<const PositionState*, double>>> members;
  // (settlement currency, underlying) -> block: a few per account, looked up by pointer-free compare.
  std::vector<std::pair<std::pair<std::string_view, std::string_view>, Block*>> block_of;
  for (const auto& [p, qty] : netted) {
    const std::pair<std::string_view, std::string_view> key{p->instrument.settlement_currency, p->instrument.underlying};
    Block* bp = nullptr;
    for (const auto& [k, b] : block_of)
      if (k == key) bp = b;
    if (!bp) {
      bp = &ctx.block(blocks, ctx.pool_of(*p), p->instrument.underlying);
      block_of.emplace_back(key, bp);
    }
    Block& b = *bp;
    GB_TRY(ok, ctx.check_roll(b, *p));
    (void)ok;
    if (b.spot == 0.0) b.spot = p->spot;
    b.delta_total += p->delta_total() / p->quantity * qty;
    if (qty != 0.0) members[&b].emplace_back(p, qty);
  }

  Json initial = Json::object(), aggregated = Json::object();
  Json pair_params = Json::object(), currency_params = Json::object();
  for (auto& [key, b] : blocks) {
    const std::vector<Scenario>& scenarios = *b.all;
    const auto& live = members[&b];
    std::vector<const PositionState*> states;
    states.reserve(live.size());
    for (const auto& m : live) states.push_back(m.first);
    const auto cube = scenario::RiskCube::build(states, scenarios);
    std::vector<double> v(b.size());
    for (std::size_t i = 0; i < live.size(); ++i) {
      const auto factor = [&](std::size_t s) { return cube.spot_factor(i, s); };
      if (!per_instrument) {
        GB_TRY(ok, add_vector(ctx, *live[i].first, live[i].second, cube.unit_vector(i), factor, b.pnl));
        (void)ok;
        continue;
      }
      std::fill(v.begin(), v.end(), 0.0);
      GB_TRY(ok, add_vector(ctx, *live[i].first, live[i].second, cube.unit_vector(i), factor, v));
      (void)ok;
      for (std::size_t s = 0; s < v.size(); ++s) b.pnl[s] += v[s];
      initial[live[i].first->instrument.name] = deribit_pm::vectors_json(*b.grid, v);
    }
    if (detail == Detail::None) continue;
    aggregated[b.pair] = deribit_pm::vectors_json(*b.grid, b.pnl);
    pair_params[b.pair] = pair_params_json(*b.pair_params);
    currency_params[deribit::lower(b.roll_currency)] = currency_params_json(*b.roll_params);
  }
  const auto equity = deribit::currency_equity(a);
  if (detail == Detail::None) return deribit_pm::assemble(ctx, blocks, equity, false);
  if (!ctx.segregated)
    for (const auto& [ccy, e] : equity) currency_params[deribit::lower(ccy)] = currency_params_json(p_.currency_for(ccy));

  GB_TRY(r, deribit_pm::assemble(ctx, blocks, equity, true));
  r.details["aggregated_risk_vectors"] = std::move(aggregated);
  if (per_instrument) r.details["initial_risk_vectors"] = std::move(initial);
  r.details["parameters"] = Json{{"currency_pair", std::move(pair_params)},
                                 {"currency", std::move(currency_params)},
                                 {"general", Json{{"mm_factor", p_.mm_factor},
                                                  {"buckets_count", p_.buckets_count},
                                                  {"vol_scenarios_count", p_.vol_scenarios_count}}}};
  return r;
}

Result<MarginResult> DeribitPortfolioMargin::what_if(const scenario::AccountState& a, const MarginResult& before,
                                                     std::span<const PositionState> extra) const {
  const Context ctx{*this, a, deribit::is_segregated(a)};
  Blocks blocks;
  std::map<std::string, double> equity;
  GB_TRY(restored, deribit_pm::restore(ctx, before, blocks, equity));
  if (!restored) return MarginModel::what_if(a, before, extra);
  const std::size_t layout = blocks.size();

  for (const auto& x : extra) {
    GB_TRY(ok, deribit::check_position(a, x, name()));
    Block& b = ctx.block(blocks, ctx.pool_of(x), x.instrument.underlying);
    GB_TRY(roll_ok, ctx.check_roll(b, x));
    (void)ok, (void)roll_ok;
    if (b.spot == 0.0) b.spot = x.spot;
    b.delta_total += x.delta_total();
    deribit::add_equity(equity, x);
    if (x.quantity == 0.0) continue;
    const auto vector = scenario::unit_vector(x, *b.all);
    const auto& u = x.instrument.underlying;
    GB_TRY(g, add_vector(ctx, x, x.quantity, vector, [&](std::size_t s) { return (*b.all)[s].factor(u); }, b.pnl));
    (void)g;
  }
  // Same blocks as before: the scenario names are shared, not rebuilt.
  GB_TRY(r, deribit_pm::assemble(ctx, blocks, equity, false, blocks.size() == layout ? before.scenario_names : nullptr));
  r.notes.push_back("what-if: existing positions not repriced (previous risk vectors + the orders' vectors)");
  return r;
}

Result<ModelPtr> make_deribit_pm(const io::Json* params, const io::JsonPath& at) {
  GB_TRY(p, read_deribit_pm_params(params, at));
  return ModelPtr(std::make_unique<DeribitPortfolioMargin>(std::move(p)));
}

}  // namespace greekbook::margin
