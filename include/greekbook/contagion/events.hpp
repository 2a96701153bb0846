#pragma once
// Failure events of the contagion simulation (docs/contagion.md) and the events file that lists them.
//
//   venue_failure  a venue halts or is exploited at `at_min`: the positions of its accounts are closed
//                  at the market price moved by `close_move_pct` (per underlying or one number for all),
//                  then `collateral_lost` (fraction) of every positive balance is lost and
//                  `collateral_frozen` (fraction) is frozen; the venue's accounts leave the cascade.
//   oracle         a venue's price of one underlying deviates by `deviation_pct` from the market
//                  (mode "deviation") or stays at the market price of `at_min` (mode "stale") for
//                  `duration_min` minutes: the venue's accounts are margined and liquidated there.
//   depeg          a stablecoin's USD rate becomes `usd_rate` (collateral and debt in it are revalued),
//                  for `duration_min` minutes or to the end when no duration is given.
//
// File: {"events": [ {...}, ... ], "liquidation": {liquidation parameters}, "insurance_funds":
// {"<venue>": USD}, "comment": ..., "source": ...}. Unknown fields, bad values, unknown venues,
// underlyings or currencies are errors naming the file, the event (index and id) and the field.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/liquidation/liquidation_sim.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::contagion {

enum class EventKind : std::uint8_t { VenueFailure, Oracle, Depeg };
const char* to_string(EventKind k) noexcept;

enum class OracleMode : std::uint8_t { Deviation, Stale };
const char* to_string(OracleMode m) noexcept;

struct Event {
  std::string id;
  EventKind kind = EventKind::VenueFailure;
  std::string origin;                  ///< "events.json: events[2]"
  double at_min = 0.0;                 ///< start, minutes after the valuation time (>= 0)
  std::optional<double> duration_min;  ///< oracle (required, > 0) and depeg (optional, > 0)
  std::string venue;                   ///< venue_failure, oracle
  // venue_failure
  double collateral_lost = 0.0;    ///< fraction of each positive balance lost, in [0, 1]
  double collateral_frozen = 0.0;  ///< fraction frozen (kept but unusable), lost + frozen <= 1
  double close_move_all = 0.0;     ///< positions close at index x (1 + pct/100) for underlyings not listed below
  std::map<std::string, double> close_move_pct;  ///< per underlying, percent
  // oracle
  std::string underlying;
  OracleMode mode = OracleMode::Deviation;
  double deviation_pct = 0.0;  ///< the venue's price = market x (1 + pct/100); > -100
  // depeg
  std::string currency;
  double usd_rate = 1.0;  ///< USD per unit of `currency` while the event lasts (> 0)

  /// End time in minutes (at_min + duration), none for events without a duration.
  std::optional<double> end_min() const {
    return duration_min ? std::optional<double>(at_min + *duration_min) : std::nullopt;
  }
  /// Close price factor for an underlying (venue_failure): 1 + pct / 100.
  double close_factor(const std::string& u) const;
};

struct EventFile {
  std::string source;
  std::vector<Event> events;
  liquidation::LiquidationParams liquidation;     ///< "liquidation": overrides of the engine defaults
  std::map<std::string, double> insurance_funds;  ///< venue -> USD (0 when not listed)
};

/// Parses an events document; errors name `source`, the event (index and id), the field and value.
Result<EventFile> parse_events(const io::Json& doc, std::string_view source);
/// Reads and parses a file.
Result<EventFile> load_events(const std::string& path);

/// Checks the events against the accounts they will act on: venues (events and insurance_funds) must
/// be venues of the book, oracle underlyings must be held on that venue, depeg currencies must be
/// stablecoins held in the book, and events of the same kind on the same target must not overlap in
/// time (one venue fails once). Errors name the file, event and field.
Result<bool> check_events(const EventFile& file, const std::vector<scenario::AccountState>& accounts);

}  // namespace greekbook::contagion
