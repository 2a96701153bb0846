// greekbook stress: the book under named stress scenarios (a user file and/or the built-in crisis
// library): PnL per position, account, venue and underlying by full revaluation, margin after the
// shock under each account's model, accounts below maintenance, Greeks after the shock (docs/stress.md).
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/risk/stress.hpp"
#include "greekbook/risk/stress_report.hpp"
#include "greekbook/risk/stress_scenario.hpp"
#include "margin_inputs.hpp"

namespace greekbook::cli {
namespace {

struct StressOptions {
  std::string book, market, scenarios, params, model, format = "table", output = "-";
  bool library = false;
};

int fail(const std::string& message) {
  fmt::print(stderr, "greekbook stress: {}\n", message);
  return 2;
}

int run_stress_command(const StressOptions& opts) {
  auto inputs = load_margin_inputs(opts.book, opts.market, opts.params, opts.model, "");
  if (!inputs) return fail(inputs.error().message);
  const auto& accounts = inputs->accounts;

  std::vector<risk::StressScenario> scenarios;
  std::string source;
  if (opts.library || opts.scenarios.empty()) {
    auto lib = risk::crisis_library();
    if (!lib) return fail(lib.error().message);  // a defect of the shipped library, not of the input
    source = lib->source;
    scenarios = std::move(lib->scenarios);
  }
  if (!opts.scenarios.empty()) {
    auto file = risk::load_stress_file(opts.scenarios);
    if (!file) return fail(file.error().message);
    // Every underlying and venue a user scenario names must exist (the library's need not: it names
    // BTC, ETH and venues a book may not have).
    std::set<std::string, std::less<>> underlyings, venues;
    for (const auto& [name, _] : inputs->market.underlyings) underlyings.insert(name);
    for (const auto& a : accounts) {
      venues.insert(a.venue);
      for (const auto& p : a.positions) underlyings.insert(p.instrument.underlying);
      for (const auto& [ccy, _] : a.collateral) underlyings.insert(ccy);
    }
    if (auto ok = risk::check_references(*file, underlyings, venues); !ok) return fail(ok.error().message);
    for (const auto& s : scenarios)
      for (const auto& f : file->scenarios)
        if (s.name() == f.name())
          return fail(fmt::format("{}: scenarios[{}].name: '{}' is also a scenario of the built-in library",
                                  file->source, f.index, f.name()));
    source = source.empty() ? file->source : source + " and " + file->source;
    for (auto& s : file->scenarios) scenarios.push_back(std::move(s));
  }

  auto rep = risk::run_stress(accounts, *inputs->models, scenarios);
  if (!rep) return fail(rep.error().message);
  rep->valuation_ms = inputs->market.valuation_ms;
  rep->scenarios_source = source;
  const std::string out = opts.format == "json" ? risk::render_stress_json(*rep) : risk::render_stress_table(*rep);
  if (auto w = io::write_text_atomic(opts.output, out); !w) {
    fmt::print(stderr, "greekbook stress: {}\n", w.error().message);
    return 1;
  }
  return 0;
}
}  // namespace

Subcommand add_stress(CLI::App& app) {
  auto opts = std::make_shared<StressOptions>();
  auto* cmd = app.add_subcommand(
      "stress",
      "Stress tests by full revaluation: PnL per position, account, venue and underlying (USD), margin after the shock "
      "under each account's model, accounts below maintenance, Greeks after the shock. Scenarios: --scenarios FILE "
      "and/or the built-in crisis library (--library, the default without --scenarios). docs/stress.md.");
  cmd->add_option("--book", opts->book, "book: JSON, or positions CSV account,instrument,quantity[,average_price]")
      ->required();
  cmd->add_option("--market", opts->market, "market snapshot: greekbook JSON or a Deribit chain CSV")->required();
  cmd->add_option("--scenarios", opts->scenarios, "stress scenarios JSON (docs/stress.md; e.g. examples/stress.json)");
  cmd->add_flag("--library", opts->library,
                "run the built-in crisis library (params/stress/crises.json); default when --scenarios is not given");
  cmd->add_option("--params", opts->params, "margin parameters file {\"<model>\": {...}} (docs/margin.md)");
  cmd->add_option("--model", opts->model, "margin model for every account (default: each account's own)");
  cmd->add_option("--format", opts->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", opts->output, "output file (written atomically), '-' for stdout")
      ->capture_default_str();
  return {cmd, [opts] { return run_stress_command(*opts); }};
}

}  // namespace greekbook::cli
