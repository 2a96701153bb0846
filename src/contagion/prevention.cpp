#include "greekbook/contagion/prevention.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace greekbook::contagion {

namespace {

const Failure* first_below(const CascadeResult& r, std::size_t i) {
  for (const auto& f : r.failures)
    if (f.account == i && f.cause == FailureCause::BelowMaintenance) return &f;
  return nullptr;
}

// Free collateral of an account's pools other than its isolated ones (USD): sum of equity − IM.
Result<double> non_isolated_free_usd(const scenario::AccountState& a, const margin::MarginModel& model) {
  auto r = model.compute_pools(a);
  if (!r) return make_error(fmt::format("account '{}': {}", a.id, r.error().message));
  double free = 0.0;
  for (const auto& p : r->pools)
    if (p.name.rfind("isolated ", 0) != 0) free += (p.equity - p.initial_margin) * p.usd_rate;
  return free;
}

bool fell_below(const CascadeResult& r, std::size_t i) {
  return std::any_of(r.failures.begin(), r.failures.end(),
                     [&](const Failure& f) { return f.account == i && f.cause == FailureCause::BelowMaintenance; });
}

std::string usd(double x) { return fmt::format("{:.2f}", x); }

}  // namespace

CascadeInput with_transfer(const CascadeInput& input, std::size_t to, std::optional<std::size_t> from,
                           const std::string& currency, double units, const std::string& isolated_instrument) {
  CascadeInput out = input;
  bool isolated = false;
  if (!isolated_instrument.empty())
    for (auto& p : out.accounts[to].positions)
      if (p.instrument.name == isolated_instrument && p.isolated_margin) {
        *p.isolated_margin += units;
        isolated = true;
        break;
      }
  if (!isolated) out.accounts[to].collateral[currency] += units;
  if (from) out.accounts[*from].collateral[currency] -= units;
  // A currency new to the account needs its USD rate (the snapshot's, from any account holding it).
  if (!out.accounts[to].usd_rates.count(currency))
    for (const auto& a : input.accounts)
      if (auto it = a.usd_rates.find(currency); it != a.usd_rates.end()) {
        out.accounts[to].usd_rates[currency] = it->second;
        break;
      }
  return out;
}

std::string top_up_currency(const scenario::AccountState& a) {
  std::string best;
  double best_usd = 0.0;
  for (const auto& [ccy, amount] : a.collateral) {
    const double v = amount * a.usd_rate(ccy);
    if (amount > 0 && std::isfinite(v) && v > best_usd) {
      best = ccy;
      best_usd = v;
    }
  }
  if (!best.empty()) return best;
  for (const auto& p : a.positions) {
    const double v = p.notional_usd();
    if (std::isfinite(v) && v > best_usd) {
      best = p.instrument.settlement_currency;
      best_usd = v;
    }
  }
  return best.empty() ? "USDC" : best;
}

