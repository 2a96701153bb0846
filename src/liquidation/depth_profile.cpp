#include "greekbook/liquidation/depth_profile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "greekbook/io/csv.hpp"
#include "greekbook/margin/params.hpp"

namespace greekbook::liquidation {

const char* to_string(Side s) noexcept { return s == Side::Sell ? "sell" : "buy"; }

namespace {

Result<std::vector<DepthLevel>> checked_side(std::vector<DepthLevel> levels, const std::string& name,
                                             const char* side) {
  if (levels.empty()) return make_error(fmt::format("depth profile '{}': {} side has no levels", name, side));
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const auto& l = levels[i];
    const auto where = [&] { return fmt::format("depth profile '{}': {}[{}]", name, side, i); };
    if (!std::isfinite(l.bps) || l.bps < 0)
      return make_error(fmt::format("{}: bps {} must be a finite number >= 0", where(), l.bps));
    if (!std::isfinite(l.cumulative_usd) || l.cumulative_usd < 0)
      return make_error(fmt::format("{}: cumulative notional {} must be a finite number >= 0", where(), l.cumulative_usd));
    if (i > 0 && l.bps < levels[i - 1].bps)
      return make_error(fmt::format("{}: bps {} is below the previous level's {} (must not decrease)", where(), l.bps,
                                    levels[i - 1].bps));
    if (i > 0 && !(l.cumulative_usd > levels[i - 1].cumulative_usd))
      return make_error(fmt::format("{}: cumulative notional {} must exceed the previous level's {}", where(),
                                    l.cumulative_usd, levels[i - 1].cumulative_usd));
  }
  if (!(levels.back().cumulative_usd > 0))
    return make_error(fmt::format("depth profile '{}': {} side holds no notional", name, side));
  // Origin: a level at zero notional is the half-spread; otherwise the book starts at the mid.
  if (levels.front().cumulative_usd > 0) levels.insert(levels.begin(), DepthLevel{0.0, 0.0});
  return levels;
}

// ∫_0^n d(q) dq over a side with the origin prepended (at least two points).
double integral_bps(const std::vector<DepthLevel>& v, double n, bool& beyond) noexcept {
  double sum = 0.0;
  for (std::size_t i = 1; i < v.size(); ++i) {
    const double q0 = v[i - 1].cumulative_usd, q1 = v[i].cumulative_usd;
    if (n <= q0) return sum;
    const double d0 = v[i - 1].bps, slope = (v[i].bps - d0) / (q1 - q0);
    const double hi = std::min(n, q1);
    sum += (hi - q0) * (d0 + 0.5 * slope * (hi - q0));
  }
  const auto& a = v[v.size() - 2];
  const auto& b = v.back();
  if (n > b.cumulative_usd) {
    beyond = true;
    const double slope = (b.bps - a.bps) / (b.cumulative_usd - a.cumulative_usd);
    const double w = n - b.cumulative_usd;
    sum += w * (b.bps + 0.5 * slope * w);
  }
  return sum;
}

double marginal(const std::vector<DepthLevel>& v, double q) noexcept {
  if (q <= 0) return v.front().bps;
  std::size_t i = 1;
  while (i + 1 < v.size() && q > v[i].cumulative_usd) ++i;
  const auto& a = v[i - 1];
  const auto& b = v[i];
  return a.bps + (b.bps - a.bps) * (q - a.cumulative_usd) / (b.cumulative_usd - a.cumulative_usd);
}

Result<bool> check_pool(const AmmPool& p, double base, const char* what) {
  const std::string name = p.name.empty() ? "AMM pool" : fmt::format("AMM pool '{}'", p.name);
  if (!(std::isfinite(p.base_reserve) && p.base_reserve > 0) || !(std::isfinite(p.quote_reserve) && p.quote_reserve > 0))
    return make_error(fmt::format("{}: reserves ({}, {}) must be finite and > 0", name, p.base_reserve, p.quote_reserve));
  if (!(std::isfinite(p.fee) && p.fee >= 0 && p.fee < 1))
    return make_error(fmt::format("{}: fee {} must be in [0, 1)", name, p.fee));
  if (!(std::isfinite(base) && base >= 0))
    return make_error(fmt::format("{}: {} size {} must be a finite number >= 0", name, what, base));
  return true;
}

}  // namespace

