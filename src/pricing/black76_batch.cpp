// Batch Black-76 kernel, compiled once per SIMD target by Highway (foreach_target) and dispatched
// at run time. Everything is inline vector code: Highway's Exp/Log and our Mills-ratio polynomial
// for N(d), so every target computes the same formulas.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "pricing/black76_batch.cpp"
// AVX3_DL adds nothing for doubles here; SSSE3 lacks SSE4.1: skip both to halve build time.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_AVX3_DL | HWY_SSSE3)
#endif
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/contrib/math/math-inl.h"
#include "pricing/mills_simd-inl.h"

#include <cmath>
#include <cstddef>

#include "core/mills_ratio_poly.hpp"
#include "greekbook/pricing/black76_batch.hpp"

#ifndef GREEKBOOK_BATCH_OUTS_DEFINED
#define GREEKBOOK_BATCH_OUTS_DEFINED
namespace greekbook::pricing::detail {
// Output pointers of the batch kernel (one type for every target: HWY_EXPORT needs one signature).
// A null pointer means "not wanted", except price.
struct Outs {
  double* price;
  double* delta;
  double* gamma;
  double* vega;
  double* theta;
  double* rho;
  double* vanna;
  double* volga;
};
}  // namespace greekbook::pricing::detail
#endif

HWY_BEFORE_NAMESPACE();
namespace greekbook::pricing {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using detail::Outs;

// N(y1), N(y2) from phi(y1), phi(y2): phi(y) R(|y|) for y < 0, 1 - phi(y) R(|y|) otherwise.
// No erfc and no cancellation; the two reciprocals 1/(C + |y|) share one division.
template <class D, class V = hn::Vec<D>>
HWY_INLINE void NormCdf2(D d, V y1, V pdf1, V y2, V pdf2, V& n1, V& n2) {
  const V c = hn::Set(d, core::detail::kMillsC);
  const V one = hn::Set(d, 1.0);
  const V den1 = hn::Add(c, hn::Abs(y1));
  const V den2 = hn::Add(c, hn::Abs(y2));
  const V inv12 = hn::Div(one, hn::Mul(den1, den2));  // den in [5, 65]: no overflow
  const V tail1 = hn::Mul(pdf1, MillsFromReciprocal(d, hn::Mul(inv12, den2)));
  const V tail2 = hn::Mul(pdf2, MillsFromReciprocal(d, hn::Mul(inv12, den1)));
  // N(0) = 1/2 exactly (the polynomial is a few ulp off there; at-the-money expiries need it exact).
  const V zero = hn::Zero(d), half = hn::Set(d, 0.5);
  n1 = hn::IfThenElse(hn::Lt(y1, zero), tail1, hn::IfThenElse(hn::Eq(y1, zero), half, hn::Sub(one, tail1)));
  n2 = hn::IfThenElse(hn::Lt(y2, zero), tail2, hn::IfThenElse(hn::Eq(y2, zero), half, hn::Sub(one, tail2)));
}

template <class D, class V = hn::Vec<D>>
HWY_INLINE void Price(D d, V th, V F, V K, V T, V vol, V r, const Outs& o, size_t i) {
  const V zero = hn::Zero(d);
  const V half = hn::Set(d, 0.5);
  const V lim = hn::Set(d, 60.0);  // |d| beyond 60: phi = 0 and N in {0,1} exactly in double
  const auto expired = hn::Le(T, zero);
  const V Tp = hn::Max(T, zero);
  const V sqrtT = hn::Sqrt(Tp);
  const V s = hn::Mul(vol, sqrtT);
  // One division gives 1/s and 1/(F s): s_eff F lies in (1e-150, 1e103) for valid inputs.
  const V inv_sF = hn::Div(hn::Set(d, 1.0), hn::Mul(hn::Max(s, hn::Set(d, 1e-50)), F));
  const V inv_s = hn::Mul(inv_sF, F);
  // Crypto books mostly price with r = 0: skip the exponential when the whole vector has it.
  const V df = hn::AllTrue(d, hn::Eq(r, zero)) ? hn::Set(d, 1.0) : hn::Exp(d, hn::Neg(hn::Mul(r, Tp)));
  const V fk = hn::Div(F, K);
  const V xs = hn::Mul(hn::Log(d, fk), inv_s);
  const V d1 = hn::Min(hn::Max(hn::MulAdd(half, s, xs), hn::Neg(lim)), lim);
  const V d2 = hn::Min(hn::Max(hn::NegMulAdd(half, s, xs), hn::Neg(lim)), lim);
  // phi(d1) with d1^2 = hi + lo split exactly: exp(-hi/2) (1 - lo/2) keeps the tails accurate.
  const V sq_hi = hn::Mul(d1, d1);
  const V sq_lo = hn::MulSub(d1, d1, sq_hi);
  const V pdf1 = hn::Mul(hn::Mul(hn::Set(d, 0.39894228040143267794),
                                 hn::Exp(d, hn::Mul(hn::Set(d, -0.5), sq_hi))),
                         hn::NegMulAdd(half, sq_lo, hn::Set(d, 1.0)));
  const V pdf2 = hn::Mul(pdf1, fk);  // F phi(d1) = K phi(d2)
  V n1, n2;
  NormCdf2(d, hn::Mul(th, d1), pdf1, hn::Mul(th, d2), pdf2, n1, n2);
  const V intrinsic = hn::Max(hn::Mul(th, hn::Sub(F, K)), zero);
  const V undisc = hn::Max(hn::Mul(th, hn::MulSub(F, n1, hn::Mul(K, n2))), intrinsic);
  const V price = hn::Mul(df, undisc);
  const V dfpdf = hn::Mul(df, pdf1);
  const V vega = hn::Mul(hn::Mul(dfpdf, F), sqrtT);
  const V sqrtT_over_s = hn::Mul(sqrtT, inv_s);
  hn::StoreU(price, d, o.price + i);
  if (o.delta) hn::StoreU(hn::Mul(df, hn::Mul(th, n1)), d, o.delta + i);
  if (o.gamma) hn::StoreU(hn::IfThenZeroElse(expired, hn::Mul(dfpdf, inv_sF)), d, o.gamma + i);
  if (o.vega) hn::StoreU(vega, d, o.vega + i);
  if (o.theta) {
    // theta = r P - DF F phi(d1) sigma / (2 sqrt T), with sigma/(2 sqrtT) = sigma^2 / (2 s).
    const V decay = hn::Mul(hn::Mul(dfpdf, F), hn::Mul(hn::Mul(half, hn::Mul(vol, vol)), inv_s));
    hn::StoreU(hn::IfThenZeroElse(expired, hn::MulSub(r, price, decay)), d, o.theta + i);
  }
  if (o.rho) hn::StoreU(hn::Neg(hn::Mul(Tp, price)), d, o.rho + i);
  if (o.vanna) hn::StoreU(hn::Neg(hn::Mul(hn::Mul(dfpdf, d2), sqrtT_over_s)), d, o.vanna + i);
  if (o.volga) hn::StoreU(hn::Mul(hn::Mul(vega, hn::Mul(d1, d2)), sqrtT_over_s), d, o.volga + i);
}

void Black76BatchImpl(const double* type, const double* fwd, const double* strike,
                      const double* expiry, const double* vol, const double* rate, size_t n,
                      const Outs& o) {
  const hn::ScalableTag<double> d;
  using V = hn::Vec<decltype(d)>;
  const size_t N = hn::Lanes(d);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    const V r = rate ? hn::LoadU(d, rate + i) : hn::Zero(d);
    Price(d, hn::LoadU(d, type + i), hn::LoadU(d, fwd + i), hn::LoadU(d, strike + i),
          hn::LoadU(d, expiry + i), hn::LoadU(d, vol + i), r, o, i);
  }
  if (i == n) return;
  // Tail (and the scalar API): pad one full vector with a harmless option, price it, copy out.
  constexpr size_t kMax = HWY_MAX_BYTES / sizeof(double);
  HWY_ALIGN double in[6][kMax];
  HWY_ALIGN double out[8][kMax];
  const size_t m = n - i;
  for (size_t k = 0; k < N; ++k) {
    const bool real = k < m;
    in[0][k] = real ? type[i + k] : 1.0;
    in[1][k] = real ? fwd[i + k] : 1.0;
    in[2][k] = real ? strike[i + k] : 1.0;
    in[3][k] = real ? expiry[i + k] : 1.0;
    in[4][k] = real ? vol[i + k] : 0.5;
    in[5][k] = real && rate ? rate[i + k] : 0.0;
  }
  const Outs tmp{out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7]};
  Price(d, hn::Load(d, in[0]), hn::Load(d, in[1]), hn::Load(d, in[2]), hn::Load(d, in[3]),
        hn::Load(d, in[4]), hn::Load(d, in[5]), tmp, 0);
  double* dst[8] = {o.price, o.delta, o.gamma, o.vega, o.theta, o.rho, o.vanna, o.volga};
  for (int f = 0; f < 8; ++f) {
    if (!dst[f]) continue;
    for (size_t k = 0; k < m; ++k) dst[f][i + k] = out[f][k];
  }
}

