// The events file: every kind parsed, defaults, and bad files (unknown venue, unknown field, negative
// duration, ...) rejected with the file, the event and the field named.
#include <gtest/gtest.h>

#include <filesystem>

#include "contagion/contagion_test_util.hpp"
#include "greekbook/contagion/events.hpp"

using namespace greekbook;
using namespace greekbook::contagion;
using namespace greekbook::contagiontest;

namespace {

std::vector<scenario::AccountState> toy_book() {
  return {perp_account("b", "venue-b", 60000, 10, 100000, 100000),
          lending_account("l", {{"BTC", 10.0}, {"USDC", -700000.0}}, {{"BTC", 100000.0}, {"USDC", 1.0}})};
}

// Parses `text` as events.json and checks it against book(); the error message, or "" when fine.
std::string error_of(const std::string& text) {
  auto doc = io::parse_json(text, "events.json");
  if (!doc) return doc.error().message;
  auto f = parse_events(*doc, "events.json");
  if (!f) return f.error().message;
  auto ok = check_events(*f, toy_book());
  return ok ? "" : ok.error().message;
}

}  // namespace

TEST(Events, ParsesEveryKind) {
  auto doc = io::parse_json(R"({
    "comment": "toy",
    "events": [
      {"id": "exploit", "kind": "venue_failure", "venue": "venue-b", "collateral_lost": 0.6, "collateral_frozen": 0.4,
       "close_move_pct": {"BTC": -20}},
      {"id": "halt", "kind": "venue_failure", "venue": "aave", "at_min": 30, "close_move_pct": -5},
      {"id": "dev", "kind": "oracle", "venue": "venue-b", "underlying": "BTC", "deviation_pct": -8, "duration_min": 15, "at_min": 2},
      {"id": "stale", "kind": "oracle", "venue": "aave", "underlying": "BTC", "mode": "stale", "duration_min": 60},
      {"id": "usdc", "kind": "depeg", "currency": "USDC", "usd_rate": 0.87}
    ],
    "liquidation": {"step_fraction": 0.5, "penalty_rate": 0.01},
    "insurance_funds": {"venue-b": 1000000}
  })", "events.json");
  ASSERT_TRUE(doc);
  auto f = parse_events(*doc, "events.json");
  ASSERT_TRUE(f) << f.error().message;
  ASSERT_EQ(f->events.size(), 5u);
  const auto& e0 = f->events[0];
  EXPECT_EQ(e0.kind, EventKind::VenueFailure);
  EXPECT_EQ(e0.origin, "events.json: events[0]");
  EXPECT_EQ(e0.collateral_lost, 0.6);
  EXPECT_EQ(e0.collateral_frozen, 0.4);
  EXPECT_DOUBLE_EQ(e0.close_factor("BTC"), 0.8);
  EXPECT_DOUBLE_EQ(e0.close_factor("ETH"), 1.0);
  EXPECT_FALSE(e0.end_min());
  EXPECT_DOUBLE_EQ(f->events[1].close_factor("BTC"), 0.95);
  EXPECT_EQ(f->events[1].at_min, 30.0);
  const auto& e2 = f->events[2];
  EXPECT_EQ(e2.kind, EventKind::Oracle);
  EXPECT_EQ(e2.mode, OracleMode::Deviation);
  EXPECT_EQ(e2.deviation_pct, -8.0);
  EXPECT_EQ(*e2.end_min(), 17.0);
  EXPECT_EQ(f->events[3].mode, OracleMode::Stale);
  EXPECT_EQ(f->events[4].kind, EventKind::Depeg);
  EXPECT_EQ(f->events[4].usd_rate, 0.87);
  EXPECT_FALSE(f->events[4].duration_min);
  EXPECT_EQ(f->liquidation.step_fraction, 0.5);
  EXPECT_EQ(f->liquidation.penalty_rate, 0.01);
  EXPECT_EQ(f->insurance_funds.at("venue-b"), 1e6);
  auto ok = check_events(*f, toy_book());
  EXPECT_TRUE(ok) << ok.error().message;
}