Result<DepthProfile> DepthProfile::make(std::vector<DepthLevel> bids, std::vector<DepthLevel> asks, std::string name) {
  DepthProfile p;
  p.name_ = std::move(name);
  GB_TRY(b, checked_side(std::move(bids), p.name_, "bid"));
  GB_TRY(a, checked_side(std::move(asks), p.name_, "ask"));
  p.bids_ = std::move(b);
  p.asks_ = std::move(a);
  return p;
}

double DepthProfile::marginal_bps(Side side, double q) const noexcept {
  const auto& v = levels(side);
  if (q <= v.back().cumulative_usd) return marginal(v, q);
  const auto& a = v[v.size() - 2];
  const auto& b = v.back();
  return b.bps + (b.bps - a.bps) / (b.cumulative_usd - a.cumulative_usd) * (q - b.cumulative_usd);
}

Impact DepthProfile::impact(Side side, double n) const noexcept {
  const auto& v = levels(side);
  Impact r;
  if (!(n > 0)) {
    r.average = r.marginal = v.front().bps * 1e-4;
    return r;
  }
  r.average = integral_bps(v, n, r.beyond_depth) / n * 1e-4;
  r.marginal = marginal_bps(side, n) * 1e-4;
  return r;
}

Result<AmmTrade> amm_sell(const AmmPool& pool, double base) {
  GB_TRY(ok, check_pool(pool, base, "sell"));
  (void)ok;
  const double x = pool.base_reserve, y = pool.quote_reserve;
  const double in = base * (1.0 - pool.fee);
  AmmTrade t;
  t.base = base;
  t.quote = y * in / (x + in);  // = y − k / (x + in), without the cancellation for small orders
  t.price = base > 0 ? t.quote / base : pool.mid() * (1.0 - pool.fee);
  t.after = pool;
  t.after.base_reserve = x + base;  // the fee stays in the pool
  t.after.quote_reserve = y - t.quote;
  return t;
}

Result<AmmTrade> amm_buy(const AmmPool& pool, double base) {
  GB_TRY(ok, check_pool(pool, base, "buy"));
  (void)ok;
  const double x = pool.base_reserve, y = pool.quote_reserve;
  if (!(base < x))
    return make_error(fmt::format("AMM pool '{}': cannot buy {} coin, the pool holds {}", pool.name, base, x));
  AmmTrade t;
  t.base = base;
  t.quote = y * base / ((x - base) * (1.0 - pool.fee));  // = (k / (x − base) − y) / (1 − fee)
  t.price = base > 0 ? t.quote / base : pool.mid() / (1.0 - pool.fee);
  t.after = pool;
  t.after.base_reserve = x - base;
  t.after.quote_reserve = y + t.quote;
  return t;
}

Result<Impact> execute(LiquiditySource& source, Side side, double notional_usd) {
  if (!(std::isfinite(notional_usd) && notional_usd >= 0))
    return make_error(fmt::format("order notional {} USD must be a finite number >= 0", notional_usd));
  if (auto* p = std::get_if<DepthProfile>(&source)) return p->impact(side, notional_usd);
  auto& pool = std::get<AmmPool>(source);
  GB_TRY(ok, check_pool(pool, 0.0, "order"));
  (void)ok;
  const double mid = pool.mid();
  const double base = notional_usd / mid;
  auto t = side == Side::Sell ? amm_sell(pool, base) : amm_buy(pool, base);
  if (!t) return tl::unexpected(t.error());
  Impact r;
  const double mid_after = t->after.mid();
  r.average = side == Side::Sell ? 1.0 - t->price / mid : t->price / mid - 1.0;
  r.marginal = side == Side::Sell ? 1.0 - mid_after / mid : mid_after / mid - 1.0;
  pool = t->after;
  return r;
}

LiquiditySource* LiquidityMap::find(const instruments::Instrument& inst) noexcept {
  if (auto it = by_instrument.find(inst.name); it != by_instrument.end()) return &it->second;
  if (auto it = by_underlying.find(inst.underlying); it != by_underlying.end()) return &it->second;
  return fallback ? &*fallback : nullptr;
}

const LiquiditySource* LiquidityMap::find(const instruments::Instrument& inst) const noexcept {
  return const_cast<LiquidityMap*>(this)->find(inst);
}

