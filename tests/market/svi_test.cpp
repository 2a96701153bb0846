// SVI smile fit and volatility surface.
//  * Exact recovery: quotes generated from known SVI parameters are fitted back.
//  * Butterfly arbitrage: Axel Vogt's example from Gatheral & Jacquier (2014), "Arbitrage-free SVI
//    volatility surfaces", Quantitative Finance 14(1), Axel Vogt's example: (a, b, rho, m, sigma) =
//    (-0.0410, 0.1331, 0.3060, 0.3586, 0.4153), T = 1, has g(k) < 0 (negative density) for k in
//    about [0.64, 1.26], minimum -0.033 near k = 0.88 (checked numerically below).
//  * 300 seeded random smiles (with and without noise and arbitrage): all fitted butterfly-free.
//  * Derivatives against finite differences, VolSurface interpolation and calendar check, errors.
//  * Optional: every smile of the real Deribit chains in ../shared/data/deribit-chain-2026 (skipped
//    when absent; GREEKBOOK_SHARED overrides the location of shared/).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "greekbook/market/svi.hpp"
#include "greekbook/pricing/black76.hpp"

namespace {
using namespace greekbook::market;
using greekbook::pricing::black76;
using greekbook::pricing::Black76Input;
using greekbook::pricing::OptionType;

double vol_of(const SviParams& p, double T, double k) { return std::sqrt(svi_total_variance(p, k) / T); }

double black_vega(double F, double K, double T, double vol) {
  return black76(Black76Input{OptionType::Call, F, K, T, vol, 0.0}).vega;
}

// n quotes on [k_lo, k_hi] from p, weighted by Black vega (F = 1).
std::vector<SmileQuote> sample(const SviParams& p, double T, double k_lo, double k_hi, int n) {
  std::vector<SmileQuote> q;
  for (int i = 0; i < n; ++i) {
    const double k = k_lo + (k_hi - k_lo) * i / (n - 1), v = vol_of(p, T, k);
    q.push_back({k, v, black_vega(1.0, std::exp(k), T, v)});
  }
  return q;
}

struct Shape {
  const char* name;
  SviParams p;
  double T, k_lo, k_hi;
};

const std::vector<Shape>& shapes() {
  static const std::vector<Shape> s{
      {"equity put skew", {0.02, 0.1, -0.5, 0.05, 0.2}, 0.5, -0.8, 0.5},
      {"crypto call skew 1M", {0.012, 0.05, 0.3, 0.02, 0.1}, 0.07, -0.4, 0.5},
      {"crypto short-dated V", {0.002, 0.02, -0.2, -0.01, 0.02}, 0.01, -0.15, 0.12},
      {"crypto 1Y call wing", {0.15, 0.2, 0.35, 0.1, 0.3}, 1.0, -1.0, 1.5},
      {"negative a, symmetric", {-0.01, 0.15, -0.1, 0.0, 0.3}, 0.25, -0.7, 0.7},
      {"strong put skew", {0.03, 0.3, -0.9, 0.1, 0.15}, 0.3, -0.6, 0.4},
  };
  return s;
}

TEST(Svi, ExactRecovery) {
  for (const Shape& s : shapes()) {
    SCOPED_TRACE(s.name);
    const double R = s.k_hi - s.k_lo;
    ASSERT_TRUE(check_butterfly(s.p, s.k_lo - 0.5 * R, s.k_hi + 0.5 * R).free) << "test shape has arbitrage";
    const auto q = sample(s.p, s.T, s.k_lo, s.k_hi, 41);
    const auto fit = fit_svi(q, s.T);
    ASSERT_TRUE(fit) << fit.error().message;
    EXPECT_LT(fit->rmse_vol, 1e-6);
    EXPECT_LT(fit->max_abs_vol_error, 1e-6);
    EXPECT_TRUE(fit->butterfly_free);
    EXPECT_GE(fit->min_g, 0.0);
    EXPECT_EQ(fit->quotes, 41u);
    EXPECT_DOUBLE_EQ(fit->k_min, s.k_lo);
    EXPECT_NEAR(fit->k_max, s.k_hi, 1e-15);
    EXPECT_NEAR(fit->params.a, s.p.a, 1e-5);
    EXPECT_NEAR(fit->params.b, s.p.b, 1e-4);
    EXPECT_NEAR(fit->params.rho, s.p.rho, 1e-4);
    EXPECT_NEAR(fit->params.m, s.p.m, 1e-4);
    EXPECT_NEAR(fit->params.sigma, s.p.sigma, 1e-4);
  }
}

TEST(Svi, RecoveryIsInsensitiveToWeights) {
  const Shape& s = shapes()[1];
  auto q = sample(s.p, s.T, s.k_lo, s.k_hi, 25);
  for (std::size_t i = 0; i < q.size(); ++i) q[i].weight = 1.0 + 100.0 * (i % 3);
  const auto fit = fit_svi(q, s.T);
  ASSERT_TRUE(fit) << fit.error().message;
  EXPECT_LT(fit->max_abs_vol_error, 1e-6);
}

TEST(Svi, NoisyQuotesFitCloseToTruth) {
  const Shape& s = shapes()[1];
  auto q = sample(s.p, s.T, s.k_lo, s.k_hi, 61);
  for (std::size_t i = 0; i < q.size(); ++i) q[i].vol += 0.002 * std::sin(7.0 * i);  // +-0.2 vol points
  const auto fit = fit_svi(q, s.T);
  ASSERT_TRUE(fit) << fit.error().message;
  EXPECT_LT(fit->rmse_vol, 0.002);
  EXPECT_TRUE(fit->butterfly_free);
  for (double k = s.k_lo; k <= s.k_hi; k += 0.01) EXPECT_NEAR(vol_of(fit->params, s.T, k), vol_of(s.p, s.T, k), 2e-3);
}

// Random smiles (seeded): vol levels 20%-170%, T from an hour to 3 years, 5-85 quotes at random k,
// random weights, with and without noise, a tenth of them with butterfly arbitrage of their own.
// Every fit must succeed, be butterfly-free, and reproduce noise-free arbitrage-free smiles.
TEST(Svi, RandomSmilesAreFittedButterflyFree) {
  std::mt19937_64 rng(20260301);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  int with_arbitrage = 0;
  for (int it = 0; it < 300; ++it) {
    const double T = std::exp(std::log(1e-4) + U(rng) * std::log(3.0 / 1e-4));
    SviParams p;
    p.sigma = std::exp(std::log(0.005) + U(rng) * std::log(200.0));
    p.rho = -0.95 + 1.9 * U(rng);
    p.b = U(rng) * 1.5 / (1.0 + std::abs(p.rho)) * std::sqrt(std::min(T, 1.0));
    p.m = (U(rng) - 0.5) * 0.4;
    const double vol_min = 0.2 + 1.5 * U(rng);
    p.a = vol_min * vol_min * T - p.b * p.sigma * std::sqrt(1.0 - p.rho * p.rho);
    const int n = 5 + static_cast<int>(U(rng) * 80);
    const double half = 0.05 + 1.5 * U(rng) * std::sqrt(std::max(T, 0.01)), centre = (U(rng) - 0.5) * half;
    const double noise = U(rng) < 0.3 ? 0.0 : 0.02 * U(rng);
    std::vector<SmileQuote> q;
    for (int i = 0; i < n; ++i) {
      const double k = centre + half * (2.0 * U(rng) - 1.0);
      q.push_back({k, std::max(vol_of(p, T, k) + noise * (U(rng) - 0.5), 0.01), 0.01 + U(rng)});
    }
    const auto fit = fit_svi(q, T);
    ASSERT_TRUE(fit) << it << ": " << fit.error().message;
    EXPECT_TRUE(fit->butterfly_free) << it;
    EXPECT_GE(fit->min_g, 0.0) << it;
    ASSERT_TRUE(std::isfinite(fit->rmse_vol)) << it;
    const double R = fit->k_max - fit->k_min;
    const bool free = check_butterfly(p, fit->k_min - 0.5 * R, fit->k_max + 0.5 * R).free;
    with_arbitrage += !free;
    // Exact where sigma <= 2 R; with sigma >> R the smile is a parabola over the quotes, the parameters
    // nearly unidentifiable and LM creeps along a flat valley (measured worst 3.8e-6 at sigma = 3.9 R).
    if (noise == 0.0 && free && p.sigma <= 5.0 * R) {
      EXPECT_LT(fit->rmse_vol, p.sigma <= 2.0 * R ? 1e-6 : 1e-5) << it << " T " << T << " n " << n << " k [" << fit->k_min << ", " << fit->k_max
                                     << "] a " << p.a << " b " << p.b << " rho " << p.rho << " m " << p.m << " sigma "
                                     << p.sigma << " fit a " << fit->params.a << " b " << fit->params.b << " rho "
                                     << fit->params.rho << " m " << fit->params.m << " sigma " << fit->params.sigma;
    }
  }
  EXPECT_GT(with_arbitrage, 20);
}

const SviParams kVogt{-0.0410, 0.1331, 0.3060, 0.3586, 0.4153};

TEST(Svi, VogtExampleHasButterflyArbitrage) {
  double g_min = 1.0, k_at = 0.0;
  for (double k = -2.0; k <= 2.0; k += 0.001) {
    const double g = svi_g(kVogt, k);
    if (g < g_min) g_min = g, k_at = k;
  }
  EXPECT_LT(g_min, -0.03);  // -0.0329 at k = 0.879
  EXPECT_NEAR(k_at, 0.88, 0.02);
  EXPECT_LT(svi_g(kVogt, 0.9), 0.0);
  EXPECT_GT(svi_g(kVogt, 0.0), 0.0);
  const auto chk = check_butterfly(kVogt, -1.5, 1.5);
  EXPECT_FALSE(chk.free);
  EXPECT_NEAR(chk.min_g, g_min, 1e-4);
  EXPECT_GT(chk.min_w, 0.0);  // w > 0: the arbitrage is in the density, not in w
}

TEST(Svi, FitOfVogtQuotesIsButterflyFreeAndClose) {
  const double T = 1.0;
  const auto q = sample(kVogt, T, -1.5, 1.5, 61);
  const auto fit = fit_svi(q, T);
  ASSERT_TRUE(fit) << fit.error().message;
  EXPECT_TRUE(fit->butterfly_free);
  EXPECT_GE(fit->min_g, 0.0);
  EXPECT_TRUE(check_butterfly(fit->params, -3.0, 3.0).free);
  // The repair has to change the smile where Vogt's has the arbitrage (k > 0.3, where its vol rises
  // from 0.11 to 0.41 too steeply): measured 0.179 vol point vega-weighted RMSE, 2.6 vol points at
  // k = 1.5; the best butterfly-free smile a 31-start Nelder-Mead on all five parameters finds: 0.178.
  EXPECT_LT(fit->rmse_vol, 0.0025);
  EXPECT_LT(fit->max_abs_vol_error, 0.03);
  // Away from the arbitrage the refit stays within 0.4 vol point of Vogt's smile (0.25 for k >= -1).
  for (double k = -1.5; k <= 0.0; k += 0.05)
    EXPECT_NEAR(vol_of(fit->params, T, k), vol_of(kVogt, T, k), k >= -1.0 ? 0.0025 : 0.004) << k;
  std::printf("Vogt refit: rmse %.5f max %.5f min_g %.2e  params a %.4f b %.4f rho %.4f m %.4f sigma %.4f\n",
              fit->rmse_vol, fit->max_abs_vol_error, fit->min_g, fit->params.a, fit->params.b, fit->params.rho,
              fit->params.m, fit->params.sigma);
}

TEST(Svi, DerivativesMatchFiniteDifferences) {
  for (const Shape& s : shapes()) {
    for (double k = -1.0; k <= 1.0; k += 0.05) {
      const double h = 1e-4;
      const double w_p = svi_total_variance(s.p, k + h), w_m = svi_total_variance(s.p, k - h);
      const double w_0 = svi_total_variance(s.p, k);
      EXPECT_NEAR(svi_dw(s.p, k), (w_p - w_m) / (2 * h), 1e-7) << s.name << " k=" << k;
      EXPECT_NEAR(svi_d2w(s.p, k), (w_p - 2 * w_0 + w_m) / (h * h), 1e-5 * (1 + svi_d2w(s.p, k))) << s.name;
      const double dp = svi_dw(s.p, k + h), dm = svi_dw(s.p, k - h);
      EXPECT_NEAR(svi_d2w(s.p, k), (dp - dm) / (2 * h), 1e-6 * (1 + svi_d2w(s.p, k))) << s.name;
    }
  }
  // g of a flat smile is 1; w <= 0 gives -infinity.
  EXPECT_DOUBLE_EQ(svi_g(SviParams{0.04, 0.0, 0.0, 0.0, 0.1}, 0.3), 1.0);
  EXPECT_EQ(svi_g(SviParams{-0.04, 0.0, 0.0, 0.0, 0.1}, 0.3), -INFINITY);
}

// --- VolSurface ---

SmileFit smile(double T, SviParams p, double k_min = -0.5, double k_max = 0.5) {
  SmileFit f;
  f.expiry_years = T;
  f.params = p;
  f.k_min = k_min;
  f.k_max = k_max;
  return f;
}

TEST(VolSurface, InterpolatesTotalVarianceAndExtrapolatesFlatVol) {
  const SviParams p1{0.01, 0.05, -0.3, 0.0, 0.1}, p2{0.04, 0.1, -0.2, 0.05, 0.2}, p3{0.09, 0.12, -0.1, 0.1, 0.3};
  const VolSurface s({smile(1.0, p3), smile(0.1, p1), smile(0.5, p2)});  // any order
  ASSERT_EQ(s.smiles().size(), 3u);
  EXPECT_EQ(s.smiles()[0].expiry_years, 0.1);
  EXPECT_EQ(s.smiles()[2].expiry_years, 1.0);
  for (double k = -1.0; k <= 1.0; k += 0.1) {
    EXPECT_DOUBLE_EQ(s.total_variance(0.1, k), svi_total_variance(p1, k));
    EXPECT_DOUBLE_EQ(s.total_variance(0.5, k), svi_total_variance(p2, k));
    EXPECT_DOUBLE_EQ(s.total_variance(1.0, k), svi_total_variance(p3, k));
    EXPECT_NEAR(s.implied_vol(0.5, k), vol_of(p2, 0.5, k), 1e-15);
    EXPECT_NEAR(s.total_variance(0.3, k), 0.5 * (svi_total_variance(p1, k) + svi_total_variance(p2, k)), 1e-15);
    EXPECT_NEAR(s.total_variance(0.6, k), 0.8 * svi_total_variance(p2, k) + 0.2 * svi_total_variance(p3, k), 1e-15);
    // Flat vol outside.
    EXPECT_NEAR(s.implied_vol(0.01, k), vol_of(p1, 0.1, k), 1e-14);
    EXPECT_NEAR(s.implied_vol(3.0, k), vol_of(p3, 1.0, k), 1e-14);
    EXPECT_NEAR(s.total_variance(2.0, k), 2.0 * svi_total_variance(p3, k), 1e-14);
  }
  EXPECT_EQ(s.total_variance(0.0, 0.0), 0.0);
  EXPECT_TRUE(s.calendar_violations().empty());
  EXPECT_TRUE(VolSurface().empty());
  EXPECT_EQ(VolSurface().total_variance(1.0, 0.0), 0.0);
}

TEST(VolSurface, ReportsCalendarViolation) {
  // The later smile is lower in the put wing: w(0.25) < w(0.1) for k below about -0.14.
  const SviParams early{0.01, 0.1, -0.8, 0.0, 0.1}, mid{0.03, 0.05, 0.0, 0.0, 0.1}, late{0.06, 0.06, 0.0, 0.0, 0.1};
  const VolSurface s({smile(0.1, early, -1.0, 0.5), smile(0.25, mid, -1.0, 0.5), smile(0.5, late, -1.0, 0.5)});
  const auto v = s.calendar_violations();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].earlier, 0u);
  EXPECT_EQ(v[0].later, 1u);
  EXPECT_NEAR(v[0].k, -1.0, 1e-12);  // worst at the edge of the quotes
  EXPECT_GT(v[0].w_earlier, v[0].w_later);
  EXPECT_DOUBLE_EQ(v[0].w_earlier, svi_total_variance(early, v[0].k));
  // Restricted to k >= -0.1 the same smiles are consistent.
  const VolSurface ok({smile(0.1, early, -0.1, 0.5), smile(0.25, mid, -0.1, 0.5), smile(0.5, late, -0.1, 0.5)});
  EXPECT_TRUE(ok.calendar_violations().empty());
}

