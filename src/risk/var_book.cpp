#include "greekbook/risk/var_book.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "greekbook/pricing/black76_batch.hpp"

namespace greekbook::risk {
namespace {
using instruments::Kind;

constexpr std::size_t kGroupOptions = 512;    // options per task
constexpr std::size_t kTaskScenarios = 2048;  // scenarios per task
constexpr std::size_t kBlockScenarios = 256;  // scenarios per pricer call
constexpr std::size_t kBatch = 2048;          // options x scenarios per pricer call (6 arrays stay in L1/L2)

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }
}  // namespace

ScenarioSet ScenarioSet::select(std::span<const std::size_t> which) const {
  ScenarioSet out(factors, which.size());
  for (std::size_t u = 0; u < factors; ++u)
    for (std::size_t j = 0; j < which.size(); ++j) {
      out.spot_at(u, j) = spot_at(u, which[j]);
      out.vol_at(u, j) = vol_at(u, which[j]);
    }
  return out;
}

std::size_t VarBook::add_factor(const std::string& underlying) {
  for (std::size_t u = 0; u < underlyings_.size(); ++u)
    if (underlyings_[u] == underlying) return u;
  underlyings_.push_back(underlying);
  return underlyings_.size() - 1;
}

std::size_t VarBook::factor_of(const std::string& underlying) const noexcept {
  for (std::size_t u = 0; u < underlyings_.size(); ++u)
    if (underlyings_[u] == underlying) return u;
  return static_cast<std::size_t>(-1);
}

void VarBook::add_linear(std::string account, std::string instrument, const std::string& underlying, double quantity,
                         double exposure_usd, double value_usd) {
  const std::size_t u = add_factor(underlying);
  positions_.push_back(VarPosition{std::move(account), std::move(instrument), quantity, u, false, value_usd, exposure_usd});
  linear_.push_back(exposure_usd);
  final_ = false;
}

void VarBook::add_option(std::string account, std::string instrument, const std::string& underlying, double quantity,
                         pricing::OptionType right, double forward, double strike, double expiry_years, double vol,
                         double scale) {
  const std::size_t u = add_factor(underlying);
  opt_pos_.push_back(positions_.size());
  opt_factor_.push_back(u);
  opt_type_.push_back(pricing::sign(right));
  opt_fwd_.push_back(forward);
  opt_strike_.push_back(strike);
  opt_T_.push_back(std::max(expiry_years, 0.0));
  opt_vol_.push_back(vol);
  opt_scale_.push_back(scale);
  positions_.push_back(VarPosition{std::move(account), std::move(instrument), quantity, u, true, 0.0, 0.0});
  linear_.push_back(0.0);
  final_ = false;
}

void VarBook::finalise() {
  const std::size_t U = underlyings_.size(), O = opt_pos_.size();
  lin_u_.assign(U, 0.0);
  delta_u_.assign(U, 0.0);
  gamma_u_.assign(U, 0.0);
  vega_u_.assign(U, 0.0);
  theta_year_ = 0.0;
  for (std::size_t i = 0; i < positions_.size(); ++i)
    if (!positions_[i].option) lin_u_[positions_[i].factor] += linear_[i];
  opt_price_.assign(O, 0.0);
  std::vector<double> delta(O), gamma(O), vega(O), theta(O);
  pricing::black76_batch({opt_type_, opt_fwd_, opt_strike_, opt_T_, opt_vol_, {}},
                         {opt_price_, delta, gamma, vega, theta, {}, {}, {}});
  for (std::size_t o = 0; o < O; ++o) {
    const double c = opt_scale_[o], F = opt_fwd_[o];
    const std::size_t u = opt_factor_[o];
    delta_u_[u] += c * F * delta[o];
    gamma_u_[u] += 0.5 * c * F * F * gamma[o];
    vega_u_[u] += c * opt_vol_[o] * vega[o];
    theta_year_ += c * theta[o];
    VarPosition& p = positions_[opt_pos_[o]];
    p.value_usd = c * opt_price_[o];
    p.delta_usd = c * F * delta[o];
  }
  final_ = true;
}

double VarBook::value_usd() const noexcept {
  double v = 0.0;
  for (const auto& p : positions_) v += p.value_usd;
  return v;
}

