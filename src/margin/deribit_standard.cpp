#include "greekbook/margin/deribit_standard.hpp"

#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "deribit_common.hpp"
#include "greekbook/margin/params.hpp"

namespace greekbook::margin {
using instruments::Kind;

const DeribitSmFuturesRates& DeribitSmParams::futures_for(const std::string& underlying) const {
  if (auto it = futures.find(underlying); it != futures.end()) return it->second;
  return futures.at("default");
}

double DeribitSmParams::haircut_for(const std::string& currency) const {
  if (auto it = haircut.find(currency); it != haircut.end()) return it->second;
  return haircut.at("default");
}

Result<DeribitSmParams> read_deribit_sm_params(const io::Json* params, const io::JsonPath& at) {
  DeribitSmParams p;
  ParamReader r(params, at);
  r.ignore("source").ignore("comment");
  r.custom("futures", [&](const io::Json& v, const io::JsonPath& path) {
    return deribit::read_table<DeribitSmFuturesRates>(v, path, p.futures, [](ParamReader& e, DeribitSmFuturesRates& f) {
      e.number("im_base", f.im_base, 0.0, 1.0)
          .number("im_slope", f.im_slope, 0.0, 1.0)
          .number("mm_base", f.mm_base, 0.0, 1.0)
          .number("mm_slope", f.mm_slope, 0.0, 1.0);
    });
  });
  r.custom("options", [&](const io::Json& v, const io::JsonPath& path) -> Result<bool> {
    ParamReader o(&v, path);
    o.ignore("source").ignore("comment");
    o.number("im_otm_base", p.options.im_otm_base, 0.0, 1.0)
        .number("im_floor", p.options.im_floor, 0.0, 1.0)
        .number("mm_call", p.options.mm_call, 0.0, 1.0)
        .number("mm_put", p.options.mm_put, 0.0, 1.0);
    return o.finish();
  });
  r.custom("haircut", [&](const io::Json& v, const io::JsonPath& path) -> Result<bool> {
    if (!v.is_object()) return io::json_error(path, fmt::format("expected an object currency -> haircut, got {}", io::brief(v)));
    ParamReader h(&v, path);
    h.ignore("source").ignore("comment");
    for (const auto& [ccy, _] : v.items()) {
      if (ccy == "source" || ccy == "comment") continue;
      double x = p.haircut.count(ccy) ? p.haircut.at(ccy) : p.haircut.at("default");
      deribit::number_below(h, ccy, x, 0.0, 1.0);
      p.haircut[ccy] = x;
    }
    return h.finish();
  });
  GB_TRY(ok, r.finish());
  (void)ok;
  for (const auto& [u, f] : p.futures) {
    if (f.mm_base > f.im_base)
      return io::json_error(at.key("futures").key(u).key("mm_base"),
                            fmt::format("{} is above im_base {} (maintenance must not exceed initial)", f.mm_base, f.im_base));
    if (f.mm_slope > f.im_slope)
      return io::json_error(at.key("futures").key(u).key("mm_slope"),
                            fmt::format("{} is above im_slope {} (maintenance must not exceed initial)", f.mm_slope, f.im_slope));
  }
  return p;
}

DeribitSmOptionMargin deribit_sm_short_option(const DeribitSmOptionRates& k, pricing::OptionType right, double strike,
                                              double index, double mark) noexcept {
  const bool call = right == pricing::OptionType::Call;
  const double otm = call ? std::max(strike - index, 0.0) : std::max(index - strike, 0.0);
  const double base = std::max(k.im_otm_base - otm / index, k.im_floor) + mark;
  DeribitSmOptionMargin m;
  if (call) {
    m.maintenance = k.mm_call + mark;
    m.initial = base;
  } else {
    m.maintenance = std::max(k.mm_put, k.mm_put * mark) + mark;
    m.initial = std::max(base, m.maintenance);
  }
  return m;
}

namespace {
struct Requirement {
  double initial = 0.0, maintenance = 0.0;
};

// A few keys at most per account (underlyings x settlement currencies): a flat list beats a map.
template <class V>
struct SmallMap {
  std::vector<std::pair<std::pair<const std::string*, const std::string*>, V>> items;
  V& operator()(const std::string& a, const std::string& b = {}) {
    for (auto& [k, v] : items)
      if (*k.first == a && *k.second == b) return v;
    items.push_back({{&a, &b}, V{}});
    return items.back().second;
  }
};
}  // namespace

Result<MarginResult> DeribitStandardMargin::run(const scenario::AccountState& a, bool per_position) const {
  MarginResult r;
  r.account = a.id;
  r.model = name();
  r.errors = a.errors;
  const bool seg = deribit::is_segregated(a);
  if (!seg && a.margin_mode != "cross")
    r.notes.push_back(fmt::format("margin_mode '{}' is margined as cross-collateral standard margin (X:SM)", a.margin_mode));

  // Net coin size of futures and perpetuals per underlying and settlement currency.
  SmallMap<double> net;
  for (const auto& p : a.positions) {
    GB_TRY(ok, deribit::check_position(a, p, name()));
    (void)ok;
    if (p.instrument.kind == Kind::Perpetual || p.instrument.kind == Kind::Future)
      net(p.instrument.underlying, p.instrument.settlement_currency) += p.coin_size();
  }

  static const std::string kNone;
  SmallMap<Requirement> req_by;  // settlement currency -> requirement (native)
  if (per_position) r.positions.reserve(a.positions.size());
  for (const auto& p : a.positions) {
    const std::string& ccy = p.instrument.settlement_currency;
    PositionMargin pm;
    const double q = std::abs(p.quantity);
    switch (p.instrument.kind) {
      case Kind::Perpetual:
      case Kind::Future: {
        const DeribitSmFuturesRates& f = p_.futures_for(p.instrument.underlying);
        const double size = net(p.instrument.underlying, ccy);
        const double notional = p.instrument.inverse ? q / p.mark : q * p.mark;  // coin or quote currency
        pm.initial = deribit_sm_futures_rate(f.im_base, f.im_slope, size) * notional;
        pm.maintenance = deribit_sm_futures_rate(f.mm_base, f.mm_slope, size) * notional;
        break;
      }
      case Kind::Option:
        if (p.quantity < 0) {
          const double mark_coin = p.instrument.inverse ? p.mark : p.mark / p.spot;
          const auto m = deribit_sm_short_option(p_.options, p.instrument.right, p.instrument.strike, p.spot, mark_coin);
          const double scale = p.instrument.inverse ? q : q * p.spot;
          pm.initial = m.initial * scale;
          pm.maintenance = m.maintenance * scale;
        }
        break;
      default:  // spot: no margin, its value is equity
        break;
    }
    Requirement& rq = req_by(ccy, kNone);
    rq.initial += pm.initial;
    rq.maintenance += pm.maintenance;
    if (per_position) {
      pm.instrument = p.instrument.name;
      pm.quantity = p.quantity;
      pm.currency = ccy;
      pm.pool = seg ? ccy : "cross";
      r.positions.push_back(std::move(pm));
    }
  }
  std::map<std::string, Requirement> req;
  for (const auto& [k, v] : req_by.items) req[*k.first] = v;

  const auto equity = deribit::currency_equity(a);
  if (seg) {
    std::map<std::string, PoolMargin> pools;
    for (const auto& [ccy, e] : equity) pools[ccy].equity = e;
    for (const auto& [ccy, x] : req) {
      pools[ccy].initial_margin = x.initial;
      pools[ccy].maintenance_margin = x.maintenance;
    }
    for (auto& [ccy, pool] : pools) {
      GB_TRY(rate, deribit::usd_rate(a, ccy));
      pool.name = ccy;
      pool.currency = ccy;
      pool.usd_rate = rate;
      r.pools.push_back(pool);
    }
    totals_from_pools(r);
  } else {
    PoolMargin pool;
    pool.name = "cross";
    pool.currency = "USD";
    GB_TRY(eq, deribit::cross_equity_usd(a, equity, [this](const std::string& c) { return p_.haircut_for(c); }));
    pool.equity = eq;
    for (const auto& [ccy, x] : req) {
      if (x.initial == 0.0 && x.maintenance == 0.0) continue;
      GB_TRY(rate, deribit::usd_rate(a, ccy));
      pool.initial_margin += x.initial * rate;
      pool.maintenance_margin += x.maintenance * rate;
    }
    r.currency = "USD";
    r.equity = pool.equity;
    r.initial_margin = pool.initial_margin;
    r.maintenance_margin = pool.maintenance_margin;
    r.pools.push_back(std::move(pool));
  }
  finish_figures(r);
  return r;
}

Result<ModelPtr> make_deribit_sm(const io::Json* params, const io::JsonPath& at) {
  GB_TRY(p, read_deribit_sm_params(params, at));
  return ModelPtr(std::make_unique<DeribitStandardMargin>(std::move(p)));
}

}  // namespace greekbook::margin
