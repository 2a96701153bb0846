// greekbook var: value at risk and expected shortfall of a book by full revaluation (historical,
// filtered historical, Monte Carlo), the delta-gamma-vega approximation alongside, component ES per
// position and, with --backtest, the rolling backtest with Kupiec's and Christoffersen's tests
// (docs/var.md).
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "greekbook/book/book.hpp"
#include "greekbook/core/time.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/market/snapshot_io.hpp"
#include "greekbook/risk/history.hpp"
#include "greekbook/risk/var.hpp"
#include "greekbook/risk/var_backtest.hpp"
#include "greekbook/risk/var_report.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::cli {
namespace {

struct VarCliOptions {
  std::string book, market, history, dvol, dvol_underlying = "BTC", account;
  std::string method = "all", nu = "auto", format = "table", output = "-";
  int horizon_days = 1;
  std::vector<double> levels = {0.95, 0.99, 0.995};
  std::size_t window = 365, paths = 10000, backtest_paths = 1000;
  std::uint64_t seed = 1;
  double lambda = 0.94;
  int max_gap_days = 1;
  bool backtest = false;
};

int fail(const std::string& message) {
  fmt::print(stderr, "greekbook var: {}\n", message);
  return 2;
}

Result<std::optional<double>> parse_nu(const std::string& s) {
  if (s == "auto") return std::optional<double>{};
  if (s == "normal") return std::optional<double>{std::numeric_limits<double>::infinity()};
  const auto v = io::parse_finite_double(s);
  if (!v || !(*v > 2.0))
    return make_error(fmt::format("--nu '{}': expected auto, normal or Student-t degrees of freedom > 2", s));
  return std::optional<double>{*v};
}

int run_var_command(const VarCliOptions& o) {
  risk::VarOptions vo;
  vo.horizon_days = o.horizon_days;
  vo.levels = o.levels;
  vo.window = o.window;
  vo.ewma_lambda = o.lambda;
  vo.paths = o.paths;
  vo.seed = o.seed;
  auto nu = parse_nu(o.nu);
  if (!nu) return fail(nu.error().message);
  vo.nu = *nu;
  if (auto ok = risk::validate(vo); !ok) return fail(ok.error().message);
  if (o.max_gap_days < 0) return fail(fmt::format("--max-gap-days {}: must be >= 0", o.max_gap_days));
  std::vector<risk::VarMethod> methods;
  if (o.method == "all") {
    methods = {risk::VarMethod::Historical, risk::VarMethod::Filtered, risk::VarMethod::MonteCarlo};
  } else {
    auto m = risk::parse_var_method(o.method);
    if (!m) return fail(fmt::format("--method: {}, or all", m.error().message));
    methods = {*m};
  }

  auto market = market::load_market(o.market);
  if (!market) return fail(market.error().message);
  auto book = book::load_book(o.book, market->valuation_ms);
  if (!book) return fail(book.error().message);
  auto accounts = scenario::build_account_states(*book, *market);
  if (!o.account.empty()) {
    std::erase_if(accounts, [&](const auto& s) { return s.id != o.account; });
    if (accounts.empty()) return fail(fmt::format("--account '{}': no such account in {}", o.account, o.book));
  }
  auto vb = risk::VarBook::build(accounts);
  if (!vb) return fail(vb.error().message);
  if (vb->positions().empty())
    return fail(fmt::format("{}: no position or coin balance at risk (stablecoins only)", o.book));

  const risk::HistoryOptions ho{o.max_gap_days};
  auto history = o.dvol.empty() ? risk::load_history(o.history, ho)
                                : risk::load_binance_daily(o.history, o.dvol, o.dvol_underlying, ho);
  if (!history) return fail(history.error().message);
  auto returns = risk::daily_returns(*history, vb->underlyings());
  if (!returns) return fail(returns.error().message);

  risk::VarRun run;
  run.valuation_ms = market->valuation_ms;
  run.history_source = history->source;
  run.history_first_day = returns->days.front();
  run.history_last_day = returns->days.back();
  run.history_returns = returns->size();
  run.options = vo;
  run.book = &*vb;
  const std::int64_t valuation_day = market->valuation_ms / core::kMsPerDay;
  if (run.history_last_day > valuation_day)
    run.notes.push_back(fmt::format("the history runs past the valuation date (last close {})",
                                    risk::format_day(run.history_last_day)));
  else if (valuation_day - run.history_last_day > 7)
    run.notes.push_back(fmt::format("the history ends {} days before the valuation date (last close {})",
                                    valuation_day - run.history_last_day, risk::format_day(run.history_last_day)));
  for (auto m : methods) {
    auto r = risk::run_var(*vb, *returns, m, vo);
    if (!r) return fail(fmt::format("{}: {}", risk::to_string(m), r.error().message));
    run.results.push_back(std::move(*r));
  }
  if (o.backtest) {
    run.backtest_paths = o.backtest_paths;
    for (auto m : methods) {
      auto bt = risk::backtest_var(*vb, *returns, m, vo, o.backtest_paths);
      if (!bt) return fail(bt.error().message);
      run.backtests.push_back(std::move(*bt));
    }
  }
  const std::string out = o.format == "json" ? risk::render_var_json(run) : risk::render_var_table(run);
  if (auto w = io::write_text_atomic(o.output, out); !w) {
    fmt::print(stderr, "greekbook var: {}\n", w.error().message);
    return 1;
  }
  return 0;
}
}  // namespace

