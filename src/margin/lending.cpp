// Aave-style lending margin: health factor, borrowing power, close factor. Formulas and sources:
// include/greekbook/margin/lending.hpp, docs/margin/lending.md.
#include "greekbook/margin/lending.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "greekbook/margin/params.hpp"

namespace greekbook::margin {
namespace {
Result<bool> read_asset(const io::Json& v, const io::JsonPath& at, LendingAsset& a) {
  ParamReader r(&v, at);
  r.ignore("source").number("ltv", a.ltv, 0.0, 1.0).number("liquidation_threshold", a.liquidation_threshold, 0.0, 1.0);
  r.number("liquidation_bonus", a.liquidation_bonus, 0.0, 1.0);
  GB_TRY(ok, r.finish());
  if (a.liquidation_threshold < a.ltv)
    return io::json_error(at.key("liquidation_threshold"),
                          fmt::format("{} is below ltv {} (the liquidation threshold must be >= the LTV)",
                                      a.liquidation_threshold, a.ltv));
  if (a.liquidation_threshold * (1.0 + a.liquidation_bonus) > 1.0 + 1e-12)
    return io::json_error(at.key("liquidation_bonus"),
                          fmt::format("{} with liquidation threshold {} gives LT x (1 + bonus) = {} > 1 (the bonus "
                                      "would seize more collateral than there is)",
                                      a.liquidation_bonus, a.liquidation_threshold,
                                      a.liquidation_threshold * (1.0 + a.liquidation_bonus)));
  return ok;
}
}  // namespace

double health_factor(double weighted_collateral_usd, double debt_usd) noexcept {
  return debt_usd > 0.0 ? weighted_collateral_usd / debt_usd : std::numeric_limits<double>::infinity();
}

LendingParams lending_defaults() {
  LendingParams p;
  // Aave v3 Ethereum market (docs/margin/lending.md for each source and date).
  p.assets["ETH"] = {0.805, 0.83, 0.05};   // WETH reserve
  p.assets["BTC"] = {0.73, 0.78, 0.05};    // WBTC reserve
  p.assets["USDC"] = {0.75, 0.78, 0.045};
  p.assets["USDT"] = {0.75, 0.78, 0.045};
  return p;
}

Result<LendingParams> read_lending_params(const io::Json* params, const io::JsonPath& at) {
  LendingParams p = lending_defaults();
  ParamReader r(params, at);
  r.ignore("source");
  r.number("close_factor", p.close_factor, 0.0, 1.0).number("close_factor_max", p.close_factor_max, 0.0, 1.0);
  r.number("close_factor_hf_threshold", p.close_factor_hf_threshold, 0.0, 1.0);
  r.number("full_close_below_usd", p.full_close_below_usd, 0.0);
  r.custom("assets", [&](const io::Json& v, const io::JsonPath& path) -> Result<bool> {
    if (!v.is_object()) return io::json_error(path, fmt::format("expected an object of assets, got {}", io::brief(v)));
    for (const auto& [ccy, entry] : v.items()) {
      const bool known = p.assets.count(ccy) > 0;
      if (!known)
        for (const char* key : {"ltv", "liquidation_threshold", "liquidation_bonus"})
          if (!entry.is_object() || !entry.contains(key))
            return io::json_error(path.key(ccy), fmt::format("missing field '{}' (asset {} is not in the defaults)", key, ccy));
      GB_TRY(ok, read_asset(entry, path.key(ccy), p.assets[ccy]));
      (void)ok;
    }
    return true;
  });
  GB_TRY(ok, r.finish());
  (void)ok;
  if (p.close_factor_max < p.close_factor)
    return io::json_error(at.key("close_factor_max"),
                          fmt::format("{} is below close_factor {}", p.close_factor_max, p.close_factor));
  return p;
}

Result<MarginResult> LendingModel::compute(const scenario::AccountState& account) const {
  if (!account.positions.empty()) {
    const auto& inst = account.positions.front().instrument;
    return make_error(fmt::format("account {}: instrument {}: model aave margins supplied and borrowed balances only, "
                                  "not {} positions (put them in a derivatives venue account)",
                                  account.id, inst.name, instruments::to_string(inst.kind)));
  }
  MarginResult r;
  r.account = account.id;
  r.model = "aave";
  r.currency = "USD";
  r.errors = account.errors;
  double collateral = 0.0, debt = 0.0, weighted_lt = 0.0, weighted_ltv = 0.0;
  io::Json supplied = io::Json::object(), borrowed = io::Json::object();
  for (const auto& [ccy, amount] : account.collateral) {
    if (amount == 0.0) continue;
    if (!std::isfinite(amount)) return make_error(fmt::format("account {}: currency {}: balance {} is not finite", account.id, ccy, amount));
    const auto it = params_.assets.find(ccy);
    if (it == params_.assets.end())
      return make_error(fmt::format("account {}: currency {}: model aave has no reserve parameters for it (add "
                                    "assets.{} with ltv, liquidation_threshold, liquidation_bonus)", account.id, ccy, ccy));
    const double price = account.usd_rate(ccy);
    if (!std::isfinite(price) || price <= 0.0)
      return make_error(fmt::format("account {}: currency {}: no USD price", account.id, ccy));
    const LendingAsset& a = it->second;
    const double usd = std::abs(amount) * price;
    PositionMargin pm{ccy, amount, 0.0, 0.0, "USD", "lending"};
    if (amount > 0) {
      collateral += usd;
      weighted_lt += usd * a.liquidation_threshold;
      weighted_ltv += usd * a.ltv;
      pm.initial = usd * (1.0 - a.ltv);
      pm.maintenance = usd * (1.0 - a.liquidation_threshold);
      supplied[ccy] = {{"amount", amount}, {"usd", usd}, {"ltv", a.ltv}, {"liquidation_threshold", a.liquidation_threshold},
                       {"liquidation_bonus", a.liquidation_bonus}};
    } else {
      debt += usd;
      borrowed[ccy] = {{"amount", -amount}, {"usd", usd}};
    }
    r.positions.push_back(std::move(pm));
  }
  PoolMargin pool{.name = "lending", .currency = "USD"};
  pool.equity = collateral - debt;
  pool.initial_margin = collateral - weighted_ltv;
  pool.maintenance_margin = collateral - weighted_lt;
  r.equity = pool.equity;
  r.initial_margin = pool.initial_margin;
  r.maintenance_margin = pool.maintenance_margin;
  r.pools.push_back(pool);
  finish_figures(r);

  const double hf = health_factor(weighted_lt, debt);
  const bool liquidatable = debt > 0.0 && hf < 1.0;
  const bool full = hf <= params_.close_factor_hf_threshold;
  r.details = {{"health_factor", debt > 0.0 ? io::Json(hf) : io::Json(nullptr)},
               {"total_collateral_usd", collateral},
               {"total_debt_usd", debt},
               {"borrowing_power_usd", weighted_ltv},
               {"available_borrows_usd", std::max(weighted_ltv - debt, 0.0)},
               {"liquidation_threshold", collateral > 0.0 ? weighted_lt / collateral : 0.0},
               {"ltv", collateral > 0.0 ? weighted_ltv / collateral : 0.0},
               {"liquidatable", liquidatable},
               {"close_factor", full ? params_.close_factor_max : params_.close_factor},
               {"full_close_below_usd", params_.full_close_below_usd},
               {"supplied", supplied},
               {"borrowed", borrowed}};
  if (liquidatable && (collateral < params_.full_close_below_usd || debt < params_.full_close_below_usd))
    r.notes.push_back(fmt::format("collateral or debt below {} USD: a liquidation may repay a reserve's whole debt",
                                  params_.full_close_below_usd));
  return r;
}

Result<ModelPtr> make_lending(const io::Json* params, const io::JsonPath& at) {
  GB_TRY(p, read_lending_params(params, at));
  return ModelPtr(std::make_unique<LendingModel>(std::move(p)));
}

}  // namespace greekbook::margin
