// Arranging an account for Derive's SRM and PMRM_2 (derive_positions.hpp).
#include "margin/derive_positions.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "margin/derive_params_util.hpp"

namespace greekbook::margin::derive_detail {
namespace {
using instruments::Kind;
using scenario::PositionState;

bool finite_positive(double x) noexcept { return std::isfinite(x) && x > 0; }
}  // namespace

Result<Arranged> arrange(const scenario::AccountState& account, std::span<const PositionState> extra,
                         const std::string& cash_currency, std::string_view model) {
  const auto fail = [&](const PositionState& p, std::string_view why) {
    return make_error(fmt::format("account '{}': instrument '{}': {}", account.id, p.instrument.name, why));
  };
  Arranged out;
  std::map<std::string, Market> markets;
  std::map<std::string, BaseHolding> bases;  // by upper-case asset
  std::map<std::pair<std::string, std::int64_t>, std::map<std::string, OptionHolding>> holdings;
  std::map<std::pair<std::string, std::int64_t>, Expiry> expiries;
  const auto add_base = [&](const std::string& asset, double balance, double rate) {
    BaseHolding& b = bases[upper(asset)];
    if (b.asset.empty()) b.asset = asset;
    b.balance += balance;
    b.usd_rate = rate;
  };
  double trade_cash = 0.0;  // what-if orders filled now: premium / purchase paid in cash
  const auto visit = [&](const PositionState& p) -> Result<bool> {
    const auto& inst = p.instrument;
    if (p.quantity == 0) return true;
    if (p.new_trade && (inst.kind == Kind::Option || inst.kind == Kind::Spot)) trade_cash -= p.quantity * p.entry;
    if (!std::isfinite(p.quantity)) return fail(p, fmt::format("quantity {} is not finite", p.quantity));
    if (!finite_positive(p.spot) || !std::isfinite(p.mark))
      return fail(p, fmt::format("no valid index ({}) or mark ({}) for {}", p.spot, p.mark, inst.underlying));
    if (inst.kind == Kind::Spot) {
      add_base(inst.underlying, p.quantity, p.spot);
      return true;
    }
    if (inst.inverse)
      return fail(p, fmt::format("coin-settled (inverse) products cannot be margined by {} (Derive lists linear, "
                                 "{}-settled perps and options only)", model, cash_currency));
    if (inst.kind == Kind::Future)
      return fail(p, fmt::format("dated futures cannot be margined by {} (Derive lists perps and options only)", model));
    if (upper(inst.settlement_currency) != cash_currency)
      return fail(p, fmt::format("settles in {}, not in {} (the cash currency of {})", inst.settlement_currency,
                                 cash_currency, model));
    Market& m = markets[inst.underlying];
    m.underlying = inst.underlying;
    if (m.spot == 0) {
      const double rate = account.usd_rate(inst.underlying);
      m.spot = finite_positive(rate) ? rate : p.spot;
    }
    if (inst.kind == Kind::Perpetual) {
      m.perp_position += p.quantity;
      m.perp_price = p.mark;
      m.perp_upnl += p.quantity * p.unit_equity();
      m.perps.push_back({inst.name, p.quantity});
      return true;
    }
    if (!finite_positive(p.forward) || !(inst.strike > 0))
      return fail(p, fmt::format("forward {} or strike {} is not positive", p.forward, inst.strike));
    const auto key = std::make_pair(inst.underlying, inst.expiry_ms);
    Expiry& e = expiries[key];
    if (e.forward == 0) {
      e.expiry_ms = inst.expiry_ms;
      e.forward = p.forward;
      e.expiry_years = std::max(p.expiry_years, 0.0);
    }
    OptionHolding& h = holdings[key][inst.name];
    h.name = inst.name;
    h.strike = inst.strike;
    h.right = inst.right;
    h.amount += p.quantity;
    h.mtm += p.quantity * p.mark;
    return true;
  };
  for (const auto& p : account.positions)
    if (auto r = visit(p); !r) return tl::unexpected(r.error());
  for (const auto& p : extra)
    if (auto r = visit(p); !r) return tl::unexpected(r.error());
  for (auto& [key, e] : expiries) {
    for (auto& [name, h] : holdings[key])
      if (h.amount != 0) e.holdings.push_back(h);
    if (!e.holdings.empty()) markets[key.first].expiries.push_back(std::move(e));
  }
  for (const auto& [ccy, balance] : account.collateral) {
    if (!std::isfinite(balance))
      return make_error(fmt::format("account '{}': collateral '{}': balance {} is not finite", account.id, ccy, balance));
    if (upper(ccy) == cash_currency) {
      out.cash += balance;
      continue;
    }
    if (balance == 0) continue;
    const double rate = account.usd_rate(ccy);
    if (!finite_positive(rate))
      return make_error(fmt::format("account '{}': collateral '{}': no USD rate for it in the market", account.id, ccy));
    add_base(ccy, balance, rate);
  }
  for (auto& [key, b] : bases) {
    if (b.balance < 0)
      return make_error(fmt::format("account '{}': collateral '{}': balance {} is negative (only the cash currency {} "
                                    "can be borrowed on Derive)", account.id, b.asset, b.balance, cash_currency));
    if (b.balance > 0) out.bases.push_back(b);
  }
  for (auto& [name, m] : markets) out.markets.push_back(std::move(m));
  out.cash += trade_cash;
  return out;
}

}  // namespace greekbook::margin::derive_detail
