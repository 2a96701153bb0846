// Names of on-chain venues, all linear and USDC-settled:
//   dydx         BTC-USD                      perpetual
//   hyperliquid  BTC                          perpetual
//   derive       ETH-PERP                     perpetual
//                ETH-20260327-2200-C / -P     option (expiry 08:00 UTC of that date)
#include <fmt/format.h>

#include "instruments/detail.hpp"

namespace greekbook::instruments::detail {
namespace {
bool is_code(std::string_view s) noexcept {
  bool letter = false;
  for (const char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    letter = letter || (c >= 'A' && c <= 'Z');
  }
  return !s.empty() && letter;
}

Instrument linear_usdc(std::string_view venue, std::string_view underlying, Kind kind) {
  Instrument inst;
  inst.venue = std::string(venue);
  inst.kind = kind;
  inst.underlying = std::string(underlying);
  inst.quote_currency = "USDC";
  inst.settlement_currency = "USDC";
  inst.inverse = false;
  return inst;
}

Result<std::int64_t> parse_yyyymmdd(std::string_view s) {
  if (s.size() != 8 || s.find_first_not_of("0123456789") != std::string_view::npos)
    return make_error(fmt::format("expiry '{}' is not YYYYMMDD", s));
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(4, 2))));
  const unsigned d = static_cast<unsigned>(std::stoi(std::string(s.substr(6, 2))));
  const std::int64_t days = days_from_civil(y, m, d);
  const CivilDate back = civil_from_days(days);
  if (m < 1 || m > 12 || back.month != m || back.day != d) return make_error(fmt::format("expiry '{}' is not a date", s));
  return days * kMsPerDay + kDeribitExpiryHourMs;
}
}  // namespace

std::optional<Result<Instrument>> parse_dex_name(std::string_view name, std::string_view venue) {
  const auto fail = [&](std::string_view why, std::string_view expected) -> Result<Instrument> {
    return make_error(fmt::format("instrument '{}': {} (expected {} on {})", name, why, expected, venue));
  };
  if (venue == "hyperliquid") {
    if (!is_code(name)) return fail("not a coin code", "a coin code like BTC");
    return linear_usdc(venue, name, Kind::Perpetual);
  }
  if (venue == "dydx") {
    if (!name.ends_with("-USD") || !is_code(name.substr(0, name.size() - 4)))
      return fail("not a market name", "a market like BTC-USD");
    return linear_usdc(venue, name.substr(0, name.size() - 4), Kind::Perpetual);
  }
  if (venue != "derive") return std::nullopt;
  if (name.ends_with("-PERP") && is_code(name.substr(0, name.size() - 5)))
    return linear_usdc(venue, name.substr(0, name.size() - 5), Kind::Perpetual);
  // ETH-20260327-2200-C
  const auto d1 = name.find('-');
  const auto d2 = d1 == std::string_view::npos ? d1 : name.find('-', d1 + 1);
  const auto d3 = name.rfind('-');
  constexpr std::string_view kShapes = "ETH-PERP or ETH-20260327-2200-C";
  if (d1 == std::string_view::npos || d2 == std::string_view::npos || d3 <= d2) return fail("unrecognised name", kShapes);
  if (!is_code(name.substr(0, d1))) return fail("no coin code before the first '-'", kShapes);
  auto expiry = parse_yyyymmdd(name.substr(d1 + 1, d2 - d1 - 1));
  if (!expiry) return fail(expiry.error().message, kShapes);
  auto strike = parse_strike(name.substr(d2 + 1, d3 - d2 - 1));
  if (!strike) return fail(strike.error().message, kShapes);
  const std::string_view right = name.substr(d3 + 1);
  if (right != "C" && right != "P") return fail(fmt::format("option letter '{}' is not C or P", right), kShapes);
  Instrument inst = linear_usdc(venue, name.substr(0, d1), Kind::Option);
  inst.expiry_ms = *expiry;
  inst.strike = *strike;
  inst.right = right == "C" ? pricing::OptionType::Call : pricing::OptionType::Put;
  return inst;
}

std::optional<std::string> format_dex_name(const Instrument& inst) {
  if (inst.venue == "hyperliquid" && inst.kind == Kind::Perpetual) return inst.underlying;
  if (inst.venue == "dydx" && inst.kind == Kind::Perpetual) return inst.underlying + "-USD";
  if (inst.venue != "derive") return std::nullopt;
  if (inst.kind == Kind::Perpetual) return inst.underlying + "-PERP";
  if (inst.kind != Kind::Option) return std::nullopt;
  const CivilDate c = civil_from_days(inst.expiry_ms / kMsPerDay);
  return fmt::format("{}-{:04d}{:02d}{:02d}-{}-{}", inst.underlying, c.year, c.month, c.day, format_strike(inst.strike),
                     inst.right == pricing::OptionType::Call ? "C" : "P");
}

}  // namespace greekbook::instruments::detail
