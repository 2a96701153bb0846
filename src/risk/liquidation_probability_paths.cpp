// Building blocks of the liquidation probability: option validation, the Wilson interval, random
// streams and correlated increments (PathGenerator), the account revalued along a path
// (PathRevaluer), the account's USD delta and trade netting for hedges.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "greekbook/core/normal.hpp"
#include "greekbook/pricing/black76_batch.hpp"
#include "greekbook/pricing/option_type.hpp"
#include "greekbook/risk/liquidation_probability.hpp"

namespace greekbook::risk {
using instruments::Kind;

const char* to_string(PriceModel m) noexcept { return m == PriceModel::Gbm ? "gbm" : "student-t"; }

Result<PriceModel> parse_price_model(std::string_view name) {
  if (name == "gbm") return PriceModel::Gbm;
  if (name == "student-t") return PriceModel::StudentT;
  return make_error(fmt::format("--price-model '{}': expected gbm or student-t", name));
}

ProbabilityEstimate wilson_estimate(int successes, int trials, double confidence) {
  ProbabilityEstimate e;
  e.liquidated = successes;
  e.paths = trials;
  e.confidence = confidence;
  if (trials <= 0) return e;
  const double n = trials, p = successes / n;
  const double z = core::inverse_norm_cdf(0.5 * (1.0 + confidence));
  const double z2n = z * z / n;
  const double centre = (p + 0.5 * z2n) / (1.0 + z2n);
  const double half = z / (1.0 + z2n) * std::sqrt(p * (1.0 - p) / n + 0.25 * z2n / n);
  e.probability = p;
  e.low = std::max(0.0, centre - half);
  e.high = std::min(1.0, centre + half);
  if (successes == 0) e.low = 0.0;
  if (successes == trials) e.high = 1.0;
  e.std_error = std::sqrt(p * (1.0 - p) / n);
  return e;
}

Result<bool> validate(const LiquidationProbabilityOptions& o) {
  const auto bad = [](std::string_view option, auto value, std::string_view rule) {
    return make_error(fmt::format("{} {}: {}", option, value, rule));
  };
  if (!(o.horizon_days > 0) || !std::isfinite(o.horizon_days))
    return bad("--horizon-days", o.horizon_days, "must be a finite number of days > 0");
  if (o.steps_per_day < 1) return bad("--steps-per-day", o.steps_per_day, "must be >= 1");
  if (o.horizon_days * o.steps_per_day > 1e6)
    return bad("--steps-per-day", o.steps_per_day, fmt::format("gives more than 1,000,000 steps over {} days", o.horizon_days));
  if (o.paths < 1) return bad("--paths", o.paths, "must be >= 1");
  if (o.paths > 10'000'000) return bad("--paths", o.paths, "at most 10,000,000 (one outcome per path is kept)");
  if (!(o.target > 0 && o.target < 1)) return bad("--target", o.target, "must be a probability in (0, 1)");
  if (o.vol && !(*o.vol > 0 && std::isfinite(*o.vol))) return bad("--vol", *o.vol, "must be an annualised vol > 0");
  for (const auto& [u, v] : o.vols)
    if (!(v > 0 && std::isfinite(v))) return bad(fmt::format("vol of {}", u), v, "must be an annualised vol > 0");
  if (!(o.correlation >= -1 && o.correlation <= 1)) return bad("--correlation", o.correlation, "must be in [-1, 1]");
  for (const auto& [pair, c] : o.correlations)
    if (!(c >= -1 && c <= 1))
      return bad(fmt::format("correlation {}/{}", pair.first, pair.second), c, "must be in [-1, 1]");
  if (o.price_model == PriceModel::StudentT && !(o.student_dof > 2 && std::isfinite(o.student_dof)))
    return bad("--dof", o.student_dof, "Student-t degrees of freedom must be > 2 (finite variance)");
  if (o.log_drift_per_year && !std::isfinite(*o.log_drift_per_year))
    return bad("log drift per year", *o.log_drift_per_year, "must be finite");
  if (!(o.confidence > 0 && o.confidence < 1)) return bad("confidence", o.confidence, "must be in (0, 1)");
  for (const double q : o.quantiles)
    if (!(q >= 0 && q <= 1)) return bad("quantile", q, "must be in [0, 1]");
  if (!(o.collateral_rel_tol > 0 && o.collateral_rel_tol < 1))
    return bad("collateral tolerance", o.collateral_rel_tol, "must be in (0, 1)");
  return true;
}

// ---- PathGenerator ----

namespace {
std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
}  // namespace

Result<PathGenerator> PathGenerator::make(std::vector<double> vols, std::vector<double> log_drifts,
                                          std::span<const double> correlation, PriceModel model, double dof,
                                          double dt_years) {
  const std::size_t n = vols.size();
  if (log_drifts.size() != n || correlation.size() != n * n)
    return make_error(fmt::format("path generator: {} vols, {} drifts and a correlation matrix of {} entries",
                                  n, log_drifts.size(), correlation.size()));
  if (!(dt_years > 0) || !std::isfinite(dt_years)) return make_error(fmt::format("path generator: time step {} years", dt_years));
  if (model == PriceModel::StudentT && !(dof > 2.0 && std::isfinite(dof)))
    return make_error(fmt::format("--dof {}: Student-t degrees of freedom must be > 2 (finite variance)", dof));
  PathGenerator g;
  // Cholesky factor L (lower, row-major) of a positive semi-definite matrix: zero pivots (perfect
  // correlation) are allowed, negative ones are errors.
  g.chol_.assign(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double s = correlation[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= g.chol_[i * n + k] * g.chol_[j * n + k];
      if (i == j) {
        if (s < -1e-10)
          return make_error(fmt::format("correlation matrix is not positive semi-definite (pivot {} of underlying {})",
                                        s, i));
        g.chol_[i * n + i] = std::sqrt(std::max(s, 0.0));
      } else {
        const double d = g.chol_[j * n + j];
        if (d <= 1e-12 && std::abs(s) > 1e-10)  // a zero pivot needs a zero residual (else not PSD)
          return make_error(fmt::format("correlation matrix is not positive semi-definite (underlyings {} and {})", j, i));
        g.chol_[i * n + j] = d > 1e-12 ? s / d : 0.0;
      }
    }
  }
  g.vols_ = std::move(vols);
  g.drifts_ = std::move(log_drifts);
  g.model_ = model;
  g.dof_ = dof;
  g.dt_ = dt_years;
  g.sqrt_dt_ = std::sqrt(dt_years);
  g.z_.assign(n, 0.0);
  return g;
}

void PathGenerator::start(std::uint64_t seed, std::uint64_t path) noexcept {
  std::uint64_t x = seed;
  const std::uint64_t a = splitmix64(x);
  x = a ^ (path * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL);
  for (auto& s : s_) s = splitmix64(x);
}

double PathGenerator::uniform() noexcept {
  // xoshiro256** (Blackman & Vigna); 53 random bits, centred in (0, 1): never 0 or 1.
  const std::uint64_t r = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return (static_cast<double>(r >> 11) + 0.5) * 0x1.0p-53;
}

double PathGenerator::normal() noexcept { return core::inverse_norm_cdf(uniform()); }

double PathGenerator::chi2() noexcept {
  // chi²(nu) = 2 Gamma(nu/2, 1); Marsaglia & Tsang (2000) for shape a = nu/2 > 1.
  const double a = 0.5 * dof_, d = a - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return 2.0 * d * v;
  }
}

