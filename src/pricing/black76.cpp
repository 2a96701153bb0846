#include "greekbook/pricing/black76.hpp"

#include <cmath>

#include "greekbook/pricing/black76_batch.hpp"

namespace greekbook::pricing {

const char* validate(const Black76Input& in) noexcept {
  if (!std::isfinite(in.forward) || !(in.forward > 1e-100 && in.forward < 1e100))
    return "forward must be finite and in (1e-100, 1e100)";
  if (!std::isfinite(in.strike) || !(in.strike > 1e-100 && in.strike < 1e100))
    return "strike must be finite and in (1e-100, 1e100)";
  if (!std::isfinite(in.expiry_years) || !(in.expiry_years <= 100.0))
    return "expiry_years must be finite and at most 100";
  if (!std::isfinite(in.vol) || !(in.vol >= 0.0 && in.vol <= 100.0))
    return "vol must be finite and in [0, 100]";
  if (!std::isfinite(in.rate) || !(std::fabs(in.rate) <= 1.0))
    return "rate must be finite and in [-1, 1]";
  return "";
}

Greeks black76(const Black76Input& in) noexcept {
  const double type = sign(in.type);
  Greeks g;
  const Black76BatchIn bin{{&type, 1},           {&in.forward, 1}, {&in.strike, 1},
                           {&in.expiry_years, 1}, {&in.vol, 1},     {&in.rate, 1}};
  const Black76BatchOut bout{{&g.price, 1}, {&g.delta, 1}, {&g.gamma, 1}, {&g.vega, 1},
                             {&g.theta, 1}, {&g.rho, 1},   {&g.vanna, 1}, {&g.volga, 1}};
  black76_batch(bin, bout);
  return g;
}

double black76_price(const Black76Input& in) noexcept {
  const double type = sign(in.type);
  double price = 0.0;
  const Black76BatchIn bin{{&type, 1},           {&in.forward, 1}, {&in.strike, 1},
                           {&in.expiry_years, 1}, {&in.vol, 1},     {&in.rate, 1}};
  black76_batch(bin, Black76BatchOut{{&price, 1}, {}, {}, {}, {}, {}, {}, {}});
  return price;
}

}  // namespace greekbook::pricing
