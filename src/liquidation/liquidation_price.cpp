#include "greekbook/liquidation/liquidation_price.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <exception>
#include <set>

#include <boost/math/tools/toms748_solve.hpp>
#include <fmt/format.h>

namespace greekbook::liquidation {

const char* to_string(MoveMode m) noexcept { return m == MoveMode::Single ? "single" : "beta"; }

const char* to_string(LiquidationStatus s) noexcept {
  return s == LiquidationStatus::AboveMaintenance ? "above maintenance" : "below maintenance";
}

std::optional<double> distance_sd(double price, double index, std::optional<double> vol, double horizon) noexcept {
  if (!vol || !std::isfinite(*vol) || *vol <= 0 || !(horizon > 0) || !(price > 0) || !(index > 0)) return std::nullopt;
  return std::log(price / index) / (*vol * std::sqrt(horizon));
}

std::vector<std::string> account_underlyings(const scenario::AccountState& a) {
  std::set<std::string> s;
  for (const auto& p : a.positions)
    if (!p.instrument.underlying.empty()) s.insert(p.instrument.underlying);
  for (const auto& [ccy, amount] : a.collateral)
    if (!scenario::is_stablecoin(ccy) && a.usd_rates.count(ccy) && amount != 0.0) s.insert(ccy);
  return {s.begin(), s.end()};
}

double index_price(const scenario::AccountState& a, const std::string& u) noexcept {
  for (const auto& p : a.positions)
    if (p.instrument.underlying == u && std::isfinite(p.spot) && p.spot > 0) return p.spot;
  if (auto it = a.usd_rates.find(u); it != a.usd_rates.end() && std::isfinite(it->second) && it->second > 0)
    return it->second;
  return scenario::kNaN;
}

std::map<std::string, double> move_factors(const LiquidationPrice& lp, double factor) {
  std::map<std::string, double> f;
  for (const auto& [u, beta] : lp.betas) f[u] = beta == 1.0 ? factor : std::pow(factor, beta);
  return f;
}

namespace {

struct EvalFailure {
  Error error;
};

// The worst pool of a result: (name, currency, equity, MM, usd rate).
struct Worst {
  std::string pool, currency;
  double equity = 0, mm = 0, usd_rate = 1;
};

Worst worst_pool(const margin::MarginResult& r, const scenario::AccountState& a) {
  Worst w;
  if (r.pools.empty()) {
    const double rate = a.usd_rate(r.currency);
    return {"account", r.currency, r.equity, r.maintenance_margin, std::isfinite(rate) ? rate : 1.0};
  }
  double best = std::numeric_limits<double>::infinity();
  for (const auto& p : r.pools) {
    const double x = p.excess() * p.usd_rate;
    if (x < best) {
      best = x;
      w = {p.name, p.currency, p.equity, p.maintenance_margin, p.usd_rate};
    }
  }
  return w;
}

class Evaluator {
 public:
  Evaluator(const scenario::AccountState& a, const margin::MarginModel& m, const LiquidationPrice& lp)
      : a_(a), m_(m), lp_(lp) {}

  Result<margin::MarginResult> result_at(double f) {
    ++count;
    scenario::shift_into(a_, move_factors(lp_, f), work_);  // reuses work_'s storage
    auto r = m_.compute_pools(work_);
    if (!r)
      return make_error(fmt::format("account '{}': model {} failed at {} = {} USD (factor {}): {}", a_.id, m_.name(),
                                    lp_.underlying, lp_.index_usd * f, f, r.error().message));
    const double x = r->min_excess_usd();
    if (std::isnan(x))
      return make_error(fmt::format("account '{}': model {} gives no finite excess at {} = {} USD (factor {})", a_.id,
                                    m_.name(), lp_.underlying, lp_.index_usd * f, f));
    cache_[f] = x;
    return r;
  }

  Result<double> excess(double f) {
    if (auto it = cache_.find(f); it != cache_.end()) return it->second;
    GB_TRY(r, result_at(f));
    return r.min_excess_usd();
  }