void PathGenerator::step(std::span<double> log_price) noexcept {
  const std::size_t n = vols_.size();
  for (std::size_t i = 0; i < n; ++i) z_[i] = normal();
  const double scale = model_ == PriceModel::StudentT ? std::sqrt((dof_ - 2.0) / chi2()) : 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    double x = 0.0;
    for (std::size_t k = 0; k <= i; ++k) x += chol_[i * n + k] * z_[k];
    log_price[i] += drifts_[i] * dt_ + vols_[i] * sqrt_dt_ * scale * x;
  }
}

// ---- PathRevaluer ----

PathRevaluer::PathRevaluer(const scenario::AccountState& base, const std::vector<std::string>& underlyings,
                           bool time_decay)
    : base_(&base), state_(base), time_decay_(time_decay) {
  const auto index_of = [&](const std::string& u) -> int {
    const auto it = std::find(underlyings.begin(), underlyings.end(), u);
    return it == underlyings.end() ? -1 : static_cast<int>(it - underlyings.begin());
  };
  pos_u_.resize(base.positions.size());
  settled_.assign(base.positions.size(), 0);
  for (std::size_t i = 0; i < base.positions.size(); ++i) {
    pos_u_[i] = index_of(base.positions[i].instrument.underlying);
    if (base.positions[i].is_option()) opt_rows_.push_back(i);
  }
  for (auto& [ccy, rate] : state_.usd_rates) {
    const int u = index_of(ccy);
    if (u < 0) continue;
    rate_u_.emplace_back(&rate, u);
    rate_base_.push_back(rate);
  }
  for (auto* v : {&type_, &strike_, &vol_, &fwd_, &T_, &price_, &delta_}) v->reserve(opt_rows_.size());
}

