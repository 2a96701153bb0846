// Raw SVI: evaluation, butterfly check and the vega-weighted, butterfly-free fit.
//
// fit_svi in three stages:
//  1. Quasi-explicit global fit (Zeliade 2009) in total variance. For fixed (m, sigma), with
//     y = (k - m)/sigma, w = a + d y + c sqrt(y^2 + 1) (c = b sigma, d = rho b sigma) is linear in
//     (a, c, d); a is eliminated in closed form and (c, d) minimise a 2x2 quadratic over the
//     parallelogram |d| <= c, c + |d| <= 2 sigma (|rho| <= 1 and Lee's wing bound b (1+|rho|) <= 2),
//     exactly: interior solution or the best point on one of the four edges. (m, log sigma) are
//     searched on an 11 x 8 grid and refined by Nelder-Mead. The weights w_i / (2 vol_i T)^2 make this
//     the first-order expansion of the vega-weighted vol objective (d vol = dw / (2 vol T)), so the
//     problem stays linear where it matters and the start is already close in vol.
//  2. Levenberg-Marquardt on all five parameters on the exact objective sum weight_i (vol_i^model -
//     vol_i)^2, projected onto the domain (b >= 0, |rho| < 1, sigma > 0, b(1+|rho|) <= 2, min w >= 0).
//  3. Butterfly arbitrage: g(k) is scanned (check_butterfly) over the quotes' range widened by 50% on
//     each side. If it is negative somewhere, LM is rerun with penalty residuals
//     sqrt(lambda / G) max(0, 0.001 - g(k_j)) on a grid, lambda x10 per round, until the scan is clean.
//     Should that fail, the parameters are blended towards a flat smile (b -> 0, g = 1), by bisection
//     on the blend, to the least blended smile the scan finds free. The reported min_g is the scan.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "greekbook/market/svi.hpp"

