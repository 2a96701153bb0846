#pragma once
// Stress scenarios (greekbook stress): a market shock plus what only a stress test has, read from
// JSON with located errors (docs/stress.md lists every field):
//   market shock     scenario::Scenario: spot move per underlying, vol shock (multiplicative or additive,
//                    tenor-shaped), skew rotation, basis (futures-curve) tilt, horizon time_shift_days
//   funding shock    the 8-hour funding rate of every perpetual moves by funding_shift_8h (per underlying
//                    or for all); the carry over the horizon is paid or received
//   venue events     a venue halts: its accounts' positions closed (at the scenario's prices or at a
//                    stated move), a fraction of its collateral lost, or the accounts frozen
#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/scenario/scenario.hpp"

namespace greekbook::risk {

/// A venue failure: {"venue": "ftx", "collateral_haircut": 1.0, "close_positions": true}.
struct VenueEvent {
  std::string venue;               ///< venue id as in the book ("deribit", "binance", "ftx")
  double collateral_haircut = 0.0; ///< fraction of every positive collateral balance lost, in [0, 1]
  bool close_positions = false;    ///< positions closed and realised into the balances
  /// Spot moves at which the venue closes (factor = 1 + move), replacing the scenario's for this
  /// venue's positions; none given: closed at the scenario's shocked prices.
  bool has_close_move = false;
  double close_factor = 1.0;                                        ///< every underlying not listed
  std::vector<std::pair<std::string, double>> close_factor_by_underlying;
  bool frozen = false;  ///< withdrawals and trading halted: figures unchanged, accounts flagged "frozen"
};

struct StressScenario {
  /// Name, spot factors, vol shock (with the skew rotation), basis_shift_per_year and the horizon
  /// time_shift_days (calendar days: options decay, funding accrues). weight is unused (1).
  scenario::Scenario shock;
  double funding_shift_8h = 0.0;  ///< change of the 8-hour funding rate of perpetuals not listed below
  std::vector<std::pair<std::string, double>> funding_shift_by_underlying;
  std::vector<VenueEvent> venue_events;
  std::string source;   ///< where the magnitudes come from (file + dates, or the public record)
  std::string comment;
  std::size_t index = 0;  ///< position in its file (scenarios[index])

  const std::string& name() const noexcept { return shock.name; }
  double horizon_days() const noexcept { return shock.time_shift_days; }
  /// Funding-rate shift (per 8 h) of an underlying's perpetuals.
  double funding_shift(std::string_view underlying) const noexcept;
  /// The venue event of `venue`, or null.
  const VenueEvent* venue_event(std::string_view venue) const noexcept;
};

struct StressFile {
  std::string source;  ///< file name, or "built-in crisis library (params/stress/crises.json)"
  std::vector<StressScenario> scenarios;
};

/// Parses a stress file: a JSON array of scenarios, or {"scenarios": [...], "comment": ..., "generated_by": ...}.
/// Errors name the source, the scenario (scenarios[i]) and the field, e.g.
/// "stress.json: scenarios[2].spot_move.BTC: -1.5 must be a finite move above -1 (-0.2 = -20%)".
Result<StressFile> parse_stress_file(std::string_view text, std::string_view source);
Result<StressFile> load_stress_file(const std::string& path);

/// The built-in library of crypto crises: params/stress/crises.json, compiled in (a test keeps the
/// two identical; scripts/calibrate_crises.py writes both).
std::string_view crisis_library_json() noexcept;
Result<StressFile> crisis_library();

/// Every underlying (spot_move, funding_shift_8h, close_spot_move keys) and venue a scenario names
/// must be known: `underlyings` (the market's and the book's underlyings and collateral currencies),
/// `venues` (the book's). Errors name the file, scenario and field.
Result<bool> check_references(const StressFile& file, const std::set<std::string, std::less<>>& underlyings,
                              const std::set<std::string, std::less<>>& venues);

}  // namespace greekbook::risk
