// Unit tests of greekbook::core's normal-distribution functions against mpmath.
//
// Reference values: mpmath 1.3 at 60 significant digits, evaluated at the exact binary value of each
// double argument (mp.mpf(float)), printed to 20 digits:
//   N(x)      = mp.ncdf(x)
//   erfcx(x)  = mp.exp(x*x) * mp.erfc(x)  (x = 1e300: the asymptotic series, mpmath's erfc overflows)
//   N^-1(p)   = mp.findroot(lambda t: mp.log(mp.ncdf(t)) - mp.log(p), ...) on the lower tail
//               (p > 1/2 via 1 - p, exact in binary), checked to N(x)/p - 1 < 1e-40
#include "greekbook/core/normal.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {
using greekbook::core::erfcx;
using greekbook::core::inverse_norm_cdf;
using greekbook::core::norm_cdf;
using greekbook::core::norm_pdf;

struct Point {
  double x;
  double expected;
};

double rel_err(double got, double want) { return std::fabs(got - want) / std::fabs(want); }

// N(x) from -37 (5.7e-300, just above the bottom of the normal range) to 8: the far lower tail,
// where 1 - N(-x) would lose everything, both sides of 0 and the upper side close to 1.
constexpr Point kNormCdf[] = {
    {-37.0, 5.7255712225245768227e-300},
    {-35.5, 2.4576915406619369142e-276},
    {-30.0, 4.9067139271481870595e-198},
    {-25.0, 3.0566967063825609164e-138},
    {-20.0, 2.7536241186062336951e-89},
    {-15.0, 3.6709661993127508858e-51},
    {-10.0, 7.619853024160526066e-24},
    {-8.0, 6.2209605742717841235e-16},
    {-5.0, 2.8665157187919391167e-7},
    {-3.0, 0.0013498980316300945267},
    {-2.5, 0.006209665325776135167},
    {-2.0, 0.0227501319481792072},
    {-1.999, 0.022804176932658882735},
    {-1.5, 0.066807201268858066004},
    {-1.0, 0.15865525393145705141},
    {-0.5, 0.30853753872598689636},
    {-0.1, 0.46017216272297101633},
    {0.0, 0.5},
    {1e-10, 0.50000000003989422804},
    {0.25, 0.59870632568292372424},
    {0.5, 0.69146246127401310364},
    {1.0, 0.84134474606854294859},
    {1.5, 0.933192798731141934},
    {1.999, 0.97719582306734111727},
    {2.0, 0.9772498680518207928},
    {3.0, 0.99865010196836990547},
    {5.0, 0.99999971334842812081},
    {8.0, 0.9999999999999993779},
};

TEST(NormCdf, MatchesMpmathToFourteenDigits) {
  for (const auto& p : kNormCdf) {
    EXPECT_LE(rel_err(norm_cdf(p.x), p.expected), 1e-14) << "x = " << p.x << " N = " << norm_cdf(p.x);
  }
}