namespace greekbook::market {

double svi_total_variance(const SviParams& p, double k) noexcept {
  const double x = k - p.m;
  return p.a + p.b * (p.rho * x + std::sqrt(x * x + p.sigma * p.sigma));
}

double svi_dw(const SviParams& p, double k) noexcept {
  const double x = k - p.m;
  return p.b * (p.rho + x / std::sqrt(x * x + p.sigma * p.sigma));
}

double svi_d2w(const SviParams& p, double k) noexcept {
  const double x = k - p.m;
  const double s2 = x * x + p.sigma * p.sigma;
  return p.b * p.sigma * p.sigma / (s2 * std::sqrt(s2));
}

double svi_g(const SviParams& p, double k) noexcept {
  const double w = svi_total_variance(p, k);
  if (!(w > 0.0)) return -std::numeric_limits<double>::infinity();
  const double w1 = svi_dw(p, k);
  const double t = 1.0 - k * w1 / (2.0 * w);
  return t * t - 0.25 * w1 * w1 * (1.0 / w + 0.25) + 0.5 * svi_d2w(p, k);
}

namespace {

constexpr double kRhoMax = 1.0 - 1e-9;
constexpr double kLee = 2.0;           // b (1 + |rho|) <= 2 (Lee's moment formula)
constexpr double kMargin = 1e-3;       // penalty target: g >= kMargin on the penalty grid
constexpr double kWiden = 0.5;         // arbitrage scan over [k_min - 0.5 R, k_max + 0.5 R]

// Grid of check_butterfly and of the penalty: `uniform` points over [lo, hi] plus `local` points
// within 8 sigma of m (clipped to [lo, hi]).
void scan_grid(const SviParams& p, double lo, double hi, int uniform, int local, std::vector<double>& k) {
  k.clear();
  for (int i = 0; i < uniform; ++i) k.push_back(lo + (hi - lo) * i / (uniform - 1));
  for (int i = 0; i < local; ++i) {
    const double x = p.m + p.sigma * (-8.0 + 16.0 * i / (local - 1));
    if (x > lo && x < hi) k.push_back(x);
  }
}

SviParams project(SviParams p, double sigma_min) {
  p.sigma = std::max(p.sigma, sigma_min);
  p.rho = std::clamp(p.rho, -kRhoMax, kRhoMax);
  p.b = std::clamp(p.b, 0.0, kLee / (1.0 + std::abs(p.rho)));
  p.a = std::max(p.a, -p.b * p.sigma * std::sqrt(1.0 - p.rho * p.rho));
  return p;
}

struct Data {
  double T = 0.0, k_min = 0.0, k_max = 0.0, sigma_min = 0.0;
  std::vector<double> k, w, vol, om, wv;  // om: total-variance weights, wv: vol weights (each sum 1)
  std::vector<double> y, z;               // scratch of the inner solve
};

struct Inner {
  double f = 0.0;  // weighted squared error in total variance
  SviParams p;
};

// Stage 1 inner problem: best (a, c, d) for fixed (m, sigma), exactly.
Inner solve_inner(Data& D, double m, double s) {
  const std::size_t n = D.k.size();
  double My = 0, Mz = 0, Mw = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double y = (D.k[i] - m) / s, z = std::sqrt(y * y + 1.0);
    D.y[i] = y;
    D.z[i] = z;
    My += D.om[i] * y;
    Mz += D.om[i] * z;
    Mw += D.om[i] * D.w[i];
  }
  double Cyy = 0, Cyz = 0, Czz = 0, Cyw = 0, Czw = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dy = D.y[i] - My, dz = D.z[i] - Mz, dw = D.w[i] - Mw, o = D.om[i];
    Cyy += o * dy * dy;
    Cyz += o * dy * dz;
    Czz += o * dz * dz;
    Cyw += o * dy * dw;
    Czw += o * dz * dw;
  }
  // q(c, d) = f - Var(w): quadratic in (c, d); Hessian/2 = [[Czz, Cyz], [Cyz, Cyy]].
  auto q = [&](double c, double d) {
    return c * c * Czz + 2.0 * c * d * Cyz + d * d * Cyy - 2.0 * (c * Czw + d * Cyw);
  };
  double bc = 0.0, bd = 0.0, bq = std::numeric_limits<double>::infinity();
  const double det = Czz * Cyy - Cyz * Cyz;
  if (det > 1e-13 * Czz * Cyy && det > 0.0) {
    const double c = (Czw * Cyy - Cyw * Cyz) / det, d = (Cyw * Czz - Czw * Cyz) / det;
    if (std::abs(d) <= c && c + std::abs(d) <= kLee * s) bc = c, bd = d, bq = q(c, d);
  }
  if (!std::isfinite(bq)) {
    const std::array<std::array<double, 2>, 4> V{{{0.0, 0.0}, {s, s}, {kLee * s, 0.0}, {s, -s}}};
    for (int e = 0; e < 4; ++e) {
      const auto& P = V[e];
      const auto& Q = V[(e + 1) % 4];
      const double ex = Q[0] - P[0], ey = Q[1] - P[1];
      const double gx = Czz * P[0] + Cyz * P[1] - Czw, gy = Cyz * P[0] + Cyy * P[1] - Cyw;
      const double eHe = Czz * ex * ex + 2.0 * Cyz * ex * ey + Cyy * ey * ey;
      const double t_star = eHe > 0.0 ? std::clamp(-(gx * ex + gy * ey) / eHe, 0.0, 1.0) : 0.0;
      for (double t : {0.0, 1.0, t_star}) {
        const double c = P[0] + t * ex, d = P[1] + t * ey, v = q(c, d);
        if (v < bq) bc = c, bd = d, bq = v;
      }
    }
  }
  Inner r;
  r.p.a = Mw - bc * Mz - bd * My;
  const double w_min = r.p.a + std::sqrt(std::max(bc * bc - bd * bd, 0.0));
  if (w_min < 0.0) r.p.a -= w_min;  // keep w >= 0 (feasible, no longer optimal; the outer search copes)
  double f = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double e = r.p.a + bd * D.y[i] + bc * D.z[i] - D.w[i];
    f += D.om[i] * e * e;
  }
  r.f = f;
  r.p.b = bc / s;
  r.p.rho = bc > 0.0 ? std::clamp(bd / bc, -kRhoMax, kRhoMax) : 0.0;
  r.p.m = m;
  r.p.sigma = s;
  return r;
}

