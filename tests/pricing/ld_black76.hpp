#pragma once
// Independent Black-76 reference in long double (x87 80-bit: 64-bit mantissa, ~1e-19 relative),
// written from the textbook formula with glibc's erfcl/expl/logl. It shares no code with
// greekbook's pricer (which works in double through Highway and its own Mills-ratio polynomial),
// so agreement is evidence.
//
// Accuracy: the out-of-the-money option is evaluated directly, F N(d1) - K N(d2) with
// N(d) = erfc(-d/sqrt2)/2 (no 1 - N(.) anywhere); the in-the-money one is obtained by put-call
// parity in long double. The only cancellation left is F N(d1) ~ K N(d2) when s = sigma sqrt T is
// tiny, which costs a factor ~|h|/s (h = ln(F/K)/s) of the long-double precision: ~1e-14 relative
// at worst for s >= 1e-5, far below what the tests that use it resolve.
#include <cmath>

namespace greekbook::test {

struct LdBlack76 {
  long double price = 0;  ///< discounted
  long double delta = 0;  ///< dP/dF
  long double vega = 0;   ///< dP/dsigma, discounted, per 1.00 of vol
};

inline long double ld_norm_cdf(long double x) {
  return 0.5L * std::erfc(-x * 0.707106781186547524400844362104849039L);
}

inline long double ld_norm_pdf(long double x) {
  return 0.398942280401432677939946059934381868L * std::exp(-0.5L * x * x);
}

/// q = +1 call, -1 put. Requires F, K, T, sigma > 0.
inline LdBlack76 ld_black76(int q, long double F, long double K, long double T, long double sigma,
                            long double r) {
  const long double sqrt_t = std::sqrt(T);
  const long double s = sigma * sqrt_t;
  const long double x = std::log(F / K);
  const long double d1 = x / s + 0.5L * s;
  const long double d2 = d1 - s;
  const long double df = std::exp(-r * T);
  long double call, put;
  if (F <= K) {
    call = F * ld_norm_cdf(d1) - K * ld_norm_cdf(d2);
    put = call + (K - F);
  } else {
    put = K * ld_norm_cdf(-d2) - F * ld_norm_cdf(-d1);
    call = put + (F - K);
  }
  LdBlack76 out;
  out.price = df * (q > 0 ? call : put);
  out.delta = df * (q > 0 ? ld_norm_cdf(d1) : -ld_norm_cdf(-d1));
  out.vega = df * F * ld_norm_pdf(d1) * sqrt_t;
  return out;
}

}  // namespace greekbook::test
