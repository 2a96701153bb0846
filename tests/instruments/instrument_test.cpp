// Instrument names: every shape parsed with all fields checked, round trips, Deribit expiry codes
// against Deribit's own expiration_timestamp values, and error messages that quote the name.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "greekbook/instruments/instrument.hpp"

namespace {
using namespace greekbook::instruments;
using greekbook::pricing::OptionType;
constexpr OptionType Call = OptionType::Call;
constexpr OptionType Put = OptionType::Put;

constexpr std::int64_t k27Mar26 = 1774598400000;  // 2026-03-27 08:00:00 UTC

Instrument parsed(std::string_view name, std::string_view venue = {}) {
  auto r = parse_instrument(name, venue);
  EXPECT_TRUE(r.has_value()) << name << ": " << (r ? "" : r.error().message);
  return r ? *r : Instrument{};
}

std::string error_of(std::string_view name, std::string_view venue = {}) {
  auto r = parse_instrument(name, venue);
  EXPECT_FALSE(r.has_value()) << name << " parsed as " << (r ? r->name : "");
  return r ? std::string() : r.error().message;
}

// Every error names the instrument first and ends with what was expected.
void expect_error(std::string_view name, std::string_view reason, std::string_view expected = "(expected ",
                  std::string_view venue = {}) {
  const std::string msg = error_of(name, venue);
  EXPECT_EQ(msg.rfind("instrument '" + std::string(name) + "': ", 0), 0u) << msg;
  EXPECT_NE(msg.find(reason), std::string::npos) << "missing '" << reason << "' in: " << msg;
  EXPECT_NE(msg.find(expected), std::string::npos) << "missing '" << expected << "' in: " << msg;
  EXPECT_EQ(msg.back(), ')') << msg;
}

Instrument make(std::string name, std::string venue, Kind kind, std::string underlying, std::string quote,
                std::string settlement, bool inverse, double contract_size, double tick_size,
                std::int64_t expiry_ms = 0, double strike = 0.0, OptionType right = Call) {
  Instrument i;
  i.name = std::move(name);
  i.venue = std::move(venue);
  i.kind = kind;
  i.underlying = std::move(underlying);
  i.quote_currency = std::move(quote);
  i.settlement_currency = std::move(settlement);
  i.inverse = inverse;
  i.contract_size = contract_size;
  i.tick_size = tick_size;
  i.expiry_ms = expiry_ms;
  i.strike = strike;
  i.right = right;
  return i;
}

// Asserts every field (Instrument::operator== compares them all) and the round trip.
void expect_instrument(const Instrument& want, std::string_view venue = {}) {
  const Instrument got = parsed(want.name, venue);
  EXPECT_EQ(got, want) << want.name;
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.venue, want.venue);
  EXPECT_EQ(got.kind, want.kind) << to_string(got.kind);
  EXPECT_EQ(got.underlying, want.underlying);
  EXPECT_EQ(got.quote_currency, want.quote_currency);
  EXPECT_EQ(got.settlement_currency, want.settlement_currency);
  EXPECT_EQ(got.inverse, want.inverse);
  EXPECT_EQ(got.contract_size, want.contract_size);
  EXPECT_EQ(got.tick_size, want.tick_size);
  EXPECT_EQ(got.expiry_ms, want.expiry_ms);
  EXPECT_EQ(got.strike, want.strike);
  EXPECT_EQ(got.right, want.right);
  EXPECT_EQ(format_instrument(got), want.name);
}

// ---------------------------------------------------------------------------------------------------
// Deribit shapes

TEST(Deribit, InverseCallAndPut) {
  expect_instrument(make("BTC-27MAR26-100000-C", "deribit", Kind::Option, "BTC", "USD", "BTC", true, 1.0,
                         0.0005, k27Mar26, 100000.0, Call));
  expect_instrument(make("BTC-27MAR26-100000-P", "deribit", Kind::Option, "BTC", "USD", "BTC", true, 1.0,
                         0.0005, k27Mar26, 100000.0, Put),
                    "deribit");
  expect_instrument(make("ETH-27MAR26-3500-C", "deribit", Kind::Option, "ETH", "USD", "ETH", true, 1.0, 0.0005,
                         k27Mar26, 3500.0, Call));
  EXPECT_TRUE(parsed("BTC-27MAR26-100000-C").has_expiry());
}