// Nelder-Mead in two dimensions.
template <class F>
std::array<double, 2> nelder_mead(F&& f, std::array<double, 2> x0, std::array<double, 2> step, int max_evals) {
  using P = std::array<double, 2>;
  std::array<P, 3> p{x0, P{x0[0] + step[0], x0[1]}, P{x0[0], x0[1] + step[1]}};
  std::array<double, 3> v{f(p[0]), f(p[1]), f(p[2])};
  auto along = [](const P& c, const P& x, double t) { return P{c[0] + t * (x[0] - c[0]), c[1] + t * (x[1] - c[1])}; };
  for (int evals = 3; evals < max_evals;) {
    std::array<int, 3> o{0, 1, 2};
    std::sort(o.begin(), o.end(), [&](int i, int j) { return v[i] < v[j]; });
    p = {p[o[0]], p[o[1]], p[o[2]]};
    v = {v[o[0]], v[o[1]], v[o[2]]};
    const double size = std::max(std::abs(p[1][0] - p[0][0]) + std::abs(p[2][0] - p[0][0]),
                                 std::abs(p[1][1] - p[0][1]) + std::abs(p[2][1] - p[0][1]));
    if (v[2] - v[0] <= 1e-15 * v[0] + 1e-300 || size < 1e-11) break;
    const P c{0.5 * (p[0][0] + p[1][0]), 0.5 * (p[0][1] + p[1][1])};
    const P xr = along(c, p[2], -1.0);
    const double fr = f(xr);
    ++evals;
    if (fr < v[0]) {
      const P xe = along(c, p[2], -2.0);
      const double fe = f(xe);
      ++evals;
      if (fe < fr) p[2] = xe, v[2] = fe; else p[2] = xr, v[2] = fr;
    } else if (fr < v[1]) {
      p[2] = xr, v[2] = fr;
    } else {
      const P xc = fr < v[2] ? along(c, xr, 0.5) : along(c, p[2], 0.5);
      const double fc = f(xc);
      ++evals;
      if (fc < std::min(fr, v[2])) {
        p[2] = xc, v[2] = fc;
      } else {
        for (int i = 1; i < 3; ++i) p[i] = along(p[0], p[i], 0.5), v[i] = f(p[i]);
        evals += 2;
      }
    }
  }
  return p[std::min_element(v.begin(), v.end()) - v.begin()];
}

using Vec5 = std::array<double, 5>;
Vec5 to_vec(const SviParams& p) { return {p.a, p.b, p.rho, p.m, p.sigma}; }
SviParams to_params(const Vec5& v) { return {v[0], v[1], v[2], v[3], v[4]}; }

struct Penalty {
  double lambda = 0.0;
  std::vector<double> k;
};

// Residuals (vol errors scaled by sqrt(weight), then penalty terms) and their Jacobian (rows of 5).
double residuals(const Data& D, const SviParams& p, const Penalty& pen, std::vector<double>& r,
                 std::vector<double>& J) {
  const std::size_t n = D.k.size(), rows = n + pen.k.size();
  r.assign(rows, 0.0);
  J.assign(rows * 5, 0.0);
  double cost = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = D.k[i] - p.m, s = std::sqrt(x * x + p.sigma * p.sigma);
    const double w = std::max(p.a + p.b * (p.rho * x + s), 1e-300), v = std::sqrt(w / D.T);
    const double sw = std::sqrt(D.wv[i]), dv = sw / (2.0 * v * D.T);
    r[i] = sw * (v - D.vol[i]);
    const Vec5 dw{1.0, p.rho * x + s, p.b * x, -p.b * (p.rho + x / s), p.b * p.sigma / s};
    for (int j = 0; j < 5; ++j) J[i * 5 + j] = dv * dw[j];
    cost += r[i] * r[i];
  }
  const double scale = std::sqrt(pen.lambda / std::max<std::size_t>(pen.k.size(), 1));
  auto viol = [](double g) { return std::isfinite(g) ? std::clamp(kMargin - g, 0.0, 1e3) : 1e3; };
  for (std::size_t j = 0; j < pen.k.size(); ++j) {
    const double v0 = viol(svi_g(p, pen.k[j]));
    if (v0 <= 0.0) continue;
    r[n + j] = scale * v0;
    cost += r[n + j] * r[n + j];
    const Vec5 x = to_vec(p);
    for (int c = 0; c < 5; ++c) {
      Vec5 xh = x;
      const double h = 1e-7 * (std::abs(x[c]) + 1e-3);
      xh[c] += h;
      J[(n + j) * 5 + c] = scale * (viol(svi_g(to_params(xh), pen.k[j])) - v0) / h;
    }
  }
  return cost;
}

