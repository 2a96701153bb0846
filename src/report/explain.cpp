#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "greekbook/core/time.hpp"
#include "greekbook/report/explain_report.hpp"

namespace greekbook::report {
namespace {
using nlohmann::json;
using valuation::PnlAttribution;

json attribution_json(const PnlAttribution& p) {
  return {{"actual", p.actual}, {"delta", p.delta},       {"gamma", p.gamma},       {"vega", p.vega},
          {"theta", p.theta},   {"vanna", p.vanna},       {"volga", p.volga},       {"explained", p.explained},
          {"residual", p.residual}, {"rows", p.rows},     {"errors", p.errors}};
}

std::string line(const std::string& name, const PnlAttribution& p) {
  return fmt::format("  {:<40} {:>12.2f} {:>11.2f} {:>10.2f} {:>10.2f} {:>10.2f} {:>9.2f} {:>9.2f} {:>12.2f} {:>10.2f}\n",
                     name, p.actual, p.delta, p.gamma, p.vega, p.theta, p.vanna, p.volga, p.explained, p.residual);
}
}  // namespace

std::string render_explain_json(const valuation::ExplainReport& rep) {
  json doc;
  doc["from"] = core::format_utc_ms(rep.from_ms);
  doc["to"] = core::format_utc_ms(rep.to_ms);
  doc["units"] = "USD";
  json u = json::object();
  for (const auto& [k, p] : rep.by_underlying) u[k] = attribution_json(p);
  doc["by_underlying"] = u;
  doc["total"] = attribution_json(rep.total);
  json rows = json::array();
  for (std::size_t r = 0; r < rep.rows.size(); ++r) {
    const auto& i = rep.rows[r];
    json j = {{"account", i.account}, {"instrument", i.instrument}, {"quantity", i.quantity}};
    if (rep.row_errors[r].empty()) {
      j.update(attribution_json(rep.per_row[r]));
      j.erase("rows");
      j.erase("errors");
      j["error"] = nullptr;
    } else {
      j["error"] = rep.row_errors[r];
    }
    rows.push_back(j);
  }
  doc["positions"] = rows;
  return doc.dump(2) + "\n";
}

std::string render_explain_table(const valuation::ExplainReport& rep) {
  std::string out = fmt::format("greekbook explain {} -> {} ({:.3f} days), USD\n\n", core::format_utc_ms(rep.from_ms),
                                core::format_utc_ms(rep.to_ms), static_cast<double>(rep.to_ms - rep.from_ms) / 86.4e6);
  const std::string head = fmt::format("  {:<40} {:>12} {:>11} {:>10} {:>10} {:>10} {:>9} {:>9} {:>12} {:>10}\n", "",
                                       "actual", "delta", "gamma", "vega", "theta", "vanna", "volga", "explained",
                                       "residual");
  out += "By underlying\n" + head;
  for (const auto& [k, p] : rep.by_underlying) out += line(k, p);
  out += line("TOTAL", rep.total);
  out += "\nPositions\n" + head;
  for (std::size_t r = 0; r < rep.rows.size(); ++r) {
    const auto& i = rep.rows[r];
    const std::string name = i.account + " " + i.instrument;
    if (!rep.row_errors[r].empty())
      out += fmt::format("  {:<40} NOT EXPLAINED: {}\n", name, rep.row_errors[r]);
    else
      out += line(name, rep.per_row[r]);
  }
  return out;
}

}  // namespace greekbook::report