  // For the root finder: throws EvalFailure (caught by search()).
  double operator()(double f) {
    auto x = excess(f);
    if (!x) throw EvalFailure{x.error()};
    return *x;
  }

  int count = 0;

 private:
  const scenario::AccountState& a_;
  const margin::MarginModel& m_;
  const LiquidationPrice& lp_;
  std::map<double, double> cache_;
  scenario::AccountState work_;  // the account at the trial price (storage reused across trials)
};

Result<Crossing> make_crossing(Evaluator& ev, const scenario::AccountState& a, const LiquidationPrice& lp, double f) {
  GB_TRY(r, ev.result_at(f));
  Crossing c;
  c.factor = f;
  c.price_usd = lp.index_usd * f;
  c.distance_pct = (f - 1.0) * 100.0;
  c.distance_sd = distance_sd(c.price_usd, lp.index_usd, lp.vol, lp.horizon_years);
  const auto shifted = scenario::shifted(a, move_factors(lp, f));
  const Worst w = worst_pool(r, shifted);
  c.pool = w.pool;
  c.currency = w.currency;
  c.equity = w.equity;
  c.maintenance_margin = w.mm;
  c.excess_usd = r.min_excess_usd();
  const double tol = 1e-8 * std::max(std::abs(w.equity), std::abs(w.mm)) * w.usd_rate;
  c.jump = std::abs(c.excess_usd) > tol;
  return c;
}

// Nearest sign change of the excess in one direction; nullopt when none within the range.
Result<std::optional<Crossing>> search(Evaluator& ev, const scenario::AccountState& a, const LiquidationPrice& lp,
                                       const LiquidationPriceOptions& o, bool down, double g0) {
  try {
    double f_prev = 1.0, g_prev = g0, s = o.first_step;
    for (;;) {
      const double f = down ? std::max(1.0 / (1.0 + s), o.floor_factor) : std::min(1.0 + s, o.cap_factor);
      const double g = ev(f);
      if ((g_prev >= 0) != (g >= 0)) {
        double lo = down ? f : f_prev, hi = down ? f_prev : f;
        double glo = down ? g : g_prev, ghi = down ? g_prev : g;
        std::uintmax_t iters = 200;
        const auto tol = [](double x, double y) { return std::abs(y - x) <= 4 * DBL_EPSILON * std::min(std::abs(x), std::abs(y)); };
        const auto [x0, x1] = boost::math::tools::toms748_solve([&ev](double x) { return ev(x); }, lo, hi, glo, ghi, tol, iters);
        const double e0 = ev(x0), e1 = ev(x1);
        const double best = std::abs(e0) <= std::abs(e1) ? x0 : x1;
        GB_TRY(c, make_crossing(ev, a, lp, best));
        return std::optional<Crossing>(c);
      }
      if (f == (down ? o.floor_factor : o.cap_factor)) return std::optional<Crossing>();
      f_prev = f;
      g_prev = g;
      s *= 2.0;
    }
  } catch (const EvalFailure& e) {
    return tl::unexpected(e.error);
  } catch (const std::exception& e) {
    return make_error(fmt::format("account '{}': root search for the {} liquidation price of {} failed: {}", a.id,
                                  down ? "lower" : "upper", lp.underlying, e.what()));
  }
}

Result<bool> check_options(const scenario::AccountState& a, const LiquidationPriceOptions& o) {
  const auto bad = [&](const char* name, double v, const char* rule) {
    return make_error(fmt::format("account '{}': liquidation-price option {} = {} (must be {})", a.id, name, v, rule));
  };
  if (!(o.floor_factor > 0 && o.floor_factor < 1)) return bad("floor_factor", o.floor_factor, "in (0, 1)");
  if (!(o.cap_factor > 1 && std::isfinite(o.cap_factor))) return bad("cap_factor", o.cap_factor, "finite and > 1");
  if (!(o.first_step > 0 && o.first_step <= 1)) return bad("first_step", o.first_step, "in (0, 1]");
  if (!(o.horizon_years > 0 && std::isfinite(o.horizon_years))) return bad("horizon_years", o.horizon_years, "finite and > 0");
  if (o.vol && !(std::isfinite(*o.vol) && *o.vol > 0)) return bad("vol", *o.vol, "finite and > 0");
  for (const auto& [u, beta] : o.betas)
    if (!std::isfinite(beta)) return bad(("betas." + u).c_str(), beta, "finite");
  if (o.underlying.empty()) return make_error(fmt::format("account '{}': no underlying given for the liquidation price", a.id));
  return true;
}

}  // namespace

Result<LiquidationPrice> liquidation_price(const scenario::AccountState& a, const margin::MarginModel& model,
                                           const LiquidationPriceOptions& o) {
  GB_TRY(ok, check_options(a, o));
  (void)ok;
  LiquidationPrice lp;
  lp.account = a.id;
  lp.model = model.name();
  lp.underlying = o.underlying;
  lp.mode = o.mode;
  lp.horizon_years = o.horizon_years;
  lp.index_usd = index_price(a, o.underlying);
  if (!std::isfinite(lp.index_usd))
    return make_error(fmt::format("account '{}': no price for underlying '{}' (no position or collateral in it)", a.id,
                                  o.underlying));
  lp.betas[o.underlying] = 1.0;
  if (o.mode == MoveMode::Beta) {
    if (auto it = o.betas.find(o.underlying); it != o.betas.end() && it->second != 1.0)
      return make_error(fmt::format("account '{}': betas.{} = {}: the reference underlying's beta must be 1", a.id,
                                    o.underlying, it->second));
    for (const auto& u : account_underlyings(a)) lp.betas[u] = 1.0;
    for (const auto& [u, beta] : o.betas) lp.betas[u] = beta;
  }
  if (o.vol) {
    lp.vol = o.vol;
  } else if (auto it = a.atm_vol.find(o.underlying); it != a.atm_vol.end() && std::isfinite(it->second) && it->second > 0) {
    lp.vol = it->second;
  } else {
    lp.notes.push_back(fmt::format("no ATM vol for {}: no distance in standard deviations", o.underlying));
  }

  Evaluator ev(a, model, lp);
  GB_TRY(g0, ev.excess(1.0));
  lp.excess_usd = g0;
  lp.status = g0 >= 0 ? LiquidationStatus::AboveMaintenance : LiquidationStatus::BelowMaintenance;
  if (g0 == 0.0) {
    GB_TRY(c, make_crossing(ev, a, lp, 1.0));
    lp.below = lp.above = c;
    lp.notes.push_back("exactly at maintenance at the current price");
  } else {
    GB_TRY(below, search(ev, a, lp, o, true, g0));
    GB_TRY(above, search(ev, a, lp, o, false, g0));
    lp.below = below;
    lp.above = above;
  }
  const auto none = [&](double lo, double hi) {
    return fmt::format("none within [{:.6g}, {:.6g}] USD", lp.index_usd * lo, lp.index_usd * hi);
  };
  if (!lp.below) lp.below_note = none(o.floor_factor, 1.0);
  if (!lp.above) lp.above_note = none(1.0, o.cap_factor);
  for (const auto* c : {&lp.below, &lp.above})
    if (*c && (*c)->jump)
      lp.notes.push_back(fmt::format("the margin jumps at {} = {:.6g} USD (e.g. a tier boundary): the excess changes "
                                     "sign there without reaching 0",
                                     lp.underlying, (*c)->price_usd));
  if (lp.status == LiquidationStatus::BelowMaintenance)
    lp.notes.push_back("below maintenance at the current price: the crossings are where the account would be safe again");
  lp.evaluations = ev.count;
  return lp;
}

Result<std::vector<LiquidationPrice>> liquidation_prices(const scenario::AccountState& a, const margin::MarginModel& model,
                                                         double horizon_years) {
  std::vector<LiquidationPrice> out;
  for (const auto& u : account_underlyings(a)) {
    LiquidationPriceOptions o;
    o.underlying = u;
    o.horizon_years = horizon_years;
    GB_TRY(lp, liquidation_price(a, model, o));
    out.push_back(std::move(lp));
  }
  return out;
}

}  // namespace greekbook::liquidation
