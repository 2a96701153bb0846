#pragma once
// Price and implied-volatility histories for VaR (docs/var.md): daily closes per underlying and,
// optionally, an at-the-money implied vol per day, and the daily log returns a VaR model uses.
//
// Our CSV format (one row per underlying and day, dates ascending within each underlying):
//   date,underlying,price[,atm_vol]
//   2025-01-01,BTC,93429.2,0.5312
// date: YYYY-MM-DD (UTC close); price: USD per coin (> 0); atm_vol: annualised ATM implied vol
// (0.53 = 53%, e.g. Deribit DVOL / 100), empty or absent when not known. An underlying either has
// atm_vol on every row or on none.
// Loaders for the shared real data: Binance BTCUSDT daily klines (close) joined on the date with a
// Deribit DVOL daily series (close / 100).
//
// Gaps: a daily series may skip up to `max_gap_days` calendar days between two closes (the return
// across the gap is one observation, divided by sqrt(gap + 1) to a daily scale); a longer gap is an
// error naming the file, line, underlying and dates.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greekbook/core/result.hpp"

namespace greekbook::risk {

/// One underlying's daily closes, dates ascending.
struct Series {
  std::string underlying;
  std::vector<std::int64_t> days;  ///< days since 1970-01-01 (UTC)
  std::vector<double> price;       ///< USD per coin
  std::vector<double> atm_vol;     ///< annualised; same length as price, or empty when the file has none
  std::vector<std::size_t> lines;  ///< source line of each close (for messages)
};

struct History {
  std::string source;          ///< file name(s), for messages
  int max_gap_days = 1;        ///< tolerance the series were checked with
  std::vector<Series> series;  ///< one per underlying, in order of first appearance

  /// The series of an underlying, or nullptr.
  const Series* find(std::string_view underlying) const noexcept;
};

struct HistoryOptions {
  /// Missing calendar days tolerated between two consecutive closes of a series (0 = none).
  int max_gap_days = 1;
};

/// Parses our CSV format. Errors name `source`, the line, the field and the value: a non-numeric or
/// non-positive price or vol, a bad date, a date not after the previous one of its underlying, a gap
/// beyond the tolerance, an unknown or missing column, atm_vol on some rows of an underlying only.
Result<History> parse_history_csv(std::string_view text, std::string_view source, const HistoryOptions& opts = {});

/// Reads `path` and parses it. A file whose header starts with Binance's kline columns
/// (open_time_ms,date_utc,...) is read as load_binance_daily(path, "", "BTC").
Result<History> load_history(const std::string& path, const HistoryOptions& opts = {});

/// Binance daily klines CSV (open_time_ms,date_utc,open,high,low,close,volume_btc: price = close) for
/// `underlying`; with `dvol_path` non-empty, joined on the date with a Deribit DVOL daily CSV
/// (timestamp_ms,date_utc,dvol_close or date,open,high,low,close: atm_vol = close / 100), keeping
/// the dates present in both.
Result<History> load_binance_daily(const std::string& prices_path, const std::string& dvol_path,
                                   const std::string& underlying = "BTC", const HistoryOptions& opts = {});

/// Daily log returns of the underlyings a book needs, on the dates they all share.
struct Returns {
  std::vector<std::string> underlyings;  ///< U risk factors (spot), in the order asked for
  std::vector<std::int64_t> days;        ///< n: the date each return ends on
  /// U rows of n: ln(P_t / P_{t-1}) / sqrt(days between the closes).
  std::vector<std::vector<double>> price;
  /// U rows: ln(vol_t / vol_{t-1}) / sqrt(days between), or an empty row where the history has no ATM vol.
  std::vector<std::vector<double>> vol;
  std::vector<double> last_price;  ///< per underlying: the last close used
  std::vector<double> last_vol;    ///< per underlying: the last ATM vol (NaN when none)

  std::size_t size() const noexcept { return days.size(); }
  bool has_vol(std::size_t u) const noexcept { return !vol[u].empty(); }
  /// The last `n` returns (all when n >= size()).
  Returns tail(std::size_t n) const;
};

/// Returns of `underlyings` from `history`. Errors: an underlying the history lacks (naming the file
/// and listing what it has), no common dates, or common dates with a gap beyond the tolerance.
Result<Returns> daily_returns(const History& history, std::span<const std::string> underlyings);

/// "2025-03-01" for a day number.
std::string format_day(std::int64_t day);

}  // namespace greekbook::risk
