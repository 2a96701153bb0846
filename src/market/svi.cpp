// The vega-weighted, butterfly-free raw SVI fit (the formulas and the butterfly scan are in
// vol_surface.cpp).
//
// fit_svi minimises sum weight_i (vol_model(k_i) - vol_i)^2 (weights normalised) in three stages:
//  1. Quasi-explicit global fit (Zeliade 2009) in total variance. For fixed (m, sigma), with
//     y = (k - m)/sigma, w = a + d y + c sqrt(y^2 + 1) (c = b sigma, d = rho b sigma) is linear in
//     (a, c, d); a is eliminated in closed form and (c, d) minimise a 2x2 quadratic over the
//     parallelogram |d| <= c, c + |d| <= 2 sigma (|rho| <= 1 and Lee's wing bound b (1+|rho|) <= 2),
//     exactly: interior solution or the best point of one of the four edges. (m, log sigma) are
//     searched on an 11 x 8 grid, then by Nelder-Mead. Weights weight_i / (2 vol_i T)^2 make this the
//     first-order expansion of the vol objective (d vol = dw / (2 vol T)): linear where it matters,
//     and already close to the vol optimum.
//  2. Levenberg-Marquardt on all five parameters on the exact vol objective, projected onto the
//     domain (b >= 0, |rho| < 1, sigma > 0, b (1+|rho|) <= 2, min w >= 0).
//  3. Butterfly arbitrage: g is scanned (check_butterfly) over the quotes' range widened by 50% on each
//     side. Where it is negative, the candidates below are made and the butterfly-free one with the
//     lowest vol objective is kept ("penalised LM": LM with residuals on g < 0.001 at 201 + 33 grid
//     points, from a weak weight stiffened x10 per round until the scan passes):
//     (a) stage 1 again with a penalty on g < 0.001, stiffened x10 until its solution passes the scan
//     (the exact inner solve travels along the long flat valleys of the objective, nearly parabolic
//     smiles with large sigma, where a local method stalls), and penalised LM from there;
//     (b) penalised LM from the stage 2 fit (best where the repair is a small local change).
//     If none passes, (c) blends the parameters towards a flat smile (b -> 0, where g = 1) and keeps,
//     by bisection, the least blended smile the scan passes. The min_g reported is the scan's.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "greekbook/market/svi.hpp"

