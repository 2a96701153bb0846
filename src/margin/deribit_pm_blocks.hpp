#pragma once
// Deribit PM internals: a "block" is one currency pair (one underlying) within one pool. compute()
// fills blocks from a risk cube; what_if() rebuilds them from a previous result's scenario_pnl and
// details.state and adds the extra positions' vectors; assemble() turns blocks into a MarginResult
// the same way for both paths.
#include <array>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "greekbook/margin/deribit_portfolio.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::margin::deribit_pm {

inline constexpr std::size_t kRollCount = 2;

struct Block {
  std::string pool;        ///< pool currency: settlement currency (S:PM) or "USD" (X:PM)
  std::string underlying;  ///< "BTC"
  std::string pair;        ///< "btc_usd", "btc_usdc"
  std::string roll_currency;
  const DeribitPmGrid* grid = nullptr;
  const DeribitPmPairParams* pair_params = nullptr;
  const DeribitPmCurrencyParams* roll_params = nullptr;
  const std::array<scenario::Scenario, kRollCount>* roll = nullptr;
  const std::vector<scenario::Scenario>* all = nullptr;  ///< grid then roll scenarios (the pnl layout)
  std::vector<double> pnl;   ///< raw PnL in the pool currency: standard, extended, roll
  double delta_total = 0.0;  ///< coin
  double spot = 0.0;         ///< index of the first position (USD per coin), converts the delta shock

  std::size_t size() const noexcept { return pnl.size(); }
};

/// What a result keeps for what_if(): the blocks' layout, aggregated deltas and native equity.
struct PmState final : ModelState {
  struct BlockState {
    std::string pool, underlying;
    double delta_total = 0.0, spot = 0.0;
    std::size_t size = 0;
  };
  bool segregated = false;
  std::vector<BlockState> blocks;
  std::map<std::string, double> equity;
};

using BlockKey = std::pair<std::string, std::string>;  // pool, underlying
using Blocks = std::map<BlockKey, Block>;

struct Context {
  const DeribitPortfolioMargin& model;
  const scenario::AccountState& account;
  bool segregated = false;

  /// Pool currency of a position: its settlement currency (S:PM) or "USD" (X:PM).
  std::string pool_of(const scenario::PositionState& p) const;
  /// The block of (pool, underlying), created empty (pnl zeros) when new.
  Block& block(Blocks& blocks, const std::string& pool, const std::string& underlying) const;
  /// Settlement currency -> pool currency in scenario s: returns the factor for a spot factor `f`.
  /// X:PM coin-settled products convert at the shocked index (spot x f); other products at the
  /// settlement currency's USD rate; S:PM at 1.
  Result<std::pair<bool, double>> conversion(const scenario::PositionState& p) const;
  /// Checks a dated position against the block's roll tilt (forward must stay positive).
  Result<bool> check_roll(const Block& b, const scenario::PositionState& p) const;
};

/// Builds the result from blocks and per-currency native equity: pools, totals, scenario_pnl and
/// names, worst scenario, the what-if state (PmState) and, when asked, details.margin.
/// `names`: the scenario names to share when the layout is unchanged (what-if); null = build them.
Result<MarginResult> assemble(const Context& ctx, const Blocks& blocks, const std::map<std::string, double>& equity,
                              bool with_margin_details,
                              std::shared_ptr<const std::vector<std::string>> names = nullptr);

/// Reads the PmState of a previous result back into blocks (pnl in pool currency) and equity.
/// Returns false when `before` does not fit this account and mode (the caller recomputes).
Result<bool> restore(const Context& ctx, const MarginResult& before, Blocks& blocks, std::map<std::string, double>& equity);

/// {"standard": [...], "extended": [...], "roll": [...]} of one vector laid out like a block's.
io::Json vectors_json(const DeribitPmGrid& grid, const std::vector<double>& v);

}  // namespace greekbook::margin::deribit_pm
