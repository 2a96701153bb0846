// The Mills-ratio polynomial of core/mills_ratio_poly.hpp in SIMD form, shared by the Black-76 and
// implied-vol kernels. Highway "-inl.h" convention: included once per target by foreach_target.
#if defined(GREEKBOOK_PRICING_MILLS_SIMD_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GREEKBOOK_PRICING_MILLS_SIMD_INL_H_
#undef GREEKBOOK_PRICING_MILLS_SIMD_INL_H_
#else
#define GREEKBOOK_PRICING_MILLS_SIMD_INL_H_
#endif

#include "core/mills_ratio_poly.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace greekbook::pricing {
namespace HWY_NAMESPACE {

// P(u) of the fit (degree 22) by Estrin's scheme: a tree of depth 5 instead of a chain of 22
// dependent FMAs. The kernels are latency-bound (a vector's work is longer than the out-of-order
// window), so the shorter critical path is worth its few extra multiplies.
template <class D, class V = hwy::HWY_NAMESPACE::Vec<D>>
HWY_INLINE V MillsPolynomial(D d, V u) {
  namespace hn = hwy::HWY_NAMESPACE;
  using core::detail::kMillsDegree;
  using core::detail::kMillsPoly;
  static_assert(kMillsDegree == 22, "Estrin tree below is laid out for degree 22");
  const auto c = [&](int k) { return hn::Set(d, kMillsPoly[kMillsDegree - k]); };  // coefficient of u^k
  const V u2 = hn::Mul(u, u), u4 = hn::Mul(u2, u2), u8 = hn::Mul(u4, u4), u16 = hn::Mul(u8, u8);
  V p1[12];
  for (int i = 0; i < 11; ++i) p1[i] = hn::MulAdd(c(2 * i + 1), u, c(2 * i));
  p1[11] = c(22);
  V p2[6];
  for (int j = 0; j < 6; ++j) p2[j] = hn::MulAdd(p1[2 * j + 1], u2, p1[2 * j]);
  const V p3a = hn::MulAdd(p2[1], u4, p2[0]), p3b = hn::MulAdd(p2[3], u4, p2[2]), p3c = hn::MulAdd(p2[5], u4, p2[4]);
  return hn::MulAdd(p3c, u16, hn::MulAdd(p3b, u8, p3a));
}

// Mills ratio R(a) = N(-a)/phi(a) on [0, 40] from inv = 1/(kMillsC + a): t * P(2.25 t - 1.25).
template <class D, class V = hwy::HWY_NAMESPACE::Vec<D>>
HWY_INLINE V MillsFromReciprocal(D d, V inv) {
  namespace hn = hwy::HWY_NAMESPACE;
  using core::detail::kMillsC;
  const V u = hn::MulSub(hn::Set(d, kMillsC * 2.25), inv, hn::Set(d, 1.25));
  return hn::Mul(hn::Mul(hn::Set(d, kMillsC), inv), MillsPolynomial(d, u));
}

}  // namespace HWY_NAMESPACE
}  // namespace greekbook::pricing
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