TEST(Deribit, InverseFutureAndPerpetual) {
  expect_instrument(make("BTC-27MAR26", "deribit", Kind::Future, "BTC", "USD", "BTC", true, 10.0, 0.5, k27Mar26));
  expect_instrument(make("BTC-PERPETUAL", "deribit", Kind::Perpetual, "BTC", "USD", "BTC", true, 10.0, 0.5));
  EXPECT_TRUE(parsed("BTC-27MAR26").has_expiry());
  EXPECT_FALSE(parsed("BTC-PERPETUAL").has_expiry());
}

TEST(Deribit, EthContractSizeIsOneUsd) {
  expect_instrument(make("ETH-PERPETUAL", "deribit", Kind::Perpetual, "ETH", "USD", "ETH", true, 1.0, 0.05));
  expect_instrument(make("ETH-27MAR26", "deribit", Kind::Future, "ETH", "USD", "ETH", true, 1.0, 0.05, k27Mar26));
}

TEST(Deribit, OtherInverseCoinsDefaultToOneUsdAndUnknownTick) {
  expect_instrument(make("SOL-PERPETUAL", "deribit", Kind::Perpetual, "SOL", "USD", "SOL", true, 10.0, 0.01));
  expect_instrument(make("XRP-PERPETUAL", "deribit", Kind::Perpetual, "XRP", "USD", "XRP", true, 1.0, 0.0));
  expect_instrument(make("XRP-27MAR26-2-C", "deribit", Kind::Option, "XRP", "USD", "XRP", true, 1.0, 0.0,
                         k27Mar26, 2.0, Call));
}

TEST(Deribit, LinearUsdcPerpetuals) {
  expect_instrument(
      make("BTC_USDC-PERPETUAL", "deribit", Kind::Perpetual, "BTC", "USDC", "USDC", false, 0.001, 1.0));
  expect_instrument(
      make("ETH_USDC-PERPETUAL", "deribit", Kind::Perpetual, "ETH", "USDC", "USDC", false, 0.01, 0.1));
  expect_instrument(
      make("PEPE_USDC-PERPETUAL", "deribit", Kind::Perpetual, "PEPE", "USDC", "USDC", false, 1.0, 0.0));
  expect_instrument(
      make("ETH_USDT-PERPETUAL", "deribit", Kind::Perpetual, "ETH", "USDT", "USDT", false, 1.0, 0.0));
  expect_instrument(
      make("BTC_USDC-27MAR26", "deribit", Kind::Future, "BTC", "USDC", "USDC", false, 0.001, 1.0, k27Mar26));
}

TEST(Deribit, LinearUsdcOptions) {
  expect_instrument(make("BTC_USDC-27MAR26-100000-C", "deribit", Kind::Option, "BTC", "USDC", "USDC", false, 1.0,
                         0.0, k27Mar26, 100000.0, Call));
  expect_instrument(make("SOL_USDC-26JUN26-118-P", "deribit", Kind::Option, "SOL", "USDC", "USDC", false, 1.0,
                         0.0, 1782460800000, 118.0, Put));
}

TEST(Deribit, SpotPair) {
  expect_instrument(make("BTC_USDC", "deribit", Kind::Spot, "BTC", "USDC", "USDC", false, 1.0, 0.0));
  expect_instrument(make("ETH_BTC", "deribit", Kind::Spot, "ETH", "BTC", "BTC", false, 1.0, 0.0), "deribit");
  EXPECT_FALSE(parsed("BTC_USDC").has_expiry());
}

TEST(Deribit, DecimalStrikesUseD) {
  expect_instrument(make("XRP_USDC-27MAR26-0d5-C", "deribit", Kind::Option, "XRP", "USDC", "USDC", false, 1.0,
                         0.0, k27Mar26, 0.5, Call));
  expect_instrument(make("XRP_USDC-27MAR26-1d52-P", "deribit", Kind::Option, "XRP", "USDC", "USDC", false, 1.0,
                         0.0, k27Mar26, 1.52, Put));
  expect_instrument(make("DOGE_USDC-27MAR26-0d025-C", "deribit", Kind::Option, "DOGE", "USDC", "USDC", false,
                         1.0, 0.0, k27Mar26, 0.025, Call));
  expect_instrument(make("BTC-27MAR26-97500d5-C", "deribit", Kind::Option, "BTC", "USD", "BTC", true, 1.0, 0.0005,
                         k27Mar26, 97500.5, Call));
  // Formatting a hand-built instrument writes the decimal point as 'd' and drops trailing zeros.
  Instrument i = parsed("XRP_USDC-27MAR26-0d5-C");
  i.strike = 0.75;
  EXPECT_EQ(format_instrument(i), "XRP_USDC-27MAR26-0d75-C");
  i.strike = 2.0;
  EXPECT_EQ(format_instrument(i), "XRP_USDC-27MAR26-2-C");
  i.strike = 125000.0;
  EXPECT_EQ(format_instrument(i), "XRP_USDC-27MAR26-125000-C");
  i.strike = 0.0001;
  EXPECT_EQ(format_instrument(i), "XRP_USDC-27MAR26-0d0001-C");
}

