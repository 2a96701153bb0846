#include "greekbook/risk/stress_report.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "greekbook/core/time.hpp"

namespace greekbook::risk {
namespace {
using nlohmann::json;

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json margin_json(const MarginFigures& m) {
  return {{"model", m.model},
          {"currency", m.currency},
          {"equity", num(m.equity)},
          {"initial_margin", num(m.initial_margin)},
          {"maintenance_margin", num(m.maintenance_margin)},
          {"margin_ratio", num(m.margin_ratio)},
          {"excess_usd", num(m.excess_usd)},
          {"below_maintenance", m.below_maintenance}};
}

json greeks_json(const StressGreeks& g) {
  return {{"delta", num(g.delta)}, {"delta_usd", num(g.delta_usd)}, {"gamma", num(g.gamma)},
          {"vega", num(g.vega)},   {"theta", num(g.theta)}};
}

template <class T, class F>
json map_json(const std::vector<std::pair<std::string, T>>& v, F f) {
  json o = json::object();
  for (const auto& [k, x] : v) o[k] = f(x);
  return o;
}

// Numbers for the table: fixed 2 decimals for USD amounts, 6 significant digits otherwise.
std::string usd(double v) { return std::isfinite(v) ? fmt::format("{:.2f}", v == 0.0 ? 0.0 : v) : "-"; }
std::string g6(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v == 0.0 ? 0.0 : v) : "-"; }
std::string pct(double v) { return std::isfinite(v) ? fmt::format("{:.2f}%", v * 100.0) : "-"; }

std::string list(const std::vector<std::pair<std::string, double>>& v) {
  std::string out;
  for (const auto& [k, x] : v) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", k, usd(x));
  return out.empty() ? "-" : out;
}
}  // namespace

std::string render_stress_json(const StressReport& rep) {
  json doc;
  doc["valuation_time"] = core::format_utc_ms(rep.valuation_ms);
  doc["scenarios_source"] = rep.scenarios_source;
  json before = json::array();
  for (const auto& info : rep.accounts) {
    json x = margin_json(info.margin_before);
    x["account"] = info.account;
    x["venue"] = info.venue;
    before.push_back(std::move(x));
  }
  doc["margin_before"] = std::move(before);
  json scenarios = json::array();
  for (const auto& s : rep.scenarios) {
    json accounts = json::array();
    for (std::size_t k = 0; k < s.accounts.size(); ++k) {
      const AccountStress& a = s.accounts[k];
      const StressAccountInfo& info = rep.accounts[k];
      json positions = json::array();
      for (std::size_t i = 0; i < a.positions.size(); ++i) {
        const PositionStress& p = a.positions[i];
        positions.push_back({{"instrument", info.instruments[i]}, {"underlying", info.underlyings[i]},
                             {"quantity", num(p.quantity)},
                             {"mark_before", num(p.mark_before)}, {"mark_after", num(p.mark_after)},
                             {"vol_before", num(p.vol_before)}, {"vol_after", num(p.vol_after)},
                             {"pnl_usd", num(p.pnl_usd)}, {"funding_usd", num(p.funding_usd)}, {"closed", p.closed}});
      }
      accounts.push_back({{"account", a.account},
                          {"venue", a.venue},
                          {"pnl_usd", num(a.pnl_usd)},
                          {"pnl", {{"positions", num(a.positions_pnl_usd)}, {"funding", num(a.funding_usd)},
                                   {"collateral", num(a.collateral_pnl_usd)}, {"venue_loss", num(a.venue_loss_usd)}}},
                          {"value_usd_before", num(a.value_usd_before)},
                          {"value_usd_after", num(a.value_usd_after)},
                          {"positions_closed", a.positions_closed},
                          {"frozen", a.frozen},
                          {"margin_after", a.margin ? margin_json(*a.margin) : json(nullptr)},
                          {"margin_error", a.margin_error.empty() ? json(nullptr) : json(a.margin_error)},
                          {"pnl_by_underlying", map_json(a.pnl_by_underlying, num)},
                          {"greeks_after", map_json(a.greeks, greeks_json)},
                          {"positions", std::move(positions)}});
    }
    scenarios.push_back({{"name", s.name},
                         {"source", s.source},
                         {"shock", s.shock},
                         {"horizon_days", num(s.horizon_days)},
                         {"spot_moves", map_json(s.spot_moves, num)},
                         {"pnl_usd", num(s.pnl_usd)},
                         {"pnl_by_underlying", map_json(s.pnl_by_underlying, num)},
                         {"pnl_by_venue", map_json(s.pnl_by_venue, num)},
                         {"greeks_after", map_json(s.greeks_by_underlying, greeks_json)},
                         {"below_maintenance", s.below_maintenance},
                         {"accounts", std::move(accounts)}});
  }
  doc["scenarios"] = std::move(scenarios);
  return doc.dump(2) + "\n";
}

