#pragma once
// Private: the running state of one cascade (cascade.cpp: rounds and liquidations; cascade_run.cpp:
// phases, events, marks). Not installed.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "greekbook/contagion/cascade.hpp"
#include "greekbook/liquidation/liquidation_sim.hpp"
#include "greekbook/margin/lending.hpp"

namespace greekbook::contagion::detail {

/// One account during the cascade: its state at its venue's current marks.
struct Live {
  scenario::AccountState state;
  std::map<std::string, double> at;  ///< factor (vs the snapshot) the state is shifted to, per underlying
  const margin::MarginModel* model = nullptr;
  const margin::LendingModel* lending = nullptr;  ///< set for lending accounts
  std::map<std::string, double> base_stable;      ///< stablecoin USD rates of the snapshot
  std::map<std::string, double> frozen;           ///< currency -> units frozen by a venue failure
  bool out = false;                               ///< halted or bankrupt: not margined any more
};

/// An oracle event in force on (venue, underlying).
struct OracleOverride {
  std::string event;
  OracleMode mode = OracleMode::Deviation;
  double deviation = 0.0;      ///< fraction
  double frozen_factor = 1.0;  ///< stale: the market factor when the event started
};

class Cascade {
 public:
  Result<bool> start(const CascadeInput& in);
  Result<CascadeResult> run(const EventFile& events);

 private:
  /// Factor (vs the snapshot) of underlying u on a venue: the market's, or its oracle's.
  double venue_factor(const std::string& venue, const std::string& u) const;
  /// Moves an account to its venue's current marks and the current stablecoin rates.
  void sync(Live& a) const;
  /// One round: margin, liquidate, move the market. True when something changed.
  Result<bool> margin_round(int round, const std::string& trigger, double time_min, MarketStep& step);
  Result<LiquidationRecord> liquidate_one(Live& a, int round, double excess);
  Result<bool> apply_impact(const std::map<std::string, double>& sold, MarketStep& step);
  void apply_venue_failure(const Event& e, int round, double time_min, const std::string& trigger);
  MarketStep snapshot(int round, double time_min, const std::string& trigger) const;

  std::vector<Live> live;
  CascadeResult result;
  std::map<std::string, double> market;      ///< underlying -> factor vs the snapshot
  std::map<std::string, double> base_price;  ///< underlying -> USD at the snapshot
  std::map<std::pair<std::string, std::string>, OracleOverride> oracles;
  std::map<std::string, double> depegs;  ///< currency -> USD rate in force
  std::vector<std::string> ever_depegged;
  std::map<std::string, double> funds;  ///< venue -> insurance fund USD
  liquidation::LiquidityMap liquidity;
  liquidation::LiquidationParams params;
  int max_rounds = 50;
};

}  // namespace greekbook::contagion::detail
