#pragma once
// Batch Black-76 over structure-of-arrays inputs, vectorised with run-time dispatch
// (Highway: AVX-512, AVX2, SSE4 or portable code, chosen on the running CPU); N(d) from our own
// Mills-ratio polynomial (src/core/mills_ratio_poly.hpp).
// Results are bit-identical to black76() on the same machine.
#include <cstddef>
#include <span>

namespace greekbook::pricing {

/// Inputs, one array per field, all of length n. type[i] is +1 (call) or -1 (put).
struct Black76BatchIn {
  std::span<const double> type;
  std::span<const double> forward;
  std::span<const double> strike;
  std::span<const double> expiry_years;
  std::span<const double> vol;
  std::span<const double> rate;  ///< may be empty: rate 0 for all
};

/// Outputs, same units as Greeks; any span may be empty when not wanted except price.
struct Black76BatchOut {
  std::span<double> price;
  std::span<double> delta;
  std::span<double> gamma;
  std::span<double> vega;
  std::span<double> theta;
  std::span<double> rho;
  std::span<double> vanna;
  std::span<double> volga;
};

/// Prices n = in.forward.size() options. Preconditions as for black76(); all spans of length n
/// (or empty where allowed). Non-allocating; no per-option branching.
void black76_batch(const Black76BatchIn& in, const Black76BatchOut& out) noexcept;

/// Name of the SIMD target the dispatcher picked on this CPU (e.g. "AVX3", "AVX2", "EMU128").
const char* simd_target_name();

/// Number of double lanes of that target.
std::size_t simd_lanes();

}  // namespace greekbook::pricing
