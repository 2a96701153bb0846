#include "greekbook/risk/var_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "greekbook/core/time.hpp"

namespace greekbook::risk {
namespace {
using nlohmann::json;

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
std::string money(double v) { return std::isfinite(v) ? fmt::format("{:.2f}", v == 0.0 ? 0.0 : v) : "-"; }
std::string pct(double level) { return fmt::format("{:.1f}%", 100.0 * level); }

json method_json(const VarRun& run, const MethodResult& m) {
  const auto& pos = run.book->positions();
  json levels = json::array();
  for (const auto& l : m.levels)
    levels.push_back({{"level", l.level}, {"tail_scenarios", l.tail_count}, {"var_usd", num(l.var_usd)},
                      {"es_usd", num(l.es_usd)}, {"var_se_usd", num(l.var_se_usd)}, {"es_se_usd", num(l.es_se_usd)},
                      {"delta_gamma_vega", {{"var_usd", num(l.var_approx_usd)}, {"es_usd", num(l.es_approx_usd)},
                                            {"var_error_usd", num(l.var_approx_usd - l.var_usd)},
                                            {"es_error_usd", num(l.es_approx_usd - l.es_usd)}}}});
  json components = json::array();
  for (std::size_t i = 0; i < pos.size(); ++i) {
    json es = json::array();
    for (const auto& l : m.levels) es.push_back(num(l.component_es_usd[i]));
    components.push_back({{"account", pos[i].account}, {"instrument", pos[i].instrument}, {"quantity", pos[i].quantity},
                          {"underlying", run.book->underlyings()[pos[i].factor]}, {"es_usd", es}});
  }
  json factors = json::array();
  for (std::size_t f = 0; f < m.factor_names.size(); ++f)
    factors.push_back({{"name", m.factor_names[f]}, {"sigma_daily", num(m.factor_sigma_daily[f])}});
  json j = {{"method", to_string(m.method)}, {"horizon_days", m.horizon_days}, {"scenarios", m.scenarios},
            {"window", {{"first_day", format_day(m.first_day)}, {"last_day", format_day(m.last_day)},
                        {"daily_returns", m.window_returns}}},
            {"factors", factors},
            {"pnl", {{"mean_usd", num(m.mean_pnl_usd)}, {"sd_usd", num(m.sd_pnl_usd)}, {"worst_usd", num(m.worst_pnl_usd)}}},
            {"levels", levels},
            {"delta_gamma_vega_error", {{"rmse_usd", num(m.approx_rmse_usd)}, {"max_abs_usd", num(m.approx_max_abs_error_usd)}}},
            {"component_es", components}, {"notes", m.notes}};
  if (m.method == VarMethod::Filtered) j["ewma_lambda"] = run.options.ewma_lambda;
  if (m.method == VarMethod::MonteCarlo) {
    j["paths"] = run.options.paths;
    j["seed"] = run.options.seed;
    j["student_t_nu"] = num(m.nu);
    j["excess_kurtosis"] = num(m.excess_kurtosis);
    j["correlation"] = m.correlation;
  }
  return j;
}

json backtest_json(const BacktestResult& b) {
  json levels = json::array();
  for (const auto& t : b.tests)
    levels.push_back({{"level", t.level}, {"days", t.days}, {"exceptions", t.exceptions},
                      {"expected_exceptions", num(t.expected_rate * static_cast<double>(t.days))},
                      {"observed_rate", num(t.observed_rate)},
                      {"kupiec", {{"lr", num(t.lr_pof)}, {"p_value", num(t.p_pof)}}},
                      {"christoffersen", {{"n00", t.n00}, {"n01", t.n01}, {"n10", t.n10}, {"n11", t.n11},
                                          {"pi0", num(t.pi0)}, {"pi1", num(t.pi1)}, {"lr", num(t.lr_ind)},
                                          {"p_value", num(t.p_ind)}}},
                      {"conditional_coverage", {{"lr", num(t.lr_cc)}, {"p_value", num(t.p_cc)}}}});
  json days = json::array();
  for (std::size_t i = 0; i < b.days.size(); ++i) {
    json v = json::array();
    for (const auto& l : b.var_usd) v.push_back(num(l[i]));
    days.push_back({{"date", format_day(b.days[i])}, {"pnl_usd", num(b.pnl_usd[i])}, {"var_usd", v}});
  }
  return {{"method", to_string(b.method)}, {"window", b.window}, {"days", b.days.size()},
          {"first_day", b.days.empty() ? "" : format_day(b.days.front())},
          {"last_day", b.days.empty() ? "" : format_day(b.days.back())}, {"levels", levels}, {"series", days}};
}

// Index of the level closest to 99% (the table's component ES).
std::size_t table_level(const std::vector<double>& levels) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < levels.size(); ++i)
    if (std::abs(levels[i] - 0.99) < std::abs(levels[best] - 0.99)) best = i;
  return best;
}
}  // namespace

