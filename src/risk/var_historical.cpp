#include "greekbook/risk/var_historical.hpp"

#include <algorithm>
#include <cmath>

namespace greekbook::risk {

std::vector<double> ewma_sigma(std::span<const double> r, double lambda, std::size_t seed_count) {
  std::vector<double> sigma(r.size() + 1, 0.0);
  if (r.empty()) return sigma;
  const std::size_t m = std::min(std::max<std::size_t>(seed_count, 1), r.size());
  double var = 0.0;
  for (std::size_t i = 0; i < m; ++i) var += r[i] * r[i];
  var /= static_cast<double>(m);
  for (std::size_t t = 0; t < r.size(); ++t) {
    sigma[t] = std::sqrt(var);
    var = lambda * var + (1.0 - lambda) * r[t] * r[t];
  }
  sigma[r.size()] = std::sqrt(var);
  return sigma;
}

ScenarioSet horizon_scenarios(const Returns& daily, std::size_t h) {
  const std::size_t U = daily.underlyings.size(), n = daily.size();
  h = std::max<std::size_t>(h, 1);
  const std::size_t S = n >= h ? n - h + 1 : 0;
  ScenarioSet sc(U, S);
  const auto fill = [&](const std::vector<double>& r, double* out) {
    for (std::size_t s = 0; s < S; ++s) {
      double sum = 0.0;
      for (std::size_t t = s; t < s + h; ++t) sum += r[t];
      out[s] = std::exp(sum);
    }
  };
  for (std::size_t u = 0; u < U; ++u) {
    fill(daily.price[u], sc.spot.data() + u * S);
    if (daily.has_vol(u)) fill(daily.vol[u], sc.vol.data() + u * S);
  }
  return sc;
}

Returns filtered_returns(const Returns& full, std::size_t window, double lambda) {
  Returns out = full;
  const auto rescale = [&](std::vector<double>& r) {
    if (r.empty()) return;
    const auto sigma = ewma_sigma(r, lambda);
    const double target = sigma.back();
    for (std::size_t t = 0; t < r.size(); ++t) r[t] = sigma[t] > 0 ? r[t] * target / sigma[t] : 0.0;
  };
  for (auto& r : out.price) rescale(r);
  for (auto& r : out.vol) rescale(r);
  return out.tail(window);
}

}  // namespace greekbook::risk
