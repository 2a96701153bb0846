// greekbook surface / convert-market: the fitted volatility surface, and format conversion.
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "greekbook/core/time.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/market/snapshot_io.hpp"

namespace greekbook::cli {

int run_surface(const SurfaceOptions& opts) {
  auto snap = market::load_market(opts.market);
  if (!snap) {
    fmt::print(stderr, "greekbook surface: {}\n", snap.error().message);
    return 2;
  }
  std::string out;
  nlohmann::json doc;
  doc["valuation_time"] = core::format_utc_ms(snap->valuation_ms);
  for (const auto& [name, u] : snap->underlyings) {
    nlohmann::json ju;
    out += fmt::format("{}  (index {})\n", name, u.index ? fmt::format("{:.2f}", u.index->value) : "-");
    out += fmt::format("  {:<22} {:>8} {:>11} {:>10} {:>10} {:>8} {:>9} {:>9} {:>6} {:>10} {:>10} {:>9}\n", "expiry",
                       "T(y)", "forward", "a", "b", "rho", "m", "sigma", "n", "rmse(vol)", "max|err|", "min g");
    const auto& smiles = u.surface.smiles();
    for (std::size_t i = 0; i < smiles.size(); ++i) {
      const auto& s = smiles[i];
      const std::int64_t e = u.surface_expiries[i];
      const auto F = u.forwards.forward(e);
      const bool given = s.quotes == 0;  // a smile given in the snapshot, not fitted
      out += fmt::format("  {:<22} {:>8.4f} {:>11.2f} {:>10.6f} {:>10.6f} {:>8.4f} {:>9.5f} {:>9.5f} {:>6} {:>10} {:>10} {:>9.4f}{}\n",
                         core::format_utc_ms(e), s.expiry_years, F ? *F : NAN, s.params.a, s.params.b, s.params.rho,
                         s.params.m, s.params.sigma, given ? std::string("given") : std::to_string(s.quotes),
                         given ? "-" : fmt::format("{:.5f}", s.rmse_vol), given ? "-" : fmt::format("{:.5f}", s.max_abs_vol_error),
                         s.min_g, s.butterfly_free ? "" : "  BUTTERFLY ARBITRAGE");
      ju["smiles"].push_back({{"expiry", core::format_utc_ms(e)},
                              {"expiry_years", s.expiry_years},
                              {"forward", F ? nlohmann::json(*F) : nlohmann::json(nullptr)},
                              {"svi", {{"a", s.params.a}, {"b", s.params.b}, {"rho", s.params.rho}, {"m", s.params.m},
                                       {"sigma", s.params.sigma}}},
                              {"quotes", s.quotes},
                              {"given", s.quotes == 0},
                              {"rmse_vol", s.rmse_vol},
                              {"max_abs_vol_error", s.max_abs_vol_error},
                              {"min_g", s.min_g},
                              {"butterfly_free", s.butterfly_free}});
    }
    const auto violations = u.surface.calendar_violations();
    out += violations.empty() ? "  calendar arbitrage: none\n" : "";
    for (const auto& v : violations) {
      out += fmt::format("  CALENDAR ARBITRAGE between {} and {}: at k = {:.4f} total variance {:.6f} > {:.6f}\n",
                         core::format_utc_ms(u.surface_expiries[v.earlier]),
                         core::format_utc_ms(u.surface_expiries[v.later]), v.k, v.w_earlier, v.w_later);
      ju["calendar_violations"].push_back({{"earlier", core::format_utc_ms(u.surface_expiries[v.earlier])},
                                           {"later", core::format_utc_ms(u.surface_expiries[v.later])},
                                           {"k", v.k},
                                           {"w_earlier", v.w_earlier},
                                           {"w_later", v.w_later}});
    }
    for (const auto& e : u.surface_errors) out += fmt::format("  not fitted: {}\n", e);
    ju["not_fitted"] = u.surface_errors;
    if (!ju.contains("calendar_violations")) ju["calendar_violations"] = nlohmann::json::array();
    doc["underlyings"][name] = ju;
    out += "\n";
  }
  const std::string text = opts.json ? doc.dump(2) + "\n" : out;
  if (auto w = io::write_text_atomic(opts.output, text); !w) {
    fmt::print(stderr, "greekbook surface: {}\n", w.error().message);
    return 1;
  }
  return 0;
}

int run_convert_market(const ConvertOptions& opts) {
  auto snap = market::load_market(opts.input);
  if (!snap) {
    fmt::print(stderr, "greekbook convert-market: {}\n", snap.error().message);
    return 2;
  }
  if (auto w = io::write_text_atomic(opts.output, market::to_json(*snap)); !w) {
    fmt::print(stderr, "greekbook convert-market: {}\n", w.error().message);
    return 1;
  }
  return 0;
}

}  // namespace greekbook::cli