TEST(NormCdf, FarTailsAndSpecialValues) {
  EXPECT_NEAR(norm_cdf(0.0), 0.5, 5e-16);  // "a few ulp": not required to be exact
  EXPECT_EQ(norm_cdf(-40.0), 0.0);  // 3.6e-350: below the subnormal range
  EXPECT_GT(norm_cdf(-38.0), 0.0);  // 2.9e-316: subnormal, not flushed
  EXPECT_EQ(norm_cdf(40.0), 1.0);
  EXPECT_EQ(norm_cdf(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_EQ(norm_cdf(std::numeric_limits<double>::infinity()), 1.0);
  EXPECT_TRUE(std::isnan(norm_cdf(std::numeric_limits<double>::quiet_NaN())));
}

TEST(NormCdf, SymmetryAndMonotonicity) {
  double previous = 0.0;
  for (double x = -38.0; x <= 9.0; x += 1.0 / 64) {
    const double n = norm_cdf(x);
    ASSERT_GE(n, previous) << "x = " << x;
    previous = n;
    EXPECT_NEAR(n + norm_cdf(-x), 1.0, 5e-16) << "x = " << x;
  }
}

TEST(NormPdf, Values) {
  EXPECT_DOUBLE_EQ(norm_pdf(0.0), 0.398942280401432677939946);
  EXPECT_DOUBLE_EQ(norm_pdf(1.0), 0.241970724519143349797830);  // mpmath npdf(1)
  EXPECT_DOUBLE_EQ(norm_pdf(-3.0), 0.00443184841193800717560);   // mpmath npdf(3)
  EXPECT_EQ(norm_pdf(40.0), 0.0);
}

// erfcx at points on both sides of every switch an implementation is likely to have: x < 0
// (reflection 2 e^{x^2} - erfcx(-x)), near 0, 0.5, 26 and 28.28 (= 40/sqrt2, end of the fitted Mills
// ratio range), and far out in the asymptotic regime up to 1e300.
constexpr Point kErfcx[] = {
    {-26.0, 7.6577249314905683515e+293},
    {-10.0, 5.3762342836322708968e+43},
    {-3.0, 16205.988853999586625},
    {-1.0, 5.0089800807622834663},
    {-0.3, 1.4537492328427655512},
    {-1e-08, 1.000000011283791771},
    {0.0, 1.0},
    {1e-08, 0.99999998871620842904},
    {0.1, 0.89645697996912663666},
    {0.25, 0.77034654773099674392},
    {0.4999, 0.6157416166688974783},
    {0.5, 0.61569034419292587487},
    {0.75, 0.50693765029314480579},
    {1.0, 0.42758357615580700441},
    {2.0, 0.25539567631050574387},
    {5.0, 0.11070463773306862637},
    {10.0, 0.056140992743822585858},
    {20.0, 0.028174348741051319319},
    {25.99, 0.021691915596284174483},
    {26.0, 0.021683584850562906616},
    {26.5, 0.021275046685371105955},
    {28.28, 0.019937677441134277423},
    {28.284271247461902, 0.019934670376602619231},
    {28.29, 0.019930638615213942332},
    {30.0, 0.018795888861416751497},
    {100.0, 0.0056416137829894329036},
    {10000.0, 0.000056418958072680841152},
    {100000000.0, 5.6418958354775625874e-9},
    {1000000000000000.0, 5.6418958354775628695e-16},
    {1e+100, 5.6418958354775627798e-101},
    {1e+300, 5.6418958354775625733e-301},
};

TEST(Erfcx, MatchesMpmathToFourteenDigitsInEveryBranch) {
  for (const auto& p : kErfcx) {
    EXPECT_LE(rel_err(erfcx(p.x), p.expected), 1e-14) << "x = " << p.x << " erfcx = " << erfcx(p.x);
  }
}

TEST(Erfcx, ContinuousAcrossBranchBoundaries) {
  for (const double b : {0.0, 0.5, 26.0, 28.284271247461902}) {
    const double below = erfcx(std::nextafter(b, -1.0)), at = erfcx(b);
    EXPECT_LE(rel_err(below, at), 1e-15) << "boundary " << b;  // true change over one ulp: < 2e-16
  }
}

TEST(Erfcx, OverflowAndNaN) {
  EXPECT_TRUE(std::isfinite(erfcx(-26.6)));
  EXPECT_EQ(erfcx(-27.0), std::numeric_limits<double>::infinity());  // exp(729) overflows
  EXPECT_TRUE(std::isnan(erfcx(std::numeric_limits<double>::quiet_NaN())));
}

// Exact quantiles of the double p (mpmath), both sides of 1/2 and deep in the lower tail.
constexpr Point kInverse[] = {
    {1e-300, -37.047096299361199237},
    {1e-200, -30.205594179579643063},
    {1e-100, -21.273453560965324294},
    {1e-50, -14.933337534788488981},
    {1e-20, -9.2623400897984075796},
    {1e-10, -6.3613409024040561991},
    {1e-05, -4.2648907939228246102},
    {0.001, -3.0902323061678135354},
    {0.01, -2.3263478740408410931},
    {0.02425, -1.9729610513118848376},
    {0.1, -1.2815515655446004353},
    {0.25, -0.6744897501960817432},
    {0.4, -0.25334710313579974132},
    {0.49, -0.025068908258711058033},
    {0.5, 0.0},
    {0.51, 0.025068908258711058033},
    {0.6, 0.25334710313579974132},
    {0.75, 0.6744897501960817432},
    {0.9, 1.2815515655446005935},
    {0.975, 1.9599639845400538556},
    {0.99, 2.3263478740408407676},
    {0.999, 3.0902323061678132778},
    {0.9999999999, 6.3613408896974218642},
};

TEST(InverseNormCdf, MatchesMpmathQuantiles) {
  for (const auto& p : kInverse) {
    // Near p = 1/2 the quantile is small and N's absolute rounding (~1e-16) sets an absolute floor.
    EXPECT_NEAR(inverse_norm_cdf(p.x), p.expected, 1e-14 * std::fabs(p.expected) + 1e-15) << "p = " << p.x;
  }
}

TEST(InverseNormCdf, RoundTripsThroughNormCdf) {
  // x -> p = N(x) -> x'. p carries its own rounding (half an ulp) plus N's error, which moves the
  // exact quantile by ~ulp(p)/phi(x): that term matters only for x >~ 3, where p is close to 1.
  int checked = 0;
  for (double x = -37.5; x <= 8.0; x += 0.0371) {
    const double p = norm_cdf(x);
    const double back = inverse_norm_cdf(p);
    const double ulp_p = std::nextafter(p, 2.0) - p;
    const double tol = 1e-14 * std::fmax(std::fabs(x), 1.0) + 2.0 * ulp_p / norm_pdf(x);
    EXPECT_NEAR(back, x, tol) << "x = " << x << " p = " << p;
    ++checked;
  }
  EXPECT_GT(checked, 1000);
}

TEST(InverseNormCdf, EdgesAndOutOfRange) {
  EXPECT_EQ(inverse_norm_cdf(0.0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(inverse_norm_cdf(1.0), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(inverse_norm_cdf(-1e-300)));
  EXPECT_TRUE(std::isnan(inverse_norm_cdf(1.0000000000000002)));
  EXPECT_TRUE(std::isnan(inverse_norm_cdf(std::numeric_limits<double>::quiet_NaN())));
  // Smallest subnormal: N(x) rounds to 4.9e-324 for x in about [-38.49, -38.45] (mpmath: N^-1 of the
  // exact value is -38.4674); anything there is as good as the input allows.
  EXPECT_NEAR(inverse_norm_cdf(std::numeric_limits<double>::denorm_min()), -38.4674, 0.03);
}

}  // namespace
