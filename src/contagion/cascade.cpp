#include "greekbook/contagion/cascade.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "cascade_state.hpp"
#include "greekbook/liquidation/lending_liquidation.hpp"
#include "greekbook/liquidation/liquidation_sim.hpp"

namespace greekbook::contagion {

const char* to_string(AccountStatus s) noexcept {
  switch (s) {
    case AccountStatus::Sound: return "sound";
    case AccountStatus::BelowMaintenance: return "below_maintenance";
    case AccountStatus::Liquidated: return "liquidated";
    case AccountStatus::Bankrupt: return "bankrupt";
    case AccountStatus::Halted: return "halted";
  }
  return "?";
}

const char* to_string(FailureCause c) noexcept {
  return c == FailureCause::VenueFailure ? "venue_failure" : "below_maintenance";
}

double account_value_usd(const scenario::AccountState& a) noexcept {
  double v = 0.0;
  for (const auto& [ccy, amount] : a.collateral)
    if (amount != 0.0) v += amount * a.usd_rate(ccy);
  for (const auto& p : a.positions) {
    const double rate = a.usd_rate(p.instrument.settlement_currency);
    v += p.quantity * p.unit_equity() * rate;
    if (p.isolated_margin) v += *p.isolated_margin * rate;
  }
  return v;
}

namespace detail {

namespace {
// Equity and IM of a margin result in USD.
std::pair<double, double> equity_im_usd(const margin::MarginResult& r, const scenario::AccountState& a) {
  const double rate = a.usd_rate(r.currency);
  if (std::isfinite(rate)) return {r.equity * rate, r.initial_margin * rate};
  double e = 0, im = 0;
  for (const auto& p : r.pools) {
    e += p.equity * p.usd_rate;
    im += p.initial_margin * p.usd_rate;
  }
  return {e, im};
}
}  // namespace

Result<bool> Cascade::margin_round(int round, const std::string& trigger, double time_min, MarketStep& step) {
  std::map<std::string, double> sold;
  for (std::size_t i = 0; i < live.size(); ++i) {
    Live& a = live[i];
    if (a.out) continue;
    sync(a);
    auto r = a.model->compute_pools(a.state);
    if (!r)
      return make_error(fmt::format("round {}: account '{}': model {} failed: {}", round, a.state.id, a.model->name(),
                                    r.error().message));
    const double excess = r->min_excess_usd();
    if (!std::isfinite(excess))
      return make_error(fmt::format("round {}: account '{}': model {} gave a non-finite excess", round, a.state.id,
                                    a.model->name()));
    AccountOutcome& o = result.accounts[i];
    o.min_excess_usd = std::min(o.min_excess_usd, excess);
    if (excess >= 0) continue;
    Failure f;
    f.account = i;
    f.account_id = a.state.id;
    f.venue = a.state.venue;
    f.round = round;
    f.time_min = time_min;
    f.trigger = trigger;
    f.excess_usd = excess;
    double worst = std::numeric_limits<double>::infinity();
    for (const auto& pool : r->pools)
      if (pool.excess() * pool.usd_rate < worst) {
        worst = pool.excess() * pool.usd_rate;
        f.pool = pool.name;
      }
    f.first = !o.first_failure_round;
    if (f.first) o.first_failure_round = round;
    GB_TRY(rec, liquidate_one(a, round, excess));
    if (rec.steps > 0) {
      step.changed = true;
      step.liquidated.push_back(a.state.id);
      o.liquidation_cost_usd += rec.realised_loss_usd;
      o.deficit_usd += rec.deficit_usd;
      o.insurance_covered_usd += rec.insurance_covered_usd;
      o.uncovered_usd += rec.uncovered_usd;
      for (const auto& [u, n] : rec.sold_usd) sold[u] += n;
      if (o.status != AccountStatus::Bankrupt) o.status = rec.bankrupt ? AccountStatus::Bankrupt : AccountStatus::Liquidated;
      // A bankrupt account stays in the cascade while it holds positions (an isolated pool went
      // bankrupt, the cross pool goes on); lending bad debt or nothing left: out.
      if (rec.bankrupt && (a.lending || a.state.positions.empty())) a.out = true;
    } else if (o.status == AccountStatus::Sound) {
      o.status = AccountStatus::BelowMaintenance;
    }
    f.status_after = rec.steps > 0 ? o.status : AccountStatus::BelowMaintenance;
    o.liquidations.push_back(std::move(rec));
    result.failures.push_back(std::move(f));
  }
  GB_TRY(moved, apply_impact(sold, step));
  if (moved) step.changed = true;
  return step.changed;
}

Result<LiquidationRecord> Cascade::liquidate_one(Live& a, int round, double excess) {
  LiquidationRecord rec;
  rec.round = round;
  rec.excess_before_usd = excess;
  double& fund = funds[a.state.venue];
  if (a.lending) {
    rec.kind = "lending";
    auto o = liquidation::liquidate_lending(a.state, a.lending->params());
    if (!o) return make_error(fmt::format("round {}: {}", round, o.error().message));
    rec.steps = o->calls.size();
    rec.notes = o->notes;
    rec.excess_after_usd = excess;
    if (rec.steps == 0) return rec;  // nothing could be done: no change
    rec.health_factor_before = o->health_factor_before;
    rec.health_factor_after = o->health_factor_after;
    rec.realised_loss_usd = o->realised_loss_usd;
    // The liquidator sells the seized collateral and buys the debt it repays (coins only).
    for (const auto& c : o->calls) {
      if (!scenario::is_stablecoin(c.collateral_currency)) rec.sold_usd[c.collateral_currency] += c.seized_usd;
      if (!scenario::is_stablecoin(c.debt_currency)) rec.sold_usd[c.debt_currency] -= c.repaid_usd;
    }
    rec.bankrupt = o->bad_debt_usd > 0;
    rec.deficit_usd = o->bad_debt_usd;
    rec.insurance_covered_usd = std::min(fund, rec.deficit_usd);
    rec.uncovered_usd = rec.deficit_usd - rec.insurance_covered_usd;
    fund -= rec.insurance_covered_usd;
    a.state = std::move(o->final_account);
  } else {
    rec.kind = "incremental";
    std::map<std::string, std::pair<std::string, bool>> underlying_of;  // instrument -> (underlying, moves it)
    std::map<std::string, std::string> settle_of;                      // instrument -> settlement currency
    for (const auto& p : a.state.positions) {
      underlying_of[p.instrument.name] = {p.instrument.underlying, !p.is_option()};
      settle_of[p.instrument.name] = p.instrument.settlement_currency;
    }
    auto o = liquidation::liquidate(a.state, *a.model, liquidity, params, fund);
    if (!o) return make_error(fmt::format("round {}: {}", round, o.error().message));
    rec.steps = o->fills.size();
    rec.notes = o->notes;
    rec.excess_after_usd = excess;
    if (rec.steps == 0) return rec;  // nothing to close: no change (the fund is not drawn again)
    rec.realised_loss_usd = o->realised_loss_usd;
    rec.slippage_usd = o->slippage_usd;
    rec.penalties_usd = o->penalties_usd;
    for (const auto& f : o->fills) {
      const auto it = underlying_of.find(f.instrument);
      if (it == underlying_of.end() || !it->second.second) continue;
      rec.sold_usd[it->second.first] += (f.quantity < 0 ? 1.0 : -1.0) * f.notional_usd;
    }
    rec.bankrupt = o->bankrupt;
    rec.deficit_usd = o->deficit_usd;
    rec.insurance_covered_usd = o->insurance_covered_usd;
    rec.uncovered_usd = o->uncovered_usd;
    fund = o->insurance_fund_after_usd;
    a.state = std::move(o->final_account);
    if (rec.bankrupt) {
      // The deficit is the venue's now (insurance fund, then socialised): negative balances in the
      // settlement currencies of the positions liquidated go back to 0, so it is neither counted nor
      // covered twice (isolated deficits never reach the balances).
      for (const auto& f : o->fills) {
        const auto it = settle_of.find(f.instrument);
        if (it == settle_of.end()) continue;
        if (auto b = a.state.collateral.find(it->second); b != a.state.collateral.end() && b->second < 0) {
          rec.notes.push_back(fmt::format("deficit absorbed by the venue: {} balance {} reset to 0", it->second, b->second));
          b->second = 0.0;
        }
      }
    }
  }
  auto r = a.model->compute_pools(a.state);
  if (!r)
    return make_error(fmt::format("round {}: account '{}': model {} failed after the liquidation: {}", round, a.state.id,
                                  a.model->name(), r.error().message));
  rec.excess_after_usd = r->min_excess_usd();
  return rec;
}

Result<bool> Cascade::apply_impact(const std::map<std::string, double>& sold, MarketStep& step) {
  bool moved = false;
  for (const auto& [u, net] : sold) {
    step.sold_usd[u] = net;
    if (std::abs(net) < 1e-9) continue;
    liquidation::LiquiditySource* src = nullptr;
    if (auto it = liquidity.by_underlying.find(u); it != liquidity.by_underlying.end()) src = &it->second;
    else if (liquidity.fallback) src = &*liquidity.fallback;
    if (!src) {
      const std::string note = fmt::format("no liquidity source for {}: its liquidations move no price", u);
      if (std::find(result.notes.begin(), result.notes.end(), note) == result.notes.end()) result.notes.push_back(note);
      continue;
    }
    const auto side = net > 0 ? liquidation::Side::Sell : liquidation::Side::Buy;
    auto impact = liquidation::execute(*src, side, std::abs(net));
    if (!impact) return make_error(fmt::format("market impact of {} USD of {}: {}", std::abs(net), u, impact.error().message));
    const double f = side == liquidation::Side::Sell ? 1.0 - impact->marginal : 1.0 + impact->marginal;
    if (!(f > 0))
      return make_error(fmt::format("market impact of {} USD of {} moves its price to <= 0 (impact {})", std::abs(net), u,
                                    impact->marginal));
    if (f != 1.0) {
      market[u] *= f;
      step.impact_bps[u] = (f - 1.0) * 1e4;
      moved = true;
    }
  }
  return moved;
}

void Cascade::apply_venue_failure(const Event& e, int round, double time_min, const std::string& trigger) {
  for (std::size_t i = 0; i < live.size(); ++i) {
    Live& a = live[i];
    if (a.state.venue != e.venue || a.out) continue;
    sync(a);
    AccountOutcome& o = result.accounts[i];
    const double before = account_value_usd(a.state);
    std::map<std::string, double> move;
    for (const auto& p : a.state.positions)
      if (const double f = e.close_factor(p.instrument.underlying); f != 1.0) move[p.instrument.underlying] = f;
    scenario::AccountState closed = move.empty() ? a.state : scenario::shifted(a.state, move);
    for (const auto& p : closed.positions) {
      double& bal = closed.collateral[p.instrument.settlement_currency];
      bal += p.quantity * p.unit_equity();
      if (p.isolated_margin) bal += *p.isolated_margin;
    }
    closed.positions.clear();
    closed.usd_rates = a.state.usd_rates;  // balances stay valued at the market
    for (auto& [ccy, bal] : closed.collateral) {
      if (!(bal > 0)) continue;
      a.frozen[ccy] += bal * e.collateral_frozen;
      bal -= bal * e.collateral_lost;
    }
    a.state = std::move(closed);
    o.event_loss_usd += before - account_value_usd(a.state);
    o.status = AccountStatus::Halted;
    a.out = true;
    Failure f;
    f.account = i;
    f.account_id = a.state.id;
    f.venue = a.state.venue;
    f.round = round;
    f.time_min = time_min;
    f.trigger = trigger;
    f.cause = FailureCause::VenueFailure;
    f.status_after = AccountStatus::Halted;
    f.first = !o.first_failure_round;
    if (f.first) o.first_failure_round = round;
    result.failures.push_back(std::move(f));
  }
}

Result<bool> Cascade::start(const CascadeInput& in) {
  if (in.models.size() != in.accounts.size())
    return make_error(fmt::format("contagion: {} models for {} accounts", in.models.size(), in.accounts.size()));
  if (in.max_rounds < 1) return make_error(fmt::format("contagion: max rounds {} must be >= 1", in.max_rounds));
  GB_TRY(ok, check_events(in.events, in.accounts));
  (void)ok;
  params = in.events.liquidation;
  params.impact_feeds_mark = false;  // the cascade moves the market itself, once per round
  funds = in.events.insurance_funds;
  liquidity = in.liquidity;
  max_rounds = in.max_rounds;
  for (std::size_t i = 0; i < in.accounts.size(); ++i) {
    const auto& s = in.accounts[i];
    if (!in.models[i]) return make_error(fmt::format("account '{}': no margin model", s.id));
    if (!s.errors.empty())
      return make_error(fmt::format("account '{}': cannot run the cascade: {}", s.id, s.errors.front()));
    Live a;
    a.state = s;
    a.model = in.models[i];
    a.lending = dynamic_cast<const margin::LendingModel*>(a.model);
    for (const auto& [ccy, rate] : s.usd_rates)
      if (scenario::is_stablecoin(ccy)) a.base_stable[ccy] = rate;
    for (const auto& u : liquidation::account_underlyings(s)) {
      if (!market.count(u)) {
        market[u] = 1.0;
        base_price[u] = liquidation::index_price(s, u);
      }
    }
    AccountOutcome o;
    o.id = s.id;
    o.venue = s.venue;
    o.model = a.model->name();
    o.value_start_usd = account_value_usd(s);
    if (!std::isfinite(o.value_start_usd))
      return make_error(fmt::format("account '{}': a balance or position has no USD rate", s.id));
    auto r = a.model->compute_pools(s);
    if (!r) return make_error(fmt::format("account '{}': model {} failed: {}", s.id, a.model->name(), r.error().message));
    std::tie(o.equity_start_usd, o.initial_margin_start_usd) = equity_im_usd(*r, s);
    o.excess_start_usd = o.min_excess_usd = r->min_excess_usd();
    result.accounts.push_back(std::move(o));
    live.push_back(std::move(a));
  }
  return true;
}

}  // namespace detail

Result<CascadeResult> run_cascade(const CascadeInput& in) {
  detail::Cascade c;
  GB_TRY(ok, c.start(in));
  (void)ok;
  return c.run(in.events);
}

}  // namespace greekbook::contagion
