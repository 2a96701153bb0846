#include "greekbook/report/risk_report.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "greekbook/core/time.hpp"
#include "greekbook/io/csv.hpp"

namespace greekbook::report {
namespace {
using nlohmann::json;
using valuation::Aggregate;
using valuation::RowInfo;
using valuation::RowValues;

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json aggregate_json(const Aggregate& a) {
  json j;
  j["delta"] = a.delta;
  j["delta_total"] = a.delta_total;
  j["delta_usd"] = a.delta_usd;
  j["gamma"] = a.gamma;
  j["vega"] = a.vega;
  j["theta"] = a.theta;
  j["funding_usd_day"] = a.funding_usd_day;
  j["value_usd"] = a.value_usd;
  j["pnl_usd"] = a.pnl_usd;
  json t;
  for (int i = 0; i < 4; ++i) t[valuation::kTenorBuckets[i]] = a.vega_by_tenor[i];
  j["vega_by_tenor"] = t;
  j["rows"] = a.rows;
  j["errors"] = a.errors;
  return j;
}

json group_json(const std::vector<std::pair<std::string, Aggregate>>& g) {
  json j = json::object();
  for (const auto& [k, a] : g) j[k] = aggregate_json(a);
  return j;
}

json row_json(const RowInfo& i, const RowValues& x) {
  json j;
  j["account"] = i.account;
  j["venue"] = i.venue;
  j["instrument"] = i.instrument;
  j["kind"] = i.collateral ? "collateral" : "position";
  j["underlying"] = i.underlying.empty() ? json(nullptr) : json(i.underlying);
  j["expiry"] = i.expiry_ms ? json(core::format_utc_ms(i.expiry_ms)) : json(nullptr);
  j["quantity"] = i.quantity;
  j["mark"] = num(x.mark);
  j["forward"] = num(x.forward);
  j["vol"] = num(x.vol);
  j["value"] = num(x.value);
  j["value_currency"] = i.settlement_currency;
  j["value_usd"] = num(x.value_usd);
  j["pnl_usd"] = num(x.pnl_usd);
  const bool ok = i.error.empty();
  j["delta"] = ok ? num(x.delta) : json(nullptr);
  j["delta_total"] = ok ? num(x.delta_total) : json(nullptr);
  j["delta_usd"] = ok ? num(x.delta_usd) : json(nullptr);
  j["gamma"] = ok ? num(x.gamma) : json(nullptr);
  j["vega"] = ok ? num(x.vega) : json(nullptr);
  j["theta"] = ok ? num(x.theta) : json(nullptr);
  j["funding_usd_day"] = ok ? num(x.funding_usd_day) : json(nullptr);
  j["error"] = ok ? json(nullptr) : json(i.error);
  return j;
}

std::string cell(double v, int precision) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, precision) : std::string("-");
}

void aggregate_table(std::string& out, const char* title, const std::vector<std::pair<std::string, Aggregate>>& g) {
  if (g.empty()) return;
  out += fmt::format("\n{}\n", title);
  out += fmt::format("  {:<22} {:>12} {:>12} {:>14} {:>12} {:>12} {:>12} {:>14} {:>12} {:>6}\n", "", "delta",
                     "delta_total", "delta_usd", "gamma", "vega", "theta", "value_usd", "pnl_usd", "errors");
  for (const auto& [k, a] : g)
    out += fmt::format("  {:<22} {:>12.4f} {:>12.4f} {:>14.2f} {:>12.6f} {:>12.2f} {:>12.2f} {:>14.2f} {:>12.2f} {:>6}\n",
                       k, a.delta, a.delta_total, a.delta_usd, a.gamma, a.vega, a.theta, a.value_usd, a.pnl_usd,
                       a.errors);
}
}  // namespace

std::string render_json(const valuation::Report& rep) {
  json doc;
  doc["valuation_time"] = core::format_utc_ms(rep.valuation_ms);
  doc["units"] = {{"delta", "coin (Black delta; futures as USD notional / mark; incl. coin collateral)"},
                  {"delta_total", "coin (premium-adjusted, Deribit's delta total; excl. collateral)"},
                  {"delta_usd", "USD (delta x index: the USD exposure)"},
                  {"gamma", "coin delta per 1 USD move"},
                  {"vega", "USD per 1 vol point"},
                  {"theta", "USD per calendar day"},
                  {"funding_usd_day", "USD per day of perpetual funding at the current rate (negative = paying)"},
                  {"value_usd", "USD (coin converted at the index)"},
                  {"pnl_usd", "USD, unrealised against average_price"}};
  doc["totals"] = group_json(rep.by_underlying);
  doc["by_expiry"] = group_json(rep.by_expiry);
  doc["by_venue"] = group_json(rep.by_venue);
  doc["by_account"] = group_json(rep.by_account);
  doc["portfolio"] = {{"value_usd", rep.portfolio.value_usd},
                      {"pnl_usd", rep.portfolio.pnl_usd},
                      {"funding_usd_day", rep.portfolio.funding_usd_day},
                      {"rows", rep.portfolio.rows},
                      {"errors", rep.portfolio.errors}};
  json rows = json::array();
  for (std::size_t r = 0; r < rep.values.size(); ++r) rows.push_back(row_json((*rep.rows)[r], rep.values[r]));
  doc["positions"] = rows;
  return doc.dump(2) + "\n";
}

