#include "greekbook/pricing/implied_vol.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

#include "greekbook/core/normal.hpp"
#include "greekbook/pricing/normalised_black.hpp"
#include "pricing/implied_vol_kernel.hpp"
#include "pricing/rational_cubic.hpp"

namespace greekbook::pricing {
namespace {
using core::inverse_norm_cdf;
using core::norm_cdf;
using core::norm_pdf;
using detail::rational_cubic_control_fit_left;
using detail::rational_cubic_control_fit_right;
using detail::rational_cubic_interpolation;

constexpr double kPi = 3.14159265358979323846;
constexpr double kSqrtThree = 1.73205080756887729353;
constexpr double kOneOverSqrtThree = 0.57735026918962576451;
constexpr double kTwoPiOverSqrt27 = 1.20919957615614523;  // 2 pi / sqrt(27)
constexpr double kSqrtPiOverTwo = 1.25331413731550025121;
constexpr double kSqrtDblMax = 1.3407807929942596e154;
constexpr int kMaxIterations = 8;
// Householder steps of order 3 converge quartically: once a step is below 1e-5 relative, the
// remaining error is ~1e-20 relative and another step would change nothing (checked on the
// 1M-point grid of tests/pricing/implied_vol_test.cpp: max error 6e-13 relative to max(1, sigma)).
constexpr double kLastStep = 1e-5;

bool below_horizon(double x) { return std::fabs(x) < DBL_MIN; }
double square(double x) { return x * x; }

double householder_factor(double newton, double halley, double hh3) {
  return (1 + 0.5 * halley * newton) / (1 + newton * (halley + hh3 * newton / 6));
}

// Lower map f(beta) = 2 pi |x| / sqrt(27) * N(-z)^3, z = |x| / (sqrt3 s), and its beta-derivatives.
void f_lower_map(double x, double s, double& f, double& fp, double& fpp) {
  const double ax = std::fabs(x), z = kOneOverSqrtThree * ax / s, y = z * z, s2 = s * s;
  const double Phi = norm_cdf(-z), phi = norm_pdf(z);
  fpp = kPi / 6 * y / (s2 * s) * Phi *
        (8 * kSqrtThree * s * ax + (3 * s2 * (s2 - 8) - 8 * x * x) * Phi / phi) *
        std::exp(2 * y + 0.25 * s2);
  if (below_horizon(s)) {
    fp = 1;
    f = 0;
  } else {
    const double Phi2 = Phi * Phi;
    fp = 2 * kPi * y * Phi2 * std::exp(y + 0.125 * s * s);
    f = below_horizon(x) ? 0 : kTwoPiOverSqrt27 * ax * (Phi2 * Phi);
  }
}

double inverse_f_lower_map(double x, double f) {
  if (below_horizon(f)) return 0;
  return std::fabs(x / (kSqrtThree * inverse_norm_cdf(std::cbrt(f / (kTwoPiOverSqrt27 * std::fabs(x))))));
}

// Upper map f(beta) = N(-s/2) and its beta-derivatives.
void f_upper_map(double x, double s, double& f, double& fp, double& fpp) {
  f = norm_cdf(-0.5 * s);
  if (below_horizon(x)) {
    fp = -0.5;
    fpp = 0;
  } else {
    const double w = square(x / s);
    fp = -0.5 * std::exp(0.5 * w);
    fpp = kSqrtPiOverTwo * std::exp(w + 0.125 * s * s) * w / s;
  }
}

double inverse_f_upper_map(double f) { return -2.0 * inverse_norm_cdf(f); }

// Safeguarded iteration state shared by the three objectives: keeps a bracket and falls back to
// bisection when a step leaves it or the iteration oscillates.
struct Bracket {
  double left = DBL_MIN, right = DBL_MAX;
  int reversals = 0;
  double ds_previous = 0;

