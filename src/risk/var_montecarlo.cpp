#include "greekbook/risk/var_montecarlo.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "greekbook/core/normal.hpp"

namespace greekbook::risk {
namespace {

std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// SplitMix64 (Steele, Lea and Flood 2014): one independent-looking stream per (seed, path).
struct PathRng {
  std::uint64_t state;
  PathRng(std::uint64_t seed, std::uint64_t path) noexcept
      : state(mix64(seed + 0x9E3779B97F4A7C15ULL) ^ mix64(path * 0xD1B54A32D192ED03ULL + 0x632BE59BD9B4E019ULL)) {}
  std::uint64_t next() noexcept { return mix64(state += 0x9E3779B97F4A7C15ULL); }
  /// Uniform on (0, 1): never 0 or 1.
  double uniform() noexcept { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  double normal() noexcept { return core::inverse_norm_cdf(uniform()); }
};

// Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through Gamma(shape + 1) U^(1/shape).
double gamma_draw(PathRng& r, double shape) noexcept {
  if (shape < 1.0) return gamma_draw(r, shape + 1.0) * std::pow(r.uniform(), 1.0 / shape);
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = r.normal();
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = r.uniform();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

// Draws path `path` into column j of `out`.
void draw(const McModel& m, std::uint64_t seed, double horizon_days, std::size_t path, ScenarioSet& out,
          std::size_t j, std::vector<double>& z) {
  const std::size_t D = m.dims();
  PathRng r(seed, path);
  for (std::size_t i = 0; i < D; ++i) z[i] = r.normal();
  double scale = std::sqrt(horizon_days);
  if (std::isfinite(m.nu)) scale *= std::sqrt((m.nu - 2.0) / (2.0 * gamma_draw(r, 0.5 * m.nu)));
  const auto x = [&](std::size_t f) {
    const double* row = m.cholesky.data() + f * D;
    double y = 0.0;
    for (std::size_t i = 0; i <= f; ++i) y += row[i] * z[i];
    return m.sigma[f] * scale * y;
  };
  for (std::size_t u = 0; u < m.underlyings(); ++u) {
    out.spot_at(u, j) = std::exp(x(m.price_factor[u]));
    out.vol_at(u, j) = m.vol_factor[u] == kNoFactor ? 1.0 : std::exp(x(m.vol_factor[u]));
  }
}
}  // namespace

Result<bool> McModel::factorise() {
  const std::size_t D = dims();
  if (!(nu > 2.0)) return make_error(fmt::format("Student-t degrees of freedom {} must be > 2 (finite variance)", nu));
  if (correlation.size() != D * D) return make_error("correlation matrix has the wrong size");
  cholesky.assign(D * D, 0.0);
  for (std::size_t i = 0; i < D; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double s = correlation[i * D + j];
      for (std::size_t k = 0; k < j; ++k) s -= cholesky[i * D + k] * cholesky[j * D + k];
      if (i == j) {
        if (!(s > 1e-12))
          return make_error(fmt::format("the correlation of the risk factors ({}) is not positive definite: '{}' is a "
                                        "combination of the others over the window",
                                        fmt::join(names, ", "), names[i]));
        cholesky[i * D + i] = std::sqrt(s);
      } else {
        cholesky[i * D + j] = s / cholesky[j * D + j];
      }
    }
  }
  return true;
}

Result<McModel> estimate_mc_model(const Returns& w, std::optional<double> nu) {
  McModel m;
  const std::size_t U = w.underlyings.size(), n = w.size();
  std::vector<const std::vector<double>*> rows;
  for (std::size_t u = 0; u < U; ++u) {
    m.names.push_back(w.underlyings[u]);
    m.price_factor.push_back(u);
    rows.push_back(&w.price[u]);
  }
  for (std::size_t u = 0; u < U; ++u) {
    if (!w.has_vol(u)) {
      m.vol_factor.push_back(kNoFactor);
      continue;
    }
    m.vol_factor.push_back(rows.size());
    m.names.push_back(w.underlyings[u] + " vol");
    rows.push_back(&w.vol[u]);
  }
  const std::size_t D = rows.size();
  if (n < D + 2)
    return make_error(fmt::format("Monte Carlo model: {} daily returns cannot estimate {} factors (need at least {})", n,
                                  D, D + 2));
  std::vector<double> mean(D, 0.0);
  m.sigma.assign(D, 0.0);
  for (std::size_t d = 0; d < D; ++d) {
    for (double x : *rows[d]) mean[d] += x;
    mean[d] /= static_cast<double>(n);
    double ss = 0.0;
    for (double x : *rows[d]) ss += (x - mean[d]) * (x - mean[d]);
    m.sigma[d] = std::sqrt(ss / static_cast<double>(n - 1));
    if (!(m.sigma[d] > 0))
      return make_error(fmt::format("Monte Carlo model: factor '{}' does not move over the window", m.names[d]));
  }
  m.correlation.assign(D * D, 0.0);
  for (std::size_t a = 0; a < D; ++a)
    for (std::size_t b = 0; b <= a; ++b) {
      double s = 0.0;
      for (std::size_t t = 0; t < n; ++t) s += ((*rows[a])[t] - mean[a]) * ((*rows[b])[t] - mean[b]);
      const double c = a == b ? 1.0 : s / static_cast<double>(n - 1) / (m.sigma[a] * m.sigma[b]);
      m.correlation[a * D + b] = m.correlation[b * D + a] = c;
    }
  double m4 = 0.0;
  for (std::size_t d = 0; d < D; ++d)
    for (double x : *rows[d]) {
      const double z = (x - mean[d]) / m.sigma[d];
      m4 += z * z * z * z;
    }
  m.excess_kurtosis = m4 / static_cast<double>(n * D) - 3.0;
  if (nu) m.nu = *nu;
  else m.nu = m.excess_kurtosis > 0.06 ? 4.0 + 6.0 / m.excess_kurtosis : std::numeric_limits<double>::infinity();
  GB_TRY(ok, m.factorise());
  (void)ok;
  return m;
}

void simulate(const McModel& model, std::uint64_t seed, double horizon_days, std::size_t first, std::size_t count,
              ScenarioSet& out) {
  out = ScenarioSet(model.underlyings(), count);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, 512), [&](const tbb::blocked_range<std::size_t>& r) {
    std::vector<double> z(model.dims());
    for (std::size_t j = r.begin(); j != r.end(); ++j) draw(model, seed, horizon_days, first + j, out, j, z);
  });
}

void simulate_paths(const McModel& model, std::uint64_t seed, double horizon_days, std::span<const std::size_t> paths,
                    ScenarioSet& out) {
  out = ScenarioSet(model.underlyings(), paths.size());
  std::vector<double> z(model.dims());
  for (std::size_t j = 0; j < paths.size(); ++j) draw(model, seed, horizon_days, paths[j], out, j, z);
}

}  // namespace greekbook::risk
