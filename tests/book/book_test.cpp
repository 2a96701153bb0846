// Unit tests of greekbook::book loading: the JSON book format and the positions CSV.
#include "greekbook/book/book.hpp"

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

namespace {
using greekbook::book::Book;
using greekbook::book::parse_book_json;
using greekbook::book::parse_positions_csv;
using greekbook::book::position_count;
using greekbook::instruments::Kind;
using Json = nlohmann::json;

constexpr std::int64_t kMay14 = 1'589'414'400'000;  // 2020-05-14T00:00:00Z
constexpr std::int64_t kMay29 = 1'590'739'200'000;  // 2020-05-29T08:00:00Z, BTC-29MAY20 expiry
constexpr std::int64_t kJan15 = 1'768'464'000'000;  // 2026-01-15T08:00:00Z

// The issue's example, exactly as written.
constexpr const char* kIssueExample =
    R"({"accounts":[{"id":"main","venue":"deribit","collateral":{"BTC":12.5},"positions":[{"instrument":"BTC-29MAY20-9000-C","quantity":-5,"average_price":0.031}]}]})";

Book json_ok(const std::string& text, std::int64_t valuation_ms) {
  auto r = parse_book_json(text, "book.json", valuation_ms);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : Book{};
}

// Parses the issue example after `edit`, expecting an error; returns its message.
template <class Edit>
std::string json_error_after(Edit edit, std::int64_t valuation_ms = kMay14) {
  Json doc = Json::parse(kIssueExample);
  edit(doc);
  auto r = parse_book_json(doc.dump(), "book.json", valuation_ms);
  EXPECT_FALSE(r.has_value()) << doc.dump();
  return r ? std::string() : r.error().message;
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

Book csv_ok(const std::string& text, std::int64_t valuation_ms = kJan15) {
  auto r = parse_positions_csv(text, "positions.csv", valuation_ms);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : Book{};
}

std::string csv_err(const std::string& text, std::int64_t valuation_ms = kJan15) {
  auto r = parse_positions_csv(text, "positions.csv", valuation_ms);
  EXPECT_FALSE(r.has_value());
  return r ? std::string() : r.error().message;
}

TEST(BookJson, IssueExampleAsWritten) {
  const Book b = json_ok(kIssueExample, kMay14);
  EXPECT_EQ(b.source, "book.json");
  ASSERT_EQ(b.accounts.size(), 1u);
  const auto& a = b.accounts[0];
  EXPECT_EQ(a.id, "main");
  EXPECT_EQ(a.venue, "deribit");
  EXPECT_EQ(a.margin_mode, "cross");  // the default
  ASSERT_EQ(a.collateral.size(), 1u);
  EXPECT_EQ(a.collateral.at("BTC"), 12.5);
  ASSERT_EQ(a.positions.size(), 1u);
  const auto& p = a.positions[0];
  EXPECT_EQ(p.instrument.name, "BTC-29MAY20-9000-C");
  EXPECT_EQ(p.instrument.kind, Kind::Option);
  EXPECT_EQ(p.instrument.venue, "deribit");
  EXPECT_EQ(p.instrument.expiry_ms, kMay29);
  EXPECT_EQ(p.instrument.strike, 9000.0);
  EXPECT_TRUE(p.instrument.inverse);
  EXPECT_EQ(p.quantity, -5.0);
  EXPECT_EQ(p.average_price, 0.031);
  EXPECT_EQ(p.origin, "book.json: accounts[0].positions[0]");
  EXPECT_EQ(position_count(b), 1u);
}

TEST(BookJson, ExpiredInstrumentNamesThePath) {
  // One millisecond before expiry is fine; at and after expiry it is rejected.
  json_ok(kIssueExample, kMay29 - 1);
  for (const std::int64_t t : {kMay29, kMay29 + 86'400'000}) {
    auto r = parse_book_json(kIssueExample, "book.json", t);
    ASSERT_FALSE(r.has_value()) << t;
    const std::string& e = r.error().message;
    EXPECT_TRUE(contains(e, "book.json: accounts[0].positions[0]: field 'instrument': 'BTC-29MAY20-9000-C' expired at "
                            "2020-05-29T08:00:00.000Z"))
        << e;
  }
}

TEST(BookJson, UnknownInstrumentIsQuoted) {
  const std::string e = json_error_after([](Json& d) { d["accounts"][0]["positions"][0]["instrument"] = "BTC-29XYZ20-9000-C"; });
  EXPECT_TRUE(contains(e, "book.json: accounts[0].positions[0]: field 'instrument': ")) << e;
  EXPECT_TRUE(contains(e, "'BTC-29XYZ20-9000-C'")) << e;
  const std::string binance = json_error_after([](Json& d) {
    d["accounts"][0]["venue"] = "binance";
    d["accounts"][0]["positions"][0]["instrument"] = "DOGE";
  });
  EXPECT_TRUE(contains(binance, "'DOGE'")) << binance;
}

TEST(BookJson, QuantityChecks) {
  const std::string zero = json_error_after([](Json& d) { d["accounts"][0]["positions"][0]["quantity"] = 0; });
  EXPECT_EQ(zero, "book.json: accounts[0].positions[0]: field 'quantity': 0 must be a finite non-zero number");
  const std::string str = json_error_after([](Json& d) { d["accounts"][0]["positions"][0]["quantity"] = "-5"; });
  EXPECT_EQ(str, "book.json: accounts[0].positions[0].quantity: expected a number, got \"-5\"");
  const std::string missing = json_error_after([](Json& d) { d["accounts"][0]["positions"][0].erase("quantity"); });
  EXPECT_EQ(missing, "book.json: accounts[0].positions[0]: missing field 'quantity'");
  const std::string avg = json_error_after([](Json& d) { d["accounts"][0]["positions"][0]["average_price"] = -1; });
  EXPECT_EQ(avg, "book.json: accounts[0].positions[0]: field 'average_price': -1 must be a positive number");
}

TEST(BookJson, DuplicateAccountId) {
  const std::string e = json_error_after([](Json& d) {
    Json second = d["accounts"][0];
    second["positions"] = Json::array();
    d["accounts"].push_back(second);
  });
  EXPECT_EQ(e, "book.json: accounts[1].id: duplicate account id 'main'");
}

TEST(BookJson, MarginMode) {
  Json doc = Json::parse(kIssueExample);
  doc["accounts"][0]["margin_mode"] = "portfolio";
  EXPECT_EQ(json_ok(doc.dump(), kMay14).accounts[0].margin_mode, "portfolio");
  const std::string e = json_error_after([](Json& d) { d["accounts"][0]["margin_mode"] = "hedge"; });
  EXPECT_EQ(e, "book.json: accounts[0].margin_mode: 'hedge' is not one of cross, isolated, portfolio, segregated");
  const std::string typed = json_error_after([](Json& d) { d["accounts"][0]["margin_mode"] = 1; });
  EXPECT_EQ(typed, "book.json: accounts[0].margin_mode: expected a string, got 1");
}

TEST(BookJson, CollateralMustBeNumbers) {
  const std::string e = json_error_after([](Json& d) { d["accounts"][0]["collateral"]["BTC"] = "lots"; });
  EXPECT_EQ(e, "book.json: accounts[0].collateral.BTC: expected a number, got \"lots\"");
  const std::string shape = json_error_after([](Json& d) { d["accounts"][0]["collateral"] = Json::array({12.5}); });
  EXPECT_EQ(shape, "book.json: accounts[0].collateral: expected an object, got [12.5]");
}

TEST(BookJson, StructuralErrors) {
  EXPECT_EQ(json_error_after([](Json& d) { d["accounts"][0].erase("id"); }),
            "book.json: accounts[0]: missing field 'id'");
  EXPECT_EQ(json_error_after([](Json& d) { d["accounts"][0]["id"] = ""; }), "book.json: accounts[0].id: must not be empty");
  EXPECT_EQ(json_error_after([](Json& d) { d["accounts"][0].erase("venue"); }),
            "book.json: accounts[0]: missing field 'venue'");
  EXPECT_EQ(json_error_after([](Json& d) { d["accounts"][0]["positions"] = Json::object(); }),
            "book.json: accounts[0].positions: expected an array, got {}");
  EXPECT_EQ(json_error_after([](Json& d) { d["accounts"] = Json::object(); }), "book.json: accounts: expected an array, got {}");
  EXPECT_EQ(json_error_after([](Json& d) { d.erase("accounts"); }), "book.json: missing field 'accounts'");
  auto r = parse_book_json("{\"accounts\": [", "book.json", kMay14);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(contains(r.error().message, "book.json:1:")) << r.error().message;
}

TEST(BookJson, ManyAccountsAndVenues) {
  const std::string text = R"({"accounts": [
    {"id": "d", "venue": "deribit", "positions": [
      {"instrument": "BTC-PERPETUAL", "quantity": 600000},
      {"instrument": "BTC-27MAR26", "quantity": -250000, "average_price": 98100.0},
      {"instrument": "BTC_USDC-27MAR26-95000-P", "quantity": 5}]},
    {"id": "b", "venue": "binance", "margin_mode": "isolated", "collateral": {"USDT": 400000},
     "positions": [{"instrument": "BTCUSDT", "quantity": -4.0}]}]})";
  const Book b = json_ok(text, kJan15);
  ASSERT_EQ(b.accounts.size(), 2u);
  EXPECT_EQ(position_count(b), 4u);
  EXPECT_TRUE(b.accounts[0].collateral.empty());
  EXPECT_EQ(b.accounts[0].positions[0].instrument.kind, Kind::Perpetual);
  EXPECT_FALSE(b.accounts[0].positions[0].average_price.has_value());
  EXPECT_EQ(b.accounts[0].positions[1].instrument.kind, Kind::Future);
  EXPECT_FALSE(b.accounts[0].positions[2].instrument.inverse);
  EXPECT_EQ(b.accounts[0].positions[2].origin, "book.json: accounts[0].positions[2]");
  EXPECT_EQ(b.accounts[1].margin_mode, "isolated");
  EXPECT_EQ(b.accounts[1].positions[0].instrument.venue, "binance");
  EXPECT_EQ(b.accounts[1].positions[0].instrument.kind, Kind::Perpetual);
}