namespace greekbook::market {

namespace {

constexpr double kRhoMax = 1.0 - 1e-9;
constexpr double kLee = 2.0;      // b (1 + |rho|) <= 2 (Lee's moment formula)
constexpr double kMargin = 1e-3;  // penalties aim at g >= kMargin
constexpr double kWiden = 0.5;    // arbitrage scan over [k_min - 0.5 R, k_max + 0.5 R]
using Vec2 = std::array<double, 2>;
using Vec5 = std::array<double, 5>;

// Calls fn(k) for `uniform` points over [lo, hi] and `local` points within `reach` sigma of m.
template <class Fn>
void for_grid(const SviParams& p, double lo, double hi, int uniform, int local, double reach, Fn&& fn) {
  for (int i = 0; i < uniform; ++i) fn(lo + (hi - lo) * i / (uniform - 1));
  for (int i = 0; i < local; ++i) {
    const double k = p.m + p.sigma * reach * (-1.0 + 2.0 * i / (local - 1));
    if (k > lo && k < hi) fn(k);
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
  double T = 0.0, k_min = 0.0, k_max = 0.0, sigma_min = 0.0, lo = 0.0, hi = 0.0;
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
  double My = 0, Mz = 0, Mw = 0, Cyy = 0, Cyz = 0, Czz = 0, Cyw = 0, Czw = 0;
  for (std::size_t i = 0; i < n; ++i) {
    D.y[i] = (D.k[i] - m) / s;
    D.z[i] = std::sqrt(D.y[i] * D.y[i] + 1.0);
    My += D.om[i] * D.y[i], Mz += D.om[i] * D.z[i], Mw += D.om[i] * D.w[i];
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double dy = D.y[i] - My, dz = D.z[i] - Mz, dw = D.w[i] - Mw, o = D.om[i];
    Cyy += o * dy * dy, Cyz += o * dy * dz, Czz += o * dz * dz, Cyw += o * dy * dw, Czw += o * dz * dw;
  }
  // f - Var(w) = q(c, d), a quadratic with Hessian / 2 = [[Czz, Cyz], [Cyz, Cyy]].
  auto q = [&](double c, double d) { return c * c * Czz + 2 * c * d * Cyz + d * d * Cyy - 2 * (c * Czw + d * Cyw); };
  double bc = 0.0, bd = 0.0, bq = std::numeric_limits<double>::infinity();
  const double det = Czz * Cyy - Cyz * Cyz;
  if (det > 1e-13 * Czz * Cyy && det > 0.0) {
    const double c = (Czw * Cyy - Cyw * Cyz) / det, d = (Cyw * Czz - Czw * Cyz) / det;
    if (std::abs(d) <= c && c + std::abs(d) <= kLee * s) bc = c, bd = d, bq = q(c, d);
  }
  if (!std::isfinite(bq)) {  // minimum on the boundary: best point of the four edges
    const std::array<Vec2, 4> V{{{0.0, 0.0}, {s, s}, {kLee * s, 0.0}, {s, -s}}};
    for (int e = 0; e < 4; ++e) {
      const Vec2 &P = V[e], &Q = V[(e + 1) % 4];
      const double ex = Q[0] - P[0], ey = Q[1] - P[1];
      const double ge = (Czz * P[0] + Cyz * P[1] - Czw) * ex + (Cyz * P[0] + Cyy * P[1] - Cyw) * ey;
      const double eHe = Czz * ex * ex + 2.0 * Cyz * ex * ey + Cyy * ey * ey;
      for (double t : {0.0, 1.0, eHe > 0.0 ? std::clamp(-ge / eHe, 0.0, 1.0) : 0.0}) {
        const double c = P[0] + t * ex, d = P[1] + t * ey, v = q(c, d);
        if (v < bq) bc = c, bd = d, bq = v;
      }
    }
  }
  Inner r;
  r.p = {Mw - bc * Mz - bd * My, bc / s, bc > 0.0 ? std::clamp(bd / bc, -kRhoMax, kRhoMax) : 0.0, m, s};
  const double w_min = r.p.a + std::sqrt(std::max(bc * bc - bd * bd, 0.0));
  if (w_min < 0.0) r.p.a -= w_min;  // keeps w >= 0: feasible, no longer optimal; the outer search copes
  for (std::size_t i = 0; i < n; ++i) {
    const double e = r.p.a + bd * D.y[i] + bc * D.z[i] - D.w[i];
    r.f += D.om[i] * e * e;
  }
  return r;
}

// Nelder-Mead in two dimensions.
template <class F>
Vec2 nelder_mead(F&& f, Vec2 x0, Vec2 step, int max_evals) {
  std::array<Vec2, 3> p{x0, Vec2{x0[0] + step[0], x0[1]}, Vec2{x0[0], x0[1] + step[1]}};
  std::array<double, 3> v{f(p[0]), f(p[1]), f(p[2])};
  auto along = [](const Vec2& c, const Vec2& x, double t) { return Vec2{c[0] + t * (x[0] - c[0]), c[1] + t * (x[1] - c[1])}; };
  for (int evals = 3; evals < max_evals; ++evals) {
    std::array<int, 3> o{0, 1, 2};
    std::sort(o.begin(), o.end(), [&](int i, int j) { return v[i] < v[j]; });
    p = {p[o[0]], p[o[1]], p[o[2]]};
    v = {v[o[0]], v[o[1]], v[o[2]]};
    const double size = std::max(std::abs(p[1][0] - p[0][0]) + std::abs(p[2][0] - p[0][0]),
                                 std::abs(p[1][1] - p[0][1]) + std::abs(p[2][1] - p[0][1]));
    if (v[2] - v[0] <= 1e-15 * v[0] + 1e-300 || size < 1e-11) break;
    const Vec2 c = along(p[0], p[1], 0.5), xr = along(c, p[2], -1.0);
    const double fr = f(xr);
    if (fr < v[0]) {
      const Vec2 xe = along(c, p[2], -2.0);
      const double fe = f(xe);
      ++evals;
      p[2] = fe < fr ? xe : xr, v[2] = std::min(fe, fr);
    } else if (fr < v[1]) {
      p[2] = xr, v[2] = fr;
    } else {
      const Vec2 xc = fr < v[2] ? along(c, xr, 0.5) : along(c, p[2], 0.5);
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

Vec5 to_vec(const SviParams& p) { return {p.a, p.b, p.rho, p.m, p.sigma}; }
SviParams to_params(const Vec5& v) { return {v[0], v[1], v[2], v[3], v[4]}; }

struct Penalty {
  double lambda = 0.0;
  std::vector<double> k;
};

// Residuals (vol errors times sqrt(weight), then penalty terms sqrt(lambda / G) max(0, kMargin - g))
// and their Jacobian (rows of 5: analytic for the vols, forward differences for g).
double residuals(const Data& D, const SviParams& p, const Penalty& pen, std::vector<double>& r, std::vector<double>& J) {
  const std::size_t n = D.k.size();
  r.assign(n + pen.k.size(), 0.0);
  J.assign(r.size() * 5, 0.0);
  double cost = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = D.k[i] - p.m, s = std::sqrt(x * x + p.sigma * p.sigma);
    const double v = std::sqrt(std::max(p.a + p.b * (p.rho * x + s), 1e-300) / D.T);
    const double sw = std::sqrt(D.wv[i]), dv = sw / (2.0 * v * D.T);
    const Vec5 dw{1.0, p.rho * x + s, p.b * x, -p.b * (p.rho + x / s), p.b * p.sigma / s};
    r[i] = sw * (v - D.vol[i]);
    for (int j = 0; j < 5; ++j) J[i * 5 + j] = dv * dw[j];
    cost += r[i] * r[i];
  }
  const double scale = std::sqrt(pen.lambda / std::max<double>(pen.k.size(), 1.0));
  auto viol = [](double g) { return std::isfinite(g) ? std::clamp(kMargin - g, 0.0, 1e3) : 1e3; };
  const Vec5 x = to_vec(p);
  for (std::size_t j = 0; j < pen.k.size(); ++j) {
    const double v0 = viol(svi_g(p, pen.k[j]));
    if (v0 <= 0.0) continue;
    r[n + j] = scale * v0;
    cost += r[n + j] * r[n + j];
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
      if (i == j && !(s > 0.0)) return false;
      L[i * 5 + j] = i == j ? std::sqrt(s) : s / L[j * 5 + j];
    }
  }
  for (int i = 0; i < 5; ++i) {  // L y = -g (y stored in x), then L^T x = y
    x[i] = -g[i];
    for (int k = 0; k < i; ++k) x[i] -= L[i * 5 + k] * x[k];
    x[i] /= L[i * 5 + i];
  }
  for (int i = 4; i >= 0; --i) {
    for (int k = i + 1; k < 5; ++k) x[i] -= L[k * 5 + i] * x[k];
    x[i] /= L[i * 5 + i];
  }
  return true;
}

SviParams levenberg_marquardt(const Data& D, SviParams p, const Penalty& pen, int max_iter) {
  std::vector<double> r, J, r2, J2;
  double cost = residuals(D, p, pen, r, J), mu = 1e-3;
  for (int it = 0; it < max_iter; ++it) {
    std::array<double, 25> A{};
    Vec5 g{};
    for (std::size_t i = 0; i < r.size(); ++i) {
      const double* row = &J[i * 5];
      for (int a = 0; a < 5; ++a) {
        g[a] += row[a] * r[i];
        for (int b = 0; b < 5; ++b) A[a * 5 + b] += row[a] * row[b];
      }
    }
    const double old = cost;
    for (int tries = 0; tries < 12 && cost == old; ++tries, mu *= 4.0) {
      Vec5 dx{};
      if (!damped_solve(A, g, mu, dx)) continue;
      Vec5 x = to_vec(p);
      for (int a = 0; a < 5; ++a) x[a] += dx[a];
      const SviParams q = project(to_params(x), D.sigma_min);
      const double c2 = residuals(D, q, pen, r2, J2);
      if (c2 < cost) {
        p = q, cost = c2;
        std::swap(r, r2), std::swap(J, J2);
        mu = std::max(mu * 0.075, 1e-12);  // x 0.3 after the loop's x 4
      }
    }
    if (!(cost < old) || old - cost <= 1e-12 * old) break;
  }
  return p;
}

double vol_cost(const Data& D, const SviParams& p) {
  std::vector<double> r, J;
  return residuals(D, p, Penalty{}, r, J);
}

// Violation of g >= kMargin over the scan range (121 points, 17 within 4 sigma of m), in kMargin units.
double g_penalty(const Data& D, const SviParams& p) {
  double s = 0.0;
  for_grid(p, D.lo, D.hi, 121, 17, 4.0, [&](double k) {
    const double g = svi_g(p, k), v = std::isfinite(g) ? std::max(kMargin - g, 0.0) / kMargin : 1e6;
    s += v * v;
  });
  return s;
}

void penalty_grid(const Data& D, const SviParams& p, Penalty& pen) {
  pen.k.clear();
  for_grid(p, D.lo, D.hi, 201, 33, 8.0, [&](double k) { pen.k.push_back(k); });
}

// Stage 1 search over x = (m, log sigma): an 11 x 8 grid (unless a start is given), then Nelder-Mead
// twice, the second time from a small simplex (guards against early collapse).
struct Outer {
  Data& D;
  double m_lo, m_hi, ls_lo, ls_hi, dm, dls;
  Inner at(const Vec2& x) const {
    return solve_inner(D, std::clamp(x[0], m_lo, m_hi), std::exp(std::clamp(x[1], ls_lo, ls_hi)));
  }
  template <class Cost>
  Vec2 search(Cost&& cost, const Vec2* start) const {
    auto f = [&](const Vec2& x) { return cost(at(x)); };
    Vec2 best = start ? *start : Vec2{};
    const double R = D.k_max - D.k_min;
    double fbest = std::numeric_limits<double>::infinity();
    for (int i = 0; i < 11 && !start; ++i) {
      for (int j = 0; j < 8; ++j) {
        const Vec2 x{D.k_min - 0.5 * R + dm * i, std::log(0.01 * R) + dls * j};
        const double v = f(x);
        if (v < fbest) best = x, fbest = v;
      }
    }
    return nelder_mead(f, nelder_mead(f, best, {0.5 * dm, 0.5 * dls}, 250), {0.05 * dm, 0.05 * dls}, 150);
  }
};

// LM with penalty residuals on g < kMargin, stiffened x10 per round from a weak start, until the
// scan is clean; the last iterate if it never is. The cost floor (vol errors of 0.1% of the average
// vol) sets the scale where the fit is exact.
SviParams penalised_lm(const Data& D, SviParams p, bool& free) {
  double vbar = 0.0;
  for (std::size_t i = 0; i < D.k.size(); ++i) vbar += D.wv[i] * D.vol[i];
  Penalty pen{1e-2 * std::max(vol_cost(D, p), 1e-6 * vbar * vbar), {}};
  for (int round = 0; round < 14 && !free; ++round, pen.lambda *= 10.0) {
    penalty_grid(D, p, pen);
    p = levenberg_marquardt(D, p, pen, 100);
    free = check_butterfly(p, D.lo, D.hi).free;
  }
  return p;
}

// Stage 3: the best butterfly-free smile near p, the stage 2 fit from the stage 1 optimum x.
SviParams remove_butterfly(const Outer& O, SviParams p, Vec2 x, double f_stage1) {
  const Data& D = O.D;
  double Mw = 0.0;
  for (std::size_t i = 0; i < D.k.size(); ++i) Mw += D.wv[i] * D.w[i];
  std::vector<SviParams> found;
  // (a) Stage 1 with the g penalty; its first butterfly-free point, and penalised LM from there.
  const double scale = f_stage1 + 1e-8 * Mw * Mw;
  for (double lambda = 1.0; lambda <= 1e8; lambda *= 10.0) {
    auto cost = [&](const Inner& in) { return in.f + lambda * scale * g_penalty(D, in.p); };
    if (lambda == 1.0) {
      const Vec2 g = O.search(cost, nullptr);
      if (cost(O.at(g)) < cost(O.at(x))) x = g;
    }
    x = O.search(cost, &x);
    const SviParams q = project(O.at(x).p, D.sigma_min);
    if (!check_butterfly(q, D.lo, D.hi).free) continue;
    found.push_back(q);
    bool free = false;
    const SviParams q2 = penalised_lm(D, q, free);
    if (free) found.push_back(q2);
    break;
  }
  // (b) Penalised LM from the stage 2 fit.
  bool free = false;
  p = penalised_lm(D, p, free);
  if (free) found.push_back(p);
  if (!found.empty())
    return *std::min_element(found.begin(), found.end(),
                             [&](const SviParams& u, const SviParams& v) { return vol_cost(D, u) < vol_cost(D, v); });
  // (c) Blend the last iterate of (b) towards the flat smile w = Mw (g = 1).
  auto blend = [&](double t) { return SviParams{(1.0 - t) * p.a + t * Mw, (1.0 - t) * p.b, p.rho, p.m, p.sigma}; };
  double t_bad = 0.0, t_ok = 1.0;
  for (int i = 0; i < 40; ++i) {
    const double t = 0.5 * (t_bad + t_ok);
    (check_butterfly(blend(t), D.lo, D.hi).free ? t_ok : t_bad) = t;
  }
  return blend(t_ok);
}

}  // namespace

Result<SmileFit> fit_svi(std::span<const SmileQuote> quotes, double expiry_years) {
  if (!std::isfinite(expiry_years) || expiry_years <= 0.0)
    return make_error(fmt::format("fit_svi: expiry_years must be finite and > 0, got {}", expiry_years));
  if (quotes.size() < 5) return make_error(fmt::format("fit_svi: need at least 5 quotes, got {}", quotes.size()));
  Data D;
  D.T = expiry_years;
  D.k_min = std::numeric_limits<double>::infinity();
  D.k_max = -D.k_min;
  double sum_w = 0.0, sum_o = 0.0;
  for (std::size_t i = 0; i < quotes.size(); ++i) {
    const SmileQuote& q = quotes[i];
    if (!std::isfinite(q.k)) return make_error(fmt::format("fit_svi: quote {}: k must be finite, got {}", i, q.k));
    if (!std::isfinite(q.vol) || q.vol <= 0.0)
      return make_error(fmt::format("fit_svi: quote {} (k = {}): vol must be finite and > 0, got {}", i, q.k, q.vol));
    if (!std::isfinite(q.weight) || q.weight <= 0.0)
      return make_error(
          fmt::format("fit_svi: quote {} (k = {}): weight must be finite and > 0, got {}", i, q.k, q.weight));
    D.k.push_back(q.k);
    D.vol.push_back(q.vol);
    D.w.push_back(q.vol * q.vol * expiry_years);
    D.wv.push_back(q.weight);
    D.om.push_back(q.weight / (q.vol * q.vol));  // weight / (2 vol T)^2 up to a constant factor
    sum_w += q.weight, sum_o += D.om.back();
    D.k_min = std::min(D.k_min, q.k), D.k_max = std::max(D.k_max, q.k);
  }
  const double R = D.k_max - D.k_min;
  if (!(R > 1e-8))
    return make_error(fmt::format("fit_svi: quotes need distinct log-moneyness, all k are {}", D.k_min));
  if (!std::isfinite(sum_w) || !std::isfinite(sum_o))
    return make_error(fmt::format("fit_svi: weights too large, their sum overflows ({})", sum_w));
  for (std::size_t i = 0; i < D.k.size(); ++i) D.wv[i] /= sum_w, D.om[i] /= sum_o;
  D.y.resize(D.k.size());
  D.z.resize(D.k.size());
  D.sigma_min = 1e-3 * R;
  D.lo = D.k_min - kWiden * R, D.hi = D.k_max + kWiden * R;

  // Stage 1: m within 2 R of the quotes, sigma in [0.001 R, 5 R]; grid m in [k_min - R/2, k_max + R/2],
  // sigma in [0.01 R, 2 R].
  const Outer O{D, D.k_min - 2.0 * R, D.k_max + 2.0 * R, std::log(D.sigma_min), std::log(5.0 * R),
                0.2 * R, std::log(200.0) / 7.0};
  const Vec2 x = O.search([](const Inner& in) { return in.f; }, nullptr);
  const Inner stage1 = O.at(x);
  // Stage 2: the exact vol objective.
  SviParams p = levenberg_marquardt(D, project(stage1.p, D.sigma_min), Penalty{}, 100);
  // Stage 3: butterfly arbitrage.
  ButterflyCheck chk = check_butterfly(p, D.lo, D.hi);
  if (!chk.free) {
    p = remove_butterfly(O, p, x, stage1.f);
    chk = check_butterfly(p, D.lo, D.hi);
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
