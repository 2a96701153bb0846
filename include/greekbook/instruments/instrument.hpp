#pragma once
// Instruments: immutable value types for what a position holds, parsed from venue-native names.
//
// Quantity conventions (venue-native units; what Book positions hold):
//   Deribit inverse futures and perpetuals (BTC-PERPETUAL, BTC-27MAR26): USD notional ("amount"),
//     a multiple of contract_size (10 USD for BTC and SOL, 1 USD for ETH and others); PnL is in coin.
//   Inverse options (BTC-27MAR26-100000-C): coin (1 contract = 1 BTC), premium in coin.
//   Linear products (BTC_USDC-PERPETUAL, BTCUSDT, BTC_USDC-27MAR26-100000-C): coin of the underlying,
//     PnL and premium in the quote/settlement currency (USDC, USDT).
//   Spot (BTC/USDT): base coin.
#include <cstdint>
#include <string>
#include <string_view>

#include "greekbook/core/result.hpp"
#include "greekbook/pricing/option_type.hpp"

namespace greekbook::instruments {

enum class Kind : std::uint8_t { Spot, Perpetual, Future, Option };

const char* to_string(Kind k) noexcept;

struct Instrument {
  std::string name;                 ///< venue-native name, e.g. "BTC-27MAR26-100000-C"
  std::string venue;                ///< lower-case venue id: "deribit", "binance", "bybit", ...
  Kind kind = Kind::Spot;
  std::string underlying;           ///< base coin: "BTC", "ETH", "SOL"
  std::string quote_currency;       ///< "USD" (Deribit inverse), "USDC", "USDT"
  std::string settlement_currency;  ///< coin for inverse products, else the quote currency
  bool inverse = false;             ///< coin-settled (PnL and premium in the underlying coin)
  double contract_size = 1.0;       ///< units of quantity per contract (10 USD for Deribit BTC inverse futures)
  double tick_size = 0.0;           ///< price increment where known, 0 otherwise
  std::int64_t expiry_ms = 0;       ///< UTC milliseconds since the epoch; 0 for spot and perpetuals
  double strike = 0.0;              ///< options only
  pricing::OptionType right = pricing::OptionType::Call;  ///< options only

  bool has_expiry() const noexcept { return kind == Kind::Future || kind == Kind::Option; }
  bool operator==(const Instrument&) const = default;
};

/// Parses a venue-native instrument name. `venue` is a lower-case venue id ("deribit", "binance",
/// "bybit", "okx", "hyperliquid", "spot" ...) or empty to infer it from the name's shape.
/// Errors quote the name and say what was expected.
Result<Instrument> parse_instrument(std::string_view name, std::string_view venue = {});

/// The venue-native name of an instrument (round-trips parse_instrument for canonical names).
std::string format_instrument(const Instrument& inst);

/// Deribit expiry code "27MAR26" -> 2026-03-27 08:00:00 UTC in ms; error otherwise.
Result<std::int64_t> parse_deribit_expiry(std::string_view code);

/// 2026-03-27 08:00 UTC in ms -> "27MAR26".
std::string format_deribit_expiry(std::int64_t expiry_ms);

}  // namespace greekbook::instruments