TEST(PositionsCsv, AccountsGroupedInOrderOfFirstAppearance) {
  const Book b = csv_ok(
      "account,instrument,quantity,average_price\n"
      "deribit-main,BTC-PERPETUAL,600000,95800\n"
      "binance-perps,BTCUSDT,-4,\n"
      "deribit-main,BTC-27MAR26-100000-C,-25,0.078\n"
      "binance-perps,ETHUSDT,-35,3350\n"
      "deribit-main,ETH-PERPETUAL,150000,\n");
  EXPECT_EQ(b.source, "positions.csv");
  ASSERT_EQ(b.accounts.size(), 2u);
  EXPECT_EQ(b.accounts[0].id, "deribit-main");
  EXPECT_EQ(b.accounts[1].id, "binance-perps");
  EXPECT_EQ(b.accounts[0].venue, "deribit");  // inferred from BTC-PERPETUAL
  EXPECT_EQ(b.accounts[1].venue, "binance");  // inferred from BTCUSDT
  EXPECT_EQ(b.accounts[0].margin_mode, "cross");
  ASSERT_EQ(b.accounts[0].positions.size(), 3u);
  ASSERT_EQ(b.accounts[1].positions.size(), 2u);
  EXPECT_EQ(b.accounts[0].positions[0].instrument.name, "BTC-PERPETUAL");
  EXPECT_EQ(b.accounts[0].positions[1].instrument.name, "BTC-27MAR26-100000-C");
  EXPECT_EQ(b.accounts[0].positions[2].instrument.name, "ETH-PERPETUAL");
  EXPECT_EQ(b.accounts[1].positions[0].instrument.name, "BTCUSDT");
  EXPECT_EQ(b.accounts[1].positions[1].instrument.name, "ETHUSDT");
  EXPECT_EQ(b.accounts[0].positions[0].quantity, 600000.0);
  EXPECT_EQ(b.accounts[0].positions[0].average_price, 95800.0);
  EXPECT_FALSE(b.accounts[1].positions[0].average_price.has_value());  // empty allowed
  EXPECT_FALSE(b.accounts[0].positions[2].average_price.has_value());
  EXPECT_EQ(b.accounts[0].positions[1].average_price, 0.078);
  EXPECT_EQ(b.accounts[0].positions[1].origin, "positions.csv:4");
  EXPECT_EQ(position_count(b), 5u);
}