// Solves (A + mu diag(A)) x = -g by Cholesky; false if not positive definite.
bool damped_solve(const std::array<double, 25>& A, const Vec5& g, double mu, Vec5& x) {
  std::array<double, 25> L{};
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j <= i; ++j) {
      double s = A[i * 5 + j] + (i == j ? mu * std::max(A[i * 5 + i], 1e-30) : 0.0);
      for (int k = 0; k < j; ++k) s -= L[i * 5 + k] * L[j * 5 + k];
      if (i == j) {
        if (!(s > 0.0)) return false;
        L[i * 5 + i] = std::sqrt(s);
      } else {
        L[i * 5 + j] = s / L[j * 5 + j];
      }
    }
  }
  Vec5 y{};
  for (int i = 0; i < 5; ++i) {
    double s = -g[i];
    for (int k = 0; k < i; ++k) s -= L[i * 5 + k] * y[k];
    y[i] = s / L[i * 5 + i];
  }
  for (int i = 4; i >= 0; --i) {
    double s = y[i];
    for (int k = i + 1; k < 5; ++k) s -= L[k * 5 + i] * x[k];
    x[i] = s / L[i * 5 + i];
  }
  return true;
}

SviParams levenberg_marquardt(const Data& D, SviParams p, const Penalty& pen, int max_iter) {
  std::vector<double> r, J, r2, J2;
  double cost = residuals(D, p, pen, r, J), mu = -1.0;
  for (int it = 0; it < max_iter; ++it) {
    std::array<double, 25> A{};
    Vec5 g{};
    for (std::size_t i = 0; i < r.size(); ++i) {
      const double* row = &J[i * 5];
      for (int a = 0; a < 5; ++a) {
        g[a] += row[a] * r[i];
        for (int b = 0; b <= a; ++b) A[a * 5 + b] += row[a] * row[b];
      }
    }
    for (int a = 0; a < 5; ++a)
      for (int b = a + 1; b < 5; ++b) A[a * 5 + b] = A[b * 5 + a];
    if (mu < 0.0) mu = 1e-3;
    bool improved = false;
    const double old = cost;
    for (int tries = 0; tries < 12 && !improved; ++tries) {
      Vec5 dx{};
      if (damped_solve(A, g, mu, dx)) {
        Vec5 x = to_vec(p);
        for (int a = 0; a < 5; ++a) x[a] += dx[a];
        const SviParams q = project(to_params(x), D.sigma_min);
        const double c2 = residuals(D, q, pen, r2, J2);
        if (c2 < cost) {
          p = q, cost = c2, improved = true;
          std::swap(r, r2);
          std::swap(J, J2);
          mu = std::max(mu * 0.3, 1e-12);
          continue;
        }
      }
      mu *= 4.0;
    }
    if (!improved || old - cost <= 1e-12 * old) break;
  }
  return p;
}

// Violation of g >= kMargin over [lo, hi] (121 points plus 17 within 4 sigma of m), in units of kMargin.
double g_penalty(const SviParams& p, double lo, double hi) {
  double s = 0.0;
  auto add = [&](double k) {
    const double g = svi_g(p, k), v = std::isfinite(g) ? std::max(kMargin - g, 0.0) / kMargin : 1e6;
    s += v * v;
  };
  for (int i = 0; i <= 120; ++i) add(lo + (hi - lo) * i / 120);
  for (int i = 0; i <= 16; ++i) {
    const double k = p.m + p.sigma * (-4.0 + 0.5 * i);
    if (k > lo && k < hi) add(k);
  }
  return s;
}

// Stage 1 search over x = (m, log sigma): an 11 x 8 grid (unless a start is given), then Nelder-Mead
// twice (the second time with a small simplex, which guards against early collapse).
struct Outer {
  Data& D;
  double m_lo, m_hi, ls_lo, ls_hi, dm, dls;
  Inner at(const std::array<double, 2>& x) const {
    return solve_inner(D, std::clamp(x[0], m_lo, m_hi), std::exp(std::clamp(x[1], ls_lo, ls_hi)));
  }
  template <class Cost>
  std::array<double, 2> search(Cost&& cost, const std::array<double, 2>* start) const {
    auto f = [&](const std::array<double, 2>& x) { return cost(at(x)); };
    std::array<double, 2> best{};
    if (start) {
      best = *start;
    } else {
      const double R = D.k_max - D.k_min;
      double fbest = std::numeric_limits<double>::infinity();
      for (int i = 0; i < 11; ++i) {
        for (int j = 0; j < 8; ++j) {
          const std::array<double, 2> x{D.k_min - 0.5 * R + dm * i, std::log(0.01 * R) + dls * j};
          const double v = f(x);
          if (v < fbest) best = x, fbest = v;
        }
      }
    }
    const std::array<double, 2> x = nelder_mead(f, best, {0.5 * dm, 0.5 * dls}, 250);
    return nelder_mead(f, x, {0.05 * dm, 0.05 * dls}, 150);
  }
};

