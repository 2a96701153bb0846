#pragma once
// Black-76 on the forward with an explicit discount factor, scalar API.
//
//   call = DF * (F N(d1) - K N(d2)),  put = DF * (K N(-d2) - F N(-d1)),  DF = exp(-r T)
//   d1 = ln(F/K)/(sigma sqrt T) + sigma sqrt T / 2,  d2 = d1 - sigma sqrt T
//
// Units (all in the currency of F and K, "USD" for a USD-quoted forward):
//   price  currency per 1 unit of underlying
//   delta  dP/dF                         (dimensionless; DF*N(d1) for a call)
//   gamma  d2P/dF2                       (per unit of F)
//   vega   dP/dsigma per 1.00 of vol     (divide by 100 for "per vol point")
//   theta  dP/dt per YEAR of calendar time passing, F and sigma fixed (divide by 365 for per day)
//   rho    dP/dr per 1.00 of rate, F fixed (= -T * price)
//   vanna  d2P/dF dsigma                 (per 1.00 of vol)
//   volga  d2P/dsigma2                   (per 1.00 of vol, squared)
//
// Edge cases (never NaN or infinity for valid inputs):
//   T <= 0 (at or past expiry): price = intrinsic max(+-(F-K), 0) undiscounted, delta = +-1 in the money,
//     +-1/2 exactly at the money, 0 out of it; every other Greek is 0.
//   sigma sqrt T tiny: d1, d2 are clamped to +-60 (where N and phi are exactly 0/1 in double),
//     so Greeks tend continuously to their zero-vol limits.
// The scalar API evaluates through the same vector kernel as the batch API (one padded lane), so
// scalar and batch results are bit-identical on a given machine.
#include "greekbook/pricing/option_type.hpp"

namespace greekbook::pricing {

/// One option's inputs. Preconditions (checked by validate()): forward > 0, strike > 0, vol >= 0,
/// all finite.
struct Black76Input {
  OptionType type = OptionType::Call;
  double forward = 0.0;       ///< F, forward of the option's expiry
  double strike = 0.0;        ///< K
  double expiry_years = 0.0;  ///< T, year fraction (ACT/365 from ms for Deribit)
  double vol = 0.0;           ///< sigma, annualised (0.5 = 50%)
  double rate = 0.0;          ///< r, continuously compounded, DF = exp(-r T)
};

/// Price and Greeks in the units documented above.
struct Greeks {
  double price = 0.0;
  double delta = 0.0;
  double gamma = 0.0;
  double vega = 0.0;   ///< per 1.00 of vol
  double theta = 0.0;  ///< per year
  double rho = 0.0;    ///< per 1.00 of rate
  double vanna = 0.0;
  double volga = 0.0;
};

/// Returns an empty string when `in` satisfies the preconditions, else the reason. A reason always
/// starts with the name of the offending field ("forward", "strike", "expiry_years", "vol", "rate").
const char* validate(const Black76Input& in) noexcept;

/// Price and all seven Greeks of one option. Precondition: validate(in) == "".
Greeks black76(const Black76Input& in) noexcept;

/// Price only.
double black76_price(const Black76Input& in) noexcept;

}  // namespace greekbook::pricing
