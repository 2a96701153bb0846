#pragma once
// PnL explain: the actual full-revaluation USD PnL of each row between two snapshots against its
// Taylor attribution to the Greeks of the first snapshot, and the unexplained residual.
//
//   options      X = q P(F, sigma, t) r,  r = S/F (coin at the index) for inverse, 1 for linear;
//                dX ~ r q [delta dF + gamma dF^2/2 + vega dsigma + theta dt + vanna dF dsigma + volga dsigma^2/2]
//   inverse fut. X = Q (1/e - 1/M) S  with S = M r:  delta term Q r / e dM
//   linear fut.  X = q (M - e):  delta term q dM;   spot, coin collateral: X = q S: delta term q dS
// Rows without an average price use the first snapshot's mark as entry (PnL since that snapshot).
// The residual holds everything else: higher orders, cross terms, changes of basis r, new quotes.
#include <cstdint>
#include <string>
#include <vector>

#include "greekbook/book/book.hpp"
#include "greekbook/market/snapshot.hpp"
#include "greekbook/valuation/valuation.hpp"

namespace greekbook::valuation {

struct PnlAttribution {
  double actual = 0, delta = 0, gamma = 0, vega = 0, theta = 0, vanna = 0, volga = 0;
  double explained = 0, residual = 0;
  int rows = 0, errors = 0;

  /// Adds another attribution's amounts and counts.
  PnlAttribution& operator+=(const PnlAttribution& o) noexcept;
};

struct ExplainReport {
  std::int64_t from_ms = 0, to_ms = 0;
  std::vector<RowInfo> rows;             ///< from the first snapshot's valuation
  std::vector<PnlAttribution> per_row;   ///< same order
  std::vector<std::string> row_errors;   ///< empty when the row was valued in both snapshots
  std::vector<std::pair<std::string, PnlAttribution>> by_underlying;
  PnlAttribution total;
};

ExplainReport explain(const book::Book& book, const market::MarketSnapshot& from, const market::MarketSnapshot& to);

}  // namespace greekbook::valuation
