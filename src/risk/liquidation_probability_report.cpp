// JSON and text table of liquidation probabilities (greekbook liquidation --probability).
#include <cmath>

#include <fmt/format.h>

#include "greekbook/risk/liquidation_probability.hpp"

namespace greekbook::risk {
namespace {
using io::Json;

Json num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json estimate_json(const ProbabilityEstimate& e) {
  return {{"probability", num(e.probability)}, {"low", num(e.low)},           {"high", num(e.high)},
          {"confidence", e.confidence},       {"std_error", num(e.std_error)}, {"liquidated", e.liquidated},
          {"paths", e.paths}};
}

std::string g(double v, int prec = 6) {
  return std::isfinite(v) ? fmt::format("{:.{}g}", v == 0.0 ? 0.0 : v, prec) : "-";
}
std::string pct(double p) { return std::isfinite(p) ? fmt::format("{:.3g}%", 100.0 * p == 0.0 ? 0.0 : 100.0 * p) : "-"; }
std::string estimate_text(const Json& e) {
  return fmt::format("{} [{:.0f}% CI {}, {}] ({} of {} paths)", pct(e["probability"].get<double>()),
                     100.0 * e["confidence"].get<double>(), pct(e["low"].get<double>()), pct(e["high"].get<double>()),
                     e["liquidated"].get<int>(), e["paths"].get<int>());
}
double d(const Json& v) { return v.is_number() ? v.get<double>() : std::nan(""); }

}  // namespace

io::Json to_json(const LiquidationProbability& r) {
  Json vols = Json::object(), drifts = Json::object(), pools = Json::object();
  for (const auto& [u, v] : r.vols) vols[u] = num(v);
  for (const auto& [u, v] : r.log_drifts) drifts[u] = num(v);
  for (const auto& [p, n] : r.liquidated_pools) pools[p] = n;
  Json quantiles = Json::array(), cumulative = Json::array();
  for (const auto& [q, days] : r.time.quantiles) quantiles.push_back({{"q", q}, {"days", num(days)}});
  for (const auto& [day, p] : r.time.cumulative) cumulative.push_back({{"day", day}, {"probability", num(p)}});
  Json doc = {{"account", r.account},
              {"model", r.model},
              {"underlyings", r.underlyings},
              {"vols", vols},
              {"log_drift_per_year", drifts},
              {"horizon_days", r.horizon_days},
              {"steps", r.steps},
              {"step_hours", num(r.dt_days * 24.0)},
              {"excess_usd_now", num(r.excess_usd_now)},
              {"below_maintenance_now", r.below_maintenance_now},
              {"screened", r.screened},
              {"probability", estimate_json(r.estimate)},
              {"time_to_liquidation",
               {{"mean_days_given_liquidation",
                 r.time.mean_days_given_liquidation ? num(*r.time.mean_days_given_liquidation) : Json(nullptr)},
                {"mean_days_capped", num(r.time.mean_days_capped)},
                {"quantiles_days", quantiles},
                {"cumulative", cumulative}}},
              {"liquidated_pools", pools},
              {"collateral", nullptr},
              {"hedge", nullptr},
              {"notes", r.notes},
              {"margin_evaluations", r.margin_evaluations}};
  if (r.collateral) {
    const auto& c = *r.collateral;
    doc["collateral"] = {{"pool", c.pool},         {"currency", c.currency},
                         {"placement", c.placement}, {"amount", num(c.amount)},
                         {"amount_usd", num(c.amount_usd)}, {"after", estimate_json(c.after)},
                         {"reached", c.reached},   {"bisection_steps", c.bisection_steps},
                         {"note", c.note}};
  }
  if (r.hedge) {
    Json legs = Json::array();
    for (const auto& l : r.hedge->legs)
      legs.push_back({{"underlying", l.underlying}, {"instrument", l.instrument}, {"delta_before", num(l.delta_before)},
                      {"quantity", num(l.quantity)}, {"notional_usd", num(l.notional_usd)}});
    doc["hedge"] = {{"legs", legs}, {"unhedged", r.hedge->unhedged}, {"after", estimate_json(r.hedge->after)},
                    {"reached", r.hedge->reached}};
  }
  return doc;
}

std::string render_probability_table(const io::Json& doc) {
  const Json& s = doc["settings"];
  const double horizon = s["horizon_days"].get<double>(), target = s["target"].get<double>();
  std::string out = fmt::format(
      "liquidation probability at {}: {} days in steps of {} h, {} paths, {} increments, correlation {}, seed {}\n\n",
      doc["valuation_time"].get<std::string>(), g(horizon), g(24.0 / s["steps_per_day"].get<double>(), 4),
      s["paths"].get<int>(), s["price_model"].get<std::string>(), g(s["correlation"].get<double>(), 3),
      s["seed"].get<std::uint64_t>());
  for (const auto& a : doc["accounts"]) {
    std::string vols;
    for (const auto& [u, v] : a["vols"].items()) vols += fmt::format("{}{} vol {}", vols.empty() ? "" : ", ", u, pct(d(v)));
    out += fmt::format("account {} (model {}{}{})\n", a["account"].get<std::string>(), a["model"].get<std::string>(),
                       vols.empty() ? "" : "; ", vols);
    out += fmt::format("  excess now {} USD{}\n", g(d(a["excess_usd_now"]), 10),
                       a["below_maintenance_now"].get<bool>() ? " (below maintenance)" : "");
    std::string pools;
    for (const auto& [p, n] : a["liquidated_pools"].items()) pools += fmt::format("{}{} {}", pools.empty() ? "" : ", ", p, n.get<int>());
    out += fmt::format("  P(liquidated within {} days) = {}{}\n", g(horizon), estimate_text(a["probability"]),
                       pools.empty() ? "" : "; pools: " + pools);
    const Json& t = a["time_to_liquidation"];
    if (!t["mean_days_given_liquidation"].is_null()) {
      std::string qs;
      for (const auto& q : t["quantiles_days"])
        qs += fmt::format("{}{}% {}", qs.empty() ? "" : ", ", g(100.0 * q["q"].get<double>(), 3), g(d(q["days"]), 4));
      out += fmt::format("  time to liquidation: mean {} days if liquidated (quantiles {}); E[min(tau, {})] = {} days\n",
                         g(d(t["mean_days_given_liquidation"]), 4), qs, g(horizon), g(d(t["mean_days_capped"]), 4));
      std::string cum;
      for (const auto& c : t["cumulative"])
        cum += fmt::format("{}day {}: {}", cum.empty() ? "" : ", ", g(c["day"].get<double>(), 4), pct(d(c["probability"])));
      out += fmt::format("  P(tau <= day): {}\n", cum);
    }
    if (!a["collateral"].is_null()) {
      const Json& c = a["collateral"];
      out += fmt::format("  to reach {}: add {} {} ({} USD) to the {} (pool {}) -> {}{}\n", pct(target),
                         g(d(c["amount"]), 8), c["currency"].get<std::string>(), g(d(c["amount_usd"]), 8),
                         c["placement"].get<std::string>(), c["pool"].get<std::string>(), estimate_text(c["after"]),
                         c["note"].get<std::string>().empty() ? "" : "; " + c["note"].get<std::string>());
    }
    if (!a["hedge"].is_null()) {
      const Json& h = a["hedge"];
      std::string legs;
      for (const auto& l : h["legs"])
        legs += fmt::format("{}{} {} {} (delta {} {})", legs.empty() ? "" : ", ",
                            d(l["quantity"]) < 0 ? "sell" : "buy", g(std::abs(d(l["quantity"])), 8),
                            l["instrument"].get<std::string>(), g(d(l["delta_before"]), 6), l["underlying"].get<std::string>());
      out += fmt::format("  or hedge the delta: {} -> {}{}\n", legs.empty() ? "nothing to trade" : legs,
                         estimate_text(h["after"]), h["reached"].get<bool>() ? "" : " (still above the target)");
      for (const auto& u : h["unhedged"]) out += fmt::format("    unhedged {}\n", u.get<std::string>());
    }
    for (const auto& n : a["notes"]) out += fmt::format("  note: {}\n", n.get<std::string>());
    out += "\n";
  }
  return out;
}

}  // namespace greekbook::risk