TEST(Events, BadFilesNameFileEventAndField) {
  EXPECT_EQ(error_of(R"({"events": [{"id": "x", "kind": "oracle", "venue": "nowhere", "underlying": "BTC",
                       "deviation_pct": -5, "duration_min": 10}]})"),
            "events.json: events[0].venue: unknown venue 'nowhere' (venues of the book: venue-b, aave) (event 'x')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "x", "kind": "oracle", "venue": "venue-b", "underlying": "BTC",
                       "deviation_pct": -5, "duration_min": 10, "severity": 3}]})"),
            "events.json: events[0].severity: unknown field for a oracle event (known: at_min, comment, deviation_pct, "
            "duration_min, id, kind, mode, source, underlying, venue) (event 'x')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "s", "kind": "oracle", "venue": "venue-b", "underlying": "BTC", "mode": "stale",
                       "deviation_pct": -5, "duration_min": 10}]})"),
            "events.json: events[0].deviation_pct: not used by a stale oracle (it holds the market price of at_min) (event 's')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "ok", "kind": "depeg", "currency": "USDC", "usd_rate": 0.9},
                       {"id": "neg", "kind": "oracle", "venue": "venue-b", "underlying": "BTC",
                       "deviation_pct": -5, "duration_min": -5}]})"),
            "events.json: events[1].duration_min: -5 is out of range (must be > 0) (event 'neg')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "h", "kind": "venue_failure", "venue": "venue-b", "duration_min": 5}]})"),
            "events.json: events[0].duration_min: unknown field for a venue_failure event (known: at_min, "
            "close_move_pct, collateral_frozen, collateral_lost, comment, id, kind, source, venue) (event 'h')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "t", "kind": "depeg", "currency": "USDC", "usd_rate": 0.9, "at_min": -1}]})"),
            "events.json: events[0].at_min: -1 is out of range (must be >= 0) (event 't')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "k", "kind": "meteor"}]})"),
            "events.json: events[0].kind: 'meteor' is not one of venue_failure, oracle, depeg (event 'k')");
  EXPECT_EQ(error_of(R"({"events": [{"kind": "depeg"}]})"), "events.json: events[0]: missing field 'id' (event '?')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "d", "kind": "oracle", "venue": "venue-b", "underlying": "BTC", "duration_min": 5}]})"),
            "events.json: events[0]: missing field 'deviation_pct' (required for a deviation-mode oracle event) (event 'd')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "d", "kind": "oracle", "venue": "venue-b", "underlying": "ETH",
                       "deviation_pct": 5, "duration_min": 5}]})"),
            "events.json: events[0].underlying: unknown underlying 'ETH': no account on venue-b holds it (held there: BTC) "
            "(event 'd')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "f", "kind": "venue_failure", "venue": "venue-b", "collateral_lost": 0.7,
                       "collateral_frozen": 0.5}]})"),
            "events.json: events[0].collateral_frozen: collateral_lost 0.7 + collateral_frozen 0.5 exceed 1 (event 'f')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "f", "kind": "venue_failure", "venue": "venue-b", "close_move_pct": {"BTC": -100}}]})"),
            "events.json: events[0].close_move_pct.BTC: -100 is out of range (must be > -100) (event 'f')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "p", "kind": "depeg", "currency": "BTC", "usd_rate": 0.9}]})"),
            "events.json: events[0].currency: 'BTC' is not a stablecoin greekbook knows (USD, USDC, USDT, DAI, ...) "
            "(event 'p')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "p", "kind": "depeg", "currency": "DAI", "usd_rate": 0.9}]})"),
            "events.json: events[0].currency: no account of the book holds or settles in 'DAI' (event 'p')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "p", "kind": "depeg", "currency": "USDC", "usd_rate": 0}]})"),
            "events.json: events[0].usd_rate: 0 is out of range (must be > 0) (event 'p')");
  EXPECT_EQ(error_of(R"({"events": [
                       {"id": "o1", "kind": "oracle", "venue": "venue-b", "underlying": "BTC", "deviation_pct": 5, "duration_min": 10},
                       {"id": "o2", "kind": "oracle", "venue": "venue-b", "underlying": "BTC", "mode": "stale",
                        "duration_min": 10, "at_min": 9}]})"),
            "events.json: events[1].at_min: overlaps event 'o1' (events.json: events[0]) on the same venue and underlying "
            "(event 'o2')");
  EXPECT_EQ(error_of(R"({"events": [{"id": "a", "kind": "depeg", "currency": "USDC", "usd_rate": 0.9},
                                    {"id": "a", "kind": "depeg", "currency": "USDC", "usd_rate": 0.9, "at_min": 100}]})"),
            "events.json: events[1].id: duplicate event id 'a'");
  EXPECT_EQ(error_of(R"({"events": [], "scenarios": []})"),
            "events.json: scenarios: unknown field (known: events, liquidation, insurance_funds, comment, source)");
  EXPECT_EQ(error_of(R"({"events": {}})"), "events.json: events: expected an array, got {}");
  EXPECT_EQ(error_of(R"({"events": [], "insurance_funds": {"venue-z": 5}})"),
            "events.json: insurance_funds.venue-z: unknown venue 'venue-z' (venues of the book: venue-b, aave)");
  EXPECT_EQ(error_of(R"({"events": [], "insurance_funds": {"venue-b": -5}})"),
            "events.json: insurance_funds.venue-b: -5 must be a finite amount of USD >= 0");
  EXPECT_EQ(error_of(R"({"events": [], "liquidation": {"step_fraction": 2}})"),
            "events.json: liquidation.step_fraction: 2 is out of range (must be in [0, 1])");
  // Back to back (the second starts when the first ends) is not an overlap.
  EXPECT_EQ(error_of(R"({"events": [
                       {"id": "o1", "kind": "oracle", "venue": "venue-b", "underlying": "BTC", "deviation_pct": 5, "duration_min": 10},
                       {"id": "o2", "kind": "oracle", "venue": "venue-b", "underlying": "BTC", "deviation_pct": -5,
                        "duration_min": 10, "at_min": 10}]})"),
            "");
}

TEST(Events, LoadsTheShippedExample) {
  const std::string path = std::string(GREEKBOOK_SOURCE_DIR) + "/examples/contagion/events.json";
  auto f = load_events(path);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_FALSE(f->events.empty());
  auto missing = load_events(std::string(GREEKBOOK_SOURCE_DIR) + "/examples/contagion/none.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("none.json: cannot open the events file"), std::string::npos);
}
