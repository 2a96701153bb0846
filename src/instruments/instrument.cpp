// Instrument names: parsing venue-native names into Instrument values and formatting them back.
//
// Accepted shapes (see instrument.hpp for the quantity conventions):
//   deribit  BTC-27MAR26-100000-C / -P   inverse option       BTC_USDC-27MAR26-100000-C  linear option
//            BTC-27MAR26                 inverse future       BTC_USDC-27MAR26           linear future
//            BTC-PERPETUAL               inverse perpetual    BTC_USDC-PERPETUAL         linear perpetual
//            BTC_USDC                    spot pair            strikes use 'd' as the decimal point (0d5)
//   dydx BTC-USD, hyperliquid BTC, derive ETH-PERP (linear USDC perpetuals), derive ETH-20260327-2200-C
//   others   BTCUSDT, ETHUSDC, 1000PEPEUSDT (linear perpetual), BTC/USDT (spot pair)
// Parsed names are canonicalised: Instrument::name is always format_instrument() of the result, so a
// non-canonical spelling Deribit never emits ("03JAN26", strike "0100") maps to the canonical one.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "greekbook/instruments/instrument.hpp"
#include "instruments/detail.hpp"

namespace greekbook::instruments {
namespace {

constexpr std::string_view kAllShapes =
    "one of: Deribit BTC-27MAR26-100000-C, BTC-27MAR26, BTC-PERPETUAL, BTC_USDC-PERPETUAL, "
    "BTC_USDC-27MAR26-100000-C, BTC_USDC (spot), 0d5 for a decimal strike; linear perpetual BTCUSDT, "
    "ETHUSDC, 1000PEPEUSDT; spot pair BTC/USDT";
constexpr std::string_view kDeribitShapes =
    "Deribit name like BTC-27MAR26-100000-C, BTC-27MAR26, BTC-PERPETUAL, BTC_USDC-PERPETUAL or BTC_USDC";
constexpr std::string_view kDeribitOption = "Deribit name like BTC-27MAR26-100000-C";
constexpr std::string_view kDeribitFuture = "Deribit name like BTC-27MAR26 or BTC-PERPETUAL";
constexpr std::string_view kLinearShapes = "linear perpetual like BTCUSDT or ETHUSDC, or spot pair like BTC/USDT";
constexpr std::string_view kVenue = "deribit";

tl::unexpected<Error> fail(std::string_view name, std::string_view reason, std::string_view expected) {
  return make_error(fmt::format("instrument '{}': {} (expected {})", name, reason, expected));
}

bool is_upper_alnum(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/// A currency or coin code: upper-case letters and digits, at least one letter ("BTC", "1000PEPE").
bool is_code(std::string_view s) noexcept {
  bool letter = false;
  for (const char c : s) {
    if (!is_upper_alnum(c)) return false;
    letter = letter || (c >= 'A' && c <= 'Z');
  }
  return letter;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

Instrument finish(Instrument inst) {
  inst.name = format_instrument(inst);
  return inst;
}

/// Fills currency fields of a Deribit product from its prefix ("BTC" inverse, "BTC_USDC" linear).
Result<Instrument> deribit_prefix(std::string_view name, std::string_view prefix, std::string_view expected) {
  Instrument inst;
  inst.venue = std::string(kVenue);
  const auto underscore = prefix.find('_');
  if (underscore == std::string_view::npos) {
    if (!is_code(prefix))
      return fail(name, fmt::format("underlying '{}' is not an upper-case coin code like BTC", prefix), expected);
    inst.underlying = std::string(prefix);
    inst.quote_currency = "USD";
    inst.settlement_currency = inst.underlying;
    inst.inverse = true;
    return inst;
  }
  const std::string_view base = prefix.substr(0, underscore);
  const std::string_view quote = prefix.substr(underscore + 1);
  if (!is_code(base) || !is_code(quote))
    return fail(name,
                fmt::format("'{}' is not an upper-case BASE_QUOTE pair like BTC_USDC", prefix), expected);
  inst.underlying = std::string(base);
  inst.quote_currency = std::string(quote);
  inst.settlement_currency = inst.quote_currency;
  inst.inverse = false;
  return inst;
}

Result<Instrument> parse_deribit(std::string_view name) {
  if (name.find('/') != std::string_view::npos)
    return fail(name, "Deribit writes spot pairs with '_' (BTC_USDC), not '/'", kDeribitShapes);
  const std::vector<std::string_view> parts = split(name, '-');

  if (parts.size() == 1) {  // spot pair BTC_USDC
    if (name.find('_') == std::string_view::npos)
      return fail(name, "not a Deribit instrument name", kDeribitShapes);
    auto inst = deribit_prefix(name, name, kDeribitShapes);
    if (!inst) return inst;
    inst->kind = Kind::Spot;
    return finish(std::move(*inst));
  }

  if (parts.size() == 2) {  // BTC-PERPETUAL, BTC-27MAR26, BTC_USDC-PERPETUAL
    auto inst = deribit_prefix(name, parts[0], kDeribitFuture);
    if (!inst) return inst;
    if (parts[1] == "PERPETUAL") {
      inst->kind = Kind::Perpetual;
    } else {
      auto expiry = detail::parse_expiry_code(parts[1]);
      if (!expiry) return fail(name, expiry.error().message, kDeribitFuture);
      inst->kind = Kind::Future;
      inst->expiry_ms = *expiry;
    }
    const detail::ContractSpec spec =
        inst->inverse ? detail::deribit_inverse_future_spec(inst->underlying)
                      : detail::deribit_linear_future_spec(inst->underlying, inst->quote_currency);
    inst->contract_size = spec.contract_size;
    inst->tick_size = spec.tick_size;
    return finish(std::move(*inst));
  }

  if (parts.size() == 3)
    return fail(name,
                "has 3 '-'-separated parts; a future has 2 (BTC-27MAR26) and an option 4 "
                "(BTC-27MAR26-100000-C)",
                kDeribitShapes);

  // Option: PREFIX-EXPIRY-STRIKE-RIGHT. Anything between the expiry and the right is the strike, so a
  // negative strike ("--100") is reported as a strike, not as a part count.
  auto inst = deribit_prefix(name, parts[0], kDeribitOption);
  if (!inst) return inst;
  auto expiry = detail::parse_expiry_code(parts[1]);
  if (!expiry) return fail(name, expiry.error().message, kDeribitOption);
  const std::size_t strike_begin = parts[0].size() + parts[1].size() + 2;
  const std::size_t strike_end = name.size() - parts.back().size() - 1;
  const std::string_view strike_text = name.substr(strike_begin, strike_end - strike_begin);
  auto strike = detail::parse_strike(strike_text);
  if (!strike) return fail(name, strike.error().message, kDeribitOption);
  const std::string_view right = parts.back();
  if (right != "C" && right != "P")
    return fail(name, fmt::format("option letter '{}' is not C (call) or P (put)", right), kDeribitOption);

  inst->kind = Kind::Option;
  inst->expiry_ms = *expiry;
  inst->strike = *strike;
  inst->right = right == "C" ? pricing::OptionType::Call : pricing::OptionType::Put;
  // Inverse options: 1 contract = 1 coin. Linear USDC options: quantity in coin, one unit per contract
  // here (Deribit's altcoin multipliers are not in our REST sample), tick size unknown.
  const detail::ContractSpec spec =
      inst->inverse ? detail::deribit_inverse_option_spec(inst->underlying) : detail::ContractSpec{1.0, 0.0};
  inst->contract_size = spec.contract_size;
  inst->tick_size = spec.tick_size;
  return finish(std::move(*inst));
}

bool ends_with_stablecoin(std::string_view s) noexcept {
  return s.size() > 4 && (s.ends_with("USDT") || s.ends_with("USDC"));
}

/// Linear perpetual BTCUSDT / spot pair BTC/USDT, for a non-Deribit venue (already lower-case).
Result<Instrument> parse_linear(std::string_view name, std::string_view venue) {
  Instrument inst;
  inst.venue = std::string(venue);
  inst.inverse = false;
  const auto slash = name.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view base = name.substr(0, slash);
    const std::string_view quote = name.substr(slash + 1);
    if (!is_code(base) || !is_code(quote))
      return fail(name, "spot pair is not two upper-case codes around one '/'", "spot pair like BTC/USDT");
    inst.kind = Kind::Spot;
    inst.underlying = std::string(base);
    inst.quote_currency = std::string(quote);
    inst.settlement_currency = inst.quote_currency;
    return finish(std::move(inst));
  }
  const bool alnum = !name.empty() && std::all_of(name.begin(), name.end(), is_upper_alnum);
  if (!alnum || !ends_with_stablecoin(name) || !is_code(name.substr(0, name.size() - 4)))
    return fail(name, fmt::format("not a name venue '{}' lists", venue), kLinearShapes);
  inst.kind = Kind::Perpetual;
  inst.underlying = std::string(name.substr(0, name.size() - 4));
  inst.quote_currency = std::string(name.substr(name.size() - 4));
  inst.settlement_currency = inst.quote_currency;
  return finish(std::move(inst));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

const char* to_string(Kind k) noexcept {
  switch (k) {
    case Kind::Spot: return "spot";
    case Kind::Perpetual: return "perpetual";
    case Kind::Future: return "future";
    case Kind::Option: return "option";
  }
  return "unknown";
}

Result<Instrument> parse_instrument(std::string_view name, std::string_view venue) {
  if (name.empty()) return fail(name, "the name is empty", kAllShapes);
  const std::string v = lower(venue);
  if (v == kVenue) return parse_deribit(name);
  if (auto dex = detail::parse_dex_name(name, v)) {
    if (!*dex) return *dex;
    return finish(std::move(**dex));
  }
  if (!v.empty()) return parse_linear(name, v);

  // No venue: infer it from the shape.
  if (name.find('/') != std::string_view::npos) return parse_linear(name, "spot");
  if (name.find_first_of("-_") != std::string_view::npos) return parse_deribit(name);
  const bool alnum = std::all_of(name.begin(), name.end(), is_upper_alnum);
  if (alnum && ends_with_stablecoin(name) && is_code(name.substr(0, name.size() - 4)))
    return parse_linear(name, "binance");
  return fail(name, "unrecognised instrument name", kAllShapes);
}

std::string format_instrument(const Instrument& inst) {
  if (auto dex = detail::format_dex_name(inst)) return *dex;
  const bool deribit = inst.venue == kVenue;
  // Deribit prefix: the coin alone for inverse products, BASE_QUOTE for linear ones.
  const std::string prefix =
      inst.inverse ? inst.underlying : fmt::format("{}_{}", inst.underlying, inst.quote_currency);
  switch (inst.kind) {
    case Kind::Spot:
      return deribit ? fmt::format("{}_{}", inst.underlying, inst.quote_currency)
                     : fmt::format("{}/{}", inst.underlying, inst.quote_currency);
    case Kind::Perpetual:
      return deribit ? prefix + "-PERPETUAL" : inst.underlying + inst.quote_currency;
    case Kind::Future:  // other venues: the Deribit shape (Bybit uses it too)
      return fmt::format("{}-{}", prefix, format_deribit_expiry(inst.expiry_ms));
    case Kind::Option:
      return fmt::format("{}-{}-{}-{}", prefix, format_deribit_expiry(inst.expiry_ms),
                         detail::format_strike(inst.strike), inst.right == pricing::OptionType::Call ? "C" : "P");
  }
  return inst.name;
}

}  // namespace greekbook::instruments
