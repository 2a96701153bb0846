// Micro-kernels for the sub-costs of the batch Black-76 kernel: the vector math calls alone, one
// array in, one out, compiled per SIMD target with Highway and dispatched at run time exactly like
// src/pricing/black76_batch.cpp, so "one vector" here is the same width the batch kernel uses.
// SLEEF's erfc (what the first batch kernel called for N(d)) is measured when libsleef is found
// (GREEKBOOK_BENCH_HAVE_SLEEF); the library itself no longer needs it.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd_kernels.cpp"
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_AVX3_DL | HWY_SSSE3)
#endif
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/contrib/math/math-inl.h"

#include <immintrin.h>

#include <cmath>
#include <cstddef>

#include "simd_kernels.hpp"

#if GREEKBOOK_BENCH_HAVE_SLEEF && !defined(GREEKBOOK_BENCH_SLEEF_DECLARED)
#define GREEKBOOK_BENCH_SLEEF_DECLARED
extern "C" {
__m512d Sleef_erfcd8_u15avx512f(__m512d);
__m256d Sleef_erfcd4_u15avx2(__m256d);
__m128d Sleef_erfcd2_u15sse2(__m128d);
}
#endif

HWY_BEFORE_NAMESPACE();
namespace greekbook::bench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D, class V = hn::Vec<D>>
HWY_INLINE V SleefErfc(D d, V x) {
#if !GREEKBOOK_BENCH_HAVE_SLEEF
  HWY_ALIGN double buf[HWY_MAX_BYTES / sizeof(double)];
  hn::Store(x, d, buf);
  for (size_t i = 0; i < hn::Lanes(d); ++i) buf[i] = std::erfc(buf[i]);
  return hn::Load(d, buf);
#elif HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
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

// Degree-22 Horner polynomial: the cost of the Mills-ratio polynomial the batch kernel now
// evaluates once per N(d) (the coefficients here are arbitrary, the operation count is the same).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V Horner22(D d, V u) {
  static constexpr double c[23] = {1e-12, 2e-11, 3e-10, 4e-9, 5e-9, 6e-8, 7e-8, 8e-7,
                                   9e-7,  1e-6,  2e-6,  3e-5, 4e-5, 5e-5, 6e-4, 7e-4,
                                   8e-3,  9e-3,  0.02,  0.06, 0.1,  0.2,  0.4};
  V p = hn::Set(d, c[0]);
  for (int k = 1; k <= 22; ++k) p = hn::MulAdd(p, u, hn::Set(d, c[k]));
  return p;
}

template <class F>
HWY_INLINE void Apply(const double* x, double* y, size_t n, F f) {
  const hn::ScalableTag<double> d;
  const size_t N = hn::Lanes(d);
  for (size_t i = 0; i + N <= n; i += N) hn::StoreU(f(d, hn::LoadU(d, x + i)), d, y + i);
}

void KernelImpl(int which, const double* x, double* y, size_t n) {
  switch (static_cast<MathOp>(which)) {
    case MathOp::Erfc:
      return Apply(x, y, n, [](auto d, auto v) { return SleefErfc(d, v); });
    case MathOp::Exp:
      return Apply(x, y, n, [](auto d, auto v) { return hn::Exp(d, v); });
    case MathOp::Log:
      return Apply(x, y, n, [](auto d, auto v) { return hn::Log(d, v); });
    case MathOp::Div:
      return Apply(x, y, n, [](auto d, auto v) { return hn::Div(hn::Set(d, 1.0), v); });
    case MathOp::Sqrt:
      return Apply(x, y, n, [](auto, auto v) { return hn::Sqrt(v); });
    case MathOp::Horner22:
      return Apply(x, y, n, [](auto d, auto v) { return Horner22(d, v); });
    case MathOp::Copy:
      return Apply(x, y, n, [](auto, auto v) { return v; });
  }
}

size_t LanesImpl() { return hn::Lanes(hn::ScalableTag<double>()); }

}  // namespace HWY_NAMESPACE
}  // namespace greekbook::bench
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace greekbook::bench {
HWY_EXPORT(KernelImpl);
HWY_EXPORT(LanesImpl);

void apply_math(MathOp op, const double* x, double* y, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(KernelImpl)(static_cast<int>(op), x, y, n);
}
std::size_t math_lanes() { return HWY_DYNAMIC_DISPATCH(LanesImpl)(); }
bool have_sleef() { return GREEKBOOK_BENCH_HAVE_SLEEF != 0; }
}  // namespace greekbook::bench
#endif
