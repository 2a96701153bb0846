#pragma once
// The book: accounts on venues holding positions, plus collateral balances. Plain data, loaded by
// load_book() from our JSON book format or a positions CSV (docs/formats.md).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/instruments/instrument.hpp"

namespace greekbook::book {

struct Position {
  instruments::Instrument instrument;
  double quantity = 0.0;                ///< signed, venue-native units (see instrument.hpp)
  std::optional<double> average_price;  ///< entry price in the instrument's price units
  std::string origin;                   ///< where it was read: "book.json: accounts[0].positions[2]"
  std::optional<double> isolated_margin;  ///< collateral set aside for this position alone (isolated margin)
};

struct Account {
  std::string id;
  std::string venue;                         ///< "deribit", "binance", ...
  std::string margin_mode = "cross";         ///< "cross", "isolated", "portfolio", "segregated"
  std::map<std::string, double> collateral;  ///< currency -> balance (coin or stablecoin units)
  std::vector<Position> positions;
  std::string margin_model;  ///< margin model name (docs/margin.md); "" = the venue's default
};

struct Book {
  std::string source;
  std::vector<Account> accounts;
};

/// Loads a JSON book or a positions CSV (header account,instrument,quantity[,average_price]),
/// recognised from the content. Rejects unknown or expired instruments (expiry <= valuation_ms),
/// non-finite or zero quantities, duplicate account ids and missing fields, with messages naming
/// the file, line or JSON path, field and value.
Result<Book> load_book(const std::string& path, std::int64_t valuation_ms);

Result<Book> parse_book_json(std::string_view text, std::string_view source, std::int64_t valuation_ms);
Result<Book> parse_positions_csv(std::string_view text, std::string_view source, std::int64_t valuation_ms);

/// Sum of positions over all accounts (useful for tests and reports).
std::size_t position_count(const Book& book) noexcept;

}  // namespace greekbook::book
