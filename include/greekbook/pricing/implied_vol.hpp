#pragma once
// Implied volatility of Black-76 prices, in the class of Jaeckel's "Let's Be Rational" (2015):
// four-branch rational initial guess on the normalised Black function, then third-order
// Householder steps on a branch-specific objective (log b in the lower wing, log(b_max - b) in the
// upper one). Full double precision in at most two or three iterations.
//
// Inputs with discounting: the undiscounted price is price / DF, DF = exp(-r T).
// A price outside the no-arbitrage bounds or a non-finite input is an error, never a number.
#include <cstdint>
#include <span>

#include <tl/expected.hpp>

#include "greekbook/pricing/option_type.hpp"

namespace greekbook::pricing {

enum class IvStatus : std::uint8_t {
  Ok = 0,
  NonFiniteInput,   ///< a NaN or infinite field
  BadForward,       ///< forward <= 0
  BadStrike,        ///< strike <= 0
  BadExpiry,        ///< expiry_years <= 0: no time value to invert
  BadRate,          ///< |rate| > 1
  BelowIntrinsic,   ///< price < DF * max(+-(F - K), 0)
  AboveMaximum,     ///< price >= DF * F (call) or DF * K (put)
  NoConvergence,    ///< solver did not reach full precision (should not happen)
};

/// Short reason text, e.g. "price below discounted intrinsic value".
const char* to_string(IvStatus s) noexcept;

struct IvInput {
  OptionType type = OptionType::Call;
  double forward = 0.0;
  double strike = 0.0;
  double expiry_years = 0.0;
  double price = 0.0;  ///< discounted option price, same currency as forward and strike
  double rate = 0.0;
};

/// sigma (annualised) or the reason it cannot be found. A price at the intrinsic value (within 4 ulp,
/// the rounding of undiscounting) returns 0.
tl::expected<double, IvStatus> implied_vol(const IvInput& in) noexcept;

/// s = sigma sqrt(T) with normalised_black(x, s) = beta, for q = +1 (call) / -1 (put).
/// Preconditions: intrinsic <= beta < upper bound, x finite.
double normalised_implied_vol(double beta, double x, double q) noexcept;

/// Batch form: vol[i] gets sigma or NaN, status[i] the outcome. type[i] is +1 or -1; rate may be empty.
/// The same algorithm in SIMD form (Highway, run-time dispatch): every branch and objective is
/// computed where a lane needs it and blended; lanes not settled after three Householder steps are
/// re-solved by the scalar solver. Agrees with implied_vol() to ~1e-13 relative where the price pins
/// the vol (not bit for bit); ~3x faster (bench/RESULTS.md).
void implied_vol_batch(std::span<const double> type, std::span<const double> forward,
                       std::span<const double> strike, std::span<const double> expiry_years,
                       std::span<const double> price, std::span<const double> rate,
                       std::span<double> vol, std::span<IvStatus> status) noexcept;

}  // namespace greekbook::pricing