double vol_cost(const Data& D, const SviParams& p) {
  std::vector<double> r, J;
  return residuals(D, p, Penalty{}, r, J);
}

// Stage 3: the best butterfly-free smile near p (see the top of the file).
SviParams remove_butterfly(Outer& O, SviParams p, std::array<double, 2> x, double f_unconstrained) {
  const Data& D = O.D;
  const double R = D.k_max - D.k_min, lo = D.k_min - kWiden * R, hi = D.k_max + kWiden * R;
  double Mw = 0.0;
  for (std::size_t i = 0; i < D.k.size(); ++i) Mw += D.wv[i] * D.w[i];
  // (a) Stage 1 again with the g penalty (exact inner solves travel far along flat valleys of the
  //     objective, where a local method stalls), then LM with a stiff penalty.
  const double scale = f_unconstrained + 1e-8 * Mw * Mw;
  std::vector<SviParams> found;
  bool first = true;
  for (double lambda = 1.0; lambda <= 1e8; lambda *= 10.0, first = false) {
    auto cost = [&](const Inner& in) { return in.f + lambda * scale * g_penalty(in.p, lo, hi); };
    if (first) {
      const std::array<double, 2> g = O.search(cost, nullptr);
      x = cost(O.at(g)) < cost(O.at(x)) ? g : x;
    }
    x = O.search(cost, &x);
    const SviParams q = project(O.at(x).p, D.sigma_min);
    if (!check_butterfly(q, lo, hi).free) continue;
    Penalty pen;
    pen.lambda = 1e3 * (vol_cost(D, q) + 1e-12);
    scan_grid(q, lo, hi, 201, 33, pen.k);
    const SviParams q2 = levenberg_marquardt(D, q, pen, 100);
    found.push_back(check_butterfly(q2, lo, hi).free && vol_cost(D, q2) < vol_cost(D, q) ? q2 : q);
    break;
  }
  // (b) Penalised LM from the unconstrained fit, stiffening the penalty.
  Penalty pen;
  pen.lambda = 1e-2 * (vol_cost(D, p) + 1e-12);
  for (int round = 0; round < 12; ++round, pen.lambda *= 10.0) {
    scan_grid(p, lo, hi, 201, 33, pen.k);
    p = levenberg_marquardt(D, p, pen, 100);
    if (check_butterfly(p, lo, hi).free) {
      found.push_back(p);
      break;
    }
  }
  if (!found.empty()) {
    return *std::min_element(found.begin(), found.end(), [&](const SviParams& u, const SviParams& v) {
      return vol_cost(D, u) < vol_cost(D, v);
    });
  }
  // (c) Blend towards the flat smile w = Mw (g = 1): bisection for the least blend the scan passes.
  auto blend = [&](double t) {
    SviParams q = p;
    q.a = (1.0 - t) * p.a + t * Mw;
    q.b = (1.0 - t) * p.b;
    return q;
  };
  double t_bad = 0.0, t_ok = 1.0;
  for (int i = 0; i < 40; ++i) {
    const double t = 0.5 * (t_bad + t_ok);
    (check_butterfly(blend(t), lo, hi).free ? t_ok : t_bad) = t;
  }
  return blend(t_ok);
}

}  // namespace

ButterflyCheck check_butterfly(const SviParams& p, double k_lo, double k_hi) noexcept {
  ButterflyCheck c;
  c.min_g = std::numeric_limits<double>::infinity();
  c.min_w = std::numeric_limits<double>::infinity();
  std::vector<double> grid;
  scan_grid(p, k_lo, k_hi, 801, 65, grid);
  for (double k : grid) {
    const double g = svi_g(p, k);
    c.min_w = std::min(c.min_w, svi_total_variance(p, k));
    if (g < c.min_g || std::isnan(g)) c.min_g = g, c.k_at_min = k;
  }
  c.free = c.min_g >= 0.0 && c.min_w > 0.0;
  return c;
}