int64_t TargetImpl() { return HWY_TARGET; }
size_t LanesImpl() { return hn::Lanes(hn::ScalableTag<double>()); }

}  // namespace HWY_NAMESPACE
}  // namespace greekbook::pricing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace greekbook::pricing {
HWY_EXPORT(Black76BatchImpl);
HWY_EXPORT(TargetImpl);
HWY_EXPORT(LanesImpl);

namespace {
double* ptr(std::span<double> s) { return s.empty() ? nullptr : s.data(); }
}  // namespace

void black76_batch(const Black76BatchIn& in, const Black76BatchOut& out) noexcept {
  const detail::Outs o{out.price.data(), ptr(out.delta), ptr(out.gamma), ptr(out.vega),
                              ptr(out.theta),   ptr(out.rho),   ptr(out.vanna), ptr(out.volga)};
  HWY_DYNAMIC_DISPATCH(Black76BatchImpl)
  (in.type.data(), in.forward.data(), in.strike.data(), in.expiry_years.data(), in.vol.data(),
   in.rate.empty() ? nullptr : in.rate.data(), in.forward.size(), o);
}

const char* simd_target_name() { return hwy::TargetName(HWY_DYNAMIC_DISPATCH(TargetImpl)()); }

std::size_t simd_lanes() { return HWY_DYNAMIC_DISPATCH(LanesImpl)(); }

}  // namespace greekbook::pricing
#endif  // HWY_ONCE
