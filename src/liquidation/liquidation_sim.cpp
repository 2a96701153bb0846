#include "greekbook/liquidation/liquidation_sim.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "greekbook/margin/params.hpp"

namespace greekbook::liquidation {

using instruments::Kind;
using margin::MarginResult;
using scenario::AccountState;
using scenario::PositionState;

Result<LiquidationParams> make_liquidation_params(const io::Json* params, const io::JsonPath& at) {
  LiquidationParams p;
  std::string mode = "fraction", stop = "maintenance";
  margin::ParamReader r(params, at);
  r.ignore("source").ignore("comment");
  r.string("step_mode", mode, {"fraction", "fixed"})
      .number("step_fraction", p.step_fraction, 0.0, 1.0)
      .number("step_quantity", p.step_quantity, 0.0)
      .number("penalty_rate", p.penalty_rate, 0.0, 0.5)
      .boolean("impact_feeds_mark", p.impact_feeds_mark)
      .string("stop_at", stop, {"maintenance", "initial"})
      .number("stop_buffer", p.stop_buffer, 0.0, 10.0)
      .integer("max_steps", p.max_steps, 1, 10'000'000)
      .number("trigger_overshoot_bps", p.trigger_overshoot_bps, 0.0, 1000.0);
  GB_TRY(ok, r.finish());
  (void)ok;
  p.step_mode = mode == "fixed" ? StepMode::Fixed : StepMode::Fraction;
  p.stop_at = stop == "initial" ? StopTarget::Initial : StopTarget::Maintenance;
  if (!(p.step_fraction > 0)) return io::json_error(at.key("step_fraction"), fmt::format("{} must be > 0", p.step_fraction));
  if (p.step_mode == StepMode::Fixed && !(p.step_quantity > 0))
    return io::json_error(at.key("step_quantity"),
                          fmt::format("{} must be > 0 when step_mode is \"fixed\"", p.step_quantity));
  return p;
}

namespace {

Result<bool> check_params(const AccountState& a, const LiquidationParams& p, double fund) {
  const auto bad = [&](const char* name, double v, const char* rule) {
    return make_error(fmt::format("account '{}': liquidation parameter {} = {} (must be {})", a.id, name, v, rule));
  };
  if (p.step_mode == StepMode::Fraction && !(p.step_fraction > 0 && p.step_fraction <= 1))
    return bad("step_fraction", p.step_fraction, "in (0, 1]");
  if (p.step_mode == StepMode::Fixed && !(p.step_quantity > 0 && std::isfinite(p.step_quantity)))
    return bad("step_quantity", p.step_quantity, "finite and > 0 in fixed mode");
  if (!(p.penalty_rate >= 0 && p.penalty_rate < 1)) return bad("penalty_rate", p.penalty_rate, "in [0, 1)");
  if (!(p.stop_buffer >= 0 && std::isfinite(p.stop_buffer))) return bad("stop_buffer", p.stop_buffer, ">= 0");
  if (p.max_steps < 1) return bad("max_steps", p.max_steps, ">= 1");
  if (!(p.trigger_overshoot_bps >= 0 && p.trigger_overshoot_bps < 1e4))
    return bad("trigger_overshoot_bps", p.trigger_overshoot_bps, "in [0, 10000)");
  if (!(fund >= 0 && std::isfinite(fund))) return bad("insurance_fund_usd", fund, "finite and >= 0");
  return true;
}

double equity_usd(const MarginResult& r, const AccountState& a) {
  const double rate = a.usd_rate(r.currency);
  if (std::isfinite(rate)) return r.equity * rate;
  double s = 0;
  for (const auto& p : r.pools) s += p.equity * p.usd_rate;
  return s;
}

// Pools below the stop target ("" stands for the whole account when the model gives no pools).
std::set<std::string> pools_below_target(const MarginResult& r, const LiquidationParams& p) {
  const auto req = [&](double im, double mm) { return (p.stop_at == StopTarget::Initial ? im : mm) * (1 + p.stop_buffer); };
  std::set<std::string> out;
  if (r.pools.empty()) {
    if (r.equity < req(r.initial_margin, r.maintenance_margin)) out.insert("");
    return out;
  }
  for (const auto& pool : r.pools)
    if (pool.equity < req(pool.initial_margin, pool.maintenance_margin)) out.insert(pool.name);
  return out;
}

std::set<std::string> bankrupt_pools(const MarginResult& r) {
  std::set<std::string> out;
  if (r.pools.empty()) {
    if (r.equity < 0) out.insert("");
    return out;
  }
  for (const auto& pool : r.pools)
    if (pool.equity < 0) out.insert(pool.name);
  return out;
}

// The model's contribution for a position: same instrument name, the same quantity preferred.
const margin::PositionMargin* contribution(const MarginResult& r, const PositionState& p) {
  const margin::PositionMargin* any = nullptr;
  for (const auto& pm : r.positions) {
    if (pm.instrument != p.instrument.name) continue;
    if (pm.quantity == p.quantity) return &pm;
    if (!any) any = &pm;
  }
  return any;
}

// Positions of the given pools ("" = all); all positions when the model maps none to a pool.
bool in_pools(const MarginResult& r, const PositionState& p, const std::set<std::string>& pools) {
  if (pools.count("")) return true;
  const auto* pm = contribution(r, p);
  return !pm || pm->pool.empty() || pools.count(pm->pool) > 0;
}

// Equity per unit of a closed part valued at price x (settlement currency): options and spot are
// worth x; futures their PnL against entry (or against the mark when no entry is known, whose PnL
// the position no longer carries).
double value_at(const PositionState& p, double x) {
  if (p.instrument.kind == Kind::Option || p.instrument.kind == Kind::Spot) return x;
  const double e = std::isnan(p.entry) ? p.mark : p.entry;
  return p.instrument.inverse ? 1.0 / e - 1.0 / x : x - e;
}

struct Sim {
  const margin::MarginModel& model;
  LiquidityMap liquidity;  // own copy: AMM reserves move
  const LiquidationParams& params;
  AccountState acc;
  std::vector<double> start_size;  // |quantity| when the liquidation started, aligned with acc.positions
  LiquidationOutcome out;
  double fund = 0.0;
  double isolated_deficit_usd = 0.0;  // negative margin left by closed isolated positions