Result<VarBook> VarBook::build(std::span<const scenario::AccountState> accounts) {
  VarBook b;
  for (const auto& a : accounts) {
    if (!a.errors.empty())
      return make_error(fmt::format("account {}: {} (VaR revalues every position: fix the book or the market)", a.id,
                                    a.errors.front()));
    for (const auto& p : a.positions) {
      const auto& in = p.instrument;
      const std::string& u = in.underlying;
      if (!std::isfinite(p.spot) || !(p.spot > 0))
        return make_error(fmt::format("account {}, {}: no index price for {}", a.id, in.name, u));
      if (in.kind == Kind::Option) {
        double scale = 0.0;
        if (in.inverse) {
          scale = p.quantity * p.spot / p.forward;
        } else {
          const double rate = a.usd_rate(in.settlement_currency);
          if (!std::isfinite(rate))
            return make_error(fmt::format("account {}, {}: no USD rate for its settlement currency {}", a.id, in.name,
                                          in.settlement_currency));
          scale = p.quantity * rate;
        }
        b.add_option(a.id, in.name, u, p.quantity, in.right, p.forward, in.strike, p.expiry_years, p.vol, scale);
        continue;
      }
      double exposure = 0.0, value = 0.0;
      if (in.kind == Kind::Spot) {
        exposure = value = p.quantity * p.spot;
      } else if (in.inverse) {
        const double entry = std::isfinite(p.entry) ? p.entry : p.mark;
        exposure = p.quantity * p.spot / entry;
        value = std::isfinite(p.entry) ? p.quantity * (1.0 / p.entry - 1.0 / p.mark) * p.spot : 0.0;
      } else {
        const double rate = a.usd_rate(in.settlement_currency);
        if (!std::isfinite(rate))
          return make_error(fmt::format("account {}, {}: no USD rate for its settlement currency {}", a.id, in.name,
                                        in.settlement_currency));
        exposure = p.quantity * p.mark * rate;
        value = std::isfinite(p.entry) ? p.quantity * (p.mark - p.entry) * rate : 0.0;
      }
      b.add_linear(a.id, in.name, u, p.quantity, exposure, value);
    }
    for (const auto& [ccy, balance] : a.collateral) {
      if (scenario::is_stablecoin(ccy) || balance == 0.0) continue;
      const double rate = a.usd_rate(ccy);
      if (!std::isfinite(rate))
        return make_error(fmt::format("account {}: collateral {}: no USD price for {} in the market", a.id, ccy, ccy));
      b.add_linear(a.id, "collateral " + ccy, ccy, balance, balance * rate, balance * rate);
    }
  }
  b.finalise();
  return b;
}

void VarBook::price_options(std::size_t o0, std::size_t o1, std::size_t s0, std::size_t m, const ScenarioSet& sc,
                            double horizon_years, double* acc, double* per_option) const {
  // Options in sub-chunks of K; for each, the terms that do not move (type, strike, expiry) are laid out
  // once and the scenario blocks of kBlockScenarios stream through the forward and vol arrays.
  const std::size_t B = std::min(m, kBlockScenarios);
  const std::size_t K = std::max<std::size_t>(1, kBatch / B);
  const std::size_t cap = std::min(K, o1 - o0) * B;
  std::vector<double> type(cap), fwd(cap), strike(cap), T(cap), vol(cap), price(cap);
  for (std::size_t a = o0; a < o1; a += K) {
    const std::size_t kn = std::min(K, o1 - a);
    std::size_t laid_out = 0;  // block length the constant arrays are laid out for
    for (std::size_t b0 = 0; b0 < m; b0 += B) {
      const std::size_t mb = std::min(B, m - b0);
      if (mb != laid_out) {
        for (std::size_t k = 0; k < kn; ++k) {
          const std::size_t o = a + k;
          std::fill_n(type.data() + k * mb, mb, opt_type_[o]);
          std::fill_n(strike.data() + k * mb, mb, opt_strike_[o]);
          std::fill_n(T.data() + k * mb, mb, std::max(opt_T_[o] - horizon_years, 0.0));
        }
        laid_out = mb;
      }
      for (std::size_t k = 0; k < kn; ++k) {
        const std::size_t o = a + k, u = opt_factor_[o];
        const double* __restrict fs = sc.spot.data() + u * sc.n + s0 + b0;
        const double* __restrict gs = sc.vol.data() + u * sc.n + s0 + b0;
        double* __restrict pf = fwd.data() + k * mb;
        double* __restrict pv = vol.data() + k * mb;
        const double F = opt_fwd_[o], v = opt_vol_[o];
        for (std::size_t s = 0; s < mb; ++s) {
          pf[s] = F * fs[s];
          pv[s] = v * gs[s];
        }
      }
      const std::size_t len = kn * mb;
      pricing::black76_batch({{type.data(), len}, {fwd.data(), len}, {strike.data(), len}, {T.data(), len},
                              {vol.data(), len}, {}},
                             {{price.data(), len}, {}, {}, {}, {}, {}, {}, {}});
      for (std::size_t k = 0; k < kn; ++k) {
        const std::size_t o = a + k;
        const double c = opt_scale_[o], p0 = opt_price_[o];
        const double* __restrict p = price.data() + k * mb;
        if (acc) {
          double* __restrict out = acc + b0;
          for (std::size_t s = 0; s < mb; ++s) out[s] += c * (p[s] - p0);
        }
        if (per_option) {
          double sum = 0.0;
          for (std::size_t s = 0; s < mb; ++s) sum += p[s] - p0;
          per_option[o - o0] += c * sum;
        }
      }
    }
  }
}

