// SIMD implied volatility: the "Let's Be Rational" algorithm of implied_vol.cpp written branch-free
// over Highway vectors (all four initial-guess branches and the three objectives are computed where
// any lane needs them and blended by mask), dispatched at run time like the Black-76 kernel. Lanes
// that have not converged after the Householder steps (pathological inputs) are flagged and solved
// again by the scalar solver, so the batch result is never worse than the scalar one.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "pricing/implied_vol_batch.cpp"
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_AVX3_DL | HWY_SSSE3)
#endif
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/contrib/math/math-inl.h"
#include "pricing/mills_simd-inl.h"

#include <cfloat>
#include <cstddef>
#include <cstdint>

#include "core/mills_ratio_poly.hpp"
#include "pricing/implied_vol_kernel.hpp"

HWY_BEFORE_NAMESPACE();
namespace greekbook::pricing {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {
using namespace pricing::detail;

template <class D>
using Vec = hn::Vec<D>;

template <class D>
HWY_INLINE Vec<D> C(D d, double v) {
  return hn::Set(d, v);
}

// Mills ratio R(a) = N(-a)/phi(a), a >= 0 (polynomial on [0, 40], asymptotic series beyond).
// Out of line (as are Black and InvNcdfLower), called many times per solve: keeps the solver's code
// small (measured: no speed difference either way).
template <class D>
HWY_NOINLINE Vec<D> Mills(D d, Vec<D> a) {
  using namespace core::detail;
  const Vec<D> inv = hn::Div(C(d, 1.0), hn::Add(C(d, kMillsC), a));
  Vec<D> r = MillsFromReciprocal(d, inv);
  const auto far = hn::Gt(a, C(d, kMillsMaxArg));
  if (!hn::AllFalse(d, far)) {
    const Vec<D> w = hn::Div(C(d, 1.0), hn::Mul(a, a));
    Vec<D> term = C(d, 1.0), sum = C(d, 1.0);
    for (int n = 1; n <= 10; ++n) {
      term = hn::Mul(term, hn::Mul(C(d, -(2.0 * n - 1.0)), w));
      sum = hn::Add(sum, term);
    }
    r = hn::IfThenElse(far, hn::Div(sum, a), r);
  }
  return r;
}

// erfcx(z) = sqrt(2/pi) R(sqrt2 z) for z >= 0; 2 exp(z^2) - erfcx(-z) below.
template <class D>
HWY_INLINE Vec<D> Erfcx(D d, Vec<D> z) {
  const Vec<D> pos = hn::Mul(C(d, 0.79788456080286535588), Mills(d, hn::Mul(C(d, 1.4142135623730950488), hn::Abs(z))));
  const auto neg = hn::Lt(z, hn::Zero(d));
  if (hn::AllFalse(d, neg)) return pos;
  return hn::IfThenElse(neg, hn::Sub(hn::Mul(C(d, 2.0), hn::Exp(d, hn::Mul(z, z))), pos), pos);
}

// N(y) given phi(y).
template <class D>
HWY_INLINE Vec<D> Ncdf(D d, Vec<D> y, Vec<D> pdf) {
  const Vec<D> tail = hn::Mul(pdf, Mills(d, hn::Abs(y)));
  return hn::IfThenElse(hn::Lt(y, hn::Zero(d)), tail, hn::Sub(C(d, 1.0), tail));
}

template <class D>
HWY_INLINE Vec<D> Pdf(D d, Vec<D> y) {
  return hn::Mul(C(d, 0.39894228040143267794), hn::Exp(d, hn::Mul(C(d, -0.5), hn::Mul(y, y))));
}

// Inverse normal CDF for p in (0, 1/2]: Abramowitz-Stegun 26.2.23 start (|error| < 4.5e-4), one
// Halley step (cubic: ~1e-10). Only initial guesses use it; the Householder steps that follow
// converge from far coarser starts, so a second step would change nothing but the time.
template <class D>
HWY_NOINLINE Vec<D> InvNcdfLower(D d, Vec<D> p) {
  const Vec<D> t = hn::Sqrt(hn::Mul(C(d, -2.0), hn::Log(d, p)));
  const Vec<D> num = hn::MulAdd(hn::MulAdd(C(d, 0.010328), t, C(d, 0.802853)), t, C(d, 2.515517));
  const Vec<D> den = hn::MulAdd(hn::MulAdd(hn::MulAdd(C(d, 0.001308), t, C(d, 0.189269)), t, C(d, 1.432788)), t, C(d, 1.0));
  Vec<D> x = hn::Neg(hn::Sub(t, hn::Div(num, den)));
  for (int i = 0; i < 1; ++i) {
    const Vec<D> pdf = Pdf(d, x);
    const Vec<D> u = hn::Div(hn::Sub(Ncdf(d, x, pdf), p), pdf);
    x = hn::Sub(x, hn::Div(u, hn::MulAdd(hn::Mul(C(d, 0.5), x), u, C(d, 1.0))));
  }
  return x;
}

// b(x, s) for x <= 0 (out-of-the-money call) and its s-derivative, region by region as in
// normalised_black.cpp; each region is evaluated only when a lane needs it.
template <class D>
HWY_NOINLINE Vec<D> Black(D d, Vec<D> x, Vec<D> s, Vec<D>& vega) {
  const Vec<D> zero = hn::Zero(d), one = C(d, 1.0);
  const Vec<D> h = hn::Div(x, s), t = hn::Mul(C(d, 0.5), s);
  const Vec<D> e = hn::Exp(d, hn::Mul(C(d, -0.5), hn::MulAdd(h, h, hn::Mul(t, t))));
  vega = hn::Mul(C(d, 0.39894228040143267794), e);
  const Vec<D> hpt = hn::Add(h, t), hmt = hn::Sub(h, t);
  const auto asym = hn::And(hn::Lt(h, C(d, -10.0)), hn::Lt(hpt, C(d, -9.79)));
  const auto small = hn::AndNot(asym, hn::Lt(t, C(d, 0.21)));
  const auto ncdf = hn::AndNot(hn::Or(asym, small), hn::Gt(hpt, C(d, 0.85)));
  const auto erfx = hn::Not(hn::Or(hn::Or(asym, small), ncdf));
  const Vec<D> r2 = C(d, 0.70710678118654752440);
  Vec<D> scaled = zero;
  if (!hn::AllFalse(d, erfx)) {
    const Vec<D> v = hn::Mul(C(d, 0.5), hn::Sub(Erfcx(d, hn::Neg(hn::Mul(r2, hpt))), Erfcx(d, hn::Neg(hn::Mul(r2, hmt)))));
    scaled = hn::IfThenElse(erfx, v, scaled);
  }
  if (!hn::AllFalse(d, small)) {
    const Vec<D> m = hn::Neg(hn::Mul(h, r2)), delta = hn::Mul(t, r2), d2 = hn::Mul(delta, delta);
    const Vec<D> two_m = hn::Add(m, m);
    Vec<D> y_prev = Erfcx(d, m);
    Vec<D> y = hn::MulSub(two_m, y_prev, C(d, 1.1283791670955126));  // y1 = 2 m y0 - 2/sqrt(pi)
    Vec<D> power = delta, sum = hn::Mul(y, delta);
    for (int j = 0; j < kSmallTTerms; ++j) {
      const double k = 2.0 * j + 1.0;
      const Vec<D> y_next = hn::MulAdd(two_m, y, hn::Mul(C(d, 2.0 * k), y_prev));
      const Vec<D> y_next2 = hn::MulAdd(two_m, y_next, hn::Mul(C(d, 2.0 * (k + 1.0)), y));
      y_prev = y_next;
      y = y_next2;
      power = hn::Mul(power, hn::Mul(d2, C(d, 1.0 / ((k + 1.0) * (k + 2.0)))));
      sum = hn::MulAdd(y, power, sum);
    }
    scaled = hn::IfThenElse(small, hn::Neg(sum), scaled);
  }
  if (!hn::AllFalse(d, asym)) {
    const Vec<D> a = hn::Neg(hn::Mul(hpt, r2)), c = hn::Neg(hn::Mul(hmt, r2));
    const Vec<D> A = hn::Div(one, a), Cc = hn::Div(one, c);
    Vec<D> hk = one, ck = one, sum = one, coef = one;
    for (int n = 1; n <= kAsymptoticTerms; ++n) {
      ck = hn::Mul(ck, Cc);
      hk = hn::MulAdd(A, hk, ck);
      ck = hn::Mul(ck, Cc);
      hk = hn::MulAdd(A, hk, ck);
      coef = hn::Mul(coef, C(d, -(2.0 * n - 1.0) * 0.5));
      sum = hn::MulAdd(coef, hk, sum);
    }
    const Vec<D> v = hn::Mul(hn::Mul(C(d, 0.5 * 0.56418958354775628695 * 1.4142135623730950488), t),
                             hn::Mul(hn::Mul(A, Cc), sum));
    scaled = hn::IfThenElse(asym, v, scaled);
  }
  Vec<D> b = hn::Max(hn::Mul(e, scaled), zero);
  if (!hn::AllFalse(d, ncdf)) {
    const Vec<D> bm = hn::Exp(d, hn::Mul(C(d, 0.5), x)), inv_bm = hn::Div(one, bm);
    const Vec<D> pdf_p = hn::Mul(vega, inv_bm), pdf_m = hn::Mul(vega, bm);  // phi(h+t), phi(h-t)
    const Vec<D> v = hn::Sub(hn::Mul(bm, Ncdf(d, hpt, pdf_p)), hn::Mul(Ncdf(d, hmt, pdf_m), inv_bm));
    b = hn::IfThenElse(ncdf, hn::Max(v, zero), b);
  }
  return b;
}

// Delbourgo-Gregory rational cubic and its shape-preserving control parameter (vector forms of
// rational_cubic.cpp).
template <class D>
HWY_INLINE Vec<D> RationalCubic(D d, Vec<D> x, Vec<D> x_l, Vec<D> x_r, Vec<D> y_l, Vec<D> y_r, Vec<D> d_l,
                                Vec<D> d_r, Vec<D> r) {
  const Vec<D> one = C(d, 1.0), h = hn::Sub(x_r, x_l);
  const Vec<D> t = hn::Div(hn::Sub(x, x_l), h), omt = hn::Sub(one, t);
  const Vec<D> t2 = hn::Mul(t, t), omt2 = hn::Mul(omt, omt);
  const Vec<D> num = hn::Add(hn::Add(hn::Mul(hn::Mul(y_r, t2), t), hn::Mul(hn::Mul(hn::NegMulAdd(h, d_r, hn::Mul(r, y_r)), t2), omt)),
                             hn::Add(hn::Mul(hn::Mul(hn::MulAdd(h, d_l, hn::Mul(r, y_l)), t), omt2), hn::Mul(hn::Mul(y_l, omt2), omt)));
  const Vec<D> cubic = hn::Div(num, hn::MulAdd(hn::Sub(r, C(d, 3.0)), hn::Mul(t, omt), one));
  const Vec<D> linear = hn::MulAdd(y_r, t, hn::Mul(y_l, omt));
  return hn::IfThenElse(hn::Ge(r, C(d, kMaxR)), linear, cubic);
}

template <class D>
HWY_INLINE Vec<D> MinimumControl(D d, Vec<D> d_l, Vec<D> d_r, Vec<D> s, bool prefer_shape) {
  const Vec<D> zero = hn::Zero(d), tiny = C(d, DBL_MIN);
  const auto monotonic = hn::And(hn::Ge(hn::Mul(d_l, s), zero), hn::Ge(hn::Mul(d_r, s), zero));
  const auto convex = hn::And(hn::Le(d_l, s), hn::Le(s, d_r));
  const auto concave = hn::And(hn::Ge(d_l, s), hn::Ge(s, d_r));
  const Vec<D> drdl = hn::Sub(d_r, d_l), drs = hn::Sub(d_r, s), sdl = hn::Sub(s, d_l);
  const Vec<D> none = C(d, -DBL_MAX), maxr = C(d, kMaxR);
  const auto s_zero = hn::Lt(hn::Abs(s), tiny);
  Vec<D> r1 = hn::IfThenElse(monotonic, hn::IfThenElse(s_zero, prefer_shape ? maxr : none, hn::Div(hn::Add(d_r, d_l), s)), none);
  const auto cc = hn::Or(convex, concave);
  const auto degenerate = hn::Or(hn::Lt(hn::Abs(sdl), tiny), hn::Lt(hn::Abs(drs), tiny));
  const Vec<D> ratio = hn::Max(hn::Abs(hn::Div(drdl, drs)), hn::Abs(hn::Div(drdl, sdl)));
  Vec<D> r2 = hn::IfThenElse(cc, hn::IfThenElse(degenerate, prefer_shape ? maxr : none, ratio),
                             prefer_shape ? hn::IfThenElse(monotonic, maxr, none) : none);
  const Vec<D> best = hn::Max(C(d, kMinR), hn::Max(r1, r2));
  return hn::IfThenElse(hn::Or(hn::Or(monotonic, convex), concave), best, C(d, kMinR));
}

// left = true: fit the second derivative at the left end, else at the right end.
template <class D>
HWY_INLINE Vec<D> ControlFit(D d, bool left, Vec<D> x_l, Vec<D> x_r, Vec<D> y_l, Vec<D> y_r, Vec<D> d_l, Vec<D> d_r,
                             Vec<D> second, bool prefer_shape) {
  const Vec<D> h = hn::Sub(x_r, x_l), slope = hn::Div(hn::Sub(y_r, y_l), h);
  const Vec<D> numerator = hn::MulAdd(hn::Mul(C(d, 0.5), h), second, hn::Sub(d_r, d_l));
  const Vec<D> denominator = left ? hn::Sub(slope, d_l) : hn::Sub(d_r, slope);
  const Vec<D> tiny = C(d, DBL_MIN);
  const Vec<D> fit = hn::Max(hn::Div(numerator, denominator), MinimumControl(d, d_l, d_r, slope, prefer_shape));
  const Vec<D> flat = hn::IfThenElse(hn::Gt(numerator, hn::Zero(d)), C(d, kMaxR), C(d, kMinR));
  return hn::IfThenElse(hn::Lt(hn::Abs(numerator), tiny), hn::Zero(d),
                        hn::IfThenElse(hn::Lt(hn::Abs(denominator), tiny), flat, fit));
}

template <class D>
HWY_INLINE Vec<D> Householder(D d, Vec<D> newton, Vec<D> halley, Vec<D> hh3) {
  const Vec<D> one = C(d, 1.0);
  return hn::Div(hn::MulAdd(hn::Mul(C(d, 0.5), halley), newton, one),
                 hn::MulAdd(newton, hn::MulAdd(hn::Mul(hh3, newton), C(d, 1.0 / 6.0), halley), one));
}

// One vector of the solver: beta, x (x <= 0) -> s; `ok` lanes are converged.
template <class D>
HWY_INLINE void Solve(D d, Vec<D> beta, Vec<D> x, Vec<D>& s_out, hn::Mask<D>& ok) {
  const Vec<D> zero = hn::Zero(d), one = C(d, 1.0), half = C(d, 0.5);
  const Vec<D> b_max = hn::Exp(d, hn::Mul(half, x));
  const Vec<D> s_c = hn::Sqrt(hn::Mul(C(d, -2.0), x));
  Vec<D> v_c;
  const Vec<D> b_c = Black(d, x, s_c, v_c);
  const auto below_c = hn::Lt(beta, b_c);
  const Vec<D> s_l = hn::Sub(s_c, hn::Div(b_c, v_c));
  const Vec<D> s_h = hn::IfThenElse(hn::Gt(v_c, C(d, DBL_MIN)), hn::Add(s_c, hn::Div(hn::Sub(b_max, b_c), v_c)), s_c);
  const Vec<D> s_side = hn::IfThenElse(below_c, s_l, s_h);
  Vec<D> v_side;
  const Vec<D> b_side = Black(d, x, s_side, v_side);
  const auto lowlow = hn::And(below_c, hn::Lt(beta, b_side));
  const auto upup = hn::AndNot(below_c, hn::Gt(beta, b_side));
  // Central branches: rational cubic of s(beta) between (b_side, s_side) and (b_c, s_c).
  const Vec<D> xl = hn::IfThenElse(below_c, b_side, b_c), xr = hn::IfThenElse(below_c, b_c, b_side);
  const Vec<D> yl = hn::IfThenElse(below_c, s_side, s_c), yr = hn::IfThenElse(below_c, s_c, s_side);
  const Vec<D> dl = hn::Div(one, hn::IfThenElse(below_c, v_side, v_c)), dr = hn::Div(one, hn::IfThenElse(below_c, v_c, v_side));
  const Vec<D> r_right = ControlFit(d, false, xl, xr, yl, yr, dl, dr, zero, false);
  const Vec<D> r_left = ControlFit(d, true, xl, xr, yl, yr, dl, dr, zero, false);
  Vec<D> s = RationalCubic(d, beta, xl, xr, yl, yr, dl, dr, hn::IfThenElse(below_c, r_right, r_left));
  const Vec<D> ax = hn::Neg(x);
  if (!hn::AllFalse(d, lowlow)) {  // lower wing: f = 2 pi |x| / sqrt27 N(-z)^3, z = |x| / (sqrt3 s_l)
    const Vec<D> sl = s_side, b_l = b_side;
    const Vec<D> z = hn::Div(hn::Mul(C(d, 0.57735026918962576451), ax), sl), y = hn::Mul(z, z), s2 = hn::Mul(sl, sl);
    const Vec<D> phi = Pdf(d, z), Phi = hn::Mul(phi, Mills(d, z));
    const Vec<D> fpp = hn::Mul(hn::Mul(hn::Div(hn::Mul(C(d, 3.14159265358979323846 / 6.0), y), hn::Mul(s2, sl)), Phi),
                               hn::Mul(hn::MulAdd(hn::Mul(C(d, 8.0 * 1.73205080756887729353), sl), ax,
                                                  hn::Div(hn::Mul(hn::Sub(hn::Mul(hn::Mul(C(d, 3.0), s2), hn::Sub(s2, C(d, 8.0))),
                                                                          hn::Mul(C(d, 8.0), hn::Mul(x, x))), Phi), phi)),
                                       hn::Exp(d, hn::MulAdd(C(d, 2.0), y, hn::Mul(C(d, 0.25), s2)))));
    const Vec<D> Phi2 = hn::Mul(Phi, Phi);
    const Vec<D> fp = hn::Mul(hn::Mul(C(d, 2.0 * 3.14159265358979323846), hn::Mul(y, Phi2)), hn::Exp(d, hn::MulAdd(C(d, 0.125), s2, y)));
    const Vec<D> f_l = hn::Mul(hn::Mul(C(d, kTwoPiOverSqrt27), ax), hn::Mul(Phi2, Phi));
    const Vec<D> r_ll = ControlFit(d, false, zero, b_l, zero, f_l, one, fp, fpp, true);
    Vec<D> f = RationalCubic(d, beta, zero, b_l, zero, f_l, one, fp, r_ll);
    const Vec<D> tt = hn::Div(beta, b_l);
    f = hn::IfThenElse(hn::Gt(f, zero), f, hn::Mul(hn::MulAdd(f_l, tt, hn::Mul(b_l, hn::Sub(one, tt))), tt));
    const Vec<D> ratio = hn::Div(f, hn::Mul(C(d, kTwoPiOverSqrt27), ax));
    const Vec<D> p = hn::Exp(d, hn::Mul(C(d, 1.0 / 3.0), hn::Log(d, ratio)));  // cbrt
    const Vec<D> s_ll = hn::Abs(hn::Div(x, hn::Mul(C(d, 1.73205080756887729353), InvNcdfLower(d, p))));
    s = hn::IfThenElse(lowlow, s_ll, s);
  }
  if (!hn::AllFalse(d, upup)) {  // upper wing: f = N(-s/2)
    const Vec<D> sh = s_side, b_h = b_side;
    const Vec<D> f_h = Ncdf(d, hn::Mul(C(d, -0.5), sh), Pdf(d, hn::Mul(half, sh)));
    const Vec<D> w = hn::Mul(hn::Div(x, sh), hn::Div(x, sh));
    const Vec<D> fp = hn::Mul(C(d, -0.5), hn::Exp(d, hn::Mul(half, w)));
    const Vec<D> fpp = hn::Div(hn::Mul(hn::Mul(C(d, 1.25331413731550025121), hn::Exp(d, hn::MulAdd(C(d, 0.125), hn::Mul(sh, sh), w))), w), sh);
    const auto usable = hn::Lt(hn::Abs(fpp), C(d, 1.3407807929942596e154));
    const Vec<D> r_hh = ControlFit(d, true, b_h, b_max, f_h, zero, fp, C(d, -0.5), fpp, true);
    Vec<D> f = hn::IfThenElseZero(usable, RationalCubic(d, beta, b_h, b_max, f_h, zero, fp, C(d, -0.5), r_hh));
    const Vec<D> hh = hn::Sub(b_max, b_h), tt = hn::Div(hn::Sub(beta, b_h), hh), omt = hn::Sub(one, tt);
    f = hn::IfThenElse(hn::Gt(f, zero), f, hn::Mul(hn::MulAdd(f_h, omt, hn::Mul(hn::Mul(half, hh), tt)), omt));
    s = hn::IfThenElse(upup, hn::Mul(C(d, -2.0), InvNcdfLower(d, f)), s);
  }
  // Householder steps of order 3 on the branch's objective.
  const auto log_upper = hn::And(upup, hn::Gt(beta, hn::Mul(half, b_max)));
  const Vec<D> ln_beta = hn::Log(d, beta);
  auto conv = hn::FirstN(d, 0);
  for (int it = 0; it < kVectorIterations; ++it) {
    Vec<D> bp;
    const Vec<D> b = Black(d, x, s, bp);
    const Vec<D> h = hn::Div(x, s), b_halley = hn::NegMulAdd(C(d, 0.25), s, hn::Div(hn::Mul(h, h), s));
    const Vec<D> b_hh3 = hn::Sub(hn::NegMulAdd(C(d, 3.0), hn::Mul(hn::Div(h, s), hn::Div(h, s)), hn::Mul(b_halley, b_halley)), C(d, 0.25));
    // central: b - beta
    Vec<D> newton = hn::Div(hn::Sub(beta, b), bp);
    Vec<D> ds = hn::Mul(newton, Householder(d, newton, b_halley, b_hh3));
    if (!hn::AllFalse(d, lowlow)) {  // ln(1/b) - ln(1/beta)
      const Vec<D> ln_b = hn::Log(d, b), bpob = hn::Div(bp, b), inv_ln_b = hn::Div(one, ln_b);
      const Vec<D> nl = hn::Div(hn::Div(hn::Mul(hn::Sub(ln_beta, ln_b), ln_b), ln_beta), bpob);
      const Vec<D> two_term = hn::MulAdd(C(d, 2.0), inv_ln_b, one);  // 1 + 2/ln b
      const Vec<D> hl = hn::NegMulAdd(bpob, two_term, b_halley);
      const Vec<D> hh3 = hn::Sub(hn::MulAdd(hn::Mul(C(d, 2.0), hn::Mul(bpob, bpob)),
                                            hn::MulAdd(hn::Mul(C(d, 3.0), inv_ln_b), hn::Add(one, inv_ln_b), one), b_hh3),
                                 hn::Mul(hn::Mul(C(d, 3.0), b_halley), hn::Mul(bpob, two_term)));
      ds = hn::IfThenElse(lowlow, hn::Mul(nl, Householder(d, nl, hl, hh3)), ds);
    }
    if (!hn::AllFalse(d, log_upper)) {  // ln((b_max - beta)/(b_max - b))
      const Vec<D> bmb = hn::Sub(b_max, b);
      const Vec<D> g = hn::Log(d, hn::Div(hn::Sub(b_max, beta), bmb)), gp = hn::Div(bp, bmb);
      const Vec<D> nu = hn::Neg(hn::Div(g, gp)), hu = hn::Add(b_halley, gp);
      const Vec<D> hh3 = hn::MulAdd(gp, hn::MulAdd(C(d, 2.0), gp, hn::Mul(C(d, 3.0), b_halley)), b_hh3);
      ds = hn::IfThenElse(log_upper, hn::Mul(nu, Householder(d, nu, hu, hh3)), ds);
    }
    ds = hn::Max(hn::Mul(C(d, -0.5), s), ds);
    s = hn::Add(s, ds);
    conv = hn::Le(hn::Abs(ds), hn::Mul(C(d, kLastStepRelative), s));
    if (hn::AllTrue(d, conv)) break;
  }
  const auto finite = hn::And(hn::Gt(s, zero), hn::Lt(s, C(d, DBL_MAX)));
  ok = hn::And(conv, finite);
  s_out = s;
}

}  // namespace

void ImpliedVolKernelImpl(const double* beta, const double* x, std::size_t n, double* s_out, std::uint8_t* ok_out) {
  const hn::ScalableTag<double> d;
  const std::size_t N = hn::Lanes(d);
  constexpr std::size_t kMax = HWY_MAX_BYTES / sizeof(double);
  HWY_ALIGN double bb[kMax], xx[kMax], ss[kMax];
  for (std::size_t i = 0; i < n; i += N) {
    const std::size_t m = n - i < N ? n - i : N;
    for (std::size_t k = 0; k < N; ++k) {  // pad the tail with a harmless problem
      bb[k] = k < m ? beta[i + k] : 0.1;
      xx[k] = k < m ? x[i + k] : -0.1;
    }
    Vec<decltype(d)> s;
    hn::Mask<decltype(d)> ok;
    Solve(d, hn::Load(d, bb), hn::Load(d, xx), s, ok);
    hn::Store(s, d, ss);
    HWY_ALIGN double okd[kMax];
    hn::Store(hn::IfThenElseZero(ok, hn::Set(d, 1.0)), d, okd);
    for (std::size_t k = 0; k < m; ++k) {
      s_out[i + k] = ss[k];
      ok_out[i + k] = okd[k] != 0.0;
    }
  }
}

// The transcendental part of the inputs' normalisation: DF = exp(-r T), sqrt(F) sqrt(K), ln(F/K).
// Invalid inputs produce garbage lanes here; the scalar checks that follow reject them.
void IvPrepareImpl(const double* F, const double* K, const double* T, const double* r, std::size_t n, double* df,
                   double* sqrt_fk, double* log_fk) {
  const hn::ScalableTag<double> d;
  const std::size_t N = hn::Lanes(d);
  std::size_t i = 0;
  const auto one = [&](Vec<decltype(d)> f, Vec<decltype(d)> k, Vec<decltype(d)> t, Vec<decltype(d)> rr, double* o_df,
                       double* o_sq, double* o_lg) {
    const auto zero_rate = hn::Eq(rr, hn::Zero(d));
    const Vec<decltype(d)> e = hn::AllTrue(d, zero_rate) ? C(d, 1.0) : hn::Exp(d, hn::Neg(hn::Mul(rr, t)));
    hn::StoreU(hn::IfThenElse(zero_rate, C(d, 1.0), e), d, o_df);
    hn::StoreU(hn::Mul(hn::Sqrt(f), hn::Sqrt(k)), d, o_sq);
    hn::StoreU(hn::Log(d, hn::Div(f, k)), d, o_lg);
  };
  for (; i + N <= n; i += N)
    one(hn::LoadU(d, F + i), hn::LoadU(d, K + i), hn::LoadU(d, T + i), r ? hn::LoadU(d, r + i) : hn::Zero(d), df + i,
        sqrt_fk + i, log_fk + i);
  if (i < n) {
    constexpr std::size_t kMax = HWY_MAX_BYTES / sizeof(double);
    HWY_ALIGN double in[4][kMax], out[3][kMax];
    for (std::size_t k = 0; k < N; ++k) {
      const bool real = i + k < n;
      in[0][k] = real ? F[i + k] : 1.0;
      in[1][k] = real ? K[i + k] : 1.0;
      in[2][k] = real ? T[i + k] : 1.0;
      in[3][k] = real && r ? r[i + k] : 0.0;
    }
    one(hn::Load(d, in[0]), hn::Load(d, in[1]), hn::Load(d, in[2]), hn::Load(d, in[3]), out[0], out[1], out[2]);
    for (std::size_t k = 0; i + k < n; ++k) {
      df[i + k] = out[0][k];
      sqrt_fk[i + k] = out[1][k];
      log_fk[i + k] = out[2][k];
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace greekbook::pricing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace greekbook::pricing::detail {
HWY_EXPORT(ImpliedVolKernelImpl);
HWY_EXPORT(IvPrepareImpl);

void implied_vol_prepare(const double* F, const double* K, const double* T, const double* r, std::size_t n,
                         double* df, double* sqrt_fk, double* log_fk) {
  HWY_DYNAMIC_DISPATCH(IvPrepareImpl)(F, K, T, r, n, df, sqrt_fk, log_fk);
}

void implied_vol_kernel(const double* beta, const double* x, std::size_t n, double* s, std::uint8_t* ok) {
  HWY_DYNAMIC_DISPATCH(ImpliedVolKernelImpl)(beta, x, n, s, ok);
}
}  // namespace greekbook::pricing::detail
#endif
