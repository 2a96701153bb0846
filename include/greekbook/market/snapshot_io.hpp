#pragma once
// Loading and writing market snapshots. Formats (docs/formats.md):
//   - greekbook JSON snapshot (our own, documented),
//   - Deribit chain CSV as in ../shared/data/deribit-chain-2026 (header starts "timestamp,instrument_name,underlying,")
//     optionally with that folder's term_futures_marks.csv and perpetual_futures_prices.csv beside it,
//   - Deribit flat ticker CSV as in deribit-chain-2020/*_flat.csv (header starts "timestamp_ms,instrument_name,").
// The format is recognised from the content. Errors name the file, line or JSON path, field and value.
#include <string>
#include <string_view>

#include "greekbook/core/result.hpp"
#include "greekbook/market/snapshot.hpp"

namespace greekbook::market {

/// Loads any supported format and finalises the snapshot.
Result<MarketSnapshot> load_market(const std::string& path);

/// Parses our JSON snapshot text (not finalised).
Result<MarketSnapshot> parse_market_json(std::string_view text, std::string_view source);

/// Parses a Deribit chain CSV (2026 or 2020 flat format; not finalised). `sidecar_dir`, when not
/// empty, is searched for term_futures_marks.csv / perpetual_futures_prices.csv rows matching the
/// snapshot's time.
Result<MarketSnapshot> parse_deribit_chain_csv(std::string_view text, std::string_view source,
                                               const std::string& sidecar_dir);

/// Writes our JSON format (quotes, futures, perpetuals, index and given smiles).
std::string to_json(const MarketSnapshot& snap);

}  // namespace greekbook::market
