#include "greekbook/valuation/explain.hpp"

#include <cmath>
#include <map>

#include "greekbook/core/time.hpp"

namespace greekbook::valuation {
namespace {
using instruments::Kind;

// USD value of a row under the explain convention (entry defaults to `entry_default`).
double usd_value(const RowInfo& i, const RowValues& x, double entry_default) {
  const double q = i.quantity;
  const double e = std::isnan(i.entry) ? entry_default : i.entry;
  if (i.collateral || i.kind == Kind::Spot) return q * x.usd_per_unit;
  if (i.kind == Kind::Option) return x.value_usd;
  if (i.inverse) return q * (1.0 / e - 1.0 / x.mark) * x.usd_per_unit;
  return q * (x.mark - e) * x.usd_per_unit;
}

}  // namespace

PnlAttribution& PnlAttribution::operator+=(const PnlAttribution& o) noexcept {
  actual += o.actual;
  delta += o.delta;
  gamma += o.gamma;
  vega += o.vega;
  theta += o.theta;
  vanna += o.vanna;
  volga += o.volga;
  explained += o.explained;
  residual += o.residual;
  rows += o.rows;
  errors += o.errors;
  return *this;
}

ExplainReport explain(const book::Book& book, const market::MarketSnapshot& from, const market::MarketSnapshot& to) {
  const Valuation va = Valuation::prepare(book, from), vb = Valuation::prepare(book, to);
  const Report ra = va.run(), rb = vb.run();
  ExplainReport out;
  out.from_ms = from.valuation_ms;
  out.to_ms = to.valuation_ms;
  out.rows = va.rows();
  const std::size_t n = out.rows.size();
  out.per_row.resize(n);
  out.row_errors.resize(n);
  const double dt = core::years_between(from.valuation_ms, to.valuation_ms);
  std::map<std::string, std::size_t> und_index;
  for (std::size_t r = 0; r < n; ++r) {
    const RowInfo& i = out.rows[r];
    const RowValues& a = ra.values[r];
    const RowValues& b = rb.values[r];
    PnlAttribution p;
    p.rows = 1;
    const std::string& err_a = i.error;
    const std::string& err_b = vb.rows()[r].error;
    if (!err_a.empty() || !err_b.empty()) {
      out.row_errors[r] = !err_a.empty() ? "first snapshot: " + err_a : "second snapshot: " + err_b;
      p.errors = 1;  // counted, amounts left at 0 (not explained)
    } else {
      const double entry_default = a.mark;
      p.actual = usd_value(i, b, entry_default) - usd_value(i, a, entry_default);
      if (i.kind == Kind::Option) {
        const double r_a = i.inverse ? a.usd_per_unit / a.forward : 1.0;
        const double dF = b.forward - a.forward, dv = b.vol - a.vol;
        // RowValues hold quantity-scaled Greeks in report units: convert back to per-1.00 / per-year.
        p.delta = r_a * a.delta * dF;
        p.gamma = 0.5 * r_a * a.gamma * dF * dF;
        p.vega = r_a * a.vega * 100.0 * dv;
        p.theta = r_a * a.theta * 365.0 * dt;
        p.vanna = r_a * a.vanna_usd * dF * dv;
        p.volga = 0.5 * r_a * a.volga_usd * dv * dv;
      } else if (i.collateral || i.kind == Kind::Spot) {
        p.delta = i.quantity * (b.usd_per_unit - a.usd_per_unit);
      } else if (i.inverse) {
        const double e = std::isnan(i.entry) ? entry_default : i.entry;
        p.delta = i.quantity * (a.usd_per_unit / a.mark) / e * (b.mark - a.mark);
      } else {
        p.delta = i.quantity * (b.mark - a.mark) * a.usd_per_unit;
      }
      p.explained = p.delta + p.gamma + p.vega + p.theta + p.vanna + p.volga;
      p.residual = p.actual - p.explained;
    }
    out.per_row[r] = p;
    if (!i.underlying.empty()) {
      auto [it, fresh] = und_index.emplace(i.underlying, out.by_underlying.size());
      if (fresh) out.by_underlying.push_back({i.underlying, PnlAttribution{}});
      PnlAttribution& u = out.by_underlying[it->second].second;
      u += p;
    }
    out.total += p;
  }
  return out;
}

}  // namespace greekbook::valuation
