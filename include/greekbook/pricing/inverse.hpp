#pragma once
// Inverse (coin-settled, Deribit-style) European options: the premium is paid in coin and the
// payoff max(+-(S_T - K), 0)/S_T is in coin. Priced as Black-76 in USD on F (the forward of the
// option's expiry, Deribit's "underlying price") divided by F. See docs/conventions.md.
#include "greekbook/pricing/black76.hpp"

namespace greekbook::pricing {

/// Coin-denominated view of one inverse option, per 1 coin of notional.
struct InverseGreeks {
  double price_coin = 0.0;   ///< USD price / F, in coin
  double price_usd = 0.0;    ///< Black-76 price in USD
  double delta = 0.0;        ///< Black delta dP_usd/dF (Deribit's "delta"), coin-equivalent
  double delta_total = 0.0;  ///< premium-adjusted delta = delta - price_coin (Deribit's "delta total")
  double gamma = 0.0;        ///< Black gamma d2P_usd/dF2, per USD (Deribit's "gamma")
  double vega_usd = 0.0;     ///< dP_usd/dsigma per 1.00 of vol (Deribit shows this / 100)
  double vega_coin = 0.0;    ///< d(price_coin)/dsigma per 1.00 of vol = vega_usd / F
  double theta_usd = 0.0;    ///< dP_usd/dt per year (Deribit shows this / 365)
  double theta_coin = 0.0;   ///< d(price_coin)/dt per year = theta_usd / F
  double rho_usd = 0.0;      ///< dP_usd/dr per 1.00 of rate
  double vanna_usd = 0.0;
  double volga_usd = 0.0;
};

/// Converts Black-76 USD Greeks on forward F into the inverse option's coin view.
InverseGreeks to_inverse(const Greeks& usd, double forward) noexcept;

/// Prices an inverse option: black76(in) then to_inverse(..., in.forward).
InverseGreeks black76_inverse(const Black76Input& in) noexcept;

}  // namespace greekbook::pricing
