// Monte Carlo first passage of one account (simulate_paths): paths in parallel (oneTBB), full revaluation
// and the account's margin model at every step, with the safe-interval screen for single-underlying
// accounts (docs/liquidation-probability.md §3).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "greekbook/liquidation/liquidation_price.hpp"
#include "greekbook/risk/liquidation_probability.hpp"

namespace greekbook::risk {

bool screen_applies(const scenario::AccountState& account, const PathSetup& s) {
  if (liquidation::account_underlyings(account).size() != 1) return false;
  const double horizon_years = s.steps * s.dt_years;
  for (const auto& p : account.positions)
    if (s.time_decay && p.instrument.has_expiry() && p.expiry_years > 0 && p.expiry_years <= horizon_years + 1e-12)
      return false;
  return true;
}


namespace {

std::string worst_pool(const margin::MarginResult& r) {
  const margin::PoolMargin* worst = nullptr;
  for (const auto& p : r.pools)
    if (!worst || p.excess() * p.usd_rate < worst->excess() * worst->usd_rate) worst = &p;
  return worst ? worst->name : std::string("account");
}

struct Workspace {
  PathRevaluer revaluer;
  PathGenerator generator;
  std::vector<double> log_price, factors;
};

/// Safe price intervals per step of a single-underlying account: at step k the account (advanced by
/// t_k, index unmoved) has no crossing of maintenance for factors in (low[k], high[k]) of its
/// underlying (liquidation_price(): nearest crossings below and above), so a path strictly inside
/// needs no margin computation there. usable[k] = 0 where the account is below maintenance at the index.
struct Screen {
  std::size_t u = 0;  ///< index of the underlying in Setup::underlyings
  std::vector<double> low, high;
  std::vector<std::uint8_t> usable;
  long long evaluations = 0;
};

/// Null when screening does not apply or a search fails (the model then decides at every step).
std::unique_ptr<Screen> make_screen(const scenario::AccountState& account, const margin::MarginModel& model,
                                    const PathSetup& s) {
  if (!screen_applies(account, s)) return nullptr;
  const auto exposed = liquidation::account_underlyings(account);
  auto screen = std::make_unique<Screen>();
  screen->u = static_cast<std::size_t>(
      std::find(s.underlyings.begin(), s.underlyings.end(), exposed[0]) - s.underlyings.begin());
  screen->low.assign(s.steps + 1, 1.0);
  screen->high.assign(s.steps + 1, 1.0);
  screen->usable.assign(s.steps + 1, 0);
  const std::vector<double> ones(s.underlyings.size(), 1.0);
  liquidation::LiquidationPriceOptions lo;
  lo.underlying = exposed[0];
  std::atomic<bool> failed{false};
  std::atomic<long long> evaluations{0};
  tbb::parallel_for(tbb::blocked_range<int>(1, s.steps + 1), [&](const tbb::blocked_range<int>& r) {
    PathRevaluer rev(account, s.underlyings, s.time_decay);
    for (int k = r.begin(); k != r.end(); ++k) {
      auto lp = liquidation::liquidation_price(rev.at(ones, k * s.dt_years), model, lo);
      if (!lp) {
        failed = true;
        return;
      }
      evaluations += lp->evaluations;
      if (lp->status != liquidation::LiquidationStatus::AboveMaintenance) continue;
      constexpr double eps = 1e-9;  // paths this close to a crossing go to the model
      screen->low[k] = (lp->below ? lp->below->factor : lo.floor_factor) * (1 + eps);
      screen->high[k] = (lp->above ? lp->above->factor : lo.cap_factor) * (1 - eps);
      screen->usable[k] = 1;
    }
  });
  if (failed) return nullptr;
  screen->evaluations = evaluations.load();
  return screen;
}

}  // namespace

Result<long long> simulate_paths(const scenario::AccountState& account, const margin::MarginModel& model,
                                 const PathSetup& s, std::span<const int> paths, std::vector<FirstPassage>& out) {
  auto now = model.compute_pools(account);
  if (!now) return make_error(now.error().message);
  if (!(now->min_excess_usd() >= 0)) {
    if (std::isnan(now->min_excess_usd()))
      return make_error(fmt::format("account '{}': the margin model gives a non-finite excess now", account.id));
    const std::string pool = worst_pool(*now);
    for (const int i : paths) out[i] = {0, pool};
    return 1;
  }
  std::unique_ptr<Screen> screen;
  if (s.screen_paths > 0 && paths.size() >= s.screen_paths) screen = make_screen(account, model, s);
  std::atomic<long long> evaluations{1 + (screen ? screen->evaluations : 0)};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  int error_path = -1;
  std::string error;
  const std::size_t n_u = s.underlyings.size();
  tbb::enumerable_thread_specific<std::unique_ptr<Workspace>> workspaces;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, paths.size(), 8), [&](const tbb::blocked_range<std::size_t>& r) {
    auto& w = workspaces.local();
    if (!w)
      w = std::make_unique<Workspace>(Workspace{PathRevaluer(account, s.underlyings, s.time_decay), s.generator,
                                                std::vector<double>(n_u), std::vector<double>(n_u)});
    long long evals = 0;
    for (std::size_t k = r.begin(); k != r.end() && !failed.load(std::memory_order_relaxed); ++k) {
      const int path = paths[k];
      w->revaluer.reset();
      w->generator.start(s.seed, static_cast<std::uint64_t>(path));
      std::fill(w->log_price.begin(), w->log_price.end(), 0.0);
      FirstPassage o;
      for (int step = 1; step <= s.steps; ++step) {
        w->generator.step(w->log_price);
        for (std::size_t u = 0; u < n_u; ++u) w->factors[u] = std::exp(w->log_price[u]);
        if (screen && screen->usable[step] && w->factors[screen->u] > screen->low[step] &&
            w->factors[screen->u] < screen->high[step])
          continue;  // strictly inside the safe interval: above maintenance
        const auto& state = w->revaluer.at(w->factors, step * s.dt_years);
        auto m = model.compute_pools(state);
        ++evals;
        std::string message;
        if (!m)
          message = m.error().message;
        else if (std::isnan(m->min_excess_usd()))
          message = "the margin model gives a non-finite excess";
        if (!message.empty()) {
          std::lock_guard lock(error_mutex);
          if (error_path < 0 || path < error_path) {
            error_path = path;
            error = fmt::format("account '{}': path {}, step {} ({} days): {}", account.id, path, step,
                                step * s.dt_years * 365.0, message);
          }
          failed = true;
          break;
        }
        if (m->min_excess_usd() < 0) {
          o = {step, worst_pool(*m)};
          break;
        }
      }
      out[path] = std::move(o);
    }
    evaluations += evals;
  });
  if (failed) return make_error(error);
  return evaluations.load();
}

}  // namespace greekbook::risk
