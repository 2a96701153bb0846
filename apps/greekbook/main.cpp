// greekbook: command-line surface of the greekbook engine.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace greekbook::cli;
  CLI::App app{"greekbook: prices, Greeks and implied volatility for crypto derivatives books.\n"
               "Exit status: 0 success, 2 bad input or usage (nothing partial written), 1 failure."};
  app.name("greekbook");
  app.require_subcommand(1);

  TableOptions price_opts;
  auto* price = app.add_subcommand(
      "price",
      "Black-76 price and Greeks. CSV in: type,forward,strike,expiry_years,vol[,rate] (other "
      "columns pass through). CSV out: the input columns + price,delta,gamma,vega,theta,rho,vanna,"
      "volga (vega per 1.00 vol, theta per year, rho per 1.00 rate, %.17g).");
  price->add_option("file", price_opts.input, "input CSV, '-' for stdin")->capture_default_str();
  price->add_option("-o,--output", price_opts.output, "output CSV (written atomically), '-' for stdout")
      ->capture_default_str();
  price->add_flag("--skip-bad", price_opts.skip_bad,
                  "report bad rows in an 'error' column and go on (default: exit 2, write nothing)");

  TableOptions iv_opts;
  auto* iv = app.add_subcommand(
      "iv",
      "Implied volatility. CSV in: type,forward,strike,expiry_years,price[,rate] (price discounted, "
      "in the currency of forward and strike). CSV out: the input columns + vol,error (vol empty and "
      "error naming the reason when the price has no implied vol).");
  iv->add_option("file", iv_opts.input, "input CSV, '-' for stdin")->capture_default_str();
  iv->add_option("-o,--output", iv_opts.output, "output CSV (written atomically), '-' for stdout")
      ->capture_default_str();
  iv->add_flag("--skip-bad", iv_opts.skip_bad,
               "report unparsable rows in the 'error' column and go on (default: exit 2, write nothing)");

  BenchOptions bench_opts;
  auto* bench = app.add_subcommand(
      "bench", "Measure pricing speed on this machine, one core: ns/option and options/s (medians).");
  bench->add_flag("--json", bench_opts.json,
                  "JSON output (keys price_greeks_scalar_ns, price_greeks_batch_ns, implied_vol_ns, ...)");
  bench->add_option("--options", bench_opts.options, "options per run")->capture_default_str();
  bench->add_option("--repeats", bench_opts.repeats, "timed runs (median reported)")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (price->parsed()) return run_price(price_opts);
  if (iv->parsed()) return run_iv(iv_opts);
  if (bench->parsed()) return run_bench(bench_opts);
  return 2;
}