// --- errors ---

TEST(Svi, RejectsBadInput) {
  const auto good = sample(shapes()[0].p, 0.5, -0.5, 0.5, 9);
  auto expect_error = [](const greekbook::Result<SmileFit>& r, const std::string& needle) {
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  expect_error(fit_svi(std::span(good).first(4), 0.5), "at least 5 quotes, got 4");
  expect_error(fit_svi({}, 0.5), "got 0");
  expect_error(fit_svi(good, 0.0), "expiry_years must be finite and > 0, got 0");
  expect_error(fit_svi(good, -1.0), "got -1");
  expect_error(fit_svi(good, NAN), "got nan");
  auto bad = good;
  bad[3].vol = NAN;
  expect_error(fit_svi(bad, 0.5), "quote 3 (k = -0.125): vol must be finite and > 0, got nan");
  bad = good;
  bad[2].vol = -0.2;
  expect_error(fit_svi(bad, 0.5), "got -0.2");
  bad = good;
  bad[0].vol = 0.0;
  expect_error(fit_svi(bad, 0.5), "quote 0");
  bad = good;
  bad[5].weight = 0.0;
  expect_error(fit_svi(bad, 0.5), "quote 5 (k = 0.125): weight must be finite and > 0, got 0");
  bad = good;
  bad[5].weight = INFINITY;
  expect_error(fit_svi(bad, 0.5), "got inf");
  bad = good;
  bad[1].k = NAN;
  expect_error(fit_svi(bad, 0.5), "quote 1: k must be finite, got nan");
  bad = good;
  for (auto& q : bad) q.k = 0.1;
  expect_error(fit_svi(bad, 0.5), "distinct log-moneyness");
}

// --- real Deribit chains (optional) ---

std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("GREEKBOOK_SHARED")) return env;
  // <project>/tests/market/svi_test.cpp -> <project>/../shared
  return std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "shared";
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> f;
  std::string cur;
  std::istringstream in(line);
  while (std::getline(in, cur, ',')) f.push_back(cur);
  if (!line.empty() && line.back() == ',') f.emplace_back();
  return f;
}

