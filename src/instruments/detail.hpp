#pragma once
// Internal helpers of the instruments module: civil-date arithmetic, Deribit expiry codes and the
// per-product contract specifications embedded from Deribit's public/get_instruments responses.
#include <cstdint>
#include <string>
#include <string_view>

#include <optional>

#include "greekbook/core/result.hpp"
#include "greekbook/instruments/instrument.hpp"

namespace greekbook::instruments::detail {

inline constexpr std::int64_t kMsPerDay = 86'400'000;
inline constexpr std::int64_t kDeribitExpiryHourMs = 8 * 3'600'000;  ///< expiries settle at 08:00 UTC

struct CivilDate {
  std::int64_t year;
  unsigned month;  ///< 1..12
  unsigned day;    ///< 1..31
};

/// Days since 1970-01-01 of a proleptic-Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                      // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;      // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                 // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// Inverse of days_from_civil.
constexpr CivilDate civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                       // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;     // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                   // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                        // [0, 11]
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;                                // [1, 31]
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;                                   // [1, 12]
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

constexpr bool is_leap_year(std::int64_t y) noexcept {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

/// Parses a Deribit expiry code (D or DD, MMM upper-case, YY -> 20YY) to 08:00 UTC in ms. On error the
/// message is the bare reason ("month 'MAX' is not one of JAN..DEC"), without the name or the hint.
Result<std::int64_t> parse_expiry_code(std::string_view code);

/// Strike text in Deribit form: digits with an optional 'd' as the decimal point ("100000", "0d5").
/// On error the message is the bare reason.
Result<double> parse_strike(std::string_view text);

/// Shortest round-tripping fixed-notation text of a strike, '.' written as 'd' ("0d5", "100000").
std::string format_strike(double strike);

/// Quantity step and price increment of a product, where our embedded tables know them.
struct ContractSpec {
  double contract_size = 1.0;
  double tick_size = 0.0;
};

/// Deribit inverse futures and perpetuals (quantity in USD): BTC-PERPETUAL, ETH-27MAR26, ...
ContractSpec deribit_inverse_future_spec(std::string_view coin) noexcept;
/// Deribit inverse options (quantity in coin): BTC-27MAR26-100000-C, ...
ContractSpec deribit_inverse_option_spec(std::string_view coin) noexcept;
/// Deribit linear futures and perpetuals (quantity in coin): BTC_USDC-PERPETUAL, ...
ContractSpec deribit_linear_future_spec(std::string_view coin, std::string_view quote) noexcept;

/// On-chain venues' names (dydx BTC-USD, hyperliquid BTC, derive ETH-PERP / ETH-20260327-2200-C):
/// nullopt when `venue` is not one of them, else the parse (name not yet canonicalised).
std::optional<Result<Instrument>> parse_dex_name(std::string_view name, std::string_view venue);

/// The venue-native name of an on-chain venue's instrument; nullopt for other venues.
std::optional<std::string> format_dex_name(const Instrument& inst);

}  // namespace greekbook::instruments::detail
