#pragma once
// Synthetic but realistic inputs for `greekbook bench`: a Deribit-like BTC market built from SVI
// smiles and forwards we choose, a book of N option positions on it, and the same market written
// as a Deribit chain CSV (to time loading + fitting without ../shared).
#include <cstddef>
#include <string>

#include "greekbook/book/book.hpp"
#include "greekbook/market/snapshot.hpp"

namespace greekbook::cli {

/// BTC market at 2026-01-15T08:00Z: index, perpetual, 12 expiries (1 day .. 1 year) with SVI smiles.
market::MarketSnapshot synthetic_market();

/// `n` Deribit BTC option positions spread over the market's expiries and strikes (+-40%).
book::Book synthetic_book(const market::MarketSnapshot& m, std::size_t n);

/// A Deribit 2026-format chain CSV of ~`n` options (mark IVs from the smiles, marks from Black-76).
std::string synthetic_chain_csv(const market::MarketSnapshot& m, std::size_t n);

}  // namespace greekbook::cli
