#include "deribit_pm_blocks.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "deribit_common.hpp"

namespace greekbook::margin::deribit_pm {
using io::Json;
using scenario::PositionState;

namespace {
std::string pair_name(const std::string& pool, const std::string& underlying, bool segregated) {
  if (!segregated || pool == underlying) return deribit::lower(underlying) + "_usd";
  return deribit::lower(underlying) + "_" + deribit::lower(pool);
}

struct Figures {
  double worst_weighted = 0.0;  ///< min over standard + extended of weight x PnL
  std::size_t worst = 0;        ///< index of that scenario in the block
  double loss = 0.0, roll = 0.0, delta = 0.0, initial = 0.0;
};

Result<Figures> figures(const Context& ctx, const Block& b) {
  Figures f;
  const std::size_t n = b.grid->standard + b.grid->extended;
  // Extended-table dampener (inference, docs/margin/deribit.md): a USD amount by which each
  // extended scenario's weighted loss is reduced (never below 0). Deribit's own pme/simulate example
  // shows a long 0.31-BTC perpetual with an all-zero extended vector, which a plain fraction of its
  // -66% loss (0.15 BTC) would not give.
  double dampener = b.roll_params->extended_dampener;
  if (dampener != 0.0 && b.pool != "USD") {
    GB_TRY(rate, deribit::usd_rate(ctx.account, b.pool));
    dampener /= rate;
  }
  f.worst_weighted = std::numeric_limits<double>::infinity();
  for (std::size_t s = 0; s < n; ++s) {
    double x = b.grid->scenarios[s].weight * b.pnl[s];
    if (s >= b.grid->standard && x < 0.0) x = std::min(0.0, x + dampener);
    if (x < f.worst_weighted) {
      f.worst_weighted = x;
      f.worst = s;
    }
  }
  f.loss = std::max(0.0, -f.worst_weighted);
  f.roll = std::max(0.0, -std::min(b.pnl[n], b.pnl[n + 1]));
  const double delta_coin = deribit_pm_delta_shock(*b.pair_params, b.delta_total);
  f.delta = delta_coin;
  if (b.pool != b.underlying && delta_coin != 0.0) {
    GB_TRY(rate, deribit::usd_rate(ctx.account, b.pool));
    f.delta = delta_coin * b.spot / rate;
  }
  f.initial = f.loss + f.roll + f.delta;
  return f;
}

}  // namespace

std::string Context::pool_of(const PositionState& p) const {
  return segregated ? p.instrument.settlement_currency : std::string("USD");
}

Block& Context::block(Blocks& blocks, const std::string& pool, const std::string& underlying) const {
  auto [it, inserted] = blocks.try_emplace(BlockKey{pool, underlying});
  Block& b = it->second;
  if (inserted) {
    const DeribitPmParams& p = model.params();
    b.pool = pool;
    b.underlying = underlying;
    b.pair = pair_name(pool, underlying, segregated);
    b.grid = &model.grid(b.pair);
    b.pair_params = &p.pair(b.pair);
    b.roll_currency = segregated ? pool : underlying;
    b.roll_params = &p.currency_for(b.roll_currency);
    b.roll = &model.roll_scenarios(b.roll_currency);
    b.all = &model.all_scenarios(b.pair, b.roll_currency);
    b.pnl.assign(b.grid->scenarios.size() + kRollCount, 0.0);
  }
  return b;
}

Result<std::pair<bool, double>> Context::conversion(const PositionState& p) const {
  if (segregated) return std::pair{false, 1.0};
  if (p.instrument.settlement_currency == p.instrument.underlying) return std::pair{true, p.spot};
  GB_TRY(rate, deribit::usd_rate(account, p.instrument.settlement_currency));
  return std::pair{false, rate};
}

Result<bool> Context::check_roll(const Block& b, const PositionState& p) const {
  const double tilt = (*b.roll)[0].basis_shift_per_year;
  if (p.instrument.has_expiry() && tilt * p.expiry_years >= 1.0)
    return make_error(fmt::format(
        "account '{}': {}: the roll shock tilt {} per year over {} years would make the forward negative "
        "(parameters currency.{}.annualised_move_risk / min_annualised_move)",
        account.id, p.instrument.name, tilt, p.expiry_years, deribit::lower(b.roll_currency)));
  return true;
}

Json vectors_json(const DeribitPmGrid& grid, const std::vector<double>& v) {
  const auto part = [&](std::size_t from, std::size_t to) {
    Json a = Json::array();
    for (std::size_t s = from; s < to && s < v.size(); ++s) a.push_back(v[s]);
    return a;
  };
  const std::size_t n = grid.standard + grid.extended;
  return Json{{"standard", part(0, grid.standard)}, {"extended", part(grid.standard, n)}, {"roll", part(n, v.size())}};
}

Result<MarginResult> assemble(const Context& ctx, const Blocks& blocks, const std::map<std::string, double>& equity,
                              bool with_margin_details, std::shared_ptr<const std::vector<std::string>> names) {
  const DeribitPmParams& P = ctx.model.params();
  const scenario::AccountState& a = ctx.account;
  MarginResult r;
  r.account = a.id;
  r.model = ctx.model.name();
  r.errors = a.errors;
  if (!ctx.segregated && a.margin_mode != "cross" && a.margin_mode != "portfolio")
    r.notes.push_back(fmt::format("margin_mode '{}' is margined as cross-collateral portfolio margin (X:PM)", a.margin_mode));

  // Pools.
  std::map<std::string, PoolMargin> pools;
  if (ctx.segregated) {
    for (const auto& [ccy, e] : equity) pools[ccy].equity = e;
    for (const auto& [key, b] : blocks) pools.try_emplace(b.pool);
    for (auto& [ccy, pool] : pools) {
      GB_TRY(rate, deribit::usd_rate(a, ccy));
      pool.name = ccy;
      pool.currency = ccy;
      pool.usd_rate = rate;
    }
  } else {
    PoolMargin& pool = pools["USD"];
    pool.name = "cross";
    pool.currency = "USD";
    GB_TRY(eq, deribit::cross_equity_usd(a, equity, [&P](const std::string& c) { return P.currency_for(c).haircut; }));
    pool.equity = eq;
  }
  const bool multi = pools.size() > 1;

  std::size_t total = 0;
  for (const auto& [key, b] : blocks) total += b.size();
  r.scenario_pnl.reserve(total);
  if (names && names->size() != total) names.reset();
  std::shared_ptr<std::vector<std::string>> built;
  if (!names) {
    built = std::make_shared<std::vector<std::string>>();
    built->reserve(total);
  }
  auto state = std::make_shared<PmState>();
  state->segregated = ctx.segregated;
  state->equity = equity;
  Json margin = Json::object();
  double worst_loss_usd = -1.0;
  for (const auto& [key, b] : blocks) {
    GB_TRY(f, figures(ctx, b));
    PoolMargin& pool = pools.at(b.pool);
    pool.initial_margin += f.initial;
    const double to_result = multi ? pool.usd_rate : 1.0;
    const std::size_t offset = r.scenario_pnl.size();
    for (std::size_t s = 0; s < b.size(); ++s) {
      r.scenario_pnl.push_back(b.pnl[s] * to_result);
      if (built) built->push_back(b.pair + " " + (*b.all)[s].name);
    }
    if (f.loss * pool.usd_rate > worst_loss_usd) {
      worst_loss_usd = f.loss * pool.usd_rate;
      r.worst = ScenarioOutcome{offset + f.worst, b.pair + " " + (*b.all)[f.worst].name,
                                r.scenario_pnl[offset + f.worst], b.grid->scenarios[f.worst].weight};
    }
    if (with_margin_details) {
      Json& m = margin[b.pair];
      m["pool"] = b.pool;
      m["underlying"] = b.underlying;
      m["worst_scenario"] = b.grid->scenarios[f.worst].name;
      m["worst_weighted_pnl"] = f.worst_weighted;
      m["scenario_loss"] = f.loss;
      m["delta_total"] = b.delta_total;
      m["delta_shock"] = f.delta;
      m["roll_shock"] = f.roll;
      m["initial_margin"] = f.initial;
      m["maintenance_margin"] = f.initial * P.mm_factor;
    }
    state->blocks.push_back({b.pool, b.underlying, b.delta_total, b.spot, b.size()});
  }
  r.scenario_names = built ? std::shared_ptr<const std::vector<std::string>>(std::move(built)) : std::move(names);

  for (auto& [ccy, pool] : pools) {
    pool.maintenance_margin = P.mm_factor * pool.initial_margin;
    r.pools.push_back(pool);
  }
  totals_from_pools(r);
  finish_figures(r);

  r.state = std::move(state);
  if (with_margin_details) r.details["margin"] = std::move(margin);
  return r;
}

Result<bool> restore(const Context& ctx, const MarginResult& before, Blocks& blocks, std::map<std::string, double>& equity) {
  if (before.model != ctx.model.name() || before.account != ctx.account.id) return false;
  const auto* st = dynamic_cast<const PmState*>(before.state.get());
  if (!st || st->segregated != ctx.segregated) return false;
  const bool multi = ctx.segregated && before.pools.size() > 1;
  std::size_t offset = 0;
  for (const auto& sb : st->blocks) {
    Block& b = ctx.block(blocks, sb.pool, sb.underlying);
    if (b.size() != sb.size || offset + b.size() > before.scenario_pnl.size()) return false;
    double from_result = 1.0;
    if (multi) {
      GB_TRY(rate, deribit::usd_rate(ctx.account, b.pool));
      from_result = rate;
    }
    for (std::size_t s = 0; s < b.size(); ++s) b.pnl[s] = before.scenario_pnl[offset + s] / from_result;
    b.delta_total = sb.delta_total;
    b.spot = sb.spot;
    offset += b.size();
  }
  if (offset != before.scenario_pnl.size()) return false;
  equity = st->equity;
  return true;
}

}  // namespace greekbook::margin::deribit_pm