TEST(Deribit, NonCanonicalSpellingsAreCanonicalised) {
  EXPECT_EQ(parsed("BTC-03JAN26-0100-C").name, "BTC-3JAN26-100-C");
  EXPECT_EQ(parsed("BTC-27MAR26-0d50-P").name, "BTC-27MAR26-0d5-P");
  EXPECT_EQ(parsed("BTC-27MAR26-100000d0-P").name, "BTC-27MAR26-100000-P");
  EXPECT_EQ(parsed("BTC-PERPETUAL", "Deribit").venue, "deribit");
}

// Real Deribit public/get_instruments rows (BTC/ETH 2021-07-22, SOL and USDC lists with 2022 instruments):
// every future and perpetual, and one call and one put per currency and expiry.
struct RestRow {
  std::string_view name, base;
  Kind kind;
  std::int64_t expiry_ms;  // expiration_timestamp (0 here for perpetuals; Deribit says 32503708800000)
  double strike;
  OptionType right;
  double contract_size, tick_size;
};
constexpr RestRow kRest[] = {
    {"BTC-24SEP21-40000-P", "BTC", Kind::Option, 1632470400000, 40000.0, Put, 1.0, 0.0005},
    {"BTC-24JUN22-30000-C", "BTC", Kind::Option, 1656057600000, 30000.0, Call, 1.0, 0.0005},
    {"BTC-6AUG21-40000-C", "BTC", Kind::Option, 1628236800000, 40000.0, Call, 1.0, 0.0005},
    {"BTC-25MAR22-22000-C", "BTC", Kind::Option, 1648195200000, 22000.0, Call, 1.0, 0.0005},
    {"BTC-13AUG21-36000-C", "BTC", Kind::Option, 1628841600000, 36000.0, Call, 1.0, 0.0005},
    {"BTC-31DEC21-48000-P", "BTC", Kind::Option, 1640937600000, 48000.0, Put, 1.0, 0.0005},
    {"BTC-30JUL21-25000-P", "BTC", Kind::Option, 1627632000000, 25000.0, Put, 1.0, 0.0005},
    {"BTC-13AUG21-50000-P", "BTC", Kind::Option, 1628841600000, 50000.0, Put, 1.0, 0.0005},
    {"BTC-23JUL21-42000-C", "BTC", Kind::Option, 1627027200000, 42000.0, Call, 1.0, 0.0005},
    {"BTC-27AUG21-38000-C", "BTC", Kind::Option, 1630051200000, 38000.0, Call, 1.0, 0.0005},
    {"BTC-24SEP21-44000-C", "BTC", Kind::Option, 1632470400000, 44000.0, Call, 1.0, 0.0005},
    {"BTC-25MAR22", "BTC", Kind::Future, 1648195200000, 0.0, Call, 10.0, 0.5},
    {"BTC-24JUN22-150000-P", "BTC", Kind::Option, 1656057600000, 150000.0, Put, 1.0, 0.0005},
    {"BTC-6AUG21-28000-P", "BTC", Kind::Option, 1628236800000, 28000.0, Put, 1.0, 0.0005},
    {"BTC-23JUL21-33000-P", "BTC", Kind::Option, 1627027200000, 33000.0, Put, 1.0, 0.0005},
    {"BTC-30JUL21-60000-C", "BTC", Kind::Option, 1627632000000, 60000.0, Call, 1.0, 0.0005},
    {"BTC-31DEC21-40000-C", "BTC", Kind::Option, 1640937600000, 40000.0, Call, 1.0, 0.0005},
    {"BTC-24JUL21-33000-C", "BTC", Kind::Option, 1627113600000, 33000.0, Call, 1.0, 0.0005},
    {"BTC-24JUL21-38000-P", "BTC", Kind::Option, 1627113600000, 38000.0, Put, 1.0, 0.0005},
    {"BTC-27AUG21-80000-P", "BTC", Kind::Option, 1630051200000, 80000.0, Put, 1.0, 0.0005},
    {"BTC-25MAR22-40000-P", "BTC", Kind::Option, 1648195200000, 40000.0, Put, 1.0, 0.0005},
    {"BTC-27AUG21", "BTC", Kind::Future, 1630051200000, 0.0, Call, 10.0, 0.5},
    {"BTC-24JUN22", "BTC", Kind::Future, 1656057600000, 0.0, Call, 10.0, 0.5},
    {"BTC-30JUL21", "BTC", Kind::Future, 1627632000000, 0.0, Call, 10.0, 0.5},
    {"BTC-31DEC21", "BTC", Kind::Future, 1640937600000, 0.0, Call, 10.0, 0.5},
    {"BTC-23JUL21", "BTC", Kind::Future, 1627027200000, 0.0, Call, 10.0, 0.5},
    {"BTC-24SEP21", "BTC", Kind::Future, 1632470400000, 0.0, Call, 10.0, 0.5},
    {"BTC-PERPETUAL", "BTC", Kind::Perpetual, 0, 0.0, Call, 10.0, 0.5},
    {"ETH-23JUL21-2050-P", "ETH", Kind::Option, 1627027200000, 2050.0, Put, 1.0, 0.0005},
    {"ETH-23JUL21-3600-C", "ETH", Kind::Option, 1627027200000, 3600.0, Call, 1.0, 0.0005},
    {"ETH-30JUL21-4500-P", "ETH", Kind::Option, 1627632000000, 4500.0, Put, 1.0, 0.0005},
    {"ETH-27AUG21-8000-C", "ETH", Kind::Option, 1630051200000, 8000.0, Call, 1.0, 0.0005},
    {"ETH-24JUL21-2100-C", "ETH", Kind::Option, 1627113600000, 2100.0, Call, 1.0, 0.0005},
    {"ETH-24JUL21-2100-P", "ETH", Kind::Option, 1627113600000, 2100.0, Put, 1.0, 0.0005},
    {"ETH-27AUG21-1800-P", "ETH", Kind::Option, 1630051200000, 1800.0, Put, 1.0, 0.0005},
    {"ETH-13AUG21-2200-P", "ETH", Kind::Option, 1628841600000, 2200.0, Put, 1.0, 0.0005},
    {"ETH-24SEP21-440-P", "ETH", Kind::Option, 1632470400000, 440.0, Put, 1.0, 0.0005},
    {"ETH-31DEC21-10000-P", "ETH", Kind::Option, 1640937600000, 10000.0, Put, 1.0, 0.0005},
    {"ETH-24SEP21-9000-C", "ETH", Kind::Option, 1632470400000, 9000.0, Call, 1.0, 0.0005},
    {"ETH-25MAR22-1600-C", "ETH", Kind::Option, 1648195200000, 1600.0, Call, 1.0, 0.0005},
    {"ETH-24JUN22-5000-C", "ETH", Kind::Option, 1656057600000, 5000.0, Call, 1.0, 0.0005},
    {"ETH-25MAR22-15000-P", "ETH", Kind::Option, 1648195200000, 15000.0, Put, 1.0, 0.0005},
    {"ETH-30JUL21-3200-C", "ETH", Kind::Option, 1627632000000, 3200.0, Call, 1.0, 0.0005},
    {"ETH-31DEC21-1280-C", "ETH", Kind::Option, 1640937600000, 1280.0, Call, 1.0, 0.0005},
    {"ETH-6AUG21-2000-C", "ETH", Kind::Option, 1628236800000, 2000.0, Call, 1.0, 0.0005},
    {"ETH-13AUG21-2600-C", "ETH", Kind::Option, 1628841600000, 2600.0, Call, 1.0, 0.0005},
    {"ETH-6AUG21-1600-P", "ETH", Kind::Option, 1628236800000, 1600.0, Put, 1.0, 0.0005},
    {"ETH-23JUL21", "ETH", Kind::Future, 1627027200000, 0.0, Call, 1.0, 0.05},
    {"ETH-24JUN22-7000-P", "ETH", Kind::Option, 1656057600000, 7000.0, Put, 1.0, 0.0005},
    {"ETH-27AUG21", "ETH", Kind::Future, 1630051200000, 0.0, Call, 1.0, 0.05},
    {"ETH-24JUN22", "ETH", Kind::Future, 1656057600000, 0.0, Call, 1.0, 0.05},
    {"ETH-30JUL21", "ETH", Kind::Future, 1627632000000, 0.0, Call, 1.0, 0.05},
    {"ETH-25MAR22", "ETH", Kind::Future, 1648195200000, 0.0, Call, 1.0, 0.05},
    {"ETH-31DEC21", "ETH", Kind::Future, 1640937600000, 0.0, Call, 1.0, 0.05},
    {"ETH-24SEP21", "ETH", Kind::Future, 1632470400000, 0.0, Call, 1.0, 0.05},
    {"ETH-PERPETUAL", "ETH", Kind::Perpetual, 0, 0.0, Call, 1.0, 0.05},
    {"SOL-10JUN22-28-P", "SOL", Kind::Option, 1654848000000, 28.0, Put, 1.0, 0.001},
    {"SOL-3JUN22-30-C", "SOL", Kind::Option, 1654243200000, 30.0, Call, 1.0, 0.001},
    {"SOL-3JUN22-48-P", "SOL", Kind::Option, 1654243200000, 48.0, Put, 1.0, 0.001},
    {"SOL-10JUN22-10-C", "SOL", Kind::Option, 1654848000000, 10.0, Call, 1.0, 0.001},
    {"SOL-30MAY22-48-C", "SOL", Kind::Option, 1653897600000, 48.0, Call, 1.0, 0.001},
    {"SOL-29JUL22-50-P", "SOL", Kind::Option, 1659081600000, 50.0, Put, 1.0, 0.001},
    {"SOL-31MAY22-42-C", "SOL", Kind::Option, 1653984000000, 42.0, Call, 1.0, 0.001},
    {"SOL-31MAY22-30-P", "SOL", Kind::Option, 1653984000000, 30.0, Put, 1.0, 0.001},
    {"SOL-24JUN22-70-C", "SOL", Kind::Option, 1656057600000, 70.0, Call, 1.0, 0.001},
    {"SOL-30MAY22-55-P", "SOL", Kind::Option, 1653897600000, 55.0, Put, 1.0, 0.001},
    {"SOL-24JUN22-140-P", "SOL", Kind::Option, 1656057600000, 140.0, Put, 1.0, 0.001},
    {"SOL-29JUL22-55-C", "SOL", Kind::Option, 1659081600000, 55.0, Call, 1.0, 0.001},
    {"SOL-24JUN22", "SOL", Kind::Future, 1656057600000, 0.0, Call, 10.0, 0.01},
    {"SOL-10JUN22", "SOL", Kind::Future, 1654848000000, 0.0, Call, 10.0, 0.01},
    {"SOL-PERPETUAL", "SOL", Kind::Perpetual, 0, 0.0, Call, 10.0, 0.01},
    {"SOL-3JUN22", "SOL", Kind::Future, 1654243200000, 0.0, Call, 10.0, 0.01},
    {"SOL-29JUL22", "SOL", Kind::Future, 1659081600000, 0.0, Call, 10.0, 0.01},
    {"UNI_USDC-PERPETUAL", "UNI", Kind::Perpetual, 0, 0.0, Call, 1.0, 0.001},
    {"SOL_USDC-PERPETUAL", "SOL", Kind::Perpetual, 0, 0.0, Call, 0.1, 0.01},
    {"XRP_USDC-PERPETUAL", "XRP", Kind::Perpetual, 0, 0.0, Call, 10.0, 0.0001},
    {"LTC_USDC-PERPETUAL", "LTC", Kind::Perpetual, 0, 0.0, Call, 0.1, 0.01},
    {"NEAR_USDC-PERPETUAL", "NEAR", Kind::Perpetual, 0, 0.0, Call, 1.0, 0.001},
    {"DOGE_USDC-PERPETUAL", "DOGE", Kind::Perpetual, 0, 0.0, Call, 100.0, 1e-05},
    {"ALGO_USDC-PERPETUAL", "ALGO", Kind::Perpetual, 0, 0.0, Call, 10.0, 0.0001},
    {"TRX_USDC-PERPETUAL", "TRX", Kind::Perpetual, 0, 0.0, Call, 100.0, 1e-05},
    {"BTC_USDC-PERPETUAL", "BTC", Kind::Perpetual, 0, 0.0, Call, 0.001, 1.0},
    {"DOT_USDC-PERPETUAL", "DOT", Kind::Perpetual, 0, 0.0, Call, 1.0, 0.001},
    {"LINK_USDC-PERPETUAL", "LINK", Kind::Perpetual, 0, 0.0, Call, 1.0, 0.001},
    {"ADA_USDC-PERPETUAL", "ADA", Kind::Perpetual, 0, 0.0, Call, 10.0, 0.0001},
    {"BCH_USDC-PERPETUAL", "BCH", Kind::Perpetual, 0, 0.0, Call, 0.02, 0.01},
    {"ETH_USDC-PERPETUAL", "ETH", Kind::Perpetual, 0, 0.0, Call, 0.01, 0.1},
    {"MATIC_USDC-PERPETUAL", "MATIC", Kind::Perpetual, 0, 0.0, Call, 10.0, 0.0001},
    {"AVAX_USDC-PERPETUAL", "AVAX", Kind::Perpetual, 0, 0.0, Call, 0.1, 0.01},
};

