// Google Benchmark suite for the pricing layer. Single-threaded; run it pinned to one core:
//   taskset -c 1 build-bench/bench/bench_pricing
// Unless given on the command line, every benchmark runs 5 repetitions of >= 0.1 s and only the
// aggregates (mean, median, stddev, cv) are printed; quote the _median rows.
//
// Per-option figures: "ns/option" (a counter, in seconds per option; 2.5n = 2.5 ns) and
// items_per_second (options/s). The Math/* rows time one SIMD math call on an array in L1 and
// report "ns/vector" at the dispatched width (8 doubles on AVX-512) alongside items/s (doubles/s).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "bench_inputs.hpp"
#include "greekbook/core/normal.hpp"
#include "greekbook/pricing/black76.hpp"
#include "greekbook/pricing/black76_batch.hpp"
#include "greekbook/pricing/implied_vol.hpp"
#include "greekbook/pricing/normalised_black.hpp"
#include "simd_kernels.hpp"

namespace {
using namespace greekbook;
using bench::GreeksSoA;
using bench::make_options;
using bench::OptionSet;

constexpr std::size_t kScalarSet = 4096;  // cycled through by the scalar benchmarks (fits L1/L2)

void per_option(benchmark::State& state, std::size_t options_per_iteration) {
  const auto items = static_cast<std::int64_t>(state.iterations()) *
                     static_cast<std::int64_t>(options_per_iteration);
  state.SetItemsProcessed(items);
  state.counters["ns/option"] = benchmark::Counter(
      static_cast<double>(options_per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

std::vector<pricing::Black76Input> aos(const OptionSet& s) {
  std::vector<pricing::Black76Input> v(s.size());
  for (std::size_t i = 0; i < s.size(); ++i)
    v[i] = {s.type[i] > 0 ? pricing::OptionType::Call : pricing::OptionType::Put,
            s.forward[i], s.strike[i], s.expiry[i], s.vol[i], s.rate[i]};
  return v;
}

// ---- Black-76 --------------------------------------------------------------------------------

void BM_Black76Scalar_AllGreeks(benchmark::State& state) {
  const auto in = aos(make_options(kScalarSet));
  std::size_t i = 0;
  for (auto _ : state) {
    pricing::Greeks g = pricing::black76(in[i]);
    benchmark::DoNotOptimize(g);
    i = (i + 1) & (kScalarSet - 1);
  }
  per_option(state, 1);
}
BENCHMARK(BM_Black76Scalar_AllGreeks);

void BM_Black76Scalar_PriceOnly(benchmark::State& state) {
  const auto in = aos(make_options(kScalarSet));
  std::size_t i = 0;
  for (auto _ : state) {
    double p = pricing::black76_price(in[i]);
    benchmark::DoNotOptimize(p);
    i = (i + 1) & (kScalarSet - 1);
  }
  per_option(state, 1);
}
BENCHMARK(BM_Black76Scalar_PriceOnly);

void BM_Black76Batch_AllGreeks(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const OptionSet s = make_options(n);
  GreeksSoA out(n);
  for (auto _ : state) {
    pricing::black76_batch(s.batch_in(), out.all());
    benchmark::ClobberMemory();
  }
  per_option(state, n);
}
BENCHMARK(BM_Black76Batch_AllGreeks)->Arg(1000)->Arg(10000)->Arg(100000);

// Same, with no rate array (r = 0 for all, as for most crypto books).
void BM_Black76Batch_AllGreeks_NoRate(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const OptionSet s = make_options(n);
  GreeksSoA out(n);
  pricing::Black76BatchIn in = s.batch_in();
  in.rate = {};
  for (auto _ : state) {
    pricing::black76_batch(in, out.all());
    benchmark::ClobberMemory();
  }
  per_option(state, n);
}
BENCHMARK(BM_Black76Batch_AllGreeks_NoRate)->Arg(1000)->Arg(100000);

void BM_Black76Batch_PriceOnly(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const OptionSet s = make_options(n);
  std::vector<double> price(n);
  for (auto _ : state) {
    pricing::black76_batch(s.batch_in(), {price, {}, {}, {}, {}, {}, {}, {}});
    benchmark::ClobberMemory();
  }
  per_option(state, n);
}
BENCHMARK(BM_Black76Batch_PriceOnly)->Arg(1000)->Arg(10000)->Arg(100000);

// ---- Implied volatility ----------------------------------------------------------------------

struct IvSet {
  OptionSet opt;
  std::vector<double> price;
};

IvSet make_iv_set(std::size_t n) {
  IvSet s{make_options(n), std::vector<double>(n)};
  pricing::black76_batch(s.opt.batch_in(), {s.price, {}, {}, {}, {}, {}, {}, {}});
  return s;
}

void BM_ImpliedVolScalar(benchmark::State& state) {
  const IvSet s = make_iv_set(kScalarSet);
  std::vector<pricing::IvInput> in(kScalarSet);
  for (std::size_t i = 0; i < kScalarSet; ++i)
    in[i] = {s.opt.type[i] > 0 ? pricing::OptionType::Call : pricing::OptionType::Put,
             s.opt.forward[i], s.opt.strike[i], s.opt.expiry[i], s.price[i], s.opt.rate[i]};
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = pricing::implied_vol(in[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (kScalarSet - 1);
  }
  per_option(state, 1);
}
BENCHMARK(BM_ImpliedVolScalar);

void BM_ImpliedVolBatch(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const IvSet s = make_iv_set(n);
  std::vector<double> vol(n);
  std::vector<pricing::IvStatus> status(n);
  for (auto _ : state) {
    pricing::implied_vol_batch(s.opt.type, s.opt.forward, s.opt.strike, s.opt.expiry, s.price,
                               s.opt.rate, vol, status);
    benchmark::ClobberMemory();
  }
  per_option(state, n);
}
BENCHMARK(BM_ImpliedVolBatch)->Arg(1000)->Arg(10000)->Arg(131072);

// ---- Sub-costs of the batch kernel: one SIMD math call per vector ----------------------------

void BM_Math(benchmark::State& state, bench::MathOp op) {
  constexpr std::size_t n = 1024;  // 8 KiB in + 8 KiB out: L1-resident
  std::vector<double> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = (static_cast<double>(i) + 0.5) / n;
    switch (op) {
      case bench::MathOp::Erfc: x[i] = -4.0 + 8.0 * u; break;   // -d/sqrt2 for |d| <~ 5.7
      case bench::MathOp::Exp: x[i] = -20.0 + 20.0 * u; break;  // -d^2/2, -rT
      case bench::MathOp::Horner22: x[i] = -1.0 + 2.0 * u; break;  // the polynomial's u
      default: x[i] = 0.25 + 4.0 * u; break;                    // F/K, s, T
    }
  }
  for (auto _ : state) {
    bench::apply_math(op, x.data(), y.data(), n);
    benchmark::ClobberMemory();
  }
  const std::size_t lanes = bench::math_lanes();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["ns/vector"] = benchmark::Counter(
      static_cast<double>(n / lanes),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK_CAPTURE(BM_Math, Erfc, bench::MathOp::Erfc);  // SLEEF's if built with it (see context)
BENCHMARK_CAPTURE(BM_Math, HwyExp, bench::MathOp::Exp);
BENCHMARK_CAPTURE(BM_Math, HwyLog, bench::MathOp::Log);
BENCHMARK_CAPTURE(BM_Math, Div, bench::MathOp::Div);
BENCHMARK_CAPTURE(BM_Math, Sqrt, bench::MathOp::Sqrt);
BENCHMARK_CAPTURE(BM_Math, Horner22, bench::MathOp::Horner22);
BENCHMARK_CAPTURE(BM_Math, LoadStoreOnly, bench::MathOp::Copy);

// ---- Sub-costs of the implied-vol solver: the scalar functions it calls ----------------------
// Inputs are taken from the IV benchmark's own options, normalised as the solver sees them:
// x = ln(F/K) folded to the out-of-the-money side (x <= 0), s = sigma sqrt T.

struct Normalised {
  std::vector<double> x, s;
};

Normalised normalised_inputs() {
  const OptionSet o = make_options(kScalarSet);
  Normalised n;
  for (std::size_t i = 0; i < kScalarSet; ++i) {
    n.x.push_back(-std::fabs(std::log(o.forward[i] / o.strike[i])));
    n.s.push_back(o.vol[i] * std::sqrt(o.expiry[i]));
  }
  return n;
}

template <class F>
void scalar_loop(benchmark::State& state, F f) {
  const Normalised n = normalised_inputs();
  std::size_t i = 0;
  for (auto _ : state) {
    double r = f(n.x[i], n.s[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (kScalarSet - 1);
  }
  per_option(state, 1);
}

void BM_Scalar_StdErfc(benchmark::State& st) {
  scalar_loop(st, [](double x, double s) { return std::erfc(-(x / s + 0.5 * s) * 0.7071067811865476); });
}
void BM_Scalar_StdExp(benchmark::State& st) {
  scalar_loop(st, [](double x, double s) { return std::exp(-0.5 * (x * x / (s * s) + 0.25 * s * s)); });
}
void BM_Scalar_StdLog(benchmark::State& st) {
  scalar_loop(st, [](double x, double s) { return std::log(s - x); });
}
void BM_Scalar_Erfcx(benchmark::State& st) {
  scalar_loop(st, [](double x, double s) { return core::erfcx(-(x / s + 0.5 * s) * 0.7071067811865476); });
}
void BM_Scalar_NormCdf(benchmark::State& st) {
  scalar_loop(st, [](double x, double s) { return core::norm_cdf(x / s - 0.5 * s); });
}
void BM_Scalar_InverseNormCdf(benchmark::State& st) {
  scalar_loop(st, [](double x, double s) { return core::inverse_norm_cdf(core::norm_cdf(x / s - 0.5 * s)); });
}
void BM_Scalar_NormalisedBlackCall(benchmark::State& st) {
  scalar_loop(st, [](double x, double s) { return pricing::normalised_black_call(x, s); });
}
void BM_Scalar_NormalisedVega(benchmark::State& st) {
  scalar_loop(st, [](double x, double s) { return pricing::normalised_vega(x, s); });
}
BENCHMARK(BM_Scalar_StdErfc);
BENCHMARK(BM_Scalar_StdExp);
BENCHMARK(BM_Scalar_StdLog);
BENCHMARK(BM_Scalar_Erfcx);
BENCHMARK(BM_Scalar_NormCdf);
BENCHMARK(BM_Scalar_InverseNormCdf);
BENCHMARK(BM_Scalar_NormalisedBlackCall);
BENCHMARK(BM_Scalar_NormalisedVega);

}  // namespace

int main(int argc, char** argv) {
  // Defaults (overridable): 5 repetitions, aggregates only, 0.1 s minimum per repetition.
  std::vector<char*> args(argv, argv + argc);
  std::string reps = "--benchmark_repetitions=5", aggr = "--benchmark_report_aggregates_only=true",
              mint = "--benchmark_min_time=0.1";
  auto given = [&](const char* flag) {
    return std::any_of(args.begin() + 1, args.end(),
                       [&](const char* a) { return std::strncmp(a, flag, std::strlen(flag)) == 0; });
  };
  if (!given("--benchmark_repetitions")) args.push_back(reps.data());
  if (!given("--benchmark_report_aggregates_only")) args.push_back(aggr.data());
  if (!given("--benchmark_min_time")) args.push_back(mint.data());
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::AddCustomContext("simd_target", greekbook::pricing::simd_target_name());
  benchmark::AddCustomContext("simd_lanes", std::to_string(greekbook::pricing::simd_lanes()));
  benchmark::AddCustomContext("Math/Erfc", greekbook::bench::have_sleef()
                                               ? "SLEEF erfc u15 at the dispatched width"
                                               : "std::erfc lane by lane (built without libsleef)");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