TEST(PositionsCsv, WithoutAveragePriceColumnAndWithCrlfAndQuotes) {
  const Book b = csv_ok("account,instrument,quantity\r\n\"acct,1\",BTC-PERPETUAL,10\r\n\r\n\"acct,1\",BTC_USDC-PERPETUAL,-0.5\r\n");
  ASSERT_EQ(b.accounts.size(), 1u);
  EXPECT_EQ(b.accounts[0].id, "acct,1");
  ASSERT_EQ(b.accounts[0].positions.size(), 2u);
  EXPECT_EQ(b.accounts[0].positions[1].instrument.venue, "deribit");
  EXPECT_EQ(b.accounts[0].positions[1].origin, "positions.csv:4");
}

TEST(PositionsCsv, OneAccountCannotMixVenues) {
  const auto r = parse_positions_csv("account,instrument,quantity\nx,BTC-PERPETUAL,10\nx,BTCUSDT,-0.5\n",
                                     "positions.csv", 0);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("positions.csv:3: field 'instrument': 'BTCUSDT' is a binance instrument but "
                                   "account 'x' is on deribit"),
            std::string::npos)
      << r.error().message;
}

TEST(PositionsCsv, VenueColumnOverridesInference) {
  const Book b = csv_ok("account,venue,instrument,quantity\nbyb,bybit,BTCUSDT,2\n");
  ASSERT_EQ(b.accounts.size(), 1u);
  EXPECT_EQ(b.accounts[0].venue, "bybit");
  EXPECT_EQ(b.accounts[0].positions[0].instrument.venue, "bybit");
}

