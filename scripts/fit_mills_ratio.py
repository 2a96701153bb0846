#!/usr/bin/env python3
"""Fits the Mills-ratio polynomial used by greekbook's normal CDF (src/core/mills_ratio_poly.hpp).

R(a) = N(-a)/phi(a), a in [0, 40], written as t * P(u), t = C/(C + a), u = (t - B)/A mapping
t in [C/(C+40), 1] onto [-1, 1]. P is the Chebyshev interpolant of R/t at DEG+1 nodes (mpmath,
50 digits), converted to monomials in u. Prints the fit error and the error of double-precision
Horner evaluation. Usage: scripts/fit_mills_ratio.py [C] [DEG]  (defaults 5 22; needs mpmath).
"""
import sys
import mpmath as mp

mp.mp.dps = 50
C = mp.mpf(sys.argv[1]) if len(sys.argv) > 1 else mp.mpf(5)
DEG = int(sys.argv[2]) if len(sys.argv) > 2 else 22
AMAX = mp.mpf(40)


def mills(a):
    return mp.ncdf(-a) / mp.npdf(a)


tmin = C / (C + AMAX)
A, B = (1 - tmin) / 2, (1 + tmin) / 2
n = DEG + 1
nodes = [B + A * mp.cos(mp.pi * (k + mp.mpf(0.5)) / n) for k in range(n)]
vals = [mills(C * (1 / t - 1)) / t for t in nodes]
cheb = [(1 if j == 0 else 2) * sum(vals[k] * mp.cos(mp.pi * j * (k + mp.mpf(0.5)) / n) for k in range(n)) / n
        for j in range(n)]
T = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]
for k in range(2, n):
    a = [mp.mpf(0)] + [2 * x for x in T[k - 1]]
    b = T[k - 2] + [mp.mpf(0)] * (len(a) - len(T[k - 2]))
    T.append([x - y for x, y in zip(a, b)])
mono = [mp.mpf(0)] * n
for j, cj in enumerate(cheb):
    for i, x in enumerate(T[j]):
        mono[i] += cj * x
coef = [float(m) for m in mono]

fit_err = dbl_err = mp.mpf(0)
for i in range(2001):
    a = AMAX * i / 2000
    t = C / (C + a)
    u = (t - B) / A
    exact = mills(a)
    fit_err = max(fit_err, abs(t * sum(m * u**k for k, m in enumerate(mono)) / exact - 1))
    td = float(C) / (float(C) + float(a))
    ud = (td - float(B)) / float(A)
    p = 0.0
    for cf in reversed(coef):
        p = p * ud + cf
    dbl_err = max(dbl_err, abs(mp.mpf(p * td) / exact - 1))
print(f"// C={mp.nstr(C, 5)} degree={DEG}: fit error {mp.nstr(fit_err, 3)}, double Horner {mp.nstr(dbl_err, 3)}")
print(f"// u = {float(1 / A)!r} * t - {float(B / A)!r}")
for cf in reversed(coef):
    print(f"    {cf!r},")
