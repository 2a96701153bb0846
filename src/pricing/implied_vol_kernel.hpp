#pragma once
// Internal: the SIMD implied-volatility kernel (implied_vol_batch.cpp) and constants it shares with
// the scalar solver.
#include <cfloat>
#include <cstddef>
#include <cstdint>

namespace greekbook::pricing::detail {

inline constexpr double kMaxR = 2.0 / (DBL_EPSILON * DBL_EPSILON);
inline constexpr double kMinR = -(1.0 - 1.4901161193847656e-08);  // -(1 - sqrt(eps))
inline constexpr double kTwoPiOverSqrt27 = 1.20919957615614523;
inline constexpr int kSmallTTerms = 12;       // Taylor terms of the small-t series in the vector kernel
inline constexpr int kAsymptoticTerms = 24;   // asymptotic-series terms in the vector kernel
inline constexpr int kVectorIterations = 3;   // Householder steps at most (two suffice almost always)
inline constexpr double kLastStepRelative = 1e-5;  // quartic convergence: a step this small is the last

/// For each i: s[i] with normalised_black_call(x[i], s[i]) = beta[i], x[i] <= 0 (an out-of-the-money
/// call), 0 < beta[i] < exp(x[i]/2). ok[i] = 0 where the vector iteration did not converge.
void implied_vol_kernel(const double* beta, const double* x, std::size_t n, double* s, std::uint8_t* ok);

/// df[i] = exp(-r[i] T[i]) (1 where r is null or 0), sqrt_fk[i] = sqrt(F) sqrt(K), log_fk[i] = ln(F/K),
/// in SIMD; lanes of invalid inputs hold garbage (the caller validates).
void implied_vol_prepare(const double* F, const double* K, const double* T, const double* r, std::size_t n,
                         double* df, double* sqrt_fk, double* log_fk);

}  // namespace greekbook::pricing::detail