struct ChainSmile {
  std::string currency, expiry;
  double T = 0.0;
  std::vector<SmileQuote> quotes;
};

// One quote per strike: the out-of-the-money option (call and put mark IVs are equal on Deribit),
// k = ln(K/F) with the row's own F, weight = Black vega.
std::vector<ChainSmile> load_chain(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  const auto header = split(line);
  auto col = [&](const char* name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name;
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t c_cur = col("currency"), c_exp = col("expiry_datetime"), c_T = col("time_to_maturity"),
                    c_K = col("strike"), c_F = col("underlying"), c_iv = col("implied_volatility"),
                    c_type = col("option_type");
  std::map<std::pair<std::string, std::string>, ChainSmile> by;
  while (std::getline(in, line)) {
    const auto f = split(line);
    if (f.size() != header.size() || f[c_iv].empty()) continue;
    const double K = std::stod(f[c_K]), F = std::stod(f[c_F]), T = std::stod(f[c_T]), iv = std::stod(f[c_iv]);
    const bool call = f[c_type] == "call";
    if (call != (K >= F) || !(T > 0) || !(iv > 0)) continue;
    ChainSmile& s = by[{f[c_cur], f[c_exp]}];
    s.currency = f[c_cur];
    s.expiry = f[c_exp];
    s.T = T;
    s.quotes.push_back({std::log(K / F), iv, black_vega(F, K, T, iv)});
  }
  std::vector<ChainSmile> out;
  for (auto& [key, s] : by) out.push_back(std::move(s));
  return out;
}

// Vega-weighted vol RMSE bounds by time to expiry, from the 178 smiles of the seven 2026 snapshots
// (measured maxima in brackets): T >= 7 days 0.6 vol point [0.48; 118 smiles], 1-7 days 1.2 [0.87],
// under a day 3 [2.15]. Deribit's marks of the shortest expiries have wings SVI cannot follow (tens of
// vol points at a few hours); from a week on SVI matches the marks to about half a vol point or better.
double rmse_bound(double T) { return T >= 7.0 / 365.25 ? 0.006 : T >= 1.0 / 365.25 ? 0.012 : 0.03; }

TEST(SviDeribit, FitsEveryRealSmileButterflyFree) {
  const auto dir = shared_dir() / "data" / "deribit-chain-2026";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no Deribit chains at " << dir;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().rfind("deribit_options_snapshot_", 0) == 0) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  std::size_t smiles = 0, within_half_point = 0;
  for (const auto& file : files) {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const auto chain = load_chain(file);
    const auto t1 = Clock::now();
    std::vector<SmileFit> fits;
    std::vector<const ChainSmile*> fitted;
    for (const ChainSmile& s : chain) {
      if (s.quotes.size() < 5) continue;
      auto fit = fit_svi(s.quotes, s.T);
      ASSERT_TRUE(fit) << s.currency << " " << s.expiry << ": " << fit.error().message;
      fits.push_back(*fit);
      fitted.push_back(&s);
    }
    const auto t2 = Clock::now();
    std::size_t options = 0;
    for (const ChainSmile& s : chain) options += s.quotes.size();
    std::printf("%s: %zu strikes, %zu smiles, load %.1f ms + fit %.1f ms\n", file.filename().c_str(), options,
                fits.size(), std::chrono::duration<double, std::milli>(t1 - t0).count(),
                std::chrono::duration<double, std::milli>(t2 - t1).count());
    for (std::size_t i = 0; i < fits.size(); ++i) {
      const SmileFit& f = fits[i];
      const ChainSmile& s = *fitted[i];
      std::printf("  %s %.10s T=%.5f n=%3zu rmse %.4f max %.4f min_g %.3f\n", s.currency.c_str(), s.expiry.c_str(),
                  f.expiry_years, f.quotes, f.rmse_vol, f.max_abs_vol_error, f.min_g);
      EXPECT_TRUE(f.butterfly_free) << s.currency << " " << s.expiry << " min_g " << f.min_g;
      EXPECT_GE(f.min_g, 0.0) << s.currency << " " << s.expiry;
      EXPECT_LT(f.rmse_vol, rmse_bound(f.expiry_years)) << s.currency << " " << s.expiry;
      ++smiles;
      within_half_point += f.rmse_vol <= 0.005;
    }
    for (const char* currency : {"BTC", "ETH"}) {
      std::vector<SmileFit> one;
      for (std::size_t i = 0; i < fits.size(); ++i)
        if (fitted[i]->currency == currency) one.push_back(fits[i]);
      const auto cal = VolSurface(one).calendar_violations();
      std::printf("  %s: %zu calendar violations", currency, cal.size());
      for (const auto& v : cal)
        std::printf(" [T %.4f>%.4f k %.2f w %.5f>%.5f]", one[v.earlier].expiry_years, one[v.later].expiry_years, v.k,
                    v.w_earlier, v.w_later);
      std::printf("\n");
    }
  }
  std::printf("%zu smiles, %zu with vega-weighted RMSE <= 0.5 vol point\n", smiles, within_half_point);
  EXPECT_GE(within_half_point * 100, smiles * 80);  // measured 155 of 178 (87%)
}

}  // namespace