  // Returns true to stop (bracket collapsed).
  bool guard(int iteration, double& s, double& ds) {
    if (ds * ds_previous < 0) ++reversals;
    if (iteration > 0 && (reversals == 3 || !(s > left && s < right))) {
      s = 0.5 * (left + right);
      if (right - left <= DBL_EPSILON * s) return true;
      reversals = 0;
      ds = 0;
    }
    ds_previous = ds;
    return false;
  }
  void update(double b, double beta, double s) {
    if (b > beta && s < right)
      right = s;
    else if (b < beta && s > left)
      left = s;
  }
};

}  // namespace

const char* to_string(IvStatus s) noexcept {
  switch (s) {
    case IvStatus::Ok: return "";
    case IvStatus::NonFiniteInput: return "non-finite input";
    case IvStatus::BadForward: return "forward must be positive";
    case IvStatus::BadStrike: return "strike must be positive";
    case IvStatus::BadExpiry: return "expiry_years must be positive (no time value to invert)";
    case IvStatus::BadRate: return "rate must be in [-1, 1]";
    case IvStatus::BelowIntrinsic: return "price below discounted intrinsic value";
    case IvStatus::AboveMaximum: return "price at or above the no-arbitrage upper bound";
    case IvStatus::NoConvergence: return "implied volatility solver did not converge";
  }
  return "unknown";
}

double normalised_implied_vol(double beta, double x, double q) noexcept {
  // Subtract the intrinsic value (in the money -> out of the money), then map puts to calls.
  if (q * x > 0) {
    beta = std::fabs(std::max(beta - normalised_intrinsic(x, q), 0.0));
    q = -q;
  }
  if (q < 0) x = -x;  // now an out-of-the-money call: x <= 0
  if (beta <= 0) return 0;
  const double b_max = std::exp(0.5 * x);
  if (beta >= b_max) return std::numeric_limits<double>::quiet_NaN();

  double s = 0, ds = -DBL_MAX;
  Bracket br;
  int it = 0;
  const double s_c = std::sqrt(std::fabs(2 * x));
  double v_c;
  const double b_c = normalised_black_call(x, s_c, &v_c);

  if (beta < b_c) {
    const double s_l = s_c - b_c / v_c;
    double v_l;  // shares the exponential with b_l
    const double b_l = normalised_black_call(x, s_l, &v_l);
    if (beta < b_l) {
      double f_l, fp_l, fpp_l;
      f_lower_map(x, s_l, f_l, fp_l, fpp_l);
      const double r_ll = rational_cubic_control_fit_right(0., b_l, 0., f_l, 1., fp_l, fpp_l, true);
      double f = rational_cubic_interpolation(beta, 0., b_l, 0., f_l, 1., fp_l, r_ll);
      if (!(f > 0)) {
        const double t = beta / b_l;
        f = (f_l * t + b_l * (1 - t)) * t;
      }
      s = inverse_f_lower_map(x, f);
      br.right = s_l;
      // Objective ln(1/b(s)) - ln(1/beta): linear-ish in the lower wing.
      for (; it < kMaxIterations && std::fabs(ds) > DBL_EPSILON * s; ++it) {
        if (br.guard(it, s, ds)) break;
        double bp;
        const double b = normalised_black_call(x, s, &bp);
        br.update(b, beta, s);
        if (b <= 0 || bp <= 0) {
          ds = 0.5 * (br.left + br.right) - s;
        } else {
          const double ln_b = std::log(b), ln_beta = std::log(beta), bpob = bp / b;
          const double h = x / s, b_halley = h * h / s - s / 4;
          const double newton = (ln_beta - ln_b) * ln_b / ln_beta / bpob;
          const double halley = b_halley - bpob * (1 + 2 / ln_b);
          const double b_hh3 = b_halley * b_halley - 3 * square(h / s) - 0.25;
          const double hh3 = b_hh3 + 2 * square(bpob) * (1 + 3 / ln_b * (1 + 1 / ln_b)) -
                             3 * b_halley * bpob * (1 + 2 / ln_b);
          ds = newton * householder_factor(newton, halley, hh3);
        }
        ds = std::max(-0.5 * s, ds);
        s += ds;
        if (std::fabs(ds) <= kLastStep * s) break;
      }
      return s;
    }
    const double r = rational_cubic_control_fit_right(b_l, b_c, s_l, s_c, 1 / v_l, 1 / v_c, 0.0, false);
    s = rational_cubic_interpolation(beta, b_l, b_c, s_l, s_c, 1 / v_l, 1 / v_c, r);
    br.left = s_l;
    br.right = s_c;
  } else {
    const double s_h = v_c > DBL_MIN ? s_c + (b_max - b_c) / v_c : s_c;
    double v_h;  // shares the exponential with b_h
    const double b_h = normalised_black_call(x, s_h, &v_h);
    if (beta <= b_h) {
      const double r = rational_cubic_control_fit_left(b_c, b_h, s_c, s_h, 1 / v_c, 1 / v_h, 0.0, false);
      s = rational_cubic_interpolation(beta, b_c, b_h, s_c, s_h, 1 / v_c, 1 / v_h, r);
      br.left = s_c;
      br.right = s_h;
    } else {
      double f_h, fp_h, fpp_h, f = 0;
      f_upper_map(x, s_h, f_h, fp_h, fpp_h);
      if (fpp_h > -kSqrtDblMax && fpp_h < kSqrtDblMax) {
        const double r = rational_cubic_control_fit_left(b_h, b_max, f_h, 0., fp_h, -0.5, fpp_h, true);
        f = rational_cubic_interpolation(beta, b_h, b_max, f_h, 0., fp_h, -0.5, r);
      }
      if (f <= 0) {
        const double h = b_max - b_h, t = (beta - b_h) / h;
        f = (f_h * (1 - t) + 0.5 * h * t) * (1 - t);
      }
      s = inverse_f_upper_map(f);
      br.left = s_h;
      if (beta > 0.5 * b_max) {
        // Objective ln((b_max - beta)/(b_max - b(s))): well conditioned near the upper bound.
        for (; it < kMaxIterations && std::fabs(ds) > DBL_EPSILON * s; ++it) {
          if (br.guard(it, s, ds)) break;
          double bp;
        const double b = normalised_black_call(x, s, &bp);
          br.update(b, beta, s);
          if (b >= b_max || bp <= DBL_MIN) {
            ds = 0.5 * (br.left + br.right) - s;
          } else {
            const double b_max_minus_b = b_max - b;
            const double g = std::log((b_max - beta) / b_max_minus_b), gp = bp / b_max_minus_b;
            const double b_halley = square(x / s) / s - s / 4;
            const double b_hh3 = b_halley * b_halley - 3 * square(x / (s * s)) - 0.25;
            const double newton = -g / gp, halley = b_halley + gp;
            const double hh3 = b_hh3 + gp * (2 * gp + 3 * b_halley);
            ds = newton * householder_factor(newton, halley, hh3);
          }
          ds = std::max(-0.5 * s, ds);
          s += ds;
          if (std::fabs(ds) <= kLastStep * s) break;
        }
        return s;
      }
    }
  }
  // Central branches: objective b(s) - beta.
  for (; it < kMaxIterations && std::fabs(ds) > DBL_EPSILON * s; ++it) {
    if (br.guard(it, s, ds)) break;
    double bp;
        const double b = normalised_black_call(x, s, &bp);
    br.update(b, beta, s);
    const double newton = (beta - b) / bp, halley = square(x / s) / s - s / 4;
    const double hh3 = halley * halley - 3 * square(x / (s * s)) - 0.25;
    ds = std::max(-0.5 * s, newton * householder_factor(newton, halley, hh3));
    s += ds;
    if (std::fabs(ds) <= kLastStep * s) break;
  }
  return s;
}

namespace {
// The transcendental parts of the normalisation, computed by the caller (scalar or SIMD).
struct Precomputed {
  double df, sqrt_fk, log_fk;
};

Precomputed precompute(const IvInput& in) {
  return {in.rate == 0.0 ? 1.0 : std::exp(-in.rate * in.expiry_years), std::sqrt(in.forward) * std::sqrt(in.strike),
          std::log(in.forward / in.strike)};
}

// Validation and normalisation shared by the scalar and batch entry points. Returns Ok with
// (beta, x) of the out-of-the-money call to invert (x <= 0), or the error; sets `zero_vol` when the
// price is at the intrinsic value.
IvStatus normalise(const IvInput& in, const Precomputed& pre, double& beta, double& x, bool& zero_vol) {
  zero_vol = false;
  if (!std::isfinite(in.forward) || !std::isfinite(in.strike) || !std::isfinite(in.expiry_years) ||
      !std::isfinite(in.price) || !std::isfinite(in.rate))
    return IvStatus::NonFiniteInput;
  if (!(in.forward > 0)) return IvStatus::BadForward;
  if (!(in.strike > 0)) return IvStatus::BadStrike;
  if (!(in.expiry_years > 0)) return IvStatus::BadExpiry;
  if (!(std::fabs(in.rate) <= 1.0)) return IvStatus::BadRate;
  const double q = sign(in.type);
  const double undiscounted = in.rate == 0.0 ? in.price : in.price / pre.df;
  const double intrinsic = std::max(q * (in.forward - in.strike), 0.0);
  const double upper = q > 0 ? in.forward : in.strike;
  // Undiscounting rounds: a price within 4 ulp of the discounted intrinsic value is at it (sigma 0);
  // anything further below is an arbitrage violation.
  if (undiscounted < intrinsic && intrinsic - undiscounted > 4 * DBL_EPSILON * intrinsic)
    return IvStatus::BelowIntrinsic;
  if (undiscounted >= upper) return IvStatus::AboveMaximum;
  if (undiscounted <= intrinsic) {
    zero_vol = true;
    return IvStatus::Ok;
  }
  // In the money: invert the out-of-the-money option of the same strike (parity in price space).
  // Subtracting the normalised intrinsic of x = ln(F/K) instead loses the time value to x's rounding.
  beta = (undiscounted - intrinsic) / pre.sqrt_fk;
  // The out-of-the-money option is a call with F < K or a put with F > K; a put on x is a call on -x.
  x = -std::fabs(pre.log_fk);
  return IvStatus::Ok;
}

tl::expected<double, IvStatus> finish(double s, double expiry_years) {
  if (!std::isfinite(s) || s < 0) {
    // beta rounded onto the upper bound after normalisation.
    return tl::unexpected(std::isnan(s) ? IvStatus::AboveMaximum : IvStatus::NoConvergence);
  }
  return s / std::sqrt(expiry_years);
}
}  // namespace

tl::expected<double, IvStatus> implied_vol(const IvInput& in) noexcept {
  double beta = 0, x = 0;
  bool zero_vol = false;
  if (const IvStatus st = normalise(in, precompute(in), beta, x, zero_vol); st != IvStatus::Ok)
    return tl::unexpected(st);
  if (zero_vol) return 0.0;
  return finish(normalised_implied_vol(beta, x, 1.0), in.expiry_years);
}

void implied_vol_batch(std::span<const double> type, std::span<const double> forward,
                       std::span<const double> strike, std::span<const double> expiry_years,
                       std::span<const double> price, std::span<const double> rate,
                       std::span<double> vol, std::span<IvStatus> status) noexcept {
  const std::size_t n = forward.size();
  std::vector<double> beta, x, s, df(n), sqrt_fk(n), log_fk(n);
  std::vector<std::size_t> index;
  beta.reserve(n);
  x.reserve(n);
  index.reserve(n);
  detail::implied_vol_prepare(forward.data(), strike.data(), expiry_years.data(), rate.empty() ? nullptr : rate.data(),
                              n, df.data(), sqrt_fk.data(), log_fk.data());
  for (std::size_t i = 0; i < n; ++i) {
    const IvInput in{type[i] > 0 ? OptionType::Call : OptionType::Put, forward[i], strike[i],
                     expiry_years[i], price[i], rate.empty() ? 0.0 : rate[i]};
    double b = 0, xi = 0;
    bool zero_vol = false;
    status[i] = normalise(in, {df[i], sqrt_fk[i], log_fk[i]}, b, xi, zero_vol);
    vol[i] = status[i] == IvStatus::Ok && zero_vol ? 0.0 : std::numeric_limits<double>::quiet_NaN();
    if (status[i] != IvStatus::Ok || zero_vol) continue;
    beta.push_back(b);
    x.push_back(xi);
    index.push_back(i);
  }
  const std::size_t m = index.size();
  s.resize(m);
  std::vector<std::uint8_t> ok(m);
  detail::implied_vol_kernel(beta.data(), x.data(), m, s.data(), ok.data());
  for (std::size_t j = 0; j < m; ++j) {
    const std::size_t i = index[j];
    // Lanes the vector iteration did not settle are solved by the safeguarded scalar solver.
    const double sj = ok[j] ? s[j] : normalised_implied_vol(beta[j], x[j], 1.0);
    const auto r = finish(sj, expiry_years[i]);
    vol[i] = r ? *r : std::numeric_limits<double>::quiet_NaN();
    status[i] = r ? IvStatus::Ok : r.error();
  }
}

}  // namespace greekbook::pricing
