// greekbook liquidation: liquidation prices per account and underlying, and a simulated
// liquidation at the nearest one (incremental closes with slippage, penalty, insurance fund); with
// --probability, the Monte Carlo probability of liquidation within a horizon (risk/liquidation_probability.hpp).
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "greekbook/book/book.hpp"
#include "greekbook/core/time.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/liquidation/liquidation_price.hpp"
#include "greekbook/liquidation/dutch_auction.hpp"
#include "greekbook/liquidation/lending_liquidation.hpp"
#include "greekbook/liquidation/liquidation_sim.hpp"
#include "greekbook/margin/lending.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/risk/liquidation_probability.hpp"
#include "margin_inputs.hpp"
#include "greekbook/market/snapshot_io.hpp"

namespace greekbook::cli {
namespace {
using nlohmann::json;
using liquidation::LiquidationPrice;

int fail(const std::string& message) {
  fmt::print(stderr, "greekbook liquidation: {}\n", message);
  return 2;
}

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
json opt(const std::optional<double>& v) { return v ? num(*v) : json(nullptr); }

Result<std::map<std::string, double>> parse_betas(const std::vector<std::string>& items) {
  std::map<std::string, double> betas;
  for (const auto& t : items) {
    const auto eq = t.find('=');
    double b = 0;
    const char* end = t.data() + t.size();
    if (eq == std::string::npos || eq == 0 ||
        std::from_chars(t.data() + eq + 1, end, b).ptr != end || !std::isfinite(b))
      return make_error(fmt::format("--beta '{}': expected UNDERLYING=BETA, e.g. ETH=1.2", t));
    betas[t.substr(0, eq)] = b;
  }
  return betas;
}

Result<io::Json> read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(fmt::format("{}: cannot open", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return io::parse_json(ss.str(), path);
}

json side_json(const std::optional<liquidation::Crossing>& c, const std::string& note) {
  if (!c) return {{"price", nullptr}, {"note", note}};
  return {{"price", num(c->price_usd)}, {"distance_pct", num(c->distance_pct)}, {"distance_sd", opt(c->distance_sd)},
          {"pool", c->pool}, {"equity", num(c->equity)}, {"maintenance_margin", num(c->maintenance_margin)},
          {"currency", c->currency}, {"jump", c->jump}};
}

json price_json(const LiquidationPrice& lp) {
  json betas = json::object();
  for (const auto& [u, b] : lp.betas) betas[u] = b;
  return {{"underlying", lp.underlying}, {"mode", liquidation::to_string(lp.mode)}, {"betas", betas},
          {"index", num(lp.index_usd)}, {"status", liquidation::to_string(lp.status)},
          {"excess_usd", num(lp.excess_usd)}, {"vol", opt(lp.vol)}, {"horizon_days", lp.horizon_years * 365.0},
          {"down", side_json(lp.below, lp.below_note)}, {"up", side_json(lp.above, lp.above_note)},
          {"notes", lp.notes}, {"evaluations", lp.evaluations}};
}

json outcome_json(const liquidation::LiquidationOutcome& o) {
  json fills = json::array();
  for (const auto& f : o.fills)
    fills.push_back({{"step", f.step}, {"instrument", f.instrument}, {"quantity", f.quantity}, {"mark", num(f.mark)},
                     {"price", num(f.price)}, {"notional_usd", num(f.notional_usd)},
                     {"slippage_usd", num(f.slippage_usd)}, {"penalty_usd", num(f.penalty_usd)},
                     {"beyond_depth", f.beyond_depth}, {"closeout", f.closeout}});
  return {{"triggered", o.triggered}, {"fills", fills}, {"equity_before_usd", num(o.equity_before_usd)},
          {"equity_after_usd", num(o.equity_after_usd)}, {"realised_loss_usd", num(o.realised_loss_usd)},
          {"slippage_usd", num(o.slippage_usd)}, {"penalties_usd", num(o.penalties_usd)},
          {"final_equity", num(o.final_margin.equity)}, {"final_maintenance_margin", num(o.final_margin.maintenance_margin)},
          {"final_currency", o.final_margin.currency}, {"final_excess_usd", num(o.final_excess_usd)},
          {"bankrupt", o.bankrupt}, {"deficit_usd", num(o.deficit_usd)},
          {"insurance_covered_usd", num(o.insurance_covered_usd)}, {"uncovered_usd", num(o.uncovered_usd)},
          {"insurance_fund_change_usd", num(o.insurance_fund_change_usd)}, {"max_steps_reached", o.max_steps_reached},
          {"notes", o.notes}};
}

std::string g(double v, int prec = 10) { return std::isfinite(v) ? fmt::format("{:.{}g}", v == 0.0 ? 0.0 : v, prec) : "-"; }

std::string render_table(const json& doc) {
  std::string out = fmt::format("liquidation at {}\n\n", doc["valuation_time"].get<std::string>());
  for (const auto& a : doc["accounts"]) {
    out += fmt::format("account {} (model {})\n", a["account"].get<std::string>(), a["model"].get<std::string>());
    for (const auto& lp : a["liquidation_prices"]) {
      const auto side = [&](const json& s) {
        if (s["price"].is_null()) return std::string("none");
        return fmt::format("{} ({:+.2f}%{})", g(s["price"].get<double>()), s["distance_pct"].get<double>(),
                           s["distance_sd"].is_null() ? "" : fmt::format(", {:+.2f} sd", s["distance_sd"].get<double>()));
      };
      out += fmt::format("  {} index {} [{}]: down {}, up {}\n", lp["underlying"].get<std::string>(),
                         g(lp["index"].get<double>()), lp["status"].get<std::string>(), side(lp["down"]), side(lp["up"]));
    }
    const json& s = a["simulation"];
    if (s.is_null()) {
      out += fmt::format("  simulation: {}\n\n", a["simulation_note"].get<std::string>());
      continue;
    }
    const bool lending = s["kind"] == "lending";
    out += fmt::format("  simulation: {} moved {} to {} ({})\n", s["underlying"].get<std::string>(),
                       s["side"].get<std::string>(), g(s["trigger_price"].get<double>()),
                       lending ? std::string("lending: repay debt, seize collateral with bonus")
                               : "liquidity: " + s["liquidity"].get<std::string>());
    if (lending) {
      for (const auto& c : s["calls"])
        out += fmt::format("    repay {} {} (close factor {}), seize {} {} ({} USD bonus), health factor -> {}\n",
                           g(c["repaid"].get<double>(), 8), c["debt_currency"].get<std::string>(),
                           g(c["close_factor"].get<double>(), 3), g(c["seized"].get<double>(), 8),
                           c["collateral_currency"].get<std::string>(), g(c["bonus_usd"].get<double>(), 8),
                           g(c["health_factor_after"].get<double>(), 6));
      out += fmt::format("    health factor {} -> {}; realised loss {} USD; bad debt {} USD\n",
                         g(s["health_factor_before"].get<double>(), 6), g(s["health_factor_after"].get<double>(), 6),
                         g(s["realised_loss_usd"].get<double>(), 8), g(s["bad_debt_usd"].get<double>(), 8));
    } else {
      for (const auto& f : s["fills"])
        out += fmt::format("    step {:>3} {:<24} qty {:>14} at {:>14} (mark {}, slippage {} USD, penalty {} USD){}\n",
                           f["step"].get<int>(), f["instrument"].get<std::string>(), g(f["quantity"].get<double>(), 8),
                           g(f["price"].get<double>()), g(f["mark"].get<double>()), g(f["slippage_usd"].get<double>(), 6),
                           g(f["penalty_usd"].get<double>(), 6), f["closeout"].get<bool>() ? " close-out" : "");
      out += fmt::format("    realised loss {} USD (slippage {}, penalties {}); equity {} -> {} USD; {}\n",
                         g(s["realised_loss_usd"].get<double>(), 8), g(s["slippage_usd"].get<double>(), 8),
                         g(s["penalties_usd"].get<double>(), 8), g(s["equity_before_usd"].get<double>(), 8),
                         g(s["equity_after_usd"].get<double>(), 8),
                         s["bankrupt"].get<bool>()
                             ? fmt::format("BANKRUPT: deficit {} USD, insurance fund covers {}, uncovered {}",
                                           g(s["deficit_usd"].get<double>(), 8),
                                           g(s["insurance_covered_usd"].get<double>(), 8),
                                           g(s["uncovered_usd"].get<double>(), 8))
                             : std::string("solvent"));
    }
    if (s.contains("derive_auction")) {
      const json& d = s["derive_auction"];
      out += fmt::format("    Derive auction (MM {} USD, MtM {} USD):", g(d["mm_usd"].get<double>(), 8),
                         g(d["mtm_usd"].get<double>(), 8));
      for (const auto& q : d["quotes"])
        out += fmt::format(" t={}s bid {:.3f} max {:.4f};", q["elapsed_s"].get<double>(), q["bid_fraction"].get<double>(),
                           q["max_fraction"].get<double>());
      out += "\n";
    }
    for (const auto& n : s["notes"]) out += fmt::format("    note: {}\n", n.get<std::string>());
    out += "\n";
  }
  return out;
}
// The venue's perpetual on `u`, for accounts that hold none to hedge with ("" when the venue has none).
std::string venue_perpetual(const scenario::AccountState& a, const std::string& u) {
  if (a.venue == "deribit") {
    for (const auto& p : a.positions)
      if (p.instrument.underlying == u && !p.instrument.inverse) return u + "_USDC-PERPETUAL";
    return u + "-PERPETUAL";
  }
  if (a.venue == "binance" || a.venue == "bybit" || a.venue == "okx") return u + "USDT";
  if (a.venue == "hyperliquid") return u;
  if (a.venue == "dydx") return u + "-USD";
  if (a.venue == "derive") return u + "-PERP";
  return "";
}

int run_probability(const LiquidationOptions& opts) {
  if (!opts.betas.empty() || !opts.depth.empty() || !opts.liquidation_params.empty() || !opts.auction_params.empty() ||
      opts.insurance_fund != 0.0)
    return fail("--probability does not use --beta, --depth, --liquidation-params, --auction-params or --insurance-fund");
  risk::LiquidationProbabilityOptions o;
  o.horizon_days = opts.horizon_days > 0 ? opts.horizon_days : 7.0;
  o.steps_per_day = opts.steps_per_day;
  o.paths = opts.paths;
  o.target = opts.target;
  if (opts.vol != 0.0) o.vol = opts.vol;
  o.correlation = opts.correlation;
  auto pm = risk::parse_price_model(opts.price_model);
  if (!pm) return fail(pm.error().message);
  o.price_model = *pm;
  o.student_dof = opts.dof;
  o.seed = opts.seed;
  o.screen = !opts.no_screen;
  if (auto ok = risk::validate(o); !ok) return fail(ok.error().message);
  auto inputs = load_margin_inputs(opts.book, opts.market, opts.params, opts.model, opts.account);
  if (!inputs) return fail(inputs.error().message);
  // The book's underlyings in one order: every account sees the same paths.
  std::set<std::string> all;
  for (const auto& s : inputs->accounts)
    for (const auto& u : liquidation::account_underlyings(s)) all.insert(u);
  o.underlyings.assign(all.begin(), all.end());
  json accounts = json::array();
  for (const auto& s : inputs->accounts) {
    auto m = margin::margin_account(s, *inputs->models);
    if (!m) return fail(m.error().message);
    risk::LiquidationProbabilityOptions ao = o;
    for (const auto& u : liquidation::account_underlyings(s)) {
      const std::string name = venue_perpetual(s, u);
      if (name.empty()) continue;
      if (auto p = scenario::make_position_state(name, s.venue, 1.0, inputs->market)) ao.hedge_instruments[u] = *p;
    }
    auto r = risk::liquidation_probability(s, **inputs->models->model_for(s), ao);
    if (!r) return fail(r.error().message);
    json a = risk::to_json(*r);
    a["venue"] = s.venue;
    accounts.push_back(std::move(a));
  }
  json settings = {{"horizon_days", o.horizon_days}, {"steps_per_day", o.steps_per_day}, {"paths", o.paths},
                   {"seed", o.seed}, {"price_model", risk::to_string(o.price_model)},
                   {"student_dof", o.price_model == risk::PriceModel::StudentT ? json(o.student_dof) : json(nullptr)},
                   {"vol", opts.vol != 0.0 ? json(opts.vol) : json("atm")}, {"correlation", o.correlation},
                   {"target", o.target}, {"confidence", o.confidence}, {"screen", o.screen},
                   {"underlyings", o.underlyings}};
  json doc = {{"valuation_time", core::format_utc_ms(inputs->market.valuation_ms)}, {"mode", "probability"},
              {"settings", settings}, {"accounts", accounts}};
  const std::string out = opts.format == "json" ? doc.dump(2) + "\n" : risk::render_probability_table(doc);
  if (auto w = io::write_text_atomic(opts.output, out); !w) {
    fmt::print(stderr, "greekbook liquidation: {}\n", w.error().message);
    return 1;
  }
  return 0;
}
}  // namespace

int run_liquidation(const LiquidationOptions& opts) {
  if (opts.probability) return run_probability(opts);
  const double horizon_days = opts.horizon_days > 0 ? opts.horizon_days : 1.0;
  auto inputs = load_margin_inputs(opts.book, opts.market, opts.params, opts.model, opts.account);
  if (!inputs) return fail(inputs.error().message);
  auto betas = parse_betas(opts.betas);
  if (!betas) return fail(betas.error().message);
  liquidation::LiquidityMap liquidity;
  std::string liquidity_name = "none given: no slippage";
  if (!opts.depth.empty()) {
    auto src = liquidation::load_liquidity_source(opts.depth);
    if (!src) return fail(src.error().message);
    liquidity.fallback = std::move(*src);
    liquidity_name = opts.depth;
  } else {
    auto flat = liquidation::DepthProfile::make({{0.0, 1e18}}, {{0.0, 1e18}}, "no slippage");
    if (!flat) return fail(flat.error().message);
    liquidity.fallback = std::move(*flat);
  }
  io::Json sim_params_doc;
  if (!opts.liquidation_params.empty()) {
    auto doc = read_json(opts.liquidation_params);
    if (!doc) return fail(doc.error().message);
    sim_params_doc = std::move(*doc);
  }
  auto sim = liquidation::make_liquidation_params(opts.liquidation_params.empty() ? nullptr : &sim_params_doc,
                                                  {opts.liquidation_params, ""});
  if (!sim) return fail(sim.error().message);
  io::Json auction_doc;
  if (!opts.auction_params.empty()) {
    auto doc = read_json(opts.auction_params);
    if (!doc) return fail(doc.error().message);
    auction_doc = std::move(*doc);
  }
  auto auction = liquidation::make_dutch_auction_params(opts.auction_params.empty() ? nullptr : &auction_doc,
                                                        {opts.auction_params, ""});
  if (!auction) return fail(auction.error().message);
  if (!(opts.insurance_fund >= 0) || !std::isfinite(opts.insurance_fund))
    return fail(fmt::format("--insurance-fund {}: must be a finite amount >= 0", opts.insurance_fund));

  const auto& states = inputs->accounts;
  const margin::ModelSet& models = *inputs->models;

  json accounts = json::array();
  for (const auto& s : states) {
    auto m = margin::margin_account(s, models);
    if (!m) return fail(m.error().message);
    const margin::MarginModel& model = **models.model_for(s);
    std::vector<LiquidationPrice> prices;
    for (const auto& u : liquidation::account_underlyings(s)) {
      if (!opts.underlying.empty() && u != opts.underlying) continue;
      liquidation::LiquidationPriceOptions lo;
      lo.underlying = u;
      lo.horizon_years = horizon_days / 365.0;
      if (!betas->empty()) {
        lo.mode = liquidation::MoveMode::Beta;
        lo.betas = *betas;
      }
      auto lp = liquidation::liquidation_price(s, model, lo);
      if (!lp) return fail(lp.error().message);
      prices.push_back(std::move(*lp));
    }
    json a = {{"account", s.id}, {"venue", s.venue}, {"model", m->model}, {"liquidation_prices", json::array()}};
    for (const auto& lp : prices) a["liquidation_prices"].push_back(price_json(lp));
    // Simulate at the nearest crossing on the requested side.
    const bool down = opts.side == "down";
    const LiquidationPrice* best = nullptr;
    const auto side_of = [&](const LiquidationPrice& lp) -> const std::optional<liquidation::Crossing>& {
      return down ? lp.below : lp.above;
    };
    for (const auto& lp : prices) {
      if (lp.status == liquidation::LiquidationStatus::BelowMaintenance) {
        best = &lp;  // already liquidatable: simulate now
        break;
      }
      const auto& c = side_of(lp);
      if (c && (!best || std::abs(c->distance_pct) < std::abs(side_of(*best)->distance_pct))) best = &lp;
    }
    if (!best) {
      a["simulation"] = nullptr;
      a["simulation_note"] = prices.empty() ? "no underlying to move"
                                            : fmt::format("no liquidation price {} the index", down ? "below" : "above");
    } else {
      liquidation::LiquidationPriceOptions lo;
      lo.underlying = best->underlying;
      lo.mode = best->mode;
      lo.betas = best->betas;
      lo.horizon_years = horizon_days / 365.0;
      const auto& c = side_of(*best);
      const double overshoot = sim->trigger_overshoot_bps * 1e-4;
      const bool now = best->status == liquidation::LiquidationStatus::BelowMaintenance;
      const double trigger = now ? best->index_usd : c->price_usd * (down ? 1 - overshoot : 1 + overshoot);
      json sj;
      if (const auto* lending = dynamic_cast<const margin::LendingModel*>(&model)) {
        // Lending: liquidators repay debt and seize collateral with a bonus (no order book involved).
        const auto moved = scenario::shifted(s, liquidation::move_factors(*best, trigger / best->index_usd));
        auto o = liquidation::liquidate_lending(moved, lending->params());
        if (!o) return fail(o.error().message);
        json calls = json::array();
        for (const auto& k : o->calls)
          calls.push_back({{"debt_currency", k.debt_currency}, {"repaid", num(k.repaid)}, {"repaid_usd", num(k.repaid_usd)},
                           {"collateral_currency", k.collateral_currency}, {"seized", num(k.seized)},
                           {"seized_usd", num(k.seized_usd)}, {"bonus_usd", num(k.bonus_usd)},
                           {"close_factor", k.close_factor}, {"health_factor_after", num(k.health_factor_after)}});
        sj = {{"kind", "lending"}, {"triggered", o->triggered}, {"health_factor_before", num(o->health_factor_before)},
              {"health_factor_after", num(o->health_factor_after)}, {"calls", calls},
              {"realised_loss_usd", num(o->realised_loss_usd)}, {"bad_debt_usd", num(o->bad_debt_usd)},
              {"notes", o->notes}};
      } else {
        auto o = liquidation::liquidate_at_liquidation_price(s, model, lo, down, liquidity, *sim, opts.insurance_fund);
        if (!o) return fail(o.error().message);
        sj = outcome_json(*o);
        sj["kind"] = "incremental";
        sj["liquidity"] = liquidity_name;
      }
      if (m->model.rfind("derive", 0) == 0) {
        // Derive liquidates by Dutch auction: its schedule for this account at the trigger price.
        const auto moved = scenario::shifted(s, liquidation::move_factors(*best, trigger / best->index_usd));
        auto at_trigger = model.compute(moved);
        if (!at_trigger) return fail(at_trigger.error().message);
        const auto in = liquidation::auction_inputs(*at_trigger, moved.usd_rate(at_trigger->currency));
        json quotes = json::array();
        for (double t : {0.0, 300.0, 600.0, 900.0, 3600.0, 6.0 * 3600.0}) {
          auto q = liquidation::auction_quote(*auction, in.mm_usd, in.mtm_usd, 0.0, t);
          if (!q) return fail(q.error().message);
          quotes.push_back({{"elapsed_s", t}, {"bid_fraction", num(q->d)}, {"buffer_margin", num(q->buffer_margin)},
                            {"max_fraction", num(q->max_fraction)}, {"bid_usd", num(q->bid_usd)},
                            {"liquidator_fee_usd", num(q->liquidator_fee_usd)}, {"insolvent", q->insolvent}});
        }
        sj["derive_auction"] = {{"mm_usd", num(in.mm_usd)}, {"mtm_usd", num(in.mtm_usd)}, {"quotes", quotes}};
      }
      sj["underlying"] = best->underlying;
      sj["side"] = opts.side;
      sj["trigger_price"] = num(trigger);
      a["simulation"] = sj;
    }
    accounts.push_back(std::move(a));
  }
  json doc = {{"valuation_time", core::format_utc_ms(inputs->market.valuation_ms)}, {"accounts", accounts}};
  const std::string out = opts.format == "json" ? doc.dump(2) + "\n" : render_table(doc);
  if (auto w = io::write_text_atomic(opts.output, out); !w) {
    fmt::print(stderr, "greekbook liquidation: {}\n", w.error().message);
    return 1;
  }
  return 0;
}

}  // namespace greekbook::cli
