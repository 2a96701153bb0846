#pragma once
// The collateral transfer that would have prevented each failure of a cascade (docs/contagion.md).
//
// For an account that fell below maintenance in the cascade, the transfer goes to the pool that was
// worst at its first failure: an isolated position's margin (`isolated_instrument`, in its settlement
// currency) when that pool was "isolated <instrument>", else the account's balances, in its largest
// balance in USD (else the settlement currency of its largest position, else USDC). The amount is
// the least X USD of that currency which, added to the account at the start, keeps it at or above
// maintenance in every round of the whole cascade (re-run with the same events): X is bracketed
// (x4 steps from the account's worst excess) and bisected to `tolerance_usd`; the reported amount is
// the upper end, one that survives. It assumes more collateral never hurts the account (true for the
// venue models: collateral only adds to equity), so the set of surviving X is an interval [X*, inf).
//
// Donors: the other accounts of the book holding that currency with free collateral
// min(balance x USD rate, equity − IM) >= X at the start (for an isolated top-up the account itself
// too, from its other pools: min(balance, their equity − IM), tried first); then those that do not
// fail in the cascade, then by free collateral. The first donor whose transfer, re-run as a move from the donor to
// the account, keeps the account above maintenance and leaves the donor sound is reported
// (`verified`, `donor_survives`). An account that only failed with its venue (venue_failure event)
// gets no transfer: collateral added there is lost or frozen with the venue.
#include <optional>
#include <string>
#include <vector>

#include "greekbook/contagion/cascade.hpp"

namespace greekbook::contagion {

struct DonorCandidate {
  std::string account;
  double free_usd = 0.0;  ///< min(balance x rate, equity − IM) at the start
  bool fails = false;     ///< fails in the original cascade
};

struct PreventionTransfer {
  std::size_t account = 0;  ///< index in the cascade's accounts
  std::string account_id;
  std::string currency;                  ///< what is added
  std::string isolated_instrument;       ///< "" = the balances; else the isolated margin of this position
  std::optional<double> amount;          ///< units of currency (none: no amount found up to the cap)
  std::optional<double> amount_usd;      ///< at the start's USD rate
  std::optional<std::string> donor;      ///< the chosen donor, if any has enough free collateral
  double donor_free_usd = 0.0;
  bool verified = false;        ///< the donor's transfer, re-run, keeps the account above maintenance
  bool donor_survives = false;  ///< ... and the donor never fails in that run
  std::vector<DonorCandidate> candidates;  ///< every account with enough free collateral in `currency`
  std::string note;
  int cascades = 0;  ///< cascades re-run for this account (bracket, bisection, verification)
};

struct PreventionOptions {
  double tolerance_usd = 0.01;  ///< bisection stops when the bracket is this narrow (or 1e-9 relative)
  double cap_usd = 1e12;        ///< largest amount tried
};

/// `input` with `units` of `currency` added to account `to` (to the isolated margin of its position
/// `isolated_instrument` when given, else to its balances) and taken from account `from`'s balances.
CascadeInput with_transfer(const CascadeInput& input, std::size_t to, std::optional<std::size_t> from,
                           const std::string& currency, double units, const std::string& isolated_instrument = {});

/// The currency an account is topped up in (see the file comment).
std::string top_up_currency(const scenario::AccountState& account);

/// One record per account with a below-maintenance failure in `base` (run_cascade(input)), and per
/// account that failed only with its venue (a note, no amount). Errors: those of run_cascade.
Result<std::vector<PreventionTransfer>> prevention_transfers(const CascadeInput& input, const CascadeResult& base,
                                                             const PreventionOptions& options = {});

}  // namespace greekbook::contagion
