// greekbook: command-line surface of the greekbook engine.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"

namespace {
// The options every CSV-table command takes: input file, atomic output, --skip-bad.
void add_table_options(CLI::App* cmd, greekbook::cli::TableOptions& opts, const std::string& skip_bad_help) {
  cmd->add_option("file", opts.input, "input CSV, '-' for stdin")->capture_default_str();
  cmd->add_option("-o,--output", opts.output, "output CSV (written atomically), '-' for stdout")->capture_default_str();
  cmd->add_flag("--skip-bad", opts.skip_bad, skip_bad_help + " (default: exit 2, write nothing)");
}
}  // namespace

int main(int argc, char** argv) {
  using namespace greekbook::cli;
  CLI::App app{"greekbook: prices, Greeks, implied volatility and the risk of crypto derivatives books.\n"
               "Exit status: 0 success, 2 bad input or usage (nothing partial written), 1 failure."};
  app.name("greekbook");
  app.require_subcommand(1);
  app.set_version_flag("--version", "greekbook 0.1.0");

  TableOptions price_opts;
  auto* price = app.add_subcommand(
      "price",
      "Black-76 price and Greeks. CSV in: type,forward,strike,expiry_years,vol[,rate] (other "
      "columns pass through). CSV out: the input columns + price,delta,gamma,vega,theta,rho,vanna,"
      "volga (vega per 1.00 vol, theta per year, rho per 1.00 rate, %.17g).");
  add_table_options(price, price_opts, "report bad rows in an 'error' column and go on");

  TableOptions iv_opts;
  auto* iv = app.add_subcommand(
      "iv",
      "Implied volatility. CSV in: type,forward,strike,expiry_years,price[,rate] (price discounted, "
      "in the currency of forward and strike). CSV out: the input columns + vol,error (vol empty and "
      "error naming the reason when the price has no implied vol).");
  add_table_options(iv, iv_opts, "report unparsable rows in the 'error' column and go on");

  BenchOptions bench_opts;
  auto* bench = app.add_subcommand(
      "bench", "Measure speed on this machine (medians; one core except stress and Monte Carlo VaR, which use all cores): pricing ns/option, implied vol, the 10,000-position "
             "risk report (risk_10k_ms), chain load + surface fit (surface_fit_ms), Deribit portfolio margin of 10,000 positions "
             "(pm_10k_ms), a what-if order (what_if_us) and the liquidation price of a 1,000-option account "
             "(liq_price_1k_ms), stress of 10,000 positions (stress_10k_ms) and Monte Carlo VaR of 10,000 options over 10,000 "
             "paths (mc_var_revals_per_s).");
  bench->add_flag("--json", bench_opts.json,
                  "JSON output (keys price_greeks_scalar_ns, price_greeks_batch_ns, implied_vol_ns, ...)");
  bench->add_option("--options", bench_opts.options, "options per run")->capture_default_str();
  bench->add_option("--repeats", bench_opts.repeats, "timed runs (median reported)")->capture_default_str();
  bench->add_option("--chain", bench_opts.chain,
                    "Deribit chain CSV to time load + surface fit on (default: a synthetic 1,900-option chain)");

  RiskOptions risk_opts;
  auto* risk = app.add_subcommand(
      "risk",
      "Portfolio risk report: value, PnL and Greeks (delta in coin and in USD) per position, totals per underlying, expiry, venue "
      "and account (delta/delta_total in coin, gamma coin per USD, vega USD per vol point, theta USD per day, "
      "perpetual funding USD per day).");
  risk->add_option("--book", risk_opts.book, "book: JSON, or positions CSV account,instrument,quantity[,average_price]")
      ->required();
  risk->add_option("--market", risk_opts.market, "market snapshot: greekbook JSON or a Deribit chain CSV")->required();
  risk->add_option("--format", risk_opts.format, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  risk->add_option("-o,--output", risk_opts.output, "output file (written atomically), '-' for stdout")
      ->capture_default_str();

  ExplainOptions explain_opts;
  auto* explain = app.add_subcommand(
      "explain", "PnL between two market snapshots by full revaluation, attributed to delta, gamma, vega, theta, "
                 "vanna, volga, with the unexplained residual (USD).");
  explain->add_option("--book", explain_opts.book, "book file")->required();
  explain->add_option("--from", explain_opts.from, "earlier market snapshot")->required();
  explain->add_option("--to", explain_opts.to, "later market snapshot")->required();
  explain->add_option("--format", explain_opts.format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  explain->add_option("-o,--output", explain_opts.output, "output file, '-' for stdout")->capture_default_str();

  SurfaceOptions surface_opts;
  auto* surface = app.add_subcommand(
      "surface", "Fitted SVI smile per expiry (parameters, fit error, butterfly check) and calendar-arbitrage check.");
  surface->add_option("--market", surface_opts.market, "market snapshot")->required();
  surface->add_flag("--json", surface_opts.json, "JSON output");
  surface->add_option("-o,--output", surface_opts.output, "output file, '-' for stdout")->capture_default_str();

  ConvertOptions convert_opts;
  auto* convert = app.add_subcommand(
      "convert-market", "Convert a market snapshot (e.g. a Deribit chain CSV) to greekbook JSON.");
  convert->add_option("input", convert_opts.input, "input snapshot")->required();
  convert->add_option("-o,--output", convert_opts.output, "output JSON, '-' for stdout")->capture_default_str();

  MarginOptions margin_opts;
  auto* margin = app.add_subcommand(
      "margin",
      "Margin per account as its venue computes it: equity, initial_margin, maintenance_margin, available, "
      "margin_ratio (MM / equity; the venue liquidates at 100%), liquidation price per underlying (full "
      "revaluation) and the worst scenario; with --what-if, the figures before and after hypothetical orders. "
      "Models: deribit-sm, deribit-pm, derive-srm, derive-pmrm, binance, bybit, hyperliquid, dydx, aave "
      "(docs/margin.md).");
  margin->add_option("--book", margin_opts.book, "book file (JSON or positions CSV)")->required();
  margin->add_option("--market", margin_opts.market, "market snapshot")->required();
  margin->add_option("--model", margin_opts.model,
                     "margin model for every account (default: the book's margin_model, else the venue's default)");
  margin->add_option("--params", margin_opts.params,
                     "JSON parameters per model {\"deribit-pm\": {...}} overriding the defaults (params/margin/*.json)");
  margin->add_option("--what-if", margin_opts.what_if, "hypothetical order INSTRUMENT:QUANTITY (repeatable), e.g. "
                                                        "BTC-PERPETUAL:-50000 (venue-native units)");
  margin->add_option("--account", margin_opts.account, "only this account (required for --what-if with several)");
  margin->add_option("--horizon-days", margin_opts.horizon_days,
                     "horizon of the liquidation distance in standard deviations (ATM vol)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  margin->add_option("--format", margin_opts.format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  margin->add_option("-o,--output", margin_opts.output, "output file (written atomically), '-' for stdout")
      ->capture_default_str();

  LiquidationOptions liq_opts;
  auto* liq = app.add_subcommand(
      "liquidation",
      "Liquidation prices per account and underlying (full revaluation under the account's margin model; distance in "
      "% and in standard deviations) and a simulated liquidation at the nearest one: incremental closes at prices "
      "from a depth profile or AMM pool, liquidation penalty, insurance fund, bankruptcy (docs/liquidation.md).");
  liq->add_option("--book", liq_opts.book, "book file")->required();
  liq->add_option("--market", liq_opts.market, "market snapshot")->required();
  liq->add_option("--model", liq_opts.model, "margin model for every account (default: book or venue)");
  liq->add_option("--params", liq_opts.params, "margin parameters per model (JSON)");
  liq->add_option("--account", liq_opts.account, "only this account");
  liq->add_option("--underlying", liq_opts.underlying, "only this underlying (default: every one held)");
  liq->add_option("--beta", liq_opts.betas,
                  "UNDERLYING=BETA (repeatable): move all underlyings together, factor^beta (default: one at a time)");
  liq->add_option("--depth", liq_opts.depth,
                  "liquidity: depth-profile or AMM-pool JSON (examples/depth/*.json; default: no slippage)");
  liq->add_option("--liquidation-params", liq_opts.liquidation_params,
                  "JSON: step_mode, step_fraction, step_quantity, penalty_rate, impact_feeds_mark, stop_at, ... (default params/liquidation/liquidation.json)");
  liq->add_option("--auction-params", liq_opts.auction_params,
                  "JSON: Derive Dutch-auction parameters (default params/liquidation/derive-auction.json)");
  liq->add_option("--insurance-fund", liq_opts.insurance_fund, "insurance fund balance in USD")->capture_default_str();
  liq->add_option("--side", liq_opts.side, "simulate at the liquidation price below (down) or above (up) the index")
      ->check(CLI::IsMember({"down", "up"}))
      ->capture_default_str();
  liq->add_option("--horizon-days", liq_opts.horizon_days,
                  "horizon in days of the distance in standard deviations (default 1), or of the probability (default 7)")
      ->check(CLI::PositiveNumber);
  liq->add_flag("--probability", liq_opts.probability,
                "Monte Carlo probability of reaching maintenance within the horizon (full revaluation and the account's "
                "margin model at every step), time to liquidation, and the collateral or delta hedge that bring it "
                "under --target (docs/liquidation-probability.md)");
  liq->add_option("--steps-per-day", liq_opts.steps_per_day, "--probability: revaluation steps per day (24 = hourly)")
      ->capture_default_str();
  liq->add_option("--paths", liq_opts.paths, "--probability: Monte Carlo paths")->capture_default_str();
  liq->add_option("--target", liq_opts.target, "--probability: probability to bring the account under")
      ->capture_default_str();
  liq->add_option("--vol", liq_opts.vol, "--probability: annualised vol of every underlying (default: the market's ATM vol)")
      ->check(CLI::PositiveNumber);
  liq->add_option("--correlation", liq_opts.correlation, "--probability: correlation of the underlyings' log returns")
      ->capture_default_str();
  liq->add_option("--price-model", liq_opts.price_model, "--probability: gbm or student-t increments")
      ->capture_default_str();
  liq->add_option("--dof", liq_opts.dof, "--probability: Student-t degrees of freedom (> 2)")->capture_default_str();
  liq->add_option("--seed", liq_opts.seed, "--probability: random seed (same seed, same paths)")->capture_default_str();
  liq->add_flag("--no-screen", liq_opts.no_screen,
                "--probability: the margin model at every step of every path (default: single-underlying accounts "
                "skip it strictly inside each step's safe price interval)");
  liq->add_option("--format", liq_opts.format, "table or json")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
  liq->add_option("-o,--output", liq_opts.output, "output file (written atomically), '-' for stdout")->capture_default_str();

  const Subcommand stress = add_stress(app);
  const Subcommand var = add_var(app);
  const Subcommand contagion = add_contagion(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (price->parsed()) return run_price(price_opts);
  if (iv->parsed()) return run_iv(iv_opts);
  if (bench->parsed()) return run_bench(bench_opts);
  if (risk->parsed()) return run_risk(risk_opts);
  if (explain->parsed()) return run_explain(explain_opts);
  if (surface->parsed()) return run_surface(surface_opts);
  if (convert->parsed()) return run_convert_market(convert_opts);
  if (margin->parsed()) return run_margin(margin_opts);
  if (liq->parsed()) return run_liquidation(liq_opts);
  for (const auto* s : {&stress, &var, &contagion})
    if (s->cmd && s->cmd->parsed()) return s->run();
  return 2;
}
