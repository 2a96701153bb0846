#pragma once
// A book reduced to what VaR revalues (docs/var.md): every position and every coin balance of every
// account becomes an exposure to one underlying, valued in USD, and options keep their Black-76 terms
// so each scenario reprices them in full.
//
// Risk factors per underlying u: the spot factor f_u = S'/S and the ATM-vol factor g_u = vol'/vol.
// Revaluation in a scenario over a horizon of h days:
//   options      sticky strike, the smile scaled by the ATM move: F' = F f_u, vol' = vol g_u,
//                T' = max(T - h/365, 0) (at or past expiry: intrinsic); PnL = c (P(F',K,T',vol') - P(F,K,T,vol))
//                with P the Black-76 USD price per coin and c = quantity x S/F for inverse (coin-settled)
//                options (their USD value is P S/F and S/F does not move), quantity x USD rate of the quote
//                currency for linear ones.
//   perpetuals, futures, spot, coin balances: PnL = a (f_u - 1), a = USD exposure per unit of relative move:
//                inverse futures qty x S / entry (entry = mark when not given), linear qty x mark x quote rate,
//                spot qty x S, coin balances balance x S. Stablecoin balances carry no risk.
// Nothing is linearised. The delta-gamma-vega approximation is, per underlying,
//   (A_u + D_u)(f_u - 1) + G_u (f_u - 1)^2 + V_u (g_u - 1) + Theta h/365
// with D_u = sum c F delta, G_u = 1/2 sum c F^2 gamma, V_u = sum c vol vega, Theta = sum c theta (per year).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/pricing/option_type.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::risk {

/// Factor moves of a set of scenarios, factor-major (all scenarios of underlying 0, then 1, ...).
struct ScenarioSet {
  std::size_t factors = 0;   ///< underlyings U
  std::size_t n = 0;         ///< scenarios
  std::vector<double> spot;  ///< U x n: spot factor S'/S at [u * n + s]
  std::vector<double> vol;   ///< U x n: ATM-vol factor vol'/vol (1 = unchanged)

  ScenarioSet() = default;
  ScenarioSet(std::size_t factors, std::size_t n) : factors(factors), n(n), spot(factors * n, 1.0), vol(factors * n, 1.0) {}
  double& spot_at(std::size_t u, std::size_t s) noexcept { return spot[u * n + s]; }
  double& vol_at(std::size_t u, std::size_t s) noexcept { return vol[u * n + s]; }
  double spot_at(std::size_t u, std::size_t s) const noexcept { return spot[u * n + s]; }
  double vol_at(std::size_t u, std::size_t s) const noexcept { return vol[u * n + s]; }
  /// The scenarios `which`, in that order.
  ScenarioSet select(std::span<const std::size_t> which) const;
};

struct VarPosition {
  std::string account;
  std::string instrument;  ///< venue name; coin balances: "collateral BTC"
  double quantity = 0.0;   ///< venue-native units (book.hpp); balances: coin amount
  std::size_t factor = 0;  ///< index of its underlying in VarBook::underlyings()
  bool option = false;
  double value_usd = 0.0;  ///< its equity contribution now (USD)
  double delta_usd = 0.0;  ///< dV/df: USD PnL per +1.00 relative move of its underlying (first order)
};

class VarBook {
 public:
  /// Every position and non-stablecoin balance of `accounts` (priced at one snapshot). Errors: a
  /// position the market could not value (named with its account), a balance with no USD rate.
  static Result<VarBook> build(std::span<const scenario::AccountState> accounts);

  /// Builders (tests, benchmarks); finalise() must follow before use. `underlying` is added as a factor.
  void add_linear(std::string account, std::string instrument, const std::string& underlying, double quantity,
                  double exposure_usd, double value_usd);
  void add_option(std::string account, std::string instrument, const std::string& underlying, double quantity,
                  pricing::OptionType right, double forward, double strike, double expiry_years, double vol,
                  double scale);
  /// Prices the options at the base state (one batch) and aggregates the approximation's Greeks.
  void finalise();

  const std::vector<std::string>& underlyings() const noexcept { return underlyings_; }
  const std::vector<VarPosition>& positions() const noexcept { return positions_; }
  std::size_t option_count() const noexcept { return opt_pos_.size(); }
  /// Index of an underlying, or npos.
  std::size_t factor_of(const std::string& underlying) const noexcept;
  double value_usd() const noexcept;
  /// The options' implied vols (annualised), for each underlying's range in reports.
  std::span<const double> option_vols() const noexcept { return opt_vol_; }
  std::span<const std::size_t> option_factors() const noexcept { return opt_factor_; }

  /// Total PnL (USD) of the book in each scenario by full revaluation over `horizon_days`. Options go
  /// through the SIMD batch pricer in cache-sized chunks; work is split over (option group, scenario
  /// block) tasks on all cores (TBB) and summed in a fixed order, so results do not depend on threads.
  void revalue(const ScenarioSet& scenarios, double horizon_days, std::span<double> pnl) const;
  /// Delta-gamma-vega-theta approximation of revalue() (file comment).
  void approximate(const ScenarioSet& scenarios, double horizon_days, std::span<double> pnl) const;
  /// Per position: the sum of its PnL over all scenarios of `scenarios` (full revaluation).
  void position_sums(const ScenarioSet& scenarios, double horizon_days, std::span<double> sums) const;

 private:
  std::size_t add_factor(const std::string& underlying);
  // Options [o0, o1) in scenarios [s0, s0 + m): adds c (P' - P) per scenario to acc[0..m) and/or per
  // option to per_option[o - o0] (either may be null).
  void price_options(std::size_t o0, std::size_t o1, std::size_t s0, std::size_t m, const ScenarioSet& sc,
                     double horizon_years, double* acc, double* per_option) const;

  std::vector<std::string> underlyings_;
  std::vector<VarPosition> positions_;
  std::vector<double> linear_;  ///< per position: a (0 for options)
  // Options, structure of arrays.
  std::vector<std::size_t> opt_pos_, opt_factor_;
  std::vector<double> opt_type_, opt_fwd_, opt_strike_, opt_T_, opt_vol_, opt_scale_, opt_price_;
  // Aggregates per factor.
  std::vector<double> lin_u_, delta_u_, gamma_u_, vega_u_;
  double theta_year_ = 0.0;
  bool final_ = false;
};

}  // namespace greekbook::risk
