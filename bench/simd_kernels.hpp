#pragma once
// Vector math sub-costs of the batch kernel (see simd_kernels.cpp).
#include <cstddef>

namespace greekbook::bench {

/// Erfc: SLEEF erfc (u15, what the first batch kernel called twice per option; std::erfc lane by
/// lane when built without libsleef); Exp, Log: Highway's contrib math, as black76_batch calls
/// them; Div: 1/x; Sqrt; Horner22: a degree-22 polynomial (22 FMAs, the Mills-ratio evaluation);
/// Copy: load + store only (the loop overhead).
enum class MathOp : int { Erfc, Exp, Log, Div, Sqrt, Horner22, Copy };

/// y[i] = op(x[i]) for the whole vectors in [0, n) at the dispatched target's width.
void apply_math(MathOp op, const double* x, double* y, std::size_t n);

/// Lanes of that target.
std::size_t math_lanes();

/// Whether MathOp::Erfc is SLEEF's (true) or the std::erfc fallback.
bool have_sleef();

}  // namespace greekbook::bench
