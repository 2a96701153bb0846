// Batch Black-76 kernel, compiled once per SIMD target by Highway (foreach_target) and dispatched
// at run time. Each target calls SLEEF's erfc for its own vector width; targets without a SLEEF
// variant fall back to std::erfc lane by lane.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "pricing/black76_batch.cpp"
// AVX3_DL adds nothing for doubles here; SSSE3 lacks SSE4.1: skip both to halve build time.
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_AVX3_DL | HWY_SSSE3)
#endif
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/contrib/math/math-inl.h"

#include <immintrin.h>

#include <cmath>
#include <cstddef>

#include "greekbook/pricing/black76_batch.hpp"

#ifndef GREEKBOOK_SLEEF_DECLARED
#define GREEKBOOK_SLEEF_DECLARED
// SLEEF (libsleef) guards its declarations by the compiler's -m flags; Highway compiles each
// target with function attributes instead, so declare the three variants we call here.
extern "C" {
__m512d Sleef_erfcd8_u15avx512f(__m512d);
__m256d Sleef_erfcd4_u15avx2(__m256d);
__m128d Sleef_erfcd2_u15sse2(__m128d);
}
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

template <class D, class V = hn::Vec<D>>
HWY_INLINE V Erfc(D d, V x) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  (void)d;
  V r;
  r.raw = Sleef_erfcd8_u15avx512f(x.raw);
  return r;
#elif HWY_TARGET == HWY_AVX2
  (void)d;
  V r;
  r.raw = Sleef_erfcd4_u15avx2(x.raw);
  return r;
#elif HWY_TARGET == HWY_SSE4 || HWY_TARGET == HWY_SSSE3
  (void)d;
  V r;
  r.raw = Sleef_erfcd2_u15sse2(x.raw);
  return r;
#else
  HWY_ALIGN double buf[HWY_MAX_BYTES / sizeof(double)];
  hn::Store(x, d, buf);
  for (size_t i = 0; i < hn::Lanes(d); ++i) buf[i] = std::erfc(buf[i]);
  return hn::Load(d, buf);
#endif
}

// N(y) = erfc(-y/sqrt2)/2, with the rounding of y/sqrt2 corrected to first order:
// N(y) ~= erfc(-u_hi)/2 + sqrt2 * phi(y) * u_lo, where y/sqrt2 = u_hi + u_lo exactly.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V NormCdf(D d, V y, V pdf) {
  const V r_hi = hn::Set(d, 0.7071067811865476);
  const V r_lo = hn::Set(d, -4.8336466567264565186e-17);
  const V u_hi = hn::Mul(y, r_hi);
  const V u_lo = hn::MulAdd(y, r_lo, hn::MulSub(y, r_hi, u_hi));
  const V base = hn::Mul(hn::Set(d, 0.5), Erfc(d, hn::Neg(u_hi)));
  return hn::MulAdd(hn::Mul(hn::Set(d, 1.4142135623730951), pdf), u_lo, base);
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
  const V inv_s = hn::Div(hn::Set(d, 1.0), hn::Max(s, hn::Set(d, 1e-50)));
  const V df = hn::Exp(d, hn::Neg(hn::Mul(r, Tp)));
  const V fk = hn::Div(F, K);
  const V xs = hn::Mul(hn::Log(d, fk), inv_s);
  const V d1 = hn::Min(hn::Max(hn::MulAdd(half, s, xs), hn::Neg(lim)), lim);
  const V d2 = hn::Min(hn::Max(hn::NegMulAdd(half, s, xs), hn::Neg(lim)), lim);
  const V pdf1 = hn::Mul(hn::Set(d, 0.39894228040143267794),
                         hn::Exp(d, hn::Mul(hn::Set(d, -0.5), hn::Mul(d1, d1))));
  const V pdf2 = hn::Mul(pdf1, fk);  // F phi(d1) = K phi(d2)
  const V n1 = NormCdf(d, hn::Mul(th, d1), pdf1);
  const V n2 = NormCdf(d, hn::Mul(th, d2), pdf2);
  const V intrinsic = hn::Max(hn::Mul(th, hn::Sub(F, K)), zero);
  const V undisc = hn::Max(hn::Mul(th, hn::MulSub(F, n1, hn::Mul(K, n2))), intrinsic);
  const V price = hn::Mul(df, undisc);
  const V dfpdf = hn::Mul(df, pdf1);
  const V vega = hn::Mul(hn::Mul(dfpdf, F), sqrtT);
  const V sqrtT_over_s = hn::Mul(sqrtT, inv_s);
  hn::StoreU(price, d, o.price + i);
  if (o.delta) hn::StoreU(hn::Mul(df, hn::Mul(th, n1)), d, o.delta + i);
  if (o.gamma) hn::StoreU(hn::IfThenZeroElse(expired, hn::Div(hn::Mul(dfpdf, inv_s), F)), d, o.gamma + i);
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