Subcommand add_var(CLI::App& app) {
  auto o = std::make_shared<VarCliOptions>();
  auto* cmd = app.add_subcommand(
      "var",
      "Value at risk and expected shortfall (USD) by full revaluation of every position: historical simulation, "
      "filtered historical simulation (EWMA) and Monte Carlo (correlated Student-t returns and ATM vols), each with "
      "the delta-gamma-vega approximation alongside and the component ES of every position; --backtest adds the "
      "rolling 1-day backtest (Kupiec, Christoffersen). docs/var.md.");
  cmd->add_option("--book", o->book, "book: JSON, or positions CSV account,instrument,quantity[,average_price]")->required();
  cmd->add_option("--market", o->market, "market snapshot: greekbook JSON or a Deribit chain CSV")->required();
  cmd->add_option("--history", o->history,
                  "daily history CSV date,underlying,price[,atm_vol] (examples/history/), or Binance daily klines "
                  "(open_time_ms,date_utc,...,close,...) for BTC")
      ->required();
  cmd->add_option("--dvol", o->dvol,
                  "Deribit DVOL daily CSV joined with --history (Binance klines) on the date: ATM vol = DVOL / 100");
  cmd->add_option("--dvol-underlying", o->dvol_underlying, "underlying of the Binance + DVOL pair")->capture_default_str();
  cmd->add_option("--method", o->method, "historical, filtered, montecarlo or all")
      ->check(CLI::IsMember({"historical", "filtered", "montecarlo", "all"}))
      ->capture_default_str();
  cmd->add_option("--horizon-days", o->horizon_days, "horizon in days (1 or 10; 10-day: overlapping windows)")
      ->capture_default_str();
  cmd->add_option("--levels", o->levels, "confidence levels, comma-separated")->delimiter(',')->capture_default_str();
  cmd->add_option("--window", o->window, "most recent daily returns used")->capture_default_str();
  cmd->add_option("--lambda", o->lambda, "EWMA decay of filtered historical simulation")->capture_default_str();
  cmd->add_option("--paths", o->paths, "Monte Carlo paths")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Monte Carlo seed")->capture_default_str();
  cmd->add_option("--nu", o->nu, "Monte Carlo tails: auto (Student-t, nu from the kurtosis), normal, or nu > 2")
      ->capture_default_str();
  cmd->add_option("--max-gap-days", o->max_gap_days, "missing days tolerated between two closes of a daily series")
      ->capture_default_str();
  cmd->add_option("--account", o->account, "only this account");
  cmd->add_flag("--backtest", o->backtest, "rolling 1-day backtest of each method on the history");
  cmd->add_option("--backtest-paths", o->backtest_paths, "Monte Carlo paths per backtest day")->capture_default_str();
  cmd->add_option("--format", o->format, "table or json")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
  cmd->add_option("-o,--output", o->output, "output file (written atomically), '-' for stdout")->capture_default_str();
  return {cmd, [o] { return run_var_command(*o); }};
}

}  // namespace greekbook::cli
