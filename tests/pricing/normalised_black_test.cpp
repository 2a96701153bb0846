// Normalised Black function b(x, s) = e^{x/2} N(x/s + s/2) - e^{-x/2} N(x/s - s/2) (Jaeckel's
// "Let's Be Rational") against mpmath, in each of the four evaluation regions of
// normalised_black.cpp: asymptotic expansion (h = x/s < -10 and h + t < -9.79, t = s/2), small-t
// Taylor series (t < 0.21), erfcx (the rest of the out-of-the-money side) and N() (h + t > 0.85),
// plus in-the-money points (x > 0, evaluated as intrinsic + b(-x, s)).
//
// Reference values: mpmath 1.3 at 250 significant digits (enough to absorb the cancellation between
// the two terms), at the exact binary values of x and s:
//   b = mp.e**(x/2)*mp.ncdf(x/s + s/2) - mp.e**(-x/2)*mp.ncdf(x/s - s/2)
//   vega = db/ds = mp.npdf(x/s) * mp.e**(-(s/2)**2/2)
// The last four points are the worst cases of a 6,000-point random comparison against mpmath
// (largest relative error 2.1e-13, asymptotic region).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "greekbook/pricing/normalised_black.hpp"

namespace {
using greekbook::pricing::normalised_black_call;
using greekbook::pricing::normalised_intrinsic;
using greekbook::pricing::normalised_vega;

struct Point {
  double x, s, b, vega;
};

constexpr Point kPoints[] = {
    {-5.0, 0.3, 2.0238189294117016802e-64, 1.8938527581697226623e-61},  // asym, h = -16.7, t = 0.15
    {-1.0, 0.05, 6.8479326806906496848e-92, 5.519223335346188759e-88},  // asym, h = -20, t = 0.025
    {-12.0, 1.0, 1.2910437115451598069e-34, 1.894176998480603735e-32},  // asym, h = -12, t = 0.5
    {-30.0, 2.5, 1.6891765574227318393e-34, 9.8268608135053478112e-33},  // asym, h = -12, t = 1.25
    {-0.011, 0.001, 1.7093719457521201244e-32, 2.1188189886569836287e-27},  // asym, h = -11, t = 0.0005
    {-0.0011, 0.0001, 1.709372153977734754e-33, 2.1188192508608263246e-27},  // asym, h = -11, t = 5e-05
    {-40.0, 3.9, 3.1966004121263401414e-26, 8.5631072240197634484e-25},  // erfcx, h = -10.3, t = 1.95
    {-2.0, 0.19, 5.7695355155147813202e-28, 3.4539352797632892124e-25},  // asym, h = -10.5, t = 0.095
    {-0.1, 0.2, 0.039458602641807001732, 0.3503093936215274335},  // smallt, h = -0.5, t = 0.1
    {-0.5, 0.1, 5.339911785800864776e-9, 1.4848622763566958062e-6},  // smallt, h = -5, t = 0.05
    {-0.9, 0.1, 1.2232840021518699981e-21, 1.0266931882432222155e-18},  // smallt, h = -9, t = 0.05
    {0.0, 0.4, 0.15851941887820605477, 0.39104269397545587714},  // smallt, h = 0, t = 0.2
    {-0.001, 0.4, 0.15801992747542356154, 0.39104147196894659001},  // smallt, h = -0.0025, t = 0.2
    {-1e-10, 1e-06, 3.9889228239612743764e-7, 0.39894227840667141313},  // smallt, h = -0.0001, t = 5e-07
    {0.0, 1e-08, 3.9894228040143268462e-9, 0.39894228040143267295},  // smallt, h = 0, t = 5e-09
    {-0.0195, 0.002, 1.8541215943539045927e-26, 9.0855297692106636399e-22},  // smallt, h = -9.75, t = 0.001
    {-2.0, 0.41, 4.1043896769281725271e-8, 2.6588124409930885319e-6},  // smallt, h = -4.88, t = 0.205
    {-0.1, 2.0, 0.63412712270593895706, 0.24166845007438104765},  // ncdf, h = -0.05, t = 1
    {-1.0, 4.0, 0.56207880478302630412, 0.052329839106081236614},  // ncdf, h = -0.25, t = 2
    {-5.0, 10.0, 0.082084488385674970166, 1.312025366765090474e-6},  // ncdf, h = -0.5, t = 5
    {0.0, 1.8, 0.63187974930648103471, 0.2660852498987548165},  // ncdf, h = 0, t = 0.9
    {-0.01, 30.0, 0.99501247919268231325, 5.5307092425827830362e-50},  // ncdf, h = -0.000333, t = 15
    {-3.0, 7.0, 0.22270100052370487066, 0.00079610834633321667939},  // ncdf, h = -0.429, t = 3.5
    {0.0, 0.43, 0.17023268144039150551, 0.38982746577041064143},  // erfcx, h = 0, t = 0.215
    {-1.0, 1.0, 0.076991023141674131155, 0.21353841490429441907},  // erfcx, h = -1, t = 0.5
    {-5.0, 1.0, 4.7557763710846427284e-8, 1.312025366765090474e-6},  // erfcx, h = -5, t = 0.5
    {-20.0, 2.0, 9.152756597844069956e-25, 4.6670099812801676883e-23},  // erfcx, h = -10, t = 1
    {-0.5, 0.5, 0.040840564840954761162, 0.23452606797427372644},  // erfcx, h = -1, t = 0.25
    {-3.0, 0.6, 3.0753571087817568754e-8, 1.4213001122781155723e-6},  // erfcx, h = -5, t = 0.3
    {-0.2, 0.5, 0.11351036718287473217, 0.3569396592472470892},  // erfcx, h = -0.4, t = 0.25
    {-8.0, 3.0, 0.0013847336366358736827, 0.0036997349806071080887},  // erfcx, h = -2.67, t = 1.5
    {-0.25, 0.45, 0.080460359886904390116, 0.33334675620662502543},  // erfcx, h = -0.556, t = 0.225
    {0.5, 0.2, 0.50562379711925267604, 0.017440877730139953447},  // itm:smallt, h = 2.5, t = 0.1
    {3.0, 1.0, 4.258901902607287252, 0.0039110924962597493563},  // itm:erfcx, h = 3, t = 0.5
    {10.0, 0.5, 148.40642115557751795, 5.3510866384329815794e-88},  // itm:asym, h = 20, t = 0.25
    {0.01, 0.001, 0.010000041666718750239, 7.6945976648816511221e-23},  // itm:smallt, h = 10, t = 0.0005
    {1.0, 3.0, 1.5198946082349679236, 0.12251839601018812699},  // itm:ncdf, h = 0.333, t = 1.5
    {2.0, 0.3, 2.3504023872881616921, 8.8112143444824974727e-11},  // itm:smallt, h = 6.67, t = 0.15
    {-0.017012452110841177, 0.0004690774312384457, 3.3515480614352802981e-293, 9.4196238414910977374e-287},  // asym, h = -36.3, t = 0.000235
    {-0.526900335846876, 0.05279633897301995, 4.8428331809950078115e-26, 9.4057141125282911915e-23},  // smallt, h = -9.98, t = 0.0264
    {-340.5603334275987, 18.971070318942125, 9.7562213162770446251e-92, 1.2174433814174738081e-90},  // erfcx, h = -18, t = 9.49
    {-231.1305543874549, 22.49983910900228, 5.3301850243372442637e-51, 1.5999799555715605945e-51},  // ncdf, h = -10.3, t = 11.2
};

std::string region(double x, double s) {
  const double h = -std::fabs(x) / s, t = s / 2;
  std::string r = x > 0 ? "itm/" : "";
  if (h < -10 && h + t < -9.79) return r + "asymptotic";
  if (t < 0.21) return r + "small-t";
  if (h + t > 0.85) return r + "norm_cdf";
  return r + "erfcx";
}

TEST(NormalisedBlack, MatchesMpmathInEveryRegion) {
  double worst = 0;
  int per_region[4] = {0, 0, 0, 0};
  for (const auto& p : kPoints) {
    const double b = normalised_black_call(p.x, p.s);
    const double rel = std::fabs(b - p.b) / p.b;
    EXPECT_LE(rel, 1e-12) << region(p.x, p.s) << " x=" << p.x << " s=" << p.s << " b=" << b;
    worst = std::fmax(worst, rel);
    const std::string r = region(-std::fabs(p.x), p.s);
    ++per_region[r == "asymptotic" ? 0 : r == "small-t" ? 1 : r == "erfcx" ? 2 : 3];
  }
  for (const int n : per_region) EXPECT_GE(n, 5);  // every region really is exercised
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2e", worst);
  RecordProperty("max_rel_error", buf);
  std::cout << "[          ] normalised_black_call vs mpmath: max relative error " << buf << "\n";
}

TEST(NormalisedBlack, VegaMatchesMpmath) {
  // exp(-(h^2 + t^2)/2): rounding of h = x/s moves the exponent by ~eps (h^2 + t^2), so the bound
  // grows with it (5e-13 at h = -36).
  for (const auto& p : kPoints) {
    const double h = p.x / p.s, t = p.s / 2;
    EXPECT_LE(std::fabs(normalised_vega(p.x, p.s) - p.vega), 4e-16 * (1 + h * h + t * t) * p.vega)
        << "x=" << p.x << " s=" << p.s;
  }
  EXPECT_EQ(normalised_vega(-1.0, 0.0), 0.0);
}

TEST(NormalisedBlack, VegaIsTheDerivativeInS) {
  for (const auto& p : kPoints) {
    if (p.s < 1e-3 || p.vega < 1e-250) continue;
    const double h = 1e-4 * p.s;
    const auto b = [&](double s) { return normalised_black_call(p.x, s); };
    const double fd = (b(p.s - 2 * h) - 8 * b(p.s - h) + 8 * b(p.s + h) - b(p.s + 2 * h)) / (12 * h);
    // The price itself (intrinsic included) sets the rounding floor of the difference quotient.
    EXPECT_NEAR(fd, p.vega, 1e-6 * p.vega + 1e-14 * p.b / h) << "x=" << p.x << " s=" << p.s;
  }
}

TEST(NormalisedBlack, ZeroVolIsIntrinsicAndIntrinsicValues) {
  EXPECT_EQ(normalised_black_call(-0.3, 0.0), 0.0);
  EXPECT_EQ(normalised_black_call(0.0, 0.0), 0.0);
  // 2 sinh(x/2) = e^{x/2} - e^{-x/2}; mpmath: 2*sinh(0.15) and 2*sinh(5e-9).
  EXPECT_DOUBLE_EQ(normalised_black_call(0.3, 0.0), 0.30112626630322530);
  EXPECT_DOUBLE_EQ(normalised_intrinsic(0.3, 1.0), 0.30112626630322530);
  EXPECT_DOUBLE_EQ(normalised_intrinsic(-0.3, -1.0), 0.30112626630322530);
  EXPECT_DOUBLE_EQ(normalised_intrinsic(1e-8, 1.0), 1.0000000000000000251e-8);  // no cancellation
  EXPECT_EQ(normalised_intrinsic(-0.3, 1.0), 0.0);
  EXPECT_EQ(normalised_intrinsic(0.3, -1.0), 0.0);
  EXPECT_EQ(normalised_intrinsic(0.0, 1.0), 0.0);
}

// Branch switches must not show: bisect s down to two adjacent doubles on either side of each
// switch and compare. The function itself changes by < 2e-14 over one ulp of s at these points.
TEST(NormalisedBlack, ContinuousAcrossRegionBoundaries) {
  struct Boundary {
    double x, s_lo, s_hi;
  };
  const Boundary boundaries[] = {
      {-3.0, 0.29, 0.31},   // asymptotic (h < -10) | small-t
      {-10.5, 0.95, 1.1},   // asymptotic | erfcx (h + t = -9.79)
      {-0.05, 0.41, 0.43},  // small-t | erfcx (t = 0.21)
      {-0.3, 1.9, 2.1},     // erfcx | norm_cdf (h + t = 0.85)
      {3.0, 0.29, 0.31},    // the same switches on the in-the-money side
      {10.5, 0.95, 1.1},
      {0.05, 0.41, 0.43},
      {0.3, 1.9, 2.1},
  };
  for (const auto& bd : boundaries) {
    double lo = bd.s_lo, hi = bd.s_hi;
    ASSERT_NE(region(bd.x, lo), region(bd.x, hi)) << "x=" << bd.x;
    while (std::nextafter(lo, hi) != hi) {
      const double mid = 0.5 * (lo + hi);
      (region(bd.x, mid) == region(bd.x, lo) ? lo : hi) = mid;
    }
    const double b_lo = normalised_black_call(bd.x, lo), b_hi = normalised_black_call(bd.x, hi);
    EXPECT_LE(std::fabs(b_hi - b_lo), 3e-13 * b_hi)
        << region(bd.x, lo) << " | " << region(bd.x, hi) << " x=" << bd.x << " s=" << lo;
  }
}

// b(x, s) is the undiscounted Black call on F = e^{x/2}, K = e^{-x/2}: check monotonicity in s and
// the bounds intrinsic <= b < e^{x/2} over a grid that crosses every region.
TEST(NormalisedBlack, MonotoneAndWithinBounds) {
  for (double x = -60.0; x <= 20.0; x += 0.37) {
    double previous = normalised_intrinsic(x, 1.0);
    for (double s = 1e-4; s < 60.0; s *= 1.07) {
      const double b = normalised_black_call(x, s);
      ASSERT_TRUE(std::isfinite(b)) << "x=" << x << " s=" << s;
      ASSERT_GE(b, previous * (1 - 1e-14)) << "x=" << x << " s=" << s;
      ASSERT_LE(b, std::exp(0.5 * x) * (1 + 1e-15)) << "x=" << x << " s=" << s;
      previous = b;
    }
  }
}

}  // namespace
