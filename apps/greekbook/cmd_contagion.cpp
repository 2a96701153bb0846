// greekbook contagion: failure events (venue failure, oracle deviation, stablecoin de-peg) propagated
// through margin calls, liquidations and their price impact across the venues of a book, with the
// collateral transfer that would have prevented each failure (docs/contagion.md).
#include <CLI/CLI.hpp>
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "greekbook/contagion/cascade.hpp"
#include "greekbook/contagion/prevention.hpp"
#include "greekbook/core/time.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/liquidation/liquidation_price.hpp"
#include "margin_inputs.hpp"

namespace greekbook::cli {
namespace {
using nlohmann::json;

struct ContagionOptions {
  std::string book, market, events, params, format = "table", output = "-";
  std::vector<std::string> depth;  ///< "FILE" (every underlying) or "U=FILE"
  int max_rounds = 50;
  bool prevention = true;
};

int fail(const std::string& message) {
  fmt::print(stderr, "greekbook contagion: {}\n", message);
  return 2;
}

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json num_map(const std::map<std::string, double>& m) {
  json o = json::object();
  for (const auto& [k, v] : m) o[k] = num(v);
  return o;
}

// --depth FILE (fallback for every underlying) or --depth U=FILE (one underlying), repeatable. Without
// a fallback, a flat no-slippage profile fills the rest; the note names the underlyings it covers.
Result<std::vector<std::string>> load_liquidity(const std::vector<std::string>& items,
                                                const std::vector<scenario::AccountState>& accounts,
                                                liquidation::LiquidityMap& map) {
  for (const auto& item : items) {
    const auto eq = item.find('=');
    const bool keyed = eq != std::string::npos && eq > 0 && item.find_first_of("/.") > eq;
    const std::string path = keyed ? item.substr(eq + 1) : item;
    auto src = liquidation::load_liquidity_source(path);
    if (!src) return make_error(fmt::format("--depth {}: {}", item, src.error().message));
    if (keyed) {
      map.by_underlying.insert_or_assign(item.substr(0, eq), std::move(*src));
    } else {
      if (map.fallback) return make_error(fmt::format("--depth {}: a second depth file for every underlying (use U=FILE)", item));
      map.fallback = std::move(*src);
    }
  }
  std::vector<std::string> notes;
  if (map.fallback) return notes;
  auto flat = liquidation::DepthProfile::make({{0.0, 1e18}}, {{0.0, 1e18}}, "no slippage");
  if (!flat) return make_error(flat.error().message);
  map.fallback = std::move(*flat);
  std::set<std::string> missing;
  for (const auto& a : accounts)
    for (const auto& u : liquidation::account_underlyings(a))
      if (!map.by_underlying.count(u)) missing.insert(u);
  std::string list;
  for (const auto& u : missing) list += (list.empty() ? "" : ", ") + u;
  if (items.empty()) notes.push_back("no --depth: liquidations fill at mark and move no price");
  else if (!missing.empty()) notes.push_back(fmt::format("no --depth for {}: fills at mark, no price impact", list));
  return notes;
}

json outcome_json(const contagion::AccountOutcome& o) {
  json liqs = json::array();
  for (const auto& l : o.liquidations)
    liqs.push_back({{"round", l.round}, {"kind", l.kind}, {"steps", l.steps}, {"excess_before_usd", num(l.excess_before_usd)},
                    {"excess_after_usd", num(l.excess_after_usd)}, {"realised_loss_usd", num(l.realised_loss_usd)},
                    {"slippage_usd", num(l.slippage_usd)}, {"penalties_usd", num(l.penalties_usd)},
                    {"health_factor_before", num(l.health_factor_before)}, {"health_factor_after", num(l.health_factor_after)},
                    {"bankrupt", l.bankrupt}, {"deficit_usd", num(l.deficit_usd)},
                    {"insurance_covered_usd", num(l.insurance_covered_usd)}, {"uncovered_usd", num(l.uncovered_usd)},
                    {"sold_usd", num_map(l.sold_usd)}, {"notes", l.notes}});
  return {{"account", o.id}, {"venue", o.venue}, {"model", o.model}, {"status", contagion::to_string(o.status)},
          {"value_start_usd", num(o.value_start_usd)}, {"value_end_usd", num(o.value_end_usd)}, {"loss_usd", num(o.loss_usd)},
          {"event_loss_usd", num(o.event_loss_usd)}, {"liquidation_cost_usd", num(o.liquidation_cost_usd)},
          {"frozen_usd", num(o.frozen_usd)}, {"deficit_usd", num(o.deficit_usd)},
          {"insurance_covered_usd", num(o.insurance_covered_usd)}, {"uncovered_usd", num(o.uncovered_usd)},
          {"excess_start_usd", num(o.excess_start_usd)}, {"min_excess_usd", num(o.min_excess_usd)},
          {"free_collateral_start_usd", num(o.free_start_usd())},
          {"first_failure_round", o.first_failure_round ? json(*o.first_failure_round) : json(nullptr)},
          {"liquidations", liqs}};
}

json document(const contagion::CascadeResult& r, const std::vector<contagion::PreventionTransfer>& prevention,
              const contagion::EventFile& events, std::int64_t valuation_ms, const std::vector<std::string>& notes) {
  json ev = json::array();
  for (const auto& e : events.events) {
    json j = {{"id", e.id}, {"kind", contagion::to_string(e.kind)}, {"at_min", e.at_min},
              {"duration_min", e.duration_min ? json(*e.duration_min) : json(nullptr)}};
    if (e.kind != contagion::EventKind::Depeg) j["venue"] = e.venue;
    if (e.kind == contagion::EventKind::Oracle) {
      j["underlying"] = e.underlying;
      j["mode"] = contagion::to_string(e.mode);
      if (e.mode == contagion::OracleMode::Deviation) j["deviation_pct"] = e.deviation_pct;
    }
    if (e.kind == contagion::EventKind::Depeg) {
      j["currency"] = e.currency;
      j["usd_rate"] = e.usd_rate;
    }
    ev.push_back(std::move(j));
  }
  json accounts = json::array(), failures = json::array(), path = json::array(), prev = json::array();
  double loss = 0, deficit = 0, uncovered = 0;
  for (const auto& o : r.accounts) {
    accounts.push_back(outcome_json(o));
    loss += o.loss_usd;
    deficit += o.deficit_usd;
    uncovered += o.uncovered_usd;
  }
  for (const auto& f : r.failures)
    failures.push_back({{"account", f.account_id}, {"venue", f.venue}, {"round", f.round}, {"time_min", f.time_min},
                        {"trigger", f.trigger}, {"cause", contagion::to_string(f.cause)}, {"excess_usd", num(f.excess_usd)},
                        {"pool", f.pool.empty() ? json(nullptr) : json(f.pool)},
                        {"status_after", contagion::to_string(f.status_after)}, {"first", f.first}});
  for (const auto& s : r.path) {
    json vp = json::object();
    for (const auto& [venue, m] : s.venue_prices) vp[venue] = num_map(m);
    path.push_back({{"round", s.round}, {"time_min", s.time_min}, {"trigger", s.trigger}, {"changed", s.changed},
                    {"prices", num_map(s.prices)}, {"venue_prices", vp}, {"stable_rates", num_map(s.stable_rates)},
                    {"sold_usd", num_map(s.sold_usd)}, {"impact_bps", num_map(s.impact_bps)}, {"liquidated", s.liquidated}});
  }
  for (const auto& t : prevention) {
    json cands = json::array();
    for (const auto& c : t.candidates) cands.push_back({{"account", c.account}, {"free_usd", num(c.free_usd)}, {"fails", c.fails}});
    prev.push_back({{"account", t.account_id}, {"currency", t.currency.empty() ? json(nullptr) : json(t.currency)},
                    {"isolated_instrument", t.isolated_instrument.empty() ? json(nullptr) : json(t.isolated_instrument)},
                    {"amount", t.amount ? num(*t.amount) : json(nullptr)},
                    {"amount_usd", t.amount_usd ? num(*t.amount_usd) : json(nullptr)},
                    {"donor", t.donor ? json(*t.donor) : json(nullptr)}, {"donor_free_usd", num(t.donor_free_usd)},
                    {"verified", t.verified}, {"donor_survives", t.donor_survives}, {"candidates", cands},
                    {"note", t.note}, {"cascades", t.cascades}});
  }
  std::vector<std::string> all_notes = notes;
  all_notes.insert(all_notes.end(), r.notes.begin(), r.notes.end());
  return {{"valuation_time", core::format_utc_ms(valuation_ms)}, {"events_file", events.source}, {"events", ev},
          {"rounds", r.rounds}, {"max_rounds_reached", r.max_rounds_reached},
          {"totals", {{"loss_usd", num(loss)}, {"deficit_usd", num(deficit)}, {"uncovered_usd", num(uncovered)},
                      {"failed_accounts", static_cast<int>(std::count_if(r.accounts.begin(), r.accounts.end(),
                                              [](const auto& o) { return o.first_failure_round.has_value(); }))}}},
          {"failures", failures}, {"accounts", accounts}, {"market_path", path}, {"prevention", prev},
          {"insurance_funds_end", num_map(r.insurance_funds_end)}, {"notes", all_notes}};
}

std::string money(const json& v) { return v.is_null() ? "-" : fmt::format("{:.2f}", v.get<double>() == 0.0 ? 0.0 : v.get<double>()); }
std::string g(const json& v) { return v.is_null() ? "-" : fmt::format("{:.10g}", v.get<double>()); }

std::string render_table(const json& d) {
  std::string out = fmt::format("contagion at {}: {} events, {} rounds{}\n", d["valuation_time"].get<std::string>(),
                                d["events"].size(), d["rounds"].get<int>(),
                                d["max_rounds_reached"].get<bool>() ? " (max rounds reached)" : "");
  for (const auto& e : d["events"]) {
    std::string what = e["kind"].get<std::string>();
    if (e.contains("venue")) what += " " + e["venue"].get<std::string>();
    if (e.contains("underlying")) what += fmt::format(" {} {}", e["underlying"].get<std::string>(), e["mode"].get<std::string>());
    if (e.contains("deviation_pct")) what += fmt::format(" {:+g}%", e["deviation_pct"].get<double>());
    if (e.contains("currency")) what += fmt::format(" {} at {:g} USD", e["currency"].get<std::string>(), e["usd_rate"].get<double>());
    out += fmt::format("  event {}: {} at {:g} min{}\n", e["id"].get<std::string>(), what, e["at_min"].get<double>(),
                       e["duration_min"].is_null() ? "" : fmt::format(" for {:g} min", e["duration_min"].get<double>()));
  }
  out += "\nmarket path (USD):\n";
  for (const auto& s : d["market_path"]) {
    std::string line = fmt::format("  round {:>2} t={:>6g} min {:<28}", s["round"].get<int>(), s["time_min"].get<double>(),
                                   s["trigger"].get<std::string>());
    for (const auto& [u, p] : s["prices"].items()) line += fmt::format(" {} {}", u, g(p));
    for (const auto& [v, m] : s["venue_prices"].items())
      for (const auto& [u, p] : m.items()) line += fmt::format(" [{} {} {}]", v, u, g(p));
    for (const auto& [c, r] : s["stable_rates"].items()) line += fmt::format(" [{} {}]", c, g(r));
    for (const auto& [u, n] : s["sold_usd"].items())
      line += fmt::format("; sold {} {} USD ({} bps)", u, money(n), s["impact_bps"].contains(u) ? money(s["impact_bps"][u]) : "0");
    if (!s["liquidated"].empty()) line += "; liquidated " + s["liquidated"].dump();
    out += line + "\n";
  }
  out += "\nfailures in order:\n";
  int k = 0;
  for (const auto& f : d["failures"])
    out += fmt::format("  {:>2}. round {} (t={:g} min, {}): {} [{}] {}{} -> {}\n", ++k, f["round"].get<int>(),
                       f["time_min"].get<double>(), f["trigger"].get<std::string>(), f["account"].get<std::string>(),
                       f["venue"].get<std::string>(), f["cause"].get<std::string>(),
                       f["excess_usd"].is_null() ? ""
                                                 : fmt::format(" (pool {}, excess {} USD)", f["pool"].is_null() ? "-" : f["pool"].get<std::string>(),
                                                               money(f["excess_usd"])),
                       f["status_after"].get<std::string>());
  if (k == 0) out += "  none\n";
  out += fmt::format("\n{:<16} {:<12} {:<12} {:<18} {:>16} {:>16} {:>14} {:>14} {:>14} {:>14}\n", "account", "venue", "model",
                     "status", "value start", "value end", "loss", "event loss", "liq. cost", "deficit");
  for (const auto& a : d["accounts"])
    out += fmt::format("{:<16} {:<12} {:<12} {:<18} {:>16} {:>16} {:>14} {:>14} {:>14} {:>14}\n", a["account"].get<std::string>(),
                       a["venue"].get<std::string>(), a["model"].get<std::string>(), a["status"].get<std::string>(),
                       money(a["value_start_usd"]), money(a["value_end_usd"]), money(a["loss_usd"]),
                       money(a["event_loss_usd"]), money(a["liquidation_cost_usd"]), money(a["deficit_usd"]));
  const json& t = d["totals"];
  out += fmt::format("total loss {} USD; deficits {} USD, uncovered {} USD; accounts failed: {}\n", money(t["loss_usd"]),
                     money(t["deficit_usd"]), money(t["uncovered_usd"]), t["failed_accounts"].get<int>());
  if (!d["prevention"].empty()) out += "\nprevention (collateral added at the start that keeps the account above maintenance):\n";
  for (const auto& p : d["prevention"]) {
    if (p["amount"].is_null()) {
      out += fmt::format("  {}: {}\n", p["account"].get<std::string>(), p["note"].get<std::string>());
      continue;
    }
    out += fmt::format("  {}: {} {} ({} USD){}", p["account"].get<std::string>(), g(p["amount"]), p["currency"].get<std::string>(),
                       money(p["amount_usd"]),
                       p["isolated_instrument"].is_null()
                           ? ""
                           : " into the isolated margin of " + p["isolated_instrument"].get<std::string>());
    if (!p["donor"].is_null())
      out += fmt::format(" from {} (free {} USD){}{}",
                         p["donor"] == p["account"] ? std::string("its own balances") : p["donor"].get<std::string>(),
                         money(p["donor_free_usd"]),
                         p["verified"].get<bool>() ? ", verified" : ", NOT verified",
                         p["donor_survives"].get<bool>() ? ", donor stays sound" : ", donor fails");
    if (!p["note"].get<std::string>().empty()) out += "; " + p["note"].get<std::string>();
    out += "\n";
  }
  for (const auto& n : d["notes"]) out += fmt::format("note: {}\n", n.get<std::string>());
  return out;
}

int run(const ContagionOptions& opts) {
  auto inputs = load_margin_inputs(opts.book, opts.market, opts.params, "", "");
  if (!inputs) return fail(inputs.error().message);
  auto events = contagion::load_events(opts.events);
  if (!events) return fail(events.error().message);
  contagion::CascadeInput in;
  auto notes = load_liquidity(opts.depth, inputs->accounts, in.liquidity);
  if (!notes) return fail(notes.error().message);
  for (const auto& s : inputs->accounts) {
    auto m = inputs->models->model_for(s);
    if (!m) return fail(m.error().message);
    in.models.push_back(*m);
  }
  in.accounts = std::move(inputs->accounts);
  in.events = std::move(*events);
  in.max_rounds = opts.max_rounds;
  auto result = contagion::run_cascade(in);
  if (!result) return fail(result.error().message);
  std::vector<contagion::PreventionTransfer> prevention;
  if (opts.prevention) {
    auto p = contagion::prevention_transfers(in, *result);
    if (!p) return fail(p.error().message);
    prevention = std::move(*p);
  }
  const json doc = document(*result, prevention, in.events, inputs->market.valuation_ms, *notes);
  const std::string out = opts.format == "json" ? doc.dump(2) + "\n" : render_table(doc);
  if (auto w = io::write_text_atomic(opts.output, out); !w) {
    fmt::print(stderr, "greekbook contagion: {}\n", w.error().message);
    return 1;
  }
  return 0;
}

}  // namespace

Subcommand add_contagion(CLI::App& app) {
  auto opts = std::make_shared<ContagionOptions>();
  auto* cmd = app.add_subcommand(
      "contagion",
      "Cross-venue contagion: failure events (venue halt/exploit, oracle deviation, stablecoin de-peg) propagated in rounds "
      "through each venue's margin model, liquidations with slippage and their price impact on every venue; losses per "
      "account (USD), failures in order, the market path, and the collateral transfer that would have prevented each "
      "failure (docs/contagion.md).");
  cmd->add_option("--book", opts->book, "book file")->required();
  cmd->add_option("--market", opts->market, "market snapshot")->required();
  cmd->add_option("--events", opts->events, "events JSON file (docs/contagion.md)")->required();
  cmd->add_option("--depth", opts->depth,
                  "liquidity for fills and price impact: FILE (every underlying) or UNDERLYING=FILE; depth profile or AMM "
                  "JSON, repeatable (default: fills at mark, no price impact)");
  cmd->add_option("--params", opts->params, "margin parameters file {\"<model>\": {...}}");
  cmd->add_option("--max-rounds", opts->max_rounds, "most rounds per phase")->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_flag("!--no-prevention", opts->prevention, "skip the prevention transfers (they re-run the cascade)");
  cmd->add_option("--format", opts->format, "table or json")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
  cmd->add_option("-o,--output", opts->output, "output file (written atomically), '-' for stdout")->capture_default_str();
  return {cmd, [opts] { return run(*opts); }};
}

}  // namespace greekbook::cli