void VarBook::revalue(const ScenarioSet& sc, double horizon_days, std::span<double> pnl) const {
  const std::size_t n = sc.n, O = opt_pos_.size();
  const double h = horizon_days / 365.0;
  for (std::size_t s = 0; s < n; ++s) pnl[s] = 0.0;
  for (std::size_t u = 0; u < sc.factors && u < lin_u_.size(); ++u) {
    const double a = lin_u_[u];
    if (a == 0.0) continue;
    const double* f = sc.spot.data() + u * n;
    for (std::size_t s = 0; s < n; ++s) pnl[s] += a * (f[s] - 1.0);
  }
  if (O == 0 || n == 0) return;
  const std::size_t G = ceil_div(O, kGroupOptions), B = ceil_div(n, kTaskScenarios);
  std::vector<double> partial(G * n, 0.0);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, G * B), [&](const tbb::blocked_range<std::size_t>& r) {
    for (std::size_t t = r.begin(); t != r.end(); ++t) {
      const std::size_t g = t / B, b = t % B;
      const std::size_t o0 = g * kGroupOptions, o1 = std::min(O, o0 + kGroupOptions);
      const std::size_t s0 = b * kTaskScenarios, m = std::min(n, s0 + kTaskScenarios) - s0;
      price_options(o0, o1, s0, m, sc, h, partial.data() + g * n + s0, nullptr);
    }
  });
  for (std::size_t g = 0; g < G; ++g) {
    const double* p = partial.data() + g * n;
    for (std::size_t s = 0; s < n; ++s) pnl[s] += p[s];
  }
}

void VarBook::approximate(const ScenarioSet& sc, double horizon_days, std::span<double> pnl) const {
  const std::size_t n = sc.n;
  const double theta = theta_year_ * horizon_days / 365.0;
  for (std::size_t s = 0; s < n; ++s) pnl[s] = theta;
  for (std::size_t u = 0; u < sc.factors && u < lin_u_.size(); ++u) {
    const double a = lin_u_[u] + delta_u_[u], g = gamma_u_[u], v = vega_u_[u];
    const double* f = sc.spot.data() + u * n;
    const double* w = sc.vol.data() + u * n;
    for (std::size_t s = 0; s < n; ++s) {
      const double x = f[s] - 1.0;
      pnl[s] += a * x + g * x * x + v * (w[s] - 1.0);
    }
  }
}

void VarBook::position_sums(const ScenarioSet& sc, double horizon_days, std::span<double> sums) const {
  const std::size_t n = sc.n, O = opt_pos_.size();
  for (std::size_t i = 0; i < positions_.size(); ++i) {
    sums[i] = 0.0;
    if (positions_[i].option) continue;
    const double* f = sc.spot.data() + positions_[i].factor * n;
    double acc = 0.0;
    for (std::size_t s = 0; s < n; ++s) acc += f[s] - 1.0;
    sums[i] = linear_[i] * acc;
  }
  if (O == 0 || n == 0) return;
  const double h = horizon_days / 365.0;
  std::vector<double> per_option(O, 0.0);
  const std::size_t G = ceil_div(O, kGroupOptions);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, G), [&](const tbb::blocked_range<std::size_t>& r) {
    for (std::size_t g = r.begin(); g != r.end(); ++g) {
      const std::size_t o0 = g * kGroupOptions, o1 = std::min(O, o0 + kGroupOptions);
      price_options(o0, o1, 0, n, sc, h, nullptr, per_option.data() + o0);
    }
  });
  for (std::size_t o = 0; o < O; ++o) sums[opt_pos_[o]] = per_option[o];
}

}  // namespace greekbook::risk
