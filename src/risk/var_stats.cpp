#include "greekbook/risk/var_stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace greekbook::risk {

std::size_t tail_count(std::size_t n, double level) noexcept {
  const double k = std::ceil(static_cast<double>(n) * (1.0 - level) - 1e-9);
  return std::clamp<std::size_t>(k < 1 ? 1 : static_cast<std::size_t>(k), 1, std::max<std::size_t>(n, 1));
}

TailStats tail_stats(std::span<const double> pnl, double level) {
  TailStats t;
  t.level = level;
  t.n = pnl.size();
  if (t.n == 0) return t;
  t.k = tail_count(t.n, level);
  const double d = std::sqrt(static_cast<double>(t.n) * level * (1.0 - level));
  const std::size_t di = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(d)));
  const std::size_t hi = std::min(t.n, t.k + di);  // 1-based rank
  std::vector<std::size_t> idx(t.n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  const auto less = [&](std::size_t a, std::size_t b) { return pnl[a] < pnl[b] || (pnl[a] == pnl[b] && a < b); };
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(hi), idx.end(), less);
  t.var = -pnl[idx[t.k - 1]];
  double sum = 0.0;
  for (std::size_t j = 0; j < t.k; ++j) sum += pnl[idx[j]];
  t.es = -sum / static_cast<double>(t.k);
  // Standard errors.
  const std::size_t lo = t.k > di ? t.k - di : 1;
  const double span_ranks = static_cast<double>(hi - lo);
  t.var_se = span_ranks > 0 ? (pnl[idx[hi - 1]] - pnl[idx[lo - 1]]) * d / span_ranks : 0.0;
  double ss = 0.0;
  for (std::size_t j = 0; j < t.k; ++j) {
    const double x = -pnl[idx[j]] - t.es;
    ss += x * x;
  }
  const double tail_var = t.k > 1 ? ss / static_cast<double>(t.k - 1) : 0.0;
  t.es_se = std::sqrt((tail_var + level * (t.es - t.var) * (t.es - t.var)) / static_cast<double>(t.k));
  t.tail.assign(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(t.k));
  return t;
}

void mean_sd(std::span<const double> x, double& mean, double& sd) noexcept {
  mean = 0.0;
  sd = 0.0;
  if (x.empty()) return;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  if (x.size() < 2) return;
  double ss = 0.0;
  for (double v : x) ss += (v - mean) * (v - mean);
  sd = std::sqrt(ss / static_cast<double>(x.size() - 1));
}

}  // namespace greekbook::risk