void PathRevaluer::reset() {
  if (!dirty_) return;
  for (std::size_t i = 0; i < state_.positions.size(); ++i) {
    state_.positions[i].quantity = base_->positions[i].quantity;
    state_.positions[i].isolated_margin = base_->positions[i].isolated_margin;
  }
  state_.collateral = base_->collateral;
  std::fill(settled_.begin(), settled_.end(), 0);
  dirty_ = false;
}

void PathRevaluer::settle(std::size_t i) {
  scenario::PositionState& p = state_.positions[i];
  if (p.is_option()) {
    const double w = pricing::sign(p.instrument.right);
    const double intrinsic = std::max(w * (p.forward - p.instrument.strike), 0.0);
    p.mark = p.instrument.inverse ? intrinsic / p.forward : intrinsic;
    p.delta = 0.0;
  } else {
    p.mark = p.spot;  // a future settles at the index
  }
  const double value = p.quantity * p.unit_equity();
  if (p.isolated_margin)
    *p.isolated_margin += value;
  else
    state_.collateral[p.instrument.settlement_currency] += value;
  p.quantity = 0.0;
  p.expiry_years = 0.0;
  settled_[i] = 1;
  dirty_ = true;
}

const scenario::AccountState& PathRevaluer::at(std::span<const double> factors, double elapsed_years) {
  const scenario::AccountState& base = *base_;
  state_.valuation_ms = base.valuation_ms + static_cast<std::int64_t>(std::llround(elapsed_years * 365.0 * 86400e3));
  for (std::size_t k = 0; k < rate_u_.size(); ++k) *rate_u_[k].first = rate_base_[k] * factors[rate_u_[k].second];
  const double t = time_decay_ ? elapsed_years : 0.0;
  for (std::size_t i = 0; i < base.positions.size(); ++i) {
    if (settled_[i]) continue;
    const scenario::PositionState& b = base.positions[i];
    scenario::PositionState& p = state_.positions[i];
    const double f = pos_u_[i] < 0 ? 1.0 : factors[pos_u_[i]];
    p.spot = b.spot * f;
    p.forward = b.forward * f;
    if (b.is_option()) {
      p.expiry_years = b.expiry_years > 0.0 ? b.expiry_years - t : b.expiry_years;
      if (b.expiry_years > 0.0 && p.expiry_years <= 0.0) settle(i);
    } else {
      p.mark = b.instrument.kind == Kind::Spot ? p.spot : b.mark * f;
      if (b.instrument.kind == Kind::Future && b.expiry_years > 0.0) {
        p.expiry_years = std::max(b.expiry_years - t, 0.0);
        if (b.expiry_years - t <= 0.0) settle(i);
      }
    }
  }
  type_.clear(), strike_.clear(), vol_.clear(), fwd_.clear(), T_.clear();
  for (const std::size_t i : opt_rows_) {
    if (settled_[i]) continue;
    const scenario::PositionState& p = state_.positions[i];
    type_.push_back(pricing::sign(p.instrument.right));
    strike_.push_back(p.instrument.strike);
    vol_.push_back(p.vol);
    fwd_.push_back(p.forward);
    T_.push_back(p.expiry_years);
  }
  if (type_.empty()) return state_;
  price_.resize(type_.size());
  delta_.resize(type_.size());
  pricing::black76_batch({type_, fwd_, strike_, T_, vol_, {}}, {price_, delta_, {}, {}, {}, {}, {}, {}});
  std::size_t j = 0;
  for (const std::size_t i : opt_rows_) {
    if (settled_[i]) continue;
    scenario::PositionState& p = state_.positions[i];
    p.mark = p.instrument.inverse ? price_[j] / p.forward : price_[j];
    p.delta = delta_[j];
    ++j;
  }
  return state_;
}

