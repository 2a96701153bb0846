#include "greekbook/liquidation/lending_liquidation.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace greekbook::liquidation {
namespace {
struct Leg {
  std::string currency;
  double amount = 0.0, usd = 0.0, rate = 0.0;
  const margin::LendingAsset* asset = nullptr;
};

Result<std::pair<std::vector<Leg>, std::vector<Leg>>> legs(const scenario::AccountState& a,
                                                          const margin::LendingParams& params) {
  std::vector<Leg> deposits, debts;
  for (const auto& [ccy, amount] : a.collateral) {
    if (amount == 0.0) continue;
    auto it = params.assets.find(ccy);
    if (it == params.assets.end())
      return make_error(fmt::format("account '{}': currency '{}' has no lending parameters (assets.{})", a.id, ccy, ccy));
    const double rate = a.usd_rate(ccy);
    if (!(rate > 0) || !std::isfinite(rate))
      return make_error(fmt::format("account '{}': currency '{}' has no USD price in the market", a.id, ccy));
    Leg l{ccy, std::abs(amount), std::abs(amount) * rate, rate, &it->second};
    (amount > 0 ? deposits : debts).push_back(l);
  }
  return std::pair{std::move(deposits), std::move(debts)};
}

double hf_of(const std::vector<Leg>& deposits, const std::vector<Leg>& debts) {
  double weighted = 0, debt = 0;
  for (const auto& d : deposits) weighted += d.usd * d.asset->liquidation_threshold;
  for (const auto& d : debts) debt += d.usd;
  return debt > 0 ? weighted / debt : std::numeric_limits<double>::infinity();
}

template <class V>
Leg* largest(V& legs) {
  Leg* best = nullptr;
  for (auto& l : legs)
    if (l.amount > 0 && (!best || l.usd > best->usd)) best = &l;
  return best;
}
}  // namespace

Result<double> health_factor(const scenario::AccountState& account, const margin::LendingParams& params) {
  GB_TRY(l, legs(account, params));
  return hf_of(l.first, l.second);
}

Result<LendingLiquidationOutcome> liquidate_lending(const scenario::AccountState& account,
                                                   const margin::LendingParams& params, int max_calls) {
  if (!account.positions.empty())
    return make_error(fmt::format("account '{}': a lending account holds balances only, not {}", account.id,
                                  account.positions.front().instrument.name));
  GB_TRY(l, legs(account, params));
  auto& [deposits, debts] = l;
  LendingLiquidationOutcome out;
  out.account = account.id;
  out.health_factor_before = out.health_factor_after = hf_of(deposits, debts);
  out.final_account = account;
  if (!(out.health_factor_before < 1.0)) return out;
  out.triggered = true;
  for (int call = 0; call < max_calls && hf_of(deposits, debts) < 1.0; ++call) {
    Leg* debt = largest(debts);
    Leg* coll = largest(deposits);
    if (!debt) break;
    if (!coll) {
      out.notes.push_back("no collateral left to seize: the remaining debt is bad debt");
      break;
    }
    const double hf = hf_of(deposits, debts);
    double cf = hf <= params.close_factor_hf_threshold ? params.close_factor_max : params.close_factor;
    if (debt->usd < params.full_close_below_usd || coll->usd < params.full_close_below_usd) cf = 1.0;
    const double bonus = coll->asset->liquidation_bonus;
    const double repaid_usd = std::min(cf * debt->usd, coll->usd / (1.0 + bonus));
    LendingLiquidationCall c;
    c.debt_currency = debt->currency;
    c.collateral_currency = coll->currency;
    c.close_factor = cf;
    c.repaid_usd = repaid_usd;
    c.repaid = repaid_usd / debt->rate;
    c.seized_usd = repaid_usd * (1.0 + bonus);
    c.seized = c.seized_usd / coll->rate;
    c.bonus_usd = c.seized_usd - c.repaid_usd;
    debt->amount -= c.repaid;
    debt->usd = debt->amount * debt->rate;
    coll->amount -= c.seized;
    coll->usd = coll->amount * coll->rate;
    if (coll->amount < 1e-12 * (coll->amount + c.seized)) coll->amount = coll->usd = 0.0;
    c.health_factor_after = hf_of(deposits, debts);
    out.realised_loss_usd += c.bonus_usd;
    out.calls.push_back(c);
  }
  for (const auto& d : deposits) out.final_account.collateral[d.currency] = d.amount;
  for (const auto& d : debts) out.final_account.collateral[d.currency] = -d.amount;
  out.health_factor_after = hf_of(deposits, debts);
  bool collateral_left = false;
  for (const auto& d : deposits) collateral_left = collateral_left || d.amount > 0;
  if (!collateral_left)
    for (const auto& d : debts) out.bad_debt_usd += d.usd;
  if (out.health_factor_after < 1.0 && collateral_left)
    out.notes.push_back(fmt::format("health factor still {:.6g} after {} calls", out.health_factor_after, out.calls.size()));
  return out;
}

}  // namespace greekbook::liquidation
