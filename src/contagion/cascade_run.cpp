// The cascade's time line: phases at the events' start and end times, rounds within a phase, the
// venues' marks (market or oracle) and stablecoin rates, and the accounts' final figures.
#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "cascade_state.hpp"

namespace greekbook::contagion::detail {

double Cascade::venue_factor(const std::string& venue, const std::string& u) const {
  const auto m = market.find(u);
  const double f = m == market.end() ? 1.0 : m->second;
  const auto it = oracles.find({venue, u});
  if (it == oracles.end()) return f;
  if (it->second.mode == OracleMode::Stale) return it->second.frozen_factor;
  return f * (1.0 + it->second.deviation);
}

void Cascade::sync(Live& a) const {
  std::map<std::string, double> move, target;
  for (const auto& [u, _] : market) {
    const double t = venue_factor(a.state.venue, u);
    const auto it = a.at.find(u);
    const double cur = it == a.at.end() ? 1.0 : it->second;
    if (t != cur) {
      move[u] = t / cur;
      target[u] = t;
    }
  }
  if (!move.empty()) {
    a.state = scenario::shifted(a.state, move);
    for (const auto& [u, t] : target) a.at[u] = t;
  }
  for (const auto& c : ever_depegged) {
    const auto d = depegs.find(c);
    const auto b = a.base_stable.find(c);
    a.state.usd_rates[c] = d != depegs.end() ? d->second : b != a.base_stable.end() ? b->second : 1.0;
  }
}

MarketStep Cascade::snapshot(int round, double time_min, const std::string& trigger) const {
  MarketStep s;
  s.round = round;
  s.time_min = time_min;
  s.trigger = trigger;
  for (const auto& [u, f] : market) s.prices[u] = base_price.at(u) * f;
  for (const auto& [key, o] : oracles) s.venue_prices[key.first][key.second] = base_price.at(key.second) * venue_factor(key.first, key.second);
  for (const auto& [c, rate] : depegs) s.stable_rates[c] = rate;
  return s;
}

Result<CascadeResult> Cascade::run(const EventFile& ef) {
  result.path.push_back(snapshot(0, 0.0, "start"));
  std::set<double> times{0.0};
  for (const auto& e : ef.events) {
    times.insert(e.at_min);
    if (const auto end = e.end_min()) times.insert(*end);
  }
  int round = 0;
  for (const double t : times) {
    // Events ending now are lifted before those starting now are applied (file order within each).
    std::vector<std::string> names;
    for (const auto& e : ef.events) {
      if (e.end_min() != t) continue;
      names.push_back(e.id + " (end)");
      if (e.kind == EventKind::Oracle) oracles.erase({e.venue, e.underlying});
      if (e.kind == EventKind::Depeg) depegs.erase(e.currency);
    }
    for (const auto& e : ef.events)
      if (e.at_min == t) names.push_back(e.id);
    std::string trigger;
    for (const auto& n : names) trigger += (trigger.empty() ? "" : " + ") + n;
    if (trigger.empty()) trigger = "start";
    for (const auto& e : ef.events) {
      if (e.at_min != t) continue;
      switch (e.kind) {
        case EventKind::VenueFailure:
          apply_venue_failure(e, round + 1, t, trigger);
          break;
        case EventKind::Oracle: {
          const auto m = market.find(e.underlying);
          oracles[{e.venue, e.underlying}] = {e.id, e.mode, e.deviation_pct / 100.0, m == market.end() ? 1.0 : m->second};
          break;
        }
        case EventKind::Depeg:
          depegs[e.currency] = e.usd_rate;
          if (std::find(ever_depegged.begin(), ever_depegged.end(), e.currency) == ever_depegged.end())
            ever_depegged.push_back(e.currency);
          break;
      }
    }
    int k = 0;
    for (; k < max_rounds; ++k) {
      ++round;
      MarketStep step;
      GB_TRY(changed, margin_round(round, trigger, t, step));
      MarketStep snap = snapshot(round, t, trigger);
      snap.changed = changed;
      snap.sold_usd = std::move(step.sold_usd);
      snap.impact_bps = std::move(step.impact_bps);
      snap.liquidated = std::move(step.liquidated);
      result.path.push_back(std::move(snap));
      if (!changed) break;
    }
    if (k == max_rounds) {
      result.max_rounds_reached = true;
      result.notes.push_back(fmt::format("phase at {} min ({}): stopped after max rounds = {}, still changing", t,
                                         trigger, max_rounds));
    }
  }
  result.rounds = round;
  for (std::size_t i = 0; i < live.size(); ++i) {
    Live& a = live[i];
    sync(a);
    AccountOutcome& o = result.accounts[i];
    o.value_end_usd = account_value_usd(a.state);
    o.loss_usd = o.value_start_usd - (o.status == AccountStatus::Bankrupt ? std::max(o.value_end_usd, 0.0) : o.value_end_usd);
    for (const auto& [ccy, units] : a.frozen) o.frozen_usd += units * a.state.usd_rate(ccy);
    o.final_state = a.state;
  }
  for (const auto& a : live) funds.try_emplace(a.state.venue, 0.0);
  result.insurance_funds_end = funds;
  return std::move(result);
}

}  // namespace greekbook::contagion::detail
