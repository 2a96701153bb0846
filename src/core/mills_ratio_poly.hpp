#pragma once
// Mills ratio R(a) = N(-a)/phi(a) for a >= 0, as t * P(u) with t = 5/(5 + a), u = 2.25 t - 1.25
// (u in [-1, 1] for a in [0, 40]) and P a degree-22 polynomial. The coefficients are our own fit:
// Chebyshev interpolation of R(a)/t at 23 nodes in t, computed with mpmath at 50 digits and
// converted to monomials in u (scripts/fit_mills_ratio.py regenerates them). Relative error of
// the fit 1.3e-17; evaluated in double with Horner, 5.6e-16 (about 2.5 ulp) over [0, 40].
// From it: N(-a) = phi(a) R(a), and erfcx(z) = sqrt(2/pi) R(sqrt2 z), without erfc or cancellation.
namespace greekbook::core::detail {

inline constexpr double kMillsC = 5.0;         // t = kMillsC / (kMillsC + a)
inline constexpr double kMillsMaxArg = 40.0;   // fitted range of a
inline constexpr int kMillsDegree = 22;
// Highest degree first (Horner order).
inline constexpr double kMillsPoly[kMillsDegree + 1] = {
    -6.788905771496325e-12,
    -9.004904043399582e-11,
    1.5263402792894526e-10,
    1.1457211638611261e-09,
    -1.9159130942287013e-09,
    -9.755269716744002e-09,
    1.87565578286809e-08,
    8.302492133975923e-08,
    -1.575314302090562e-07,
    -8.179558993030406e-07,
    9.933517937730129e-07,
    9.179017305891202e-06,
    2.0187989251361333e-06,
    -9.944370655895288e-05,
    -0.0002663804602841563,
    0.00044730079620224484,
    0.00563402767485007,
    0.023281487449481747,
    0.06491247336346784,
    0.13942843144066464,
    0.2428296061552712,
    0.35116103836548757,
    0.4259742892444092,
};

}  // namespace greekbook::core::detail
