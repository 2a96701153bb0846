#include "greekbook/valuation/valuation.hpp"

#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "greekbook/core/time.hpp"
#include "greekbook/pricing/black76_batch.hpp"

namespace greekbook::valuation {
namespace {
using instruments::Kind;

const std::set<std::string> kStablecoins = {"USD", "USDC", "USDT", "DAI", "USDE", "FDUSD", "PYUSD"};

// Interns names into dense ids so aggregation is array indexing.
struct Interner {
  std::map<std::string, std::uint32_t> ids;
  std::vector<std::string>* names;
  std::uint32_t operator()(const std::string& s) {
    auto [it, fresh] = ids.emplace(s, static_cast<std::uint32_t>(names->size()));
    if (fresh) names->push_back(s);
    return it->second;
  }
};

constexpr std::uint32_t kNone = 0xFFFFFFFFu;

// USD value of one coin of an underlying: the index, else the first perpetual mark, else the
// forward curve's anchor.
double usd_rate(const market::UnderlyingMarket& u) {
  if (u.index) return u.index->value;
  if (!u.perpetuals.empty()) return u.perpetuals.front().mark.value;
  if (auto s = u.forwards.spot()) return *s;
  return kMissing;
}

std::uint32_t tenor_bucket(double years) {
  const double days = years * 365.0;
  return days < 7 ? 0 : days < 30 ? 1 : days < 90 ? 2 : 3;
}
}  // namespace

Valuation Valuation::prepare(const book::Book& book, const market::MarketSnapshot& market) {
  Valuation v;
  v.valuation_ms_ = market.valuation_ms;
  std::vector<RowInfo> rows;  // shared (immutable) with every Report once built
  Interner und{{}, &v.und_names_}, exp{{}, &v.exp_names_}, ven{{}, &v.venue_names_}, acc{{}, &v.acc_names_};
  const auto add_row = [&](RowInfo info, Valuation::RowKind kind) {
    rows.push_back(std::move(info));
    v.kind_.push_back(kind);
    v.qty_.push_back(rows.back().quantity);
    v.entry_.push_back(kMissing);
    v.mark_.push_back(kMissing);
    v.usd_.push_back(kMissing);
    v.spot_.push_back(0.0);
    v.funding_8h_.push_back(0.0);
    v.forward_.push_back(kMissing);
    v.inverse_.push_back(0);
    v.und_id_.push_back(kNone);
    v.exp_id_.push_back(kNone);
    v.venue_id_.push_back(kNone);
    v.acc_id_.push_back(kNone);
    v.tenor_.push_back(0);
    return rows.size() - 1;
  };
  for (const auto& a : book.accounts) {
    for (const auto& p : a.positions) {
      const auto& inst = p.instrument;
      RowInfo info;
      info.account = a.id;
      info.venue = a.venue;
      info.instrument = inst.name;
      info.underlying = inst.underlying;
      info.settlement_currency = inst.settlement_currency;
      info.quantity = p.quantity;
      info.expiry_ms = inst.expiry_ms;
      info.kind = inst.kind;
      info.inverse = inst.inverse;
      if (p.average_price) info.entry = *p.average_price;
      info.expiry_bucket = inst.has_expiry() ? inst.underlying + "-" + instruments::format_deribit_expiry(inst.expiry_ms)
                           : inst.kind == Kind::Perpetual ? inst.underlying + " perpetual"
                                                          : inst.underlying + " spot";
      const Valuation::RowKind kind = inst.kind == Kind::Option      ? Valuation::RowKind::Option
                                   : inst.kind == Kind::Spot      ? Valuation::RowKind::Spot
                                   : inst.inverse                 ? Valuation::RowKind::InverseFuture
                                                                  : Valuation::RowKind::LinearFuture;
      const std::size_t r = add_row(std::move(info), kind);
      RowInfo& row = rows[r];
      v.inverse_[r] = inst.inverse;
      v.venue_id_[r] = ven(a.venue);
      v.acc_id_[r] = acc(a.id);
      v.und_id_[r] = und(inst.underlying);
      v.exp_id_[r] = exp(row.expiry_bucket);
      if (p.average_price) v.entry_[r] = *p.average_price;
      const auto* u = market.underlying(inst.underlying);
      if (!u) {
        row.error = fmt::format("no market data for underlying {}", inst.underlying);
        continue;
      }
      v.spot_[r] = usd_rate(*u);
      v.usd_[r] = inst.inverse || kind == Valuation::RowKind::Spot ? v.spot_[r] : 1.0;
      if (!kStablecoins.count(inst.settlement_currency) && !inst.inverse && kind != Valuation::RowKind::Spot)
        v.usd_[r] = usd_rate(*u);  // linear product settled in a coin other than a stablecoin
      if (std::isnan(v.usd_[r])) {
        row.error = fmt::format("no index or perpetual price to convert {} to USD", inst.underlying);
        continue;
      }
      const double T = core::years_between(v.valuation_ms_, inst.expiry_ms);
      v.tenor_[r] = inst.has_expiry() ? tenor_bucket(T) : 0;
      switch (kind) {
        case Valuation::RowKind::Option: {
          const auto* q = u->option(inst.name);
          std::optional<double> F = q && q->underlying_price ? q->underlying_price : u->forwards.forward(inst.expiry_ms);
          if (!F) {
            row.error = fmt::format("no forward for {} expiry {}", inst.underlying, core::format_utc_ms(inst.expiry_ms));
            break;
          }
          double vol = kMissing;
          if (q && q->mark_iv) {
            vol = *q->mark_iv;
          } else if (!u->surface.empty()) {
            vol = u->surface.implied_vol(T, std::log(inst.strike / *F));
          } else {
            row.error = fmt::format("no quote for {} and no {} volatility surface", inst.name, inst.underlying);
            break;
          }
          if (!(vol > 0) || !std::isfinite(vol)) {
            row.error = fmt::format("no usable volatility for {} (got {})", inst.name, vol);
            break;
          }
          v.forward_[r] = *F;
          v.o_type_.push_back(pricing::sign(inst.right));
          v.o_fwd_.push_back(*F);
          v.o_strike_.push_back(inst.strike);
          v.o_T_.push_back(T);
          v.o_vol_.push_back(vol);
          v.o_row_.push_back(static_cast<std::uint32_t>(r));
          break;
        }
        case Valuation::RowKind::InverseFuture:
        case Valuation::RowKind::LinearFuture: {
          std::optional<double> mark;
          if (inst.kind == Kind::Perpetual) {
            if (const auto* pq = u->perpetual(inst.name)) {
              mark = pq->mark.value;
              if (pq->funding_rate_8h) v.funding_8h_[r] = *pq->funding_rate_8h;
            }
          } else if (const auto* fq = u->future(inst.name)) {
            mark = fq->mark.value;
          } else {
            mark = u->forwards.forward(inst.expiry_ms);
          }
          if (!mark) {
            row.error = fmt::format("no mark price for {}", inst.name);
            break;
          }
          v.mark_[r] = *mark;
          v.forward_[r] = *mark;
          break;
        }
        case Valuation::RowKind::Spot:
          v.mark_[r] = v.usd_[r];
          break;
        default:
          break;
      }
    }
    for (const auto& [ccy, amount] : a.collateral) {
      RowInfo info;
      info.account = a.id;
      info.venue = a.venue;
      info.instrument = "collateral:" + ccy;
      info.underlying = kStablecoins.count(ccy) ? std::string() : ccy;
      info.settlement_currency = ccy;
      info.quantity = amount;
      info.collateral = true;
      info.expiry_bucket = info.underlying.empty() ? std::string() : ccy + " collateral";
      const std::size_t r = add_row(std::move(info), Valuation::RowKind::Collateral);
      RowInfo& row = rows[r];
      v.venue_id_[r] = ven(a.venue);
      v.acc_id_[r] = acc(a.id);
      if (row.underlying.empty()) {
        v.usd_[r] = 1.0;
        continue;
      }
      v.und_id_[r] = und(ccy);
      v.exp_id_[r] = exp(row.expiry_bucket);
      const auto* u = market.underlying(ccy);
      v.usd_[r] = u ? usd_rate(*u) : kMissing;
      v.spot_[r] = std::isnan(v.usd_[r]) ? 0.0 : v.usd_[r];
      if (std::isnan(v.usd_[r])) row.error = fmt::format("no price for collateral currency {}", ccy);
    }
  }
  // Cells: one per (account, expiry bucket) pair present; the groupings are rolled up from them.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> cell_index;
  v.cell_.resize(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    auto [it, fresh] = cell_index.emplace(std::make_pair(v.acc_id_[r], v.exp_id_[r]),
                                          static_cast<std::uint32_t>(v.cell_acc_.size()));
    if (fresh) {
      v.cell_acc_.push_back(v.acc_id_[r]);
      v.cell_exp_.push_back(v.exp_id_[r]);
      v.cell_und_.push_back(v.und_id_[r]);
      v.cell_venue_.push_back(v.venue_id_[r]);
    }
    v.cell_[r] = it->second;
  }
  v.rows_ = std::make_shared<const std::vector<RowInfo>>(std::move(rows));
  return v;
}

namespace {
void add_to(Aggregate& a, const RowValues& x, bool ok, std::uint32_t tenor) {
  ++a.rows;
  if (!ok) {
    ++a.errors;
    return;
  }
  a.delta += x.delta;
  a.delta_total += x.delta_total;
  a.delta_usd += x.delta_usd;
  a.gamma += x.gamma;
  a.vega += x.vega;
  a.theta += x.theta;
  a.funding_usd_day += x.funding_usd_day;
  a.vega_by_tenor[tenor] += x.vega;
  if (!std::isnan(x.value_usd)) a.value_usd += x.value_usd;
  if (!std::isnan(x.pnl_usd)) a.pnl_usd += x.pnl_usd;
}

void merge(Aggregate& a, const Aggregate& c) {
  a.delta += c.delta;
  a.delta_total += c.delta_total;
  a.delta_usd += c.delta_usd;
  a.gamma += c.gamma;
  a.vega += c.vega;
  a.theta += c.theta;
  a.funding_usd_day += c.funding_usd_day;
  for (int t = 0; t < 4; ++t) a.vega_by_tenor[t] += c.vega_by_tenor[t];
  a.value_usd += c.value_usd;
  a.pnl_usd += c.pnl_usd;
  a.rows += c.rows;
  a.errors += c.errors;
}
}  // namespace

RowValues Valuation::non_option_values(std::size_t r) const {
  RowValues x;
  if (!(*rows_)[r].error.empty()) return x;
  const double q = qty_[r];
  x.usd_per_unit = usd_[r];
  x.spot = spot_[r] > 0 ? spot_[r] : kMissing;
  x.funding_8h = funding_8h_[r];
  switch (kind_[r]) {
    case RowKind::InverseFuture:  // q = USD notional; PnL in coin = q (1/entry - 1/mark)
      x.mark = x.forward = mark_[r];
      x.delta = x.delta_total = q / mark_[r];
      // Longs pay a positive rate: q USD notional x rate per 8 h, settled in coin at the mark.
      x.funding_usd_day = -3.0 * q * funding_8h_[r] / mark_[r] * usd_[r];
      if (!std::isnan(entry_[r])) {
        x.value = q * (1.0 / entry_[r] - 1.0 / mark_[r]);
        x.value_usd = x.pnl_usd = x.value * usd_[r];
      }
      break;
    case RowKind::LinearFuture:  // q = coin; PnL in the settlement currency = q (mark - entry)
      x.mark = x.forward = mark_[r];
      x.delta = x.delta_total = q;
      x.funding_usd_day = -3.0 * q * mark_[r] * funding_8h_[r] * usd_[r];
      if (!std::isnan(entry_[r])) {
        x.value = q * (mark_[r] - entry_[r]);
        x.value_usd = x.pnl_usd = x.value * usd_[r];
      }
      break;
    case RowKind::Spot:
      x.mark = mark_[r];
      x.value = q;
      x.value_usd = q * usd_[r];
      x.delta = x.delta_total = q;
      if (!std::isnan(entry_[r])) x.pnl_usd = q * (mark_[r] - entry_[r]);
      break;
    case RowKind::Collateral:
      x.value = q;
      x.value_usd = q * usd_[r];
      if (!(*rows_)[r].underlying.empty()) x.delta = q;  // coin balance: delta, not delta_total
      break;
    default:
      break;
  }
  return x;
}

void Valuation::run(Report& rep) const {
  const std::size_t n = rows_->size(), m = o_row_.size();
  rep.valuation_ms = valuation_ms_;
  rep.rows = rows_;
  rep.values.resize(n);
  rep.scratch.resize(8 * m);
  rep.cells.assign(cell_acc_.size(), Aggregate{});
  double* P = rep.scratch.data();
  pricing::black76_batch({o_type_, o_fwd_, o_strike_, o_T_, o_vol_, {}},
                         {{P, m}, {P + m, m}, {P + 2 * m, m}, {P + 3 * m, m}, {P + 4 * m, m}, {}, {P + 6 * m, m}, {P + 7 * m, m}});
  // Each row is written once and added to its (account, expiry bucket) cell while hot.
  for (std::size_t j = 0; j < m; ++j) {
    const std::uint32_t r = o_row_[j];
    RowValues x;
    const double q = qty_[r], F = o_fwd_[j], price = P[j], delta = P[m + j];
    x.forward = F;
    x.vol = o_vol_[j];
    x.expiry_years = o_T_[j];
    x.usd_per_unit = usd_[r];
    x.spot = spot_[r];
    x.gamma = q * P[2 * m + j];
    x.vega = q * P[3 * m + j] / 100.0;
    x.theta = q * P[4 * m + j] / 365.0;
    x.vanna_usd = q * P[6 * m + j];
    x.volga_usd = q * P[7 * m + j];
    x.delta = q * delta;
    if (inverse_[r]) {
      x.mark = price / F;  // coin
      x.value = q * x.mark;
      x.delta_total = q * (delta - x.mark);
    } else {
      x.mark = price;
      x.value = q * price;
      x.delta_total = x.delta;
    }
    x.value_usd = x.value * usd_[r];
    if (!std::isnan(entry_[r])) x.pnl_usd = q * (x.mark - entry_[r]) * usd_[r];
    x.delta_usd = x.delta * spot_[r];
    add_to(rep.cells[cell_[r]], x, true, tenor_[r]);
    rep.values[r] = x;
  }
  for (std::size_t r = 0; r < n; ++r) {
    const bool ok = (*rows_)[r].error.empty();
    if (ok && kind_[r] == RowKind::Option) continue;
    rep.values[r] = non_option_values(r);
    rep.values[r].delta_usd = rep.values[r].delta * spot_[r];
    add_to(rep.cells[cell_[r]], rep.values[r], ok, tenor_[r]);
  }
  // Roll the cells up: every grouping is a function of (account, expiry bucket).
  const auto reset = [](std::vector<std::pair<std::string, Aggregate>>& v, const std::vector<std::string>& names) {
    if (v.size() != names.size()) {
      v.clear();
      for (const auto& s : names) v.push_back({s, Aggregate{}});
    } else {
      for (auto& [k, a] : v) a = Aggregate{};
    }
  };
  reset(rep.by_underlying, und_names_);
  reset(rep.by_expiry, exp_names_);
  reset(rep.by_venue, venue_names_);
  reset(rep.by_account, acc_names_);
  rep.portfolio = Aggregate{};
  for (std::size_t c = 0; c < rep.cells.size(); ++c) {
    const Aggregate& a = rep.cells[c];
    if (cell_und_[c] != kNone) merge(rep.by_underlying[cell_und_[c]].second, a);
    if (cell_exp_[c] != kNone) merge(rep.by_expiry[cell_exp_[c]].second, a);
    merge(rep.by_venue[cell_venue_[c]].second, a);
    merge(rep.by_account[cell_acc_[c]].second, a);
    merge(rep.portfolio, a);
  }
}

}  // namespace greekbook::valuation