TEST(Deribit, MatchesRealGetInstrumentsRows) {
  for (const RestRow& row : kRest) {
    SCOPED_TRACE(std::string(row.name));
    const bool linear = row.name.find('_') != std::string_view::npos;
    const std::string base(row.base);
    expect_instrument(make(std::string(row.name), "deribit", row.kind, base, linear ? "USDC" : "USD",
                           linear ? "USDC" : base, !linear, row.contract_size, row.tick_size, row.expiry_ms,
                           row.strike, row.right));
  }
}

// ---------------------------------------------------------------------------------------------------
// Expiry codes

TEST(Expiry, OneAndTwoDigitDaysAt0800Utc) {
  EXPECT_EQ(parse_deribit_expiry("27MAR26").value(), k27Mar26);
  EXPECT_EQ(parse_deribit_expiry("3JAN26").value(), 1767427200000);
  EXPECT_EQ(parse_deribit_expiry("24SEP21").value(), 1632470400000);  // BTC-24SEP21-40000-P
  EXPECT_EQ(parse_deribit_expiry("6AUG21").value(), 1628236800000);   // BTC-6AUG21-40000-C
  EXPECT_EQ(parse_deribit_expiry("3JUN22").value(), 1654243200000);   // SOL-3JUN22
  EXPECT_EQ(format_deribit_expiry(1767427200000), "3JAN26");
  EXPECT_EQ(format_deribit_expiry(k27Mar26), "27MAR26");
  EXPECT_EQ(format_deribit_expiry(k27Mar26 - 8 * 3'600'000), "27MAR26");      // midnight: same date
  EXPECT_EQ(format_deribit_expiry(k27Mar26 + 15 * 3'600'000 + 59 * 60'000), "27MAR26");  // 23:59
  expect_instrument(make("BTC-3JAN26-90000-P", "deribit", Kind::Option, "BTC", "USD", "BTC", true, 1.0, 0.0005,
                         1767427200000, 90000.0, Put));
}

TEST(Expiry, LeapYears) {
  EXPECT_EQ(parse_deribit_expiry("29FEB28").value(), 1835424000000);
  EXPECT_EQ(parse_deribit_expiry("29FEB00").value(), 951811200000);  // 2000 is a leap year
  EXPECT_EQ(parse_deribit_expiry("31DEC99").value(), 4102387200000);
  EXPECT_EQ(parsed("BTC-29FEB28-100000-C").expiry_ms, 1835424000000);
  EXPECT_FALSE(parse_deribit_expiry("29FEB26").has_value());
  EXPECT_FALSE(parse_deribit_expiry("30FEB28").has_value());
}

// Every day of 2000..2099 against std::chrono's calendar, both directions.
TEST(Expiry, EveryDayOfTheCenturyRoundTrips) {
  using namespace std::chrono;
  static constexpr const char* kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                            "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  int checked = 0;
  for (sys_days d = sys_days{year{2000} / January / 1}; d <= sys_days{year{2099} / December / 31}; d += days{1}) {
    const year_month_day ymd{d};
    const int yy = static_cast<int>(ymd.year()) % 100;
    const std::string code = std::to_string(static_cast<unsigned>(ymd.day())) +
                             kMonths[static_cast<unsigned>(ymd.month()) - 1] + (yy < 10 ? "0" : "") +
                             std::to_string(yy);
    const std::int64_t want = (d.time_since_epoch().count() * 24 + 8) * 3'600'000LL;
    const auto got = parse_deribit_expiry(code);
    ASSERT_TRUE(got.has_value()) << code;
    ASSERT_EQ(*got, want) << code;
    ASSERT_EQ(format_deribit_expiry(want), code);
    ++checked;
  }
  EXPECT_EQ(checked, 36525);
}

TEST(Expiry, ErrorsSayWhatWasExpected) {
  const auto msg = [](std::string_view code) {
    auto r = parse_deribit_expiry(code);
    EXPECT_FALSE(r.has_value()) << code;
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(msg("27MAX26"),
            "expiry code '27MAX26': month 'MAX' is not one of JAN..DEC (expected DMMMYY like 27MAR26 or 3JAN26)");
  EXPECT_NE(msg("").find("expiry code '': expiry is empty"), std::string::npos);
  EXPECT_NE(msg("MAR26").find("does not start with a 1- or 2-digit day"), std::string::npos);
  EXPECT_NE(msg("27MAR2026").find("is not a 1- or 2-digit day, 3-letter month and 2-digit year"),
            std::string::npos);
  EXPECT_NE(msg("127MAR26").find("expected DMMMYY"), std::string::npos);
  EXPECT_NE(msg("27MAR2X").find("year '2X'"), std::string::npos);
  EXPECT_NE(msg("27mar26").find("month 'mar'"), std::string::npos);
  EXPECT_NE(msg("31APR26").find("day 31 does not exist in APR 2026"), std::string::npos);
  EXPECT_NE(msg("0MAR26").find("day 0 does not exist"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------------
// Linear perpetuals and spot pairs of other venues

TEST(Linear, UsdtAndUsdcPerpetualsInferBinance) {
  expect_instrument(make("BTCUSDT", "binance", Kind::Perpetual, "BTC", "USDT", "USDT", false, 1.0, 0.0));
  expect_instrument(make("ETHUSDC", "binance", Kind::Perpetual, "ETH", "USDC", "USDC", false, 1.0, 0.0));
  expect_instrument(make("SOLUSDT", "binance", Kind::Perpetual, "SOL", "USDT", "USDT", false, 1.0, 0.0));
  expect_instrument(make("1000PEPEUSDT", "binance", Kind::Perpetual, "1000PEPE", "USDT", "USDT", false, 1.0, 0.0));
  EXPECT_FALSE(parsed("BTCUSDT").has_expiry());
}

TEST(Linear, VenueAsGiven) {
  expect_instrument(make("BTCUSDT", "bybit", Kind::Perpetual, "BTC", "USDT", "USDT", false, 1.0, 0.0), "bybit");
  expect_instrument(make("ETHUSDC", "binance", Kind::Perpetual, "ETH", "USDC", "USDC", false, 1.0, 0.0),
                    "binance");
  expect_instrument(make("SOLUSDT", "okx", Kind::Perpetual, "SOL", "USDT", "USDT", false, 1.0, 0.0), "okx");
  EXPECT_EQ(parsed("BTCUSDT", "ByBit").venue, "bybit");
}

TEST(Spot, SlashPairs) {
  expect_instrument(make("BTC/USDT", "spot", Kind::Spot, "BTC", "USDT", "USDT", false, 1.0, 0.0));
  expect_instrument(make("ETH/USDC", "spot", Kind::Spot, "ETH", "USDC", "USDC", false, 1.0, 0.0));
  expect_instrument(make("ETH/USDC", "binance", Kind::Spot, "ETH", "USDC", "USDC", false, 1.0, 0.0), "binance");
  expect_instrument(make("ETH/BTC", "bybit", Kind::Spot, "ETH", "BTC", "BTC", false, 1.0, 0.0), "bybit");
  EXPECT_FALSE(parsed("BTC/USDT").has_expiry());
}

TEST(Kinds, ToString) {
  EXPECT_STREQ(to_string(Kind::Spot), "spot");
  EXPECT_STREQ(to_string(Kind::Perpetual), "perpetual");
  EXPECT_STREQ(to_string(Kind::Future), "future");
  EXPECT_STREQ(to_string(Kind::Option), "option");
}

// ---------------------------------------------------------------------------------------------------
// Errors: each quotes the name, says what is wrong and what was expected.

TEST(Errors, BadMonthMatchesTheDocumentedMessage) {
  EXPECT_EQ(error_of("BTC-27MAX26-1000-C"),
            "instrument 'BTC-27MAX26-1000-C': month 'MAX' is not one of JAN..DEC (expected Deribit name like "
            "BTC-27MAR26-100000-C)");
  expect_error("BTC-27MAX26", "month 'MAX' is not one of JAN..DEC", "BTC-27MAR26 or BTC-PERPETUAL");
}

TEST(Errors, ImpossibleDays) {
  expect_error("BTC-0MAR26-1000-C", "day 0 does not exist in MAR 2026", "BTC-27MAR26-100000-C");
  expect_error("BTC-32MAR26-1000-C", "day 32 does not exist in MAR 2026", "BTC-27MAR26-100000-C");
  expect_error("BTC-31FEB26-1000-C", "day 31 does not exist in FEB 2026", "BTC-27MAR26-100000-C");
  expect_error("BTC-29FEB26", "day 29 does not exist in FEB 2026 (expiry '29FEB26'; the month has 28 days)");
  expect_error("BTC-31JUN26-1000-P", "day 31 does not exist in JUN 2026");
  EXPECT_EQ(parsed("BTC-29FEB28").expiry_ms, 1835424000000);
  expect_error("BTC-123MAR26-1000-C", "expiry '123MAR26' is not a 1- or 2-digit day, 3-letter month");
  expect_error("BTC-MAR26-1000-C", "does not start with a 1- or 2-digit day");
  expect_error("BTC-27MARCH26", "expiry '27MARCH26'");
  expect_error("BTC-27MAR2X-1000-C", "year '2X' in expiry '27MAR2X' is not two digits");
}

TEST(Errors, BadStrikes) {
  expect_error("BTC-27MAR26--1000-C", "strike '-1000' is not a positive number", "BTC-27MAR26-100000-C");
  expect_error("BTC-27MAR26-0-C", "strike '0' must be positive");
  expect_error("BTC-27MAR26-0d0-C", "strike '0d0' must be positive");
  expect_error("BTC-27MAR26-abc-C", "strike 'abc' is not a positive number (digits, with 'd' as the decimal");
  expect_error("BTC-27MAR26-1e5-C", "strike '1e5' is not a positive number");
  expect_error("BTC-27MAR26--C", "strike '' is not a positive number");
  expect_error("BTC-27MAR26-d5-C", "strike 'd5'");
  expect_error("BTC-27MAR26-5d-C", "strike '5d'");
  expect_error("BTC-27MAR26-1d2d3-C", "strike '1d2d3'");
  expect_error("XRP_USDC-27MAR26-0.5-C", "strike '0.5' uses '.'; Deribit writes the decimal point as 'd'");
  expect_error("BTC-27MAR26-1000-1-C", "strike '1000-1'");
}

TEST(Errors, BadOptionLetter) {
  expect_error("BTC-27MAR26-100000-X", "option letter 'X' is not C (call) or P (put)", "BTC-27MAR26-100000-C");
  expect_error("BTC-27MAR26-100000-c", "option letter 'c'");
  expect_error("BTC-27MAR26-100000-CALL", "option letter 'CALL'");
}

TEST(Errors, UnknownShapes) {
  const std::string_view shapes = "(expected one of: Deribit BTC-27MAR26-100000-C, BTC-27MAR26, BTC-PERPETUAL";
  expect_error("FOO", "unrecognised instrument name", shapes);
  expect_error("BTCUSD", "unrecognised instrument name", "linear perpetual BTCUSDT");
  expect_error("USDT", "unrecognised instrument name", "spot pair BTC/USDT");
  expect_error("btcusdt", "unrecognised instrument name", shapes);
  expect_error("BTC-27MAR26-100000", "has 3 '-'-separated parts", "BTC-27MAR26-100000-C");
  expect_error("BTC-FS-27MAR26_PERP", "has 3 '-'-separated parts");
  expect_error("btc-PERPETUAL", "underlying 'btc' is not an upper-case coin code", "BTC-PERPETUAL");
  expect_error("-PERPETUAL", "underlying ''");
  expect_error("BTC-", "expiry is empty", "BTC-27MAR26 or BTC-PERPETUAL");
  expect_error("BTC_-PERPETUAL", "'BTC_' is not an upper-case BASE_QUOTE pair like BTC_USDC");
  expect_error("BTC_USDC_X", "'BTC_USDC_X' is not an upper-case BASE_QUOTE pair");
  expect_error("BTC/", "spot pair is not two upper-case codes around one '/'", "spot pair like BTC/USDT");
  expect_error("BTC/USDT/X", "spot pair is not two upper-case codes");
}

TEST(Errors, EmptyName) {
  expect_error("", "the name is empty", "one of: Deribit BTC-27MAR26-100000-C");
  expect_error("", "the name is empty", "(expected ", "deribit");
  EXPECT_EQ(error_of("").rfind("instrument '': ", 0), 0u);
}

TEST(Errors, ShapeDoesNotFitTheGivenVenue) {
  expect_error("BTC-PERPETUAL", "not a name venue 'binance' lists", "linear perpetual like BTCUSDT", "binance");
  expect_error("BTCUSDT", "not a Deribit instrument name", "Deribit name like", "deribit");
  expect_error("BTC/USDT", "Deribit writes spot pairs with '_' (BTC_USDC), not '/'", "Deribit name like",
               "deribit");
}

}  // namespace
