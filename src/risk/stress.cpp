#include "greekbook/risk/stress.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "greekbook/risk/stress_apply.hpp"

namespace greekbook::risk {
namespace {
using instruments::Kind;
using scenario::AccountState;
using scenario::PositionState;

// Value per unit of quantity in the settlement currency (see stress.hpp); `entry` already resolved.
double unit_value(const PositionState& p, double entry) noexcept {
  switch (p.instrument.kind) {
    case Kind::Option:
      return p.new_trade ? p.mark - p.entry : p.mark;
    case Kind::Spot:
      return p.new_trade ? p.spot - p.entry : p.spot;
    default:
      return p.instrument.inverse ? 1.0 / entry - 1.0 / p.mark : p.mark - entry;
  }
}

double entry_of(const PositionState& base) noexcept { return std::isnan(base.entry) ? base.mark : base.entry; }

void add(std::vector<std::pair<std::string, double>>& v, const std::string& key, double x) {
  for (auto& [k, y] : v)
    if (k == key) {
      y += x;
      return;
    }
  v.emplace_back(key, x);
}

StressGreeks& greeks_of(std::vector<std::pair<std::string, StressGreeks>>& v, const std::string& key) {
  for (auto& [k, g] : v)
    if (k == key) return g;
  v.emplace_back(key, StressGreeks{});
  return v.back().second;
}

template <class T>
void sort_by_key(std::vector<std::pair<std::string, T>>& v) {
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

// The market scenario with the spot moves replaced by a venue's close moves.
scenario::Scenario close_shock(const scenario::Scenario& s, const VenueEvent& e) {
  scenario::Scenario c = s;
  c.spot_factor = e.close_factor;
  c.spot_factor_by_underlying = e.close_factor_by_underlying;
  return c;
}
}  // namespace

StressGreeks& StressGreeks::operator+=(const StressGreeks& o) noexcept {
  delta += o.delta;
  delta_usd += o.delta_usd;
  gamma += o.gamma;
  vega += o.vega;
  theta += o.theta;
  return *this;
}

Result<MarginFigures> margin_figures(const AccountState& account, const margin::ModelSet& models) {
  if (!account.errors.empty()) {
    std::string list;
    for (const auto& e : account.errors) list += (list.empty() ? "" : "; ") + e;
    return make_error(fmt::format("account '{}': cannot be margined, positions not valued: {}", account.id, list));
  }
  GB_TRY(model, models.model_for(account));
  auto r = model->compute_pools(account);
  if (!r) {
    const std::string& m = r.error().message;
    if (m.find(account.id) == std::string::npos) return make_error(fmt::format("account '{}': {}", account.id, m));
    return tl::unexpected(r.error());
  }
  MarginFigures f;
  f.model = model->name();
  f.currency = r->currency;
  f.equity = r->equity;
  f.initial_margin = r->initial_margin;
  f.maintenance_margin = r->maintenance_margin;
  f.margin_ratio = r->margin_ratio;
  f.excess_usd = r->pools.empty() ? r->excess() * account.usd_rate(r->currency) : r->min_excess_usd();
  f.below_maintenance = f.excess_usd < 0.0;
  return f;
}

AccountStress stress_account(const AccountState& base, const margin::ModelSet& models,
                                     const StressScenario& sc, AccountState& out) {
  const VenueEvent* event = sc.venue_event(base.venue);
  thread_local std::vector<UnitGreeks> g;
  g.resize(base.positions.size());
  if (event && event->close_positions && event->has_close_move) {
    apply_scenario(base, close_shock(sc.shock, *event), out, g);
    out.usd_rates = base.usd_rates;  // balances are valued at the market's prices, not the venue's closes
    for (auto& [ccy, rate] : out.usd_rates) rate *= currency_factor(sc.shock, ccy);
  } else {
    apply_scenario(base, sc.shock, out, g);
  }

  AccountStress a;
  a.account = base.id;
  a.venue = base.venue;
  const bool close = event && event->close_positions;
  a.positions_closed = close;
  a.frozen = event && event->frozen;
  const double periods = 3.0 * sc.horizon_days();  // funding periods of 8 h over the horizon
  std::map<std::string, double> credits;            // settlement currency -> funding and closes, in units
  a.positions.reserve(base.positions.size());
  const std::string* last_settle = nullptr;
  double r0 = 0.0, r1 = 0.0;
  for (std::size_t i = 0; i < base.positions.size(); ++i) {
    const PositionState& b = base.positions[i];
    const PositionState& p = out.positions[i];
    const std::string& settle = b.instrument.settlement_currency;
    const std::string& und = b.instrument.underlying;
    const double q = b.quantity, e = entry_of(b);
    if (&settle != last_settle && (!last_settle || settle != *last_settle)) {  // a few currencies per account
      last_settle = &settle;
      r0 = base.usd_rate(settle);
      r1 = out.usd_rate(settle);
    }
    const double u0 = unit_value(b, e), u1 = unit_value(p, e);
    PositionStress x;
    x.quantity = q;
    x.mark_before = b.mark;
    x.mark_after = p.mark;
    x.vol_before = b.is_option() ? b.vol : scenario::kNaN;  // null in JSON for non-options
    x.vol_after = b.is_option() ? p.vol : scenario::kNaN;
    // Isolated margin is collateral set aside for the position (settlement currency): part of its value.
    const double iso = b.isolated_margin ? *b.isolated_margin : 0.0;
    x.pnl_usd = q * (u1 * r1 - u0 * r0) + iso * (r1 - r0);
    if (b.instrument.kind == Kind::Perpetual && periods > 0.0) {
      const double rate = b.funding_8h + sc.funding_shift(und);
      // Longs pay a positive rate on the notional at the shocked mark (inverse: q USD, paid in coin).
      const double paid = b.instrument.inverse ? -q * rate * periods / p.mark : -q * p.mark * rate * periods;
      credits[settle] += paid;
      x.funding_usd = paid * r1;
    }
    x.closed = close;
    if (close) credits[settle] += q * u1 + iso;  // the close and the released isolated margin
    a.positions_pnl_usd += x.pnl_usd;
    a.funding_usd += x.funding_usd;
    add(a.pnl_by_underlying, und, x.pnl_usd + x.funding_usd);
    if (!close) {
      StressGreeks& s = greeks_of(a.greeks, und);
      StressGreeks d;
      if (p.is_option()) {
        d.delta = q * p.delta;
        d.gamma = q * g[i].gamma;
        d.vega = q * g[i].vega / 100.0;
        d.theta = q * g[i].theta / 365.0;
      } else {
        d.delta = p.coin_size();
      }
      d.delta_usd = d.delta * p.spot;
      s += d;
      a.value_usd_after += (q * u1 + iso) * r1;
    }
    a.value_usd_before += (q * u0 + iso) * r0;
    a.positions.push_back(std::move(x));
  }
  if (close) out.positions.clear();

  // Collateral: re-valued, then funding and closes settle into it, then the venue's haircut.
  for (const auto& [ccy, bal] : base.collateral) {
    const double r0 = base.usd_rate(ccy), r1 = out.usd_rate(ccy);
    a.value_usd_before += bal * r0;
    const double x = bal * (r1 - r0);
    a.collateral_pnl_usd += x;
    add(a.pnl_by_underlying, ccy, x);
  }
  for (const auto& [ccy, amount] : credits) out.collateral[ccy] += amount;
  if (event && event->collateral_haircut > 0.0) {
    for (auto& [ccy, bal] : out.collateral) {
      if (bal <= 0.0) continue;
      const double lost = event->collateral_haircut * bal;
      bal -= lost;
      const double usd = -lost * out.usd_rate(ccy);
      a.venue_loss_usd += usd;
      add(a.pnl_by_underlying, ccy, usd);
    }
  }
  for (const auto& [ccy, bal] : out.collateral) {
    const double r1 = out.usd_rate(ccy);
    a.value_usd_after += bal * r1;
    if (bal != 0.0 && !scenario::is_stablecoin(ccy)) {  // coin balances carry delta
      StressGreeks& s = greeks_of(a.greeks, ccy);
      s.delta += bal;
      s.delta_usd += bal * r1;
    }
  }
  a.pnl_usd = a.positions_pnl_usd + a.funding_usd + a.collateral_pnl_usd + a.venue_loss_usd;
  sort_by_key(a.pnl_by_underlying);
  sort_by_key(a.greeks);

  auto m = margin_figures(out, models);
  if (m) a.margin = std::move(*m);
  else a.margin_error = m.error().message;
  return a;
}

std::string describe_shock(const StressScenario& s, std::span<const std::string> underlyings) {
  const scenario::Scenario& m = s.shock;
  std::string out;
  const auto part = [&](const std::string& x) { out += (out.empty() ? "" : "; ") + x; };
  std::string moves;
  for (const auto& u : underlyings) {
    const double f = m.factor(u);
    moves += fmt::format("{}{} {:+.2f}%", moves.empty() ? "" : ", ", u, (f - 1.0) * 100.0);
  }
  for (const auto& [u, f] : m.spot_factor_by_underlying)  // named currencies not held (de-pegs)
    if (scenario::is_stablecoin(u)) moves += fmt::format("{}{} {:+.2f}%", moves.empty() ? "" : ", ", u, (f - 1.0) * 100.0);
  if (!moves.empty()) part(moves);
  const scenario::VolShock& v = m.vol;
  if (v.kind == scenario::VolShockKind::Multiplicative) part(fmt::format("vol x(1 {:+g} m)", v.size));
  else if (v.kind == scenario::VolShockKind::Additive) part(fmt::format("vol {:+g} vol points x m", v.size * 100.0));
  if (v.kind != scenario::VolShockKind::None && (v.short_power != 0.0 || v.long_power != 0.0))
    out += fmt::format(", m = ({:g}/{})^{:g} short, ^{:g} long", v.ref_days,
                       v.floor_days == 1.0 ? std::string("DTE") : fmt::format("max({:g}, DTE)", v.floor_days),
                       v.short_power, v.long_power);
  if (v.skew.kind != scenario::SkewShockKind::None)
    part(fmt::format("skew {} (cap {:g} {:+g} sqrt T)", v.skew.kind == scenario::SkewShockKind::Linear ? "linear" : "abs",
                     v.skew.base_cap, v.skew.c_base));
  if (m.basis_shift_per_year != 0.0) part(fmt::format("basis {:+g}/yr", m.basis_shift_per_year));
  std::string funding;
  for (const auto& u : underlyings)
    if (const double f = s.funding_shift(u); f != 0.0)
      funding += fmt::format("{}{} {:+g}/8h", funding.empty() ? "funding " : ", ", u, f);
  if (!funding.empty()) part(funding);
  part(fmt::format("{:g} days", m.time_shift_days));
  for (const auto& e : s.venue_events) {
    std::string x;
    const auto item = [&](const std::string& y) { x += (x.empty() ? "venue " + e.venue + ": " : ", ") + y; };
    if (e.close_positions) item(e.has_close_move ? "positions closed at stated moves" : "positions closed");
    if (e.collateral_haircut > 0) item(fmt::format("collateral -{:g}%", e.collateral_haircut * 100.0));
    if (e.frozen) item("frozen");
    part(x);
  }
  return out;
}

Result<StressReport> run_stress(std::span<const AccountState> accounts, const margin::ModelSet& models,
                                std::span<const StressScenario> scenarios) {
  StressReport rep;
  if (!accounts.empty()) rep.valuation_ms = accounts.front().valuation_ms;
  for (const auto& a : accounts) {
    GB_TRY(m, margin_figures(a, models));
    StressAccountInfo info;
    info.account = a.id;
    info.venue = a.venue;
    for (const auto& p : a.positions) {
      info.instruments.push_back(p.instrument.name);
      info.underlyings.push_back(p.instrument.underlying);
    }
    info.margin_before = std::move(m);
    rep.accounts.push_back(std::move(info));
  }
  const std::size_t A = accounts.size(), S = scenarios.size();
  std::vector<AccountStress> cells(A * S);
  tbb::enumerable_thread_specific<AccountState> scratch;
  // One task per (scenario, account): scenarios run in parallel, and a big account's repricing
  // (one SIMD batch) and margin stay on one core.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, A * S, 1), [&](const tbb::blocked_range<std::size_t>& r) {
    AccountState& out = scratch.local();
    for (std::size_t k = r.begin(); k < r.end(); ++k) {
      cells[k] = stress_account(accounts[k % A], models, scenarios[k / A], out);
    }
  });
  std::vector<std::string> held;  // underlyings of the book's positions, sorted
  for (const auto& a : accounts)
    for (const auto& p : a.positions)
      if (std::find(held.begin(), held.end(), p.instrument.underlying) == held.end()) held.push_back(p.instrument.underlying);
  std::sort(held.begin(), held.end());
  rep.scenarios.reserve(S);
  for (std::size_t s = 0; s < S; ++s) {
    const StressScenario& sc = scenarios[s];
    ScenarioStress out;
    out.name = sc.name();
    out.source = sc.source;
    out.horizon_days = sc.horizon_days();
    out.shock = describe_shock(sc, held);
    for (const auto& u : held) out.spot_moves.emplace_back(u, sc.shock.factor(u) - 1.0);
    for (std::size_t a = 0; a < A; ++a) {
      AccountStress& x = cells[s * A + a];
      out.pnl_usd += x.pnl_usd;
      add(out.pnl_by_venue, x.venue, x.pnl_usd);
      for (const auto& [u, v] : x.pnl_by_underlying) add(out.pnl_by_underlying, u, v);
      for (const auto& [u, gk] : x.greeks) greeks_of(out.greeks_by_underlying, u) += gk;
      if (x.margin && x.margin->below_maintenance) out.below_maintenance.push_back(x.account);
      out.accounts.push_back(std::move(x));
    }
    sort_by_key(out.pnl_by_underlying);
    sort_by_key(out.pnl_by_venue);
    sort_by_key(out.greeks_by_underlying);
    rep.scenarios.push_back(std::move(out));
  }
  return rep;
}

}  // namespace greekbook::risk