Result<std::vector<PreventionTransfer>> prevention_transfers(const CascadeInput& input, const CascadeResult& base,
                                                             const PreventionOptions& opts) {
  if (!(opts.tolerance_usd > 0) || !(opts.cap_usd > opts.tolerance_usd))
    return make_error(fmt::format("prevention: tolerance {} USD must be > 0 and below the cap {} USD", opts.tolerance_usd,
                                  opts.cap_usd));
  std::vector<PreventionTransfer> out;
  for (std::size_t i = 0; i < base.accounts.size(); ++i) {
    const AccountOutcome& o = base.accounts[i];
    if (!o.first_failure_round) continue;
    PreventionTransfer t;
    t.account = i;
    t.account_id = o.id;
    const scenario::AccountState& acc = input.accounts[i];
    if (!fell_below(base, i)) {
      t.note = "failed with its venue (venue_failure event): collateral added there is lost or frozen with it";
      out.push_back(std::move(t));
      continue;
    }
    t.currency = top_up_currency(acc);
    const std::string& pool = first_below(base, i)->pool;
    for (const auto& p : acc.positions)
      if (p.isolated_margin && pool == "isolated " + p.instrument.name) {
        t.isolated_instrument = p.instrument.name;
        t.currency = p.instrument.settlement_currency;
      }
    double rate = acc.usd_rate(t.currency);
    if (!std::isfinite(rate))
      for (const auto& a : input.accounts)
        if (auto it = a.usd_rates.find(t.currency); it != a.usd_rates.end()) rate = it->second;
    if (!(std::isfinite(rate) && rate > 0)) {
      t.note = fmt::format("no USD rate for {}: no transfer computed", t.currency);
      out.push_back(std::move(t));
      continue;
    }
    // survives(X): the cascade re-run with X USD of the currency added at the start never finds the
    // account below maintenance.
    const auto survives = [&](double x_usd) -> Result<bool> {
      ++t.cascades;
      GB_TRY(r, run_cascade(with_transfer(input, i, std::nullopt, t.currency, x_usd / rate, t.isolated_instrument)));
      return !fell_below(r, i);
    };
    double lo = 0.0, hi = std::max(1.0, std::abs(o.min_excess_usd));
    bool found = false;
    while (hi <= opts.cap_usd) {
      GB_TRY(ok, survives(hi));
      if (ok) {
        found = true;
        break;
      }
      lo = hi;
      hi *= 4.0;
    }
    if (!found) {
      t.note = fmt::format("no amount of {} up to {} USD keeps the account above maintenance", t.currency, opts.cap_usd);
      out.push_back(std::move(t));
      continue;
    }
    while (hi - lo > std::max(opts.tolerance_usd, 1e-9 * hi)) {
      const double mid = 0.5 * (lo + hi);
      GB_TRY(ok, survives(mid));
      (ok ? hi : lo) = mid;
    }
    t.amount_usd = hi;
    t.amount = hi / rate;
    // Donors: enough free collateral in the currency at the start; sound ones first, then the richest.
    // (For an isolated top-up the account itself may move it from its other pools.)
    for (std::size_t j = 0; j < base.accounts.size(); ++j) {
      if (j == i && t.isolated_instrument.empty()) continue;
      const auto& d = input.accounts[j];
      const auto bal = d.collateral.find(t.currency);
      if (bal == d.collateral.end() || !(bal->second > 0)) continue;
      double pools_free = base.accounts[j].free_start_usd();
      if (j == i) {
        GB_TRY(f, non_isolated_free_usd(d, *input.models[j]));
        pools_free = f;
      }
      const double free = std::min(bal->second * rate, pools_free);
      if (free >= hi) t.candidates.push_back({d.id, free, base.accounts[j].first_failure_round.has_value()});
    }
    std::stable_sort(t.candidates.begin(), t.candidates.end(), [&](const DonorCandidate& a, const DonorCandidate& b) {
      const bool self_a = a.account == t.account_id, self_b = b.account == t.account_id;
      if (self_a != self_b) return self_a;  // an isolated top-up from the account's own balances first
      return a.fails != b.fails ? !a.fails : a.free_usd > b.free_usd;
    });
    for (const auto& c : t.candidates) {
      std::size_t j = 0;
      while (input.accounts[j].id != c.account) ++j;
      ++t.cascades;
      GB_TRY(r, run_cascade(with_transfer(input, i, j, t.currency, *t.amount, t.isolated_instrument)));
      const bool ok = !fell_below(r, i);
      const bool donor_ok = !r.accounts[j].first_failure_round;
      if (ok && (!t.donor || donor_ok)) {
        t.donor = c.account;
        t.donor_free_usd = c.free_usd;
        t.verified = ok;
        t.donor_survives = donor_ok;
      }
      if (ok && donor_ok) break;
    }
    if (t.candidates.empty())
      t.note = fmt::format("no other account has {} USD of free {} at the start", usd(hi), t.currency);
    else if (!t.donor)
      t.note = "no donor's transfer, re-run, keeps the account above maintenance";
    else if (!t.donor_survives)
      t.note = fmt::format("the donor {} then fails in the cascade itself", *t.donor);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace greekbook::contagion