std::string render_csv(const valuation::Report& rep) {
  std::string out;
  io::append_csv_line(out, {"account", "venue", "instrument", "kind", "underlying", "expiry", "quantity", "mark",
                            "forward", "vol", "value", "value_currency", "value_usd", "pnl_usd", "delta",
                            "delta_total", "delta_usd", "gamma", "vega", "theta", "error"});
  const auto n = [](double v) { return std::isfinite(v) ? fmt::format("{:.17g}", v) : std::string(); };
  for (std::size_t r = 0; r < rep.values.size(); ++r) {
    const RowInfo& i = (*rep.rows)[r];
    const RowValues& x = rep.values[r];
    const bool ok = i.error.empty();
    io::append_csv_line(out, {i.account, i.venue, i.instrument, i.collateral ? "collateral" : "position",
                              i.underlying, i.expiry_ms ? core::format_utc_ms(i.expiry_ms) : "", n(i.quantity),
                              n(x.mark), n(x.forward), n(x.vol), n(x.value), i.settlement_currency, n(x.value_usd),
                              n(x.pnl_usd), ok ? n(x.delta) : "", ok ? n(x.delta_total) : "", ok ? n(x.delta_usd) : "",
                              ok ? n(x.gamma) : "",
                              ok ? n(x.vega) : "", ok ? n(x.theta) : "", i.error});
  }
  return out;
}

std::string render_table(const valuation::Report& rep) {
  std::string out = fmt::format("greekbook risk at {}  (delta, delta_total in coin; delta_usd = delta x index; gamma "
                                "coin/USD; vega USD per vol point; theta USD/day)\n",
                                core::format_utc_ms(rep.valuation_ms));
  aggregate_table(out, "Totals by underlying", rep.by_underlying);
  if (!rep.by_underlying.empty()) {
    out += fmt::format("\n  vega by tenor {:>10} {:>10} {:>10} {:>10}\n", valuation::kTenorBuckets[0],
                       valuation::kTenorBuckets[1], valuation::kTenorBuckets[2], valuation::kTenorBuckets[3]);
    for (const auto& [k, a] : rep.by_underlying)
      out += fmt::format("  {:<13} {:>10.2f} {:>10.2f} {:>10.2f} {:>10.2f}\n", k, a.vega_by_tenor[0],
                         a.vega_by_tenor[1], a.vega_by_tenor[2], a.vega_by_tenor[3]);
  }
  aggregate_table(out, "By expiry", rep.by_expiry);
  aggregate_table(out, "By venue", rep.by_venue);
  aggregate_table(out, "By account", rep.by_account);
  out += fmt::format("\nPortfolio value {:.2f} USD, unrealised PnL {:.2f} USD, perpetual funding {:.2f} USD/day, "
                     "{} rows, {} not valued\n",
                     rep.portfolio.value_usd, rep.portfolio.pnl_usd, rep.portfolio.funding_usd_day, rep.portfolio.rows,
                     rep.portfolio.errors);
  out += fmt::format("\nPositions\n  {:<14} {:<26} {:>12} {:>12} {:>8} {:>14} {:>12} {:>10} {:>10} {:>9} {:>9}\n",
                     "account", "instrument", "quantity", "mark", "vol", "value_usd", "pnl_usd", "delta",
                     "delta_tot", "vega", "theta");
  for (std::size_t r = 0; r < rep.values.size(); ++r) {
    const RowInfo& i = (*rep.rows)[r];
    const RowValues& x = rep.values[r];
    if (!i.error.empty()) {
      out += fmt::format("  {:<14} {:<26} {:>12} NOT VALUED: {}\n", i.account, i.instrument, cell(i.quantity, 4), i.error);
      continue;
    }
    out += fmt::format("  {:<14} {:<26} {:>12} {:>12} {:>8} {:>14} {:>12} {:>10} {:>10} {:>9} {:>9}\n", i.account,
                       i.instrument, cell(i.quantity, 4), cell(x.mark, x.mark < 1 ? 6 : 2), cell(x.vol, 4),
                       cell(x.value_usd, 2), cell(x.pnl_usd, 2), cell(x.delta, 4), cell(x.delta_total, 4),
                       cell(x.vega, 2), cell(x.theta, 2));
  }
  return out;
}

}  // namespace greekbook::report