namespace {

Result<std::vector<DepthLevel>> parse_levels(const io::Json& v, const io::JsonPath& at) {
  if (!v.is_array()) return io::json_error(at, fmt::format("expected an array of [bps, cumulative_usd], got {}", io::brief(v)));
  std::vector<DepthLevel> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto& e = v[i];
    if (!e.is_array() || e.size() != 2 || !e[0].is_number() || !e[1].is_number())
      return io::json_error(at.index(i), fmt::format("expected [bps, cumulative_usd], got {}", io::brief(e)));
    out.push_back({e[0].get<double>(), e[1].get<double>()});
  }
  return out;
}

void ignore_metadata(margin::ParamReader& r) {
  for (const char* k : {"kind", "venue", "market", "source", "notional_unit", "snapshots", "mid_usd", "captured",
                        "comment", "max_bps"})
    r.ignore(k);
}

}  // namespace

Result<DepthProfile> parse_depth_profile(const io::Json& doc, const io::JsonPath& at) {
  std::vector<DepthLevel> bids, asks;
  bool has_bid = false, has_ask = false;
  margin::ParamReader r(&doc, at);
  ignore_metadata(r);
  r.custom("bid", [&](const io::Json& v, const io::JsonPath& p) -> Result<bool> {
    GB_TRY(l, parse_levels(v, p));
    bids = std::move(l);
    has_bid = true;
    return true;
  });
  r.custom("ask", [&](const io::Json& v, const io::JsonPath& p) -> Result<bool> {
    GB_TRY(l, parse_levels(v, p));
    asks = std::move(l);
    has_ask = true;
    return true;
  });
  GB_TRY(ok, r.finish());
  (void)ok;
  if (!has_bid) return io::json_error(at, "missing field 'bid'");
  if (!has_ask) return io::json_error(at, "missing field 'ask'");
  std::string name = at.where();
  if (doc.contains("venue") && doc.contains("market") && doc["venue"].is_string() && doc["market"].is_string())
    name = doc["venue"].get<std::string>() + "-" + doc["market"].get<std::string>();
  auto p = DepthProfile::make(std::move(bids), std::move(asks), name);
  if (!p) return io::json_error(at, p.error().message);
  return p;
}

Result<AmmPool> parse_amm_pool(const io::Json& doc, const io::JsonPath& at) {
  AmmPool p;
  p.base_reserve = p.quote_reserve = std::numeric_limits<double>::quiet_NaN();
  margin::ParamReader r(&doc, at);
  ignore_metadata(r);
  r.number("base_reserve", p.base_reserve, 0.0).number("quote_reserve", p.quote_reserve, 0.0).number("fee", p.fee, 0.0, 0.999);
  r.string("name", p.name, {});
  GB_TRY(ok, r.finish());
  (void)ok;
  if (std::isnan(p.base_reserve)) return io::json_error(at, "missing field 'base_reserve'");
  if (std::isnan(p.quote_reserve)) return io::json_error(at, "missing field 'quote_reserve'");
  if (!(p.base_reserve > 0)) return io::json_error(at.key("base_reserve"), "must be > 0");
  if (!(p.quote_reserve > 0)) return io::json_error(at.key("quote_reserve"), "must be > 0");
  return p;
}

Result<LiquiditySource> parse_liquidity_source(const io::Json& doc, const io::JsonPath& at) {
  if (!doc.is_object()) return io::json_error(at, fmt::format("expected an object, got {}", io::brief(doc)));
  GB_TRY(kind, io::require_string(doc, "kind", at));
  if (kind == "depth") {
    GB_TRY(p, parse_depth_profile(doc, at));
    return LiquiditySource{std::move(p)};
  }
  if (kind == "amm") {
    GB_TRY(p, parse_amm_pool(doc, at));
    return LiquiditySource{std::move(p)};
  }
  return io::json_error(at.key("kind"), fmt::format("'{}' is not one of depth, amm", kind));
}

Result<LiquiditySource> load_liquidity_source(const std::string& path) {
  GB_TRY(text, io::read_text(path));
  GB_TRY(doc, io::parse_json(text, path));
  return parse_liquidity_source(doc, io::JsonPath{path, ""});
}

}  // namespace greekbook::liquidation
