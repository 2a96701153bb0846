#include "greekbook/pricing/inverse.hpp"

namespace greekbook::pricing {

InverseGreeks to_inverse(const Greeks& usd, double forward) noexcept {
  InverseGreeks g;
  g.price_usd = usd.price;
  g.price_coin = usd.price / forward;
  g.delta = usd.delta;
  g.delta_total = usd.delta - g.price_coin;
  g.gamma = usd.gamma;
  g.vega_usd = usd.vega;
  g.vega_coin = usd.vega / forward;
  g.theta_usd = usd.theta;
  g.theta_coin = usd.theta / forward;
  g.rho_usd = usd.rho;
  g.vanna_usd = usd.vanna;
  g.volga_usd = usd.volga;
  return g;
}

InverseGreeks black76_inverse(const Black76Input& in) noexcept {
  return to_inverse(black76(in), in.forward);
}

}  // namespace greekbook::pricing