  Result<MarginResult> compute() {
    auto r = model.compute(acc);
    if (!r) return make_error(fmt::format("account '{}': model {} failed during liquidation: {}", acc.id, model.name(),
                                          r.error().message));
    return r;
  }

  // Closes `dq` (> 0, venue units) of position i; returns the fill.
  Result<Fill> close(std::size_t i, double dq, int step, bool closeout) {
    PositionState& p = acc.positions[i];
    const double closed = std::copysign(dq, p.quantity);
    const Side side = p.quantity > 0 ? Side::Sell : Side::Buy;
    const std::string& settle = p.instrument.settlement_currency;
    const double rate = acc.usd_rate(settle);
    if (!(std::isfinite(rate) && rate > 0))
      return make_error(fmt::format("account '{}': instrument '{}': no USD rate for settlement currency '{}'", acc.id,
                                    p.instrument.name, settle));
    PositionState part = p;
    part.quantity = closed;
    const double base_usd = part.notional_usd();
    const double traded_usd = p.is_option() ? std::abs(closed) * p.mark * rate : base_usd;
    LiquiditySource* src = liquidity.find(p.instrument);
    if (!src)
      return make_error(fmt::format("account '{}': no liquidity source (depth profile or AMM) for instrument '{}' ({})",
                                    acc.id, p.instrument.name, p.instrument.underlying));
    auto impact = execute(*src, side, traded_usd);
    if (!impact)
      return make_error(fmt::format("account '{}': instrument '{}': {}", acc.id, p.instrument.name, impact.error().message));
    const double sign = side == Side::Sell ? -1.0 : 1.0;
    const double price = p.mark * (1.0 + sign * impact->average);
    if (!(price > 0) && !p.is_option())
      return make_error(fmt::format("account '{}': instrument '{}': a {} of {} USD executes at {} (impact {}): the "
                                    "order exhausts the liquidity",
                                    acc.id, p.instrument.name, to_string(side), traded_usd, price, impact->average));
    Fill f;
    f.step = step;
    f.instrument = p.instrument.name;
    f.quantity = -closed;
    f.mark = p.mark;
    f.price = std::max(price, 0.0);
    f.notional_usd = base_usd;
    f.slippage_usd = closed * (value_at(p, p.mark) - value_at(p, f.price)) * rate;
    f.beyond_depth = impact->beyond_depth;
    f.closeout = closeout;
    // Realised value: into the position's isolated margin when it has one, else the balance.
    const double cash = closed * value_at(p, f.price);
    if (p.isolated_margin) *p.isolated_margin += cash;
    else acc.collateral[settle] += cash;
    const std::string underlying = p.instrument.underlying;
    const bool moves_underlying = !p.is_option();
    p.quantity -= closed;
    if (std::abs(p.quantity) <= 1e-12 * start_size[i]) {
      // A closed isolated position returns what is left of its margin; a negative rest is a
      // deficit of that position alone (its losses never reach the cross balance).
      if (p.isolated_margin) {
        if (*p.isolated_margin >= 0) acc.collateral[settle] += *p.isolated_margin;
        else isolated_deficit_usd += -*p.isolated_margin * rate;
      }
      acc.positions.erase(acc.positions.begin() + static_cast<std::ptrdiff_t>(i));
      start_size.erase(start_size.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (params.impact_feeds_mark && moves_underlying && impact->marginal > 0) {
      const double factor = 1.0 + sign * impact->marginal;
      if (!(factor > 0))
        return make_error(fmt::format("account '{}': instrument '{}': impact {} moves {} to a price <= 0", acc.id,
                                      f.instrument, impact->marginal, underlying));
      acc = scenario::shifted(acc, underlying, factor);
    }
    out.slippage_usd += f.slippage_usd;
    return f;
  }

  // Index of the position to cut next among the pools below target; nullopt when none is open.
  std::optional<std::size_t> pick(const MarginResult& r, const std::set<std::string>& pools) const {
    std::optional<std::size_t> best;
    double best_score = -1;
    bool by_mm = false;
    for (const auto& p : acc.positions) {
      const auto* pm = contribution(r, p);
      if (p.quantity != 0 && in_pools(r, p, pools) && pm && pm->maintenance > 0) by_mm = true;
    }
    for (std::size_t i = 0; i < acc.positions.size(); ++i) {
      const auto& p = acc.positions[i];
      if (p.quantity == 0 || !in_pools(r, p, pools)) continue;
      double score = p.notional_usd();
      if (by_mm) {
        const auto* pm = contribution(r, p);
        const double rate = acc.usd_rate(pm && !pm->currency.empty() ? pm->currency : r.currency);
        score = pm ? pm->maintenance * (std::isfinite(rate) ? rate : 1.0) : 0.0;
      }
      if (score > best_score) {
        best_score = score;
        best = i;
      }
    }
    return best;
  }

  // Penalty on a fill, capped at the remaining equity of the instrument's pool (USD).
  Result<double> charge_penalty(Fill& f, const std::string& pool, const std::string& settle, const MarginResult& r) {
    double cap = std::max(0.0, equity_usd(r, acc));
    for (const auto& p : r.pools)
      if (p.name == pool) cap = std::max(0.0, p.equity * p.usd_rate);
    f.penalty_usd = std::min(params.penalty_rate * f.notional_usd, cap);
    if (f.penalty_usd <= 0) return 0.0;
    const double amount = f.penalty_usd / acc.usd_rate(settle);
    auto it = std::find_if(acc.positions.begin(), acc.positions.end(),
                           [&](const PositionState& p) { return p.instrument.name == f.instrument && p.isolated_margin; });
    if (it != acc.positions.end()) *it->isolated_margin -= amount;
    else acc.collateral[settle] -= amount;
    out.penalties_usd += f.penalty_usd;
    fund += f.penalty_usd;
    return f.penalty_usd;
  }
};

}  // namespace

Result<LiquidationOutcome> liquidate(const AccountState& account, const margin::MarginModel& model,
                                     const LiquidityMap& liquidity, const LiquidationParams& params,
                                     double insurance_fund_usd) {
  GB_TRY(ok, check_params(account, params, insurance_fund_usd));
  (void)ok;
  Sim sim{model, liquidity, params, account, {}, {}, insurance_fund_usd, 0.0};
  for (const auto& p : sim.acc.positions) sim.start_size.push_back(std::abs(p.quantity));
  auto& out = sim.out;
  out.account = account.id;
  out.model = model.name();
  out.insurance_fund_before_usd = insurance_fund_usd;
  GB_TRY(r0, sim.compute());
  MarginResult r = std::move(r0);
  out.equity_before_usd = equity_usd(r, sim.acc);
  out.triggered = r.min_excess_usd() < 0;
  int step = 0;
  if (out.triggered) {
    for (; step < params.max_steps; ++step) {
      if (!bankrupt_pools(r).empty()) break;
      const auto below = pools_below_target(r, params);
      if (below.empty()) break;
      auto i = sim.pick(r, below);
      if (!i) {
        out.notes.push_back("no open position left in the pools below target");
        break;
      }
      const PositionState& p = sim.acc.positions[*i];
      const auto* pm = contribution(r, p);
      const std::string pool = pm ? pm->pool : std::string();
      const std::string settle = p.instrument.settlement_currency;
      const double size = params.step_mode == StepMode::Fixed ? params.step_quantity
                                                               : params.step_fraction * sim.start_size[*i];
      const double dq = std::min(std::abs(p.quantity), size);
      GB_TRY(fill, sim.close(*i, dq, step + 1, false));
      GB_TRY(r1, sim.compute());
      GB_TRY(pen, sim.charge_penalty(fill, pool, settle, r1));
      out.fills.push_back(fill);
      if (pen > 0) {
        GB_TRY(r2, sim.compute());
        r = std::move(r2);
      } else {
        r = std::move(r1);
      }
    }
    if (step == params.max_steps && !pools_below_target(r, params).empty() && bankrupt_pools(r).empty()) {
      out.max_steps_reached = true;
      out.notes.push_back(fmt::format("stopped after max_steps = {} steps, still below target", params.max_steps));
    }
    // Bankruptcy: close out the bankrupt pools' positions and cover the deficit from the fund.
    if (const auto bankrupt = bankrupt_pools(r); !bankrupt.empty() || sim.isolated_deficit_usd > 0) {
      out.bankrupt = true;
      for (std::size_t i = 0; i < sim.acc.positions.size();) {
        const auto& p = sim.acc.positions[i];
        if (p.quantity == 0 || !in_pools(r, p, bankrupt)) {
          ++i;
          continue;
        }
        const std::size_t before = sim.acc.positions.size();
        GB_TRY(fill, sim.close(i, std::abs(p.quantity), ++step, true));
        out.fills.push_back(fill);
        if (sim.acc.positions.size() == before) ++i;
      }
      GB_TRY(rc, sim.compute());
      r = std::move(rc);
      double deficit = 0;
      if (r.pools.empty()) deficit = std::max(0.0, -equity_usd(r, sim.acc));
      for (const auto& p : r.pools) deficit += std::max(0.0, -p.equity * p.usd_rate);
      out.deficit_usd = deficit + sim.isolated_deficit_usd;
      out.insurance_covered_usd = std::min(out.deficit_usd, sim.fund);
      out.uncovered_usd = out.deficit_usd - out.insurance_covered_usd;
      sim.fund -= out.insurance_covered_usd;
    }
  }
  out.final_margin = r;
  out.final_excess_usd = r.min_excess_usd();
  out.equity_after_usd = equity_usd(r, sim.acc) - sim.isolated_deficit_usd;
  out.realised_loss_usd = out.equity_before_usd - out.equity_after_usd;
  out.insurance_fund_after_usd = sim.fund;
  out.insurance_fund_change_usd = sim.fund - insurance_fund_usd;
  out.final_account = std::move(sim.acc);
  return std::move(out);
}

Result<PathOutcome> liquidate_along_path(const AccountState& account, const margin::MarginModel& model,
                                         const std::string& underlying, std::span<const double> prices,
                                         const LiquidityMap& liquidity, const LiquidationParams& params,
                                         double insurance_fund_usd) {
  const double index = index_price(account, underlying);
  if (!std::isfinite(index))
    return make_error(fmt::format("account '{}': no price for underlying '{}'", account.id, underlying));
  PathOutcome out;
  for (std::size_t k = 0; k < prices.size(); ++k) {
    if (!(std::isfinite(prices[k]) && prices[k] > 0))
      return make_error(fmt::format("account '{}': price path [{}] = {} (must be finite and > 0)", account.id, k, prices[k]));
    const auto moved = scenario::shifted(account, underlying, prices[k] / index);
    auto r = model.compute(moved);
    if (!r)
      return make_error(fmt::format("account '{}': model {} failed at {} = {} (path [{}]): {}", account.id, model.name(),
                                    underlying, prices[k], k, r.error().message));
    if (r->min_excess_usd() < 0) {
      GB_TRY(liq, liquidate(moved, model, liquidity, params, insurance_fund_usd));
      out.trigger_index = k;
      out.liquidation = std::move(liq);
      return out;
    }
  }
  return out;
}

Result<LiquidationOutcome> liquidate_at_liquidation_price(const AccountState& account, const margin::MarginModel& model,
                                                          const LiquidationPriceOptions& options, bool down,
                                                          const LiquidityMap& liquidity, const LiquidationParams& params,
                                                          double insurance_fund_usd) {
  GB_TRY(ok, check_params(account, params, insurance_fund_usd));
  (void)ok;
  GB_TRY(lp, liquidation_price(account, model, options));
  if (lp.status == LiquidationStatus::BelowMaintenance)
    return liquidate(account, model, liquidity, params, insurance_fund_usd);
  const auto& c = down ? lp.below : lp.above;
  if (!c)
    return make_error(fmt::format("account '{}': no liquidation price {} the {} index: {}", account.id,
                                  down ? "below" : "above", lp.underlying, down ? lp.below_note : lp.above_note));
  const double ob = params.trigger_overshoot_bps * 1e-4;
  const double f = c->factor * (down ? 1.0 - ob : 1.0 + ob);
  auto out = liquidate(scenario::shifted(account, move_factors(lp, f)), model, liquidity, params, insurance_fund_usd);
  if (out && !out->triggered)
    out->notes.push_back(fmt::format("not below maintenance at {} = {:.8g} USD ({} bps past the crossing)", lp.underlying,
                                     lp.index_usd * f, params.trigger_overshoot_bps));
  return out;
}

}  // namespace greekbook::liquidation