std::string render_var_json(const VarRun& run) {
  const VarBook& b = *run.book;
  json methods = json::array();
  for (const auto& m : run.results) methods.push_back(method_json(run, m));
  json backtests = json::array();
  for (const auto& bt : run.backtests) backtests.push_back(backtest_json(bt));
  json doc = {{"valuation_time", core::format_utc_ms(run.valuation_ms)},
              {"horizon_days", run.options.horizon_days},
              {"levels", run.options.levels},
              {"history", {{"source", run.history_source}, {"first_day", format_day(run.history_first_day)},
                           {"last_day", format_day(run.history_last_day)}, {"daily_returns", run.history_returns},
                           {"window", run.options.window}}},
              {"book", {{"value_usd", num(b.value_usd())}, {"positions", b.positions().size()},
                        {"options", b.option_count()}, {"underlyings", b.underlyings()}}},
              {"methods", methods},
              {"backtest", backtests},
              {"notes", run.notes}};
  if (!run.backtests.empty()) doc["backtest_paths"] = run.backtest_paths;
  return doc.dump(2) + "\n";
}

std::string render_var_table(const VarRun& run) {
  const VarBook& b = *run.book;
  std::string out = fmt::format("VaR and expected shortfall at {}, horizon {} day{} (USD, losses positive)\n",
                                core::format_utc_ms(run.valuation_ms), run.options.horizon_days,
                                run.options.horizon_days == 1 ? "" : "s");
  std::string unds;
  for (const auto& u : b.underlyings()) unds += (unds.empty() ? "" : ", ") + u;
  out += fmt::format("book: {} position{} ({} option{}) on {}; value {} USD\n", b.positions().size(),
                     b.positions().size() == 1 ? "" : "s", b.option_count(), b.option_count() == 1 ? "" : "s", unds,
                     money(b.value_usd()));
  out += fmt::format("history: {}, {} .. {} ({} daily returns); window {}\n\n", run.history_source,
                     format_day(run.history_first_day), format_day(run.history_last_day), run.history_returns,
                     run.options.window);
  out += fmt::format("{:<11} {:>6} {:>9} {:>14} {:>14} {:>10} {:>10} {:>14} {:>14}\n", "method", "level", "scenarios",
                     "VaR", "ES", "VaR se", "ES se", "DGV VaR", "DGV ES");
  for (const auto& m : run.results)
    for (const auto& l : m.levels)
      out += fmt::format("{:<11} {:>6} {:>9} {:>14} {:>14} {:>10} {:>10} {:>14} {:>14}\n", to_string(m.method),
                         pct(l.level), m.scenarios, money(l.var_usd), money(l.es_usd), money(l.var_se_usd),
                         money(l.es_se_usd), money(l.var_approx_usd), money(l.es_approx_usd));
  out += "\ndelta-gamma-vega approximation against full revaluation, per scenario:\n";
  for (const auto& m : run.results)
    out += fmt::format("  {:<11} rms error {} USD, largest {} USD (PnL sd {} USD)\n", to_string(m.method),
                       money(m.approx_rmse_usd), money(m.approx_max_abs_error_usd), money(m.sd_pnl_usd));
  out += "models:\n";
  for (const auto& m : run.results) {
    std::string f;
    for (std::size_t i = 0; i < m.factor_names.size(); ++i)
      f += fmt::format("{}{} {:.2f}%", f.empty() ? "" : ", ", m.factor_names[i], 100.0 * m.factor_sigma_daily[i]);
    if (m.method == VarMethod::Historical)
      out += fmt::format("  historical  returns {} .. {}; daily sd {}\n", format_day(m.first_day), format_day(m.last_day), f);
    else if (m.method == VarMethod::Filtered)
      out += fmt::format("  filtered    EWMA lambda {}; today's daily vol {}\n", run.options.ewma_lambda, f);
    else
      out += fmt::format("  montecarlo  {} paths, seed {}; {}; daily sd {}\n", run.options.paths, run.options.seed,
                         std::isfinite(m.nu) ? fmt::format("Student-t nu {:.2f} (excess kurtosis {:.2f})", m.nu, m.excess_kurtosis)
                                             : fmt::format("normal (excess kurtosis {:.2f})", m.excess_kurtosis),
                         f);
    for (const auto& n : m.notes) out += fmt::format("              note: {}\n", n);
  }
  if (!run.results.empty()) {
    const std::size_t li = table_level(run.options.levels);
    const auto& pos = b.positions();
    // The 30 largest contributors (by the largest |component| over the methods), in book order.
    std::vector<std::size_t> idx(pos.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    const auto size = [&](std::size_t i) {
      double s = 0.0;
      for (const auto& m : run.results) s = std::max(s, std::abs(m.levels[li].component_es_usd[i]));
      return s;
    };
    const std::size_t shown = std::min<std::size_t>(30, pos.size());
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t c) { return size(a) > size(c); });
    std::vector<std::size_t> top(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(shown));
    std::sort(top.begin(), top.end());
    out += fmt::format("\ncomponent ES at {} (USD; each column sums to its ES){}:\n", pct(run.options.levels[li]),
                       shown < pos.size() ? fmt::format(", the {} largest of {} positions", shown, pos.size()) : "");
    std::string head = fmt::format("{:<16} {:<30}", "account", "instrument");
    for (const auto& m : run.results) head += fmt::format(" {:>14}", to_string(m.method));
    out += head + "\n";
    for (std::size_t i : top) {
      std::string line = fmt::format("{:<16} {:<30}", pos[i].account, pos[i].instrument);
      for (const auto& m : run.results) line += fmt::format(" {:>14}", money(m.levels[li].component_es_usd[i]));
      out += line + "\n";
    }
    std::map<std::string, std::vector<double>> by_underlying;
    for (std::size_t i = 0; i < pos.size(); ++i) {
      auto& v = by_underlying[b.underlyings()[pos[i].factor]];
      v.resize(run.results.size(), 0.0);
      for (std::size_t k = 0; k < run.results.size(); ++k) v[k] += run.results[k].levels[li].component_es_usd[i];
    }
    for (const auto& [u, v] : by_underlying) {
      std::string line = fmt::format("{:<16} {:<30}", "underlying", u);
      for (double x : v) line += fmt::format(" {:>14}", money(x));
      out += line + "\n";
    }
    std::string total = fmt::format("{:<16} {:<30}", "total", "= ES");
    for (const auto& m : run.results) total += fmt::format(" {:>14}", money(m.levels[li].es_usd));
    out += total + "\n";
  }
  if (!run.backtests.empty()) {
    const auto& f = run.backtests.front();
    out += fmt::format("\nbacktest: 1-day VaR from the {} daily returns before each day, {} days {} .. {}; realised = "
                       "today's book under that day's returns\n",
                       f.window, f.days.size(), f.days.empty() ? "-" : format_day(f.days.front()),
                       f.days.empty() ? "-" : format_day(f.days.back()));
    out += fmt::format("{:<11} {:>6} {:>10} {:>8} {:>10} {:>8} {:>10} {:>8} {:>10} {:>8}\n", "method", "level",
                       "exceptions", "expected", "Kupiec LR", "p", "indep. LR", "p", "cond. LR", "p");
    for (const auto& bt : run.backtests)
      for (const auto& t : bt.tests)
        out += fmt::format("{:<11} {:>6} {:>10} {:>8.2f} {:>10.3f} {:>8.4f} {:>10.3f} {:>8.4f} {:>10.3f} {:>8.4f}\n",
                           to_string(bt.method), pct(t.level), t.exceptions, t.expected_rate * static_cast<double>(t.days),
                           t.lr_pof, t.p_pof, t.lr_ind, t.p_ind, t.lr_cc, t.p_cc);
  }
  for (const auto& n : run.notes) out += fmt::format("note: {}\n", n);
  return out;
}

}  // namespace greekbook::risk
