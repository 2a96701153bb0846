#include "greekbook/scenario/account_state.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "greekbook/core/time.hpp"
#include "greekbook/pricing/black76.hpp"
#include "greekbook/pricing/black76_batch.hpp"
#include "greekbook/valuation/valuation.hpp"

namespace greekbook::scenario {
using instruments::Kind;

bool is_stablecoin(std::string_view c) noexcept {
  static const std::set<std::string_view> k = {"USD", "USDC", "USDT", "DAI", "USDE", "FDUSD", "PYUSD", "USDS"};
  return k.count(c) > 0;
}

double AccountState::usd_rate(const std::string& currency) const {
  if (auto it = usd_rates.find(currency); it != usd_rates.end()) return it->second;
  return is_stablecoin(currency) ? 1.0 : kNaN;
}

double PositionState::unit_equity() const noexcept {
  switch (instrument.kind) {
    case Kind::Option:
      return new_trade ? mark - entry : mark;
    case Kind::Spot:
      return new_trade ? spot - entry : spot;
    default:
      if (std::isnan(entry)) return 0.0;
      return instrument.inverse ? 1.0 / entry - 1.0 / mark : mark - entry;
  }
}

double PositionState::coin_size() const noexcept {
  if (instrument.inverse && instrument.kind != Kind::Option) return quantity / mark;
  return quantity;
}

double PositionState::notional_usd() const noexcept {
  if (instrument.kind == Kind::Perpetual || instrument.kind == Kind::Future)
    return instrument.inverse ? std::abs(quantity) : std::abs(quantity) * mark;
  return std::abs(quantity) * spot;
}

double PositionState::delta_total() const noexcept {
  if (instrument.kind == Kind::Option) return quantity * (instrument.inverse ? delta - mark : delta);
  return coin_size();
}

void reprice(PositionState& p) noexcept {
  if (!p.is_option()) return;
  if (p.expiry_years <= 0.0) {
    const double w = pricing::sign(p.instrument.right);
    const double intrinsic = std::max(w * (p.forward - p.instrument.strike), 0.0);
    p.mark = p.instrument.inverse ? intrinsic / p.forward : intrinsic;
    p.delta = intrinsic > 0 ? w : 0.0;
    return;
  }
  const pricing::Greeks g =
      pricing::black76({p.instrument.right, p.forward, p.instrument.strike, p.expiry_years, p.vol, 0.0});
  p.mark = p.instrument.inverse ? g.price / p.forward : g.price;
  p.delta = g.delta;
}

std::vector<AccountState> build_account_states(const book::Book& book, const market::MarketSnapshot& market) {
  const auto val = valuation::Valuation::prepare(book, market);
  const auto rep = val.run();
  const auto& rows = *rep.rows;
  std::vector<AccountState> out;
  std::size_t r = 0;
  for (const auto& a : book.accounts) {
    AccountState s;
    s.id = a.id;
    s.venue = a.venue;
    s.margin_mode = a.margin_mode;
    s.margin_model = a.margin_model;
    s.valuation_ms = market.valuation_ms;
    s.collateral = a.collateral;
    const auto note_rate = [&](const std::string& ccy, double rate) {
      if (!std::isnan(rate) && rate > 0) s.usd_rates[ccy] = rate;
    };
    for (const auto& p : a.positions) {
      const auto& info = rows[r];
      const auto& x = rep.values[r];
      ++r;
      if (!info.error.empty()) {
        s.errors.push_back(fmt::format("{}: {}", p.instrument.name, info.error));
        continue;
      }
      PositionState ps;
      ps.instrument = p.instrument;
      ps.quantity = p.quantity;
      ps.entry = p.average_price ? *p.average_price : kNaN;
      ps.isolated_margin = p.isolated_margin;
      ps.spot = x.spot;
      ps.forward = p.instrument.kind == Kind::Spot ? x.spot : x.forward;
      ps.funding_8h = x.funding_8h;
      if (ps.is_option()) {
        ps.vol = x.vol;
        ps.expiry_years = x.expiry_years;
        ps.mark = x.mark;
        ps.delta = x.delta / p.quantity;
      } else {
        ps.expiry_years = p.instrument.has_expiry() ? core::years_between(market.valuation_ms, p.instrument.expiry_ms) : 0.0;
        ps.mark = p.instrument.kind == Kind::Spot ? x.spot : x.mark;
        ps.delta = 1.0;
      }
      if (std::isnan(ps.spot) || std::isnan(ps.mark)) {
        s.errors.push_back(fmt::format("{}: no index price for {}", p.instrument.name, p.instrument.underlying));
        continue;
      }
      note_rate(p.instrument.underlying, ps.spot);
      s.positions.push_back(std::move(ps));
    }
    for (const auto& [ccy, amount] : a.collateral) {
      const auto& info = rows[r];
      const auto& x = rep.values[r];
      ++r;
      if (!info.error.empty()) {
        s.errors.push_back(fmt::format("collateral {}: {}", ccy, info.error));
        continue;
      }
      note_rate(ccy, x.usd_per_unit);
    }
    for (const auto& [name, u] : market.underlyings)
      if (!u.surface.empty()) s.atm_vol[name] = u.surface.implied_vol(30.0 / 365.0, 0.0);
    out.push_back(std::move(s));
  }
  return out;
}

Result<PositionState> make_position_state(std::string_view instrument, std::string_view venue, double quantity,
                                          const market::MarketSnapshot& market) {
  auto inst = instruments::parse_instrument(instrument, venue);
  if (!inst) return make_error(inst.error().message);
  if (inst->has_expiry() && inst->expiry_ms <= market.valuation_ms)
    return make_error(fmt::format("instrument '{}' expired at {}", instrument, core::format_utc_ms(inst->expiry_ms)));
  if (!std::isfinite(quantity) || quantity == 0.0)
    return make_error(fmt::format("instrument '{}': quantity {} must be a finite non-zero number", instrument, quantity));
  book::Book b;
  book::Account a;
  a.id = "what-if";
  a.venue = inst->venue;
  a.positions.push_back(book::Position{*inst, quantity, std::nullopt, "what-if", std::nullopt});
  b.accounts.push_back(std::move(a));
  auto states = build_account_states(b, market);
  if (!states[0].errors.empty()) return make_error(states[0].errors.front());
  PositionState p = states[0].positions.front();
  p.entry = p.instrument.kind == Kind::Spot ? p.spot : p.mark;
  p.new_trade = true;
  return p;
}

void shift_into(const AccountState& account, const std::map<std::string, double>& factors, AccountState& out) {
  if (out.positions.size() != account.positions.size() || out.id != account.id) out = account;
  out.usd_rates = account.usd_rates;
  for (auto& [ccy, rate] : out.usd_rates)
    if (auto it = factors.find(ccy); it != factors.end()) rate *= it->second;
  // Options are repriced in one SIMD batch (a scalar call would use one lane of a vector).
  thread_local std::vector<double> type, fwd, strike, T, vol, price, delta;
  thread_local std::vector<std::size_t> rows;
  for (auto* v : {&type, &fwd, &strike, &T, &vol}) v->clear();
  rows.clear();
  for (std::size_t i = 0; i < account.positions.size(); ++i) {
    const PositionState& base = account.positions[i];
    PositionState& p = out.positions[i];
    auto it = factors.find(base.instrument.underlying);
    const double f = it == factors.end() ? 1.0 : it->second;
    p.spot = base.spot * f;
    p.forward = base.forward * f;
    p.mark = base.mark;
    p.delta = base.delta;
    if (f == 1.0) continue;
    if (!p.is_option()) {
      p.mark = p.instrument.kind == Kind::Spot ? p.spot : base.mark * f;
    } else if (p.expiry_years <= 0.0) {
      reprice(p);
    } else {
      type.push_back(pricing::sign(p.instrument.right));
      fwd.push_back(p.forward);
      strike.push_back(p.instrument.strike);
      T.push_back(p.expiry_years);
      vol.push_back(p.vol);
      rows.push_back(i);
    }
  }
  if (rows.empty()) return;
  price.resize(rows.size());
  delta.resize(rows.size());
  pricing::black76_batch({type, fwd, strike, T, vol, {}}, {price, delta, {}, {}, {}, {}, {}, {}});
  for (std::size_t j = 0; j < rows.size(); ++j) {
    PositionState& p = out.positions[rows[j]];
    p.mark = p.instrument.inverse ? price[j] / p.forward : price[j];
    p.delta = delta[j];
  }
}

AccountState shifted(const AccountState& account, const std::map<std::string, double>& factors) {
  AccountState s;
  shift_into(account, factors, s);
  return s;
}

AccountState shifted(const AccountState& account, const std::string& underlying, double factor) {
  return shifted(account, std::map<std::string, double>{{underlying, factor}});
}

}  // namespace greekbook::scenario