Result<SmileFit> fit_svi(std::span<const SmileQuote> quotes, double expiry_years) {
  if (!std::isfinite(expiry_years) || expiry_years <= 0.0)
    return make_error(fmt::format("fit_svi: expiry_years must be finite and > 0, got {}", expiry_years));
  if (quotes.size() < 5)
    return make_error(fmt::format("fit_svi: need at least 5 quotes, got {}", quotes.size()));
  Data D;
  D.T = expiry_years;
  D.k_min = std::numeric_limits<double>::infinity();
  D.k_max = -D.k_min;
  double sum_w = 0.0, sum_o = 0.0;
  for (std::size_t i = 0; i < quotes.size(); ++i) {
    const SmileQuote& q = quotes[i];
    if (!std::isfinite(q.k))
      return make_error(fmt::format("fit_svi: quote {}: k must be finite, got {}", i, q.k));
    if (!std::isfinite(q.vol) || q.vol <= 0.0)
      return make_error(fmt::format("fit_svi: quote {} (k = {}): vol must be finite and > 0, got {}", i, q.k, q.vol));
    if (!std::isfinite(q.weight) || q.weight <= 0.0)
      return make_error(
          fmt::format("fit_svi: quote {} (k = {}): weight must be finite and > 0, got {}", i, q.k, q.weight));
    D.k.push_back(q.k);
    D.vol.push_back(q.vol);
    D.w.push_back(q.vol * q.vol * expiry_years);
    D.wv.push_back(q.weight);
    D.om.push_back(q.weight / (q.vol * q.vol));  // weight / (2 vol T)^2 up to a constant
    sum_w += q.weight;
    sum_o += D.om.back();
    D.k_min = std::min(D.k_min, q.k);
    D.k_max = std::max(D.k_max, q.k);
  }
  const double R = D.k_max - D.k_min;
  if (!(R > 1e-8))
    return make_error(fmt::format("fit_svi: quotes need distinct log-moneyness, all k are {}", D.k_min));
  if (!std::isfinite(sum_w) || !std::isfinite(sum_o))
    return make_error(fmt::format("fit_svi: sum of weights overflows ({})", sum_w));
  for (std::size_t i = 0; i < D.k.size(); ++i) D.wv[i] /= sum_w, D.om[i] /= sum_o;
  D.y.resize(D.k.size());
  D.z.resize(D.k.size());
  D.sigma_min = 1e-3 * R;

  // Stage 1: quasi-explicit fit over (m, log sigma).
  Outer O{D, D.k_min - 2.0 * R, D.k_max + 2.0 * R, std::log(D.sigma_min), std::log(5.0 * R),
          0.2 * R, std::log(200.0) / 7.0};
  auto plain = [](const Inner& in) { return in.f; };
  const std::array<double, 2> x = O.search(plain, nullptr);
  const Inner best = O.at(x);
  // Stage 2: exact vega-weighted vol objective.
  SviParams p = levenberg_marquardt(D, project(best.p, D.sigma_min), Penalty{}, 100);
  // Stage 3: butterfly arbitrage.
  const double lo = D.k_min - kWiden * R, hi = D.k_max + kWiden * R;
  ButterflyCheck chk = check_butterfly(p, lo, hi);
  if (!chk.free) {
    p = remove_butterfly(O, p, x, best.f);
    chk = check_butterfly(p, lo, hi);
  }

  SmileFit fit;
  fit.expiry_years = expiry_years;
  fit.params = p;
  fit.quotes = quotes.size();
  fit.k_min = D.k_min;
  fit.k_max = D.k_max;
  double sse = 0.0;
  for (std::size_t i = 0; i < D.k.size(); ++i) {
    const double e = std::sqrt(std::max(svi_total_variance(p, D.k[i]), 0.0) / D.T) - D.vol[i];
    sse += D.wv[i] * e * e;
    fit.max_abs_vol_error = std::max(fit.max_abs_vol_error, std::abs(e));
  }
  fit.rmse_vol = std::sqrt(sse);
  fit.min_g = chk.min_g;
  fit.butterfly_free = chk.free;
  return fit;
}

}  // namespace greekbook::market