std::string render_stress_table(const StressReport& rep) {
  std::string out = fmt::format("stress at {}: {} scenario{} from {}\n", core::format_utc_ms(rep.valuation_ms),
                                rep.scenarios.size(), rep.scenarios.size() == 1 ? "" : "s", rep.scenarios_source);
  out += "(USD; PnL by full revaluation; margin under each account's model; Greeks after the shock: delta coin,\n"
         " delta USD, gamma coin per USD, vega USD per vol point, theta USD per day)\n\n";
  out += "margin before the shock\n";
  out += fmt::format("  {:<16} {:<12} {:>5} {:>16} {:>14} {:>14} {:>9} {:>16}\n", "account", "model", "ccy", "equity",
                     "IM", "MM", "ratio", "excess USD");
  for (const auto& info : rep.accounts) {
    const MarginFigures& m = info.margin_before;
    out += fmt::format("  {:<16} {:<12} {:>5} {:>16} {:>14} {:>14} {:>9} {:>16}\n", info.account, m.model, m.currency,
                       g6(m.equity), g6(m.initial_margin), g6(m.maintenance_margin), pct(m.margin_ratio),
                       usd(m.excess_usd));
  }
  out += "\nsummary\n";
  out += fmt::format("  {:<52} {:>6} {:>16}  {}\n", "scenario", "days", "PnL USD", "below maintenance after");
  for (const auto& s : rep.scenarios) {
    std::string below;
    for (const auto& a : s.below_maintenance) below += (below.empty() ? "" : ", ") + a;
    out += fmt::format("  {:<52} {:>6} {:>16}  {}\n", s.name, g6(s.horizon_days), usd(s.pnl_usd),
                       below.empty() ? "none" : below);
  }
  for (std::size_t i = 0; i < rep.scenarios.size(); ++i) {
    const ScenarioStress& s = rep.scenarios[i];
    out += fmt::format("\nscenario {}: {}\n", i + 1, s.name);
    out += fmt::format("  shock: {}\n", s.shock);
    if (!s.source.empty()) out += fmt::format("  source: {}\n", s.source);
    out += fmt::format("  PnL {} USD; by underlying: {}; by venue: {}\n", usd(s.pnl_usd), list(s.pnl_by_underlying),
                       list(s.pnl_by_venue));
    out += fmt::format("  {:<16} {:<12} {:>14} {:>14} {:>12} {:>13} {:>13} {:>14} {:>13} {:>13} {:>9}  {}\n", "account",
                       "venue", "PnL", "positions", "funding", "collateral", "venue loss", "equity after", "IM", "MM",
                       "ratio", "status");
    for (const auto& a : s.accounts) {
      std::string status = a.margin ? (a.margin->below_maintenance ? "BELOW MAINTENANCE" : "ok")
                                    : "margin: " + a.margin_error;
      if (a.positions_closed) status += ", positions closed";
      if (a.frozen) status += ", frozen";
      const auto m = [&](double MarginFigures::*f) { return a.margin ? g6((*a.margin).*f) : std::string("-"); };
      out += fmt::format("  {:<16} {:<12} {:>14} {:>14} {:>12} {:>13} {:>13} {:>14} {:>13} {:>13} {:>9}  {}{}\n",
                         a.account, a.venue, usd(a.pnl_usd), usd(a.positions_pnl_usd), usd(a.funding_usd),
                         usd(a.collateral_pnl_usd), usd(a.venue_loss_usd), m(&MarginFigures::equity),
                         m(&MarginFigures::initial_margin), m(&MarginFigures::maintenance_margin),
                         a.margin ? pct(a.margin->margin_ratio) : std::string("-"), status,
                         a.margin ? " (" + a.margin->currency + ")" : std::string());
    }
    out += fmt::format("  Greeks after: {:<16} {:<6} {:>14} {:>16} {:>14} {:>14} {:>14}\n", "account", "und", "delta",
                       "delta USD", "gamma", "vega", "theta");
    for (const auto& a : s.accounts)
      for (const auto& [u, gk] : a.greeks)
        out += fmt::format("                {:<16} {:<6} {:>14} {:>16} {:>14} {:>14} {:>14}\n", a.account, u,
                           g6(gk.delta), usd(gk.delta_usd), g6(gk.gamma), usd(gk.vega), usd(gk.theta));
    for (const auto& [u, gk] : s.greeks_by_underlying)
      out += fmt::format("                {:<16} {:<6} {:>14} {:>16} {:>14} {:>14} {:>14}\n", "(all)", u, g6(gk.delta),
                         usd(gk.delta_usd), g6(gk.gamma), usd(gk.vega), usd(gk.theta));
    out += fmt::format("  positions:    {:<16} {:<26} {:>12} {:>13} {:>13} {:>14} {:>12}\n", "account", "instrument",
                       "quantity", "mark before", "mark after", "PnL USD", "funding USD");
    for (std::size_t k = 0; k < s.accounts.size(); ++k)
      for (std::size_t i = 0; i < s.accounts[k].positions.size(); ++i) {
        const PositionStress& p = s.accounts[k].positions[i];
        out += fmt::format("                {:<16} {:<26} {:>12} {:>13} {:>13} {:>14} {:>12}{}\n",
                           s.accounts[k].account, rep.accounts[k].instruments[i], g6(p.quantity), g6(p.mark_before), g6(p.mark_after), usd(p.pnl_usd),
                           usd(p.funding_usd), p.closed ? "  closed" : "");
      }
  }
  return out;
}

}  // namespace greekbook::risk
