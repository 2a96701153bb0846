#include "greekbook/report/margin_report.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "greekbook/core/time.hpp"

namespace greekbook::report {
namespace {
using nlohmann::json;

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
json opt(const std::optional<double>& v) { return v ? num(*v) : json(nullptr); }

json figures_json(const margin::MarginResult& m) {
  json j;
  j["model"] = m.model;
  j["currency"] = m.currency;
  j["equity"] = num(m.equity);
  j["initial_margin"] = num(m.initial_margin);
  j["maintenance_margin"] = num(m.maintenance_margin);
  j["available"] = num(m.available);
  j["margin_ratio"] = num(m.margin_ratio);
  return j;
}

json result_json(const margin::MarginResult& m, bool details) {
  json j = figures_json(m);
  json pools = json::array();
  for (const auto& p : m.pools) {
    pools.push_back({{"pool", p.name},
                     {"currency", p.currency},
                     {"equity", num(p.equity)},
                     {"initial_margin", num(p.initial_margin)},
                     {"maintenance_margin", num(p.maintenance_margin)},
                     {"available", num(p.available)},
                     {"margin_ratio", num(p.margin_ratio)},
                     {"usd_rate", num(p.usd_rate)}});
  }
  j["pools"] = pools;
  json pos = json::array();
  for (const auto& p : m.positions)
    pos.push_back({{"instrument", p.instrument},
                   {"quantity", p.quantity},
                   {"initial_margin", num(p.initial)},
                   {"maintenance_margin", num(p.maintenance)},
                   {"currency", p.currency},
                   {"pool", p.pool}});
  j["positions"] = pos;
  if (m.worst)
    j["worst_scenario"] = {{"index", m.worst->index}, {"name", m.worst->name}, {"pnl", num(m.worst->pnl)},
                           {"weight", num(m.worst->weight)}};
  else
    j["worst_scenario"] = nullptr;
  if (!m.notes.empty()) j["notes"] = m.notes;
  if (details && !m.details.is_null()) j["details"] = m.details;
  return j;
}

std::string cell(double v, int prec = 6) {
  if (!std::isfinite(v)) return v > 0 ? "inf" : "-";
  return fmt::format("{:.{}g}", v, prec);
}
std::string pct(double v) { return std::isfinite(v) ? fmt::format("{:.2f}%", 100 * v) : (v > 0 ? "inf" : "-"); }
}  // namespace

std::string render_margin_json(const MarginReport& rep, bool details) {
  json j;
  j["valuation_time"] = core::format_utc_ms(rep.valuation_ms);
  j["horizon_days"] = rep.horizon_days;
  json accounts = json::array();
  for (const auto& a : rep.accounts) {
    json x = result_json(a.margin, details);
    x["account"] = a.margin.account;
    x["venue"] = a.venue;
    json liq = json::object();
    for (const auto& l : a.liquidation)
      liq[l.underlying] = {{"index", num(l.index)},
                           {"down", opt(l.down)},
                           {"up", opt(l.up)},
                           {"down_pct", l.down ? num(*l.down / l.index - 1) : json(nullptr)},
                           {"up_pct", l.up ? num(*l.up / l.index - 1) : json(nullptr)},
                           {"down_sd", opt(l.down_sd)},
                           {"up_sd", opt(l.up_sd)},
                           {"note", l.note}};
    x["liquidation_price"] = liq;
    if (a.after) {
      json w = result_json(*a.after, false);
      w["orders"] = a.what_if;
      x["what_if"] = w;
    }
    accounts.push_back(std::move(x));
  }
  j["accounts"] = accounts;
  return j.dump(2) + "\n";
}

std::string render_margin_table(const MarginReport& rep) {
  std::string out = fmt::format("margin at {} (distances in sd over {} day{})\n\n", core::format_utc_ms(rep.valuation_ms),
                                rep.horizon_days, rep.horizon_days == 1 ? "" : "s");
  for (const auto& a : rep.accounts) {
    const auto& m = a.margin;
    out += fmt::format("account {} ({}, model {})\n", m.account, a.venue, m.model);
    out += fmt::format("  {:<14} {:>8} {:>16} {:>16} {:>16} {:>16} {:>10}\n", "pool", "currency", "equity",
                       "initial_margin", "maint_margin", "available", "mm_ratio");
    const auto line = [&](const std::string& name, const std::string& ccy, double eq, double im, double mm, double av,
                          double ratio) {
      out += fmt::format("  {:<14} {:>8} {:>16} {:>16} {:>16} {:>16} {:>10}\n", name, ccy, cell(eq, 10), cell(im, 10),
                         cell(mm, 10), cell(av, 10), pct(ratio));
    };
    if (m.pools.size() != 1)
      for (const auto& p : m.pools)
        line(p.name, p.currency, p.equity, p.initial_margin, p.maintenance_margin, p.available, p.margin_ratio);
    line(m.pools.size() == 1 ? m.pools[0].name : "total", m.currency, m.equity, m.initial_margin,
         m.maintenance_margin, m.available, m.margin_ratio);
    if (a.after)
      line("after what-if", a.after->currency, a.after->equity, a.after->initial_margin, a.after->maintenance_margin,
           a.after->available, a.after->margin_ratio);
    if (!a.what_if.empty()) {
      std::string orders;
      for (const auto& o : a.what_if) orders += (orders.empty() ? "" : ", ") + o;
      out += fmt::format("  what-if orders: {}\n", orders);
    }
    if (m.worst)
      out += fmt::format("  worst scenario: #{} {} (PnL {} {})\n", m.worst->index, m.worst->name, cell(m.worst->pnl, 8),
                         m.currency);
    for (const auto& l : a.liquidation) {
      const auto side = [&](const std::optional<double>& p, const std::optional<double>& sd) {
        if (!p) return std::string("none");
        return fmt::format("{} ({:+.2f}%{})", cell(*p, 10), 100 * (*p / l.index - 1),
                           sd ? fmt::format(", {:+.2f} sd", *sd) : std::string());
      };
      out += fmt::format("  liquidation {} (index {}): down {}, up {}{}\n", l.underlying, cell(l.index, 10),
                         side(l.down, l.down_sd), side(l.up, l.up_sd), l.note.empty() ? "" : "; " + l.note);
    }
    for (const auto& n : m.notes) out += fmt::format("  note: {}\n", n);
    out += "\n";
  }
  return out;
}

}  // namespace greekbook::report