TEST(PositionsCsv, BadQuantityNamesFileLineAndField) {
  EXPECT_EQ(csv_err("account,instrument,quantity\na,BTC-PERPETUAL,10\na,BTCUSDT,ten\n"),
            "positions.csv:3: field 'quantity': 'ten' is not a finite number");
  EXPECT_EQ(csv_err("account,instrument,quantity\na,BTCUSDT,\n"),
            "positions.csv:2: field 'quantity': '' is not a finite number");
  EXPECT_EQ(csv_err("account,instrument,quantity\na,BTCUSDT,nan\n"),
            "positions.csv:2: field 'quantity': 'nan' is not a finite number");
  EXPECT_EQ(csv_err("account,instrument,quantity\na,BTCUSDT,0\n"),
            "positions.csv:2: field 'quantity': 0 must be a finite non-zero number");
}

TEST(PositionsCsv, OtherRowErrors) {
  EXPECT_EQ(csv_err("account,instrument,quantity,average_price\na,BTCUSDT,1,abc\n"),
            "positions.csv:2: field 'average_price': 'abc' is not a finite number");
  EXPECT_EQ(csv_err("account,instrument,quantity\n,BTCUSDT,1\n"), "positions.csv:2: field 'account': must not be empty");
  const std::string unknown = csv_err("account,instrument,quantity\na,NOTATHING,1\n");
  EXPECT_TRUE(contains(unknown, "positions.csv:2: field 'instrument': ")) << unknown;
  EXPECT_TRUE(contains(unknown, "'NOTATHING'")) << unknown;
  const std::string expired = csv_err("account,instrument,quantity\na,BTC-29MAY20-9000-C,1\n", kMay29);
  EXPECT_TRUE(contains(expired, "positions.csv:2: field 'instrument': 'BTC-29MAY20-9000-C' expired at")) << expired;
  EXPECT_EQ(csv_err("account,instr,quantity\na,BTCUSDT,1\n"),
            "positions.csv:1: missing column 'instrument' (expected account,instrument,quantity[,average_price])");
  EXPECT_TRUE(contains(csv_err("account,instrument,quantity\na,BTCUSDT\n"), "positions.csv:2:"));
}

}  // namespace

namespace {
TEST(BookJson, VenueIsLowerCasedAndMustNotBeEmpty) {
  const auto ok = parse_book_json(R"({"accounts":[{"id":"a","venue":"Binance","positions":[{"instrument":"BTCUSDT","quantity":1}]}]})",
                                  "b.json", 0);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->accounts[0].venue, "binance");
  const auto empty = parse_book_json(R"({"accounts":[{"id":"a","venue":""}]})", "b.json", 0);
  ASSERT_FALSE(empty.has_value());
  EXPECT_NE(empty.error().message.find("b.json: accounts[0].venue: must not be empty"), std::string::npos)
      << empty.error().message;
}
}  // namespace