// ---- delta and trades ----

namespace {
double equity_usd(const scenario::AccountState& a) {
  std::map<std::string, double> balance(a.collateral.begin(), a.collateral.end());
  for (const auto& p : a.positions) {
    balance[p.instrument.settlement_currency] += p.quantity * p.unit_equity();
    if (p.isolated_margin) balance[p.instrument.settlement_currency] += *p.isolated_margin;
  }
  double usd = 0.0;
  for (const auto& [ccy, amount] : balance)
    if (amount != 0.0) usd += amount * a.usd_rate(ccy);
  return usd;
}
}  // namespace

std::map<std::string, double> usd_delta(const scenario::AccountState& account,
                                        const std::vector<std::string>& underlyings) {
  std::map<std::string, double> out;
  constexpr double h = 1e-4;
  PathRevaluer rev(account, underlyings, false);
  std::vector<double> f(underlyings.size(), 1.0);
  for (std::size_t u = 0; u < underlyings.size(); ++u) {
    double spot = std::numeric_limits<double>::quiet_NaN();
    for (const auto& p : account.positions)
      if (p.instrument.underlying == underlyings[u]) spot = p.spot;
    if (std::isnan(spot)) spot = account.usd_rate(underlyings[u]);
    f[u] = 1.0 + h;
    const double up = equity_usd(rev.at(f, 0.0));
    f[u] = 1.0 - h;
    const double down = equity_usd(rev.at(f, 0.0));
    f[u] = 1.0;
    out[underlyings[u]] = std::isfinite(spot) && spot > 0 ? (up - down) / (2.0 * h * spot) : 0.0;
  }
  return out;
}

void add_trade(scenario::AccountState& account, const scenario::PositionState& trade) {
  const bool nets = trade.instrument.kind == Kind::Perpetual || trade.instrument.kind == Kind::Future;
  scenario::PositionState* p = nullptr;
  if (nets)  // the position in the same instrument, a cross one first (a venue keeps one per instrument)
    for (auto& x : account.positions)
      if (x.instrument.name == trade.instrument.name && x.instrument.venue == trade.instrument.venue &&
          !std::isnan(x.entry) && (!p || (p->isolated_margin && !x.isolated_margin)))
        p = &x;
  if (!p) {
    account.positions.push_back(trade);
    return;
  }
  const double q = p->quantity, dq = trade.quantity, price = trade.entry;
  if (q * dq >= 0.0) {  // increase: average entry (harmonic for inverse contracts)
    p->entry = p->instrument.inverse ? (q + dq) / (q / p->entry + dq / price) : (q * p->entry + dq * price) / (q + dq);
    p->quantity = q + dq;
    return;
  }
  const double closed = std::abs(dq) >= std::abs(q) ? q : -dq;  // part of the position closed
  const double realised = closed * (p->instrument.inverse ? 1.0 / p->entry - 1.0 / price : price - p->entry);
  if (p->isolated_margin)
    *p->isolated_margin += realised;  // stays in the position's pool
  else
    account.collateral[p->instrument.settlement_currency] += realised;
  p->quantity = q - closed;
  if (std::abs(dq) > std::abs(q)) {  // flipped: the rest opens at the trade price
    p->quantity = q + dq;
    p->entry = price;
  }
}

}  // namespace greekbook::risk
