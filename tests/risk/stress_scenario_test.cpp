// Stress scenario files (risk/stress_scenario.hpp): every field parsed, bad files rejected with the
// file, the scenario and the field named, references to underlyings and venues checked.
#include <gtest/gtest.h>

#include <string>

#include "greekbook/risk/stress_scenario.hpp"

namespace {
using namespace greekbook;
using risk::parse_stress_file;

std::string error_of(const std::string& text) {
  auto r = parse_stress_file(text, "my-stress.json");
  return r ? std::string("(parsed)") : r.error().message;
}

TEST(StressScenario, ParsesEveryField) {
  const auto f = parse_stress_file(R"({"comment": "c", "scenarios": [
    {"name": "a", "source": "made up", "spot_move": {"BTC": -0.3, "ETH": -0.4, "*": -0.5},
     "vol_shock": {"kind": "additive", "size": 0.1, "short_power": 0.3, "long_power": 0.1, "floor_days": 2},
     "skew_shock": {"kind": "linear", "base_cap": -0.2, "c_base": 0.05},
     "basis_shift_per_year": -0.1, "funding_shift_8h": {"BTC": 0.001, "*": -0.0002}, "time_shift_days": 3,
     "venue_events": [{"venue": "binance", "collateral_haircut": 0.25, "close_positions": true,
                       "close_spot_move": {"BTC": -0.5}},
                      {"venue": "okx", "frozen": true}]},
    {"name": "b", "spot_move": 0.1}]})",
                                   "f.json");
  ASSERT_TRUE(f) << f.error().message;
  ASSERT_EQ(f->scenarios.size(), 2u);
  const auto& a = f->scenarios[0];
  EXPECT_EQ(a.name(), "a");
  EXPECT_EQ(a.source, "made up");
  EXPECT_DOUBLE_EQ(a.shock.factor("BTC"), 0.7);
  EXPECT_DOUBLE_EQ(a.shock.factor("ETH"), 0.6);
  EXPECT_DOUBLE_EQ(a.shock.factor("SOL"), 0.5);
  EXPECT_EQ(a.shock.vol.kind, scenario::VolShockKind::Additive);
  EXPECT_DOUBLE_EQ(a.shock.vol.size, 0.1);
  EXPECT_DOUBLE_EQ(a.shock.vol.floor_days, 2.0);
  EXPECT_EQ(a.shock.vol.skew.kind, scenario::SkewShockKind::Linear);
  EXPECT_DOUBLE_EQ(a.shock.vol.skew.base_cap, -0.2);
  EXPECT_DOUBLE_EQ(a.shock.vol.skew.c_base, 0.05);
  EXPECT_DOUBLE_EQ(a.shock.vol.skew.min_kstar, 0.01);  // default kept
  EXPECT_DOUBLE_EQ(a.shock.basis_shift_per_year, -0.1);
  EXPECT_DOUBLE_EQ(a.funding_shift("BTC"), 0.001);
  EXPECT_DOUBLE_EQ(a.funding_shift("ETH"), -0.0002);
  EXPECT_DOUBLE_EQ(a.horizon_days(), 3.0);
  ASSERT_EQ(a.venue_events.size(), 2u);
  const auto* bn = a.venue_event("binance");
  ASSERT_NE(bn, nullptr);
  EXPECT_DOUBLE_EQ(bn->collateral_haircut, 0.25);
  EXPECT_TRUE(bn->close_positions);
  EXPECT_TRUE(bn->has_close_move);
  ASSERT_EQ(bn->close_factor_by_underlying.size(), 1u);
  EXPECT_DOUBLE_EQ(bn->close_factor_by_underlying[0].second, 0.5);
  EXPECT_TRUE(a.venue_event("okx")->frozen);
  EXPECT_EQ(a.venue_event("deribit"), nullptr);
  const auto& b = f->scenarios[1];
  EXPECT_EQ(b.index, 1u);
  EXPECT_DOUBLE_EQ(b.shock.factor("BTC"), 1.1);
  EXPECT_EQ(b.shock.vol.kind, scenario::VolShockKind::None);
  EXPECT_EQ(b.horizon_days(), 0.0);
  // A bare array is a file too.
  const auto arr = parse_stress_file(R"([{"name": "x", "funding_shift_8h": 0.0005}])", "arr.json");
  ASSERT_TRUE(arr) << arr.error().message;
  EXPECT_DOUBLE_EQ(arr->scenarios[0].funding_shift("BTC"), 0.0005);
}

TEST(StressScenario, UnknownFieldNamesFileScenarioAndField) {
  const auto e = error_of(R"({"scenarios": [{"name": "ok"}, {"name": "bad", "spot_moves": -0.2}]})");
  EXPECT_NE(e.find("my-stress.json"), std::string::npos) << e;
  EXPECT_NE(e.find("scenarios[1].spot_moves"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown field"), std::string::npos) << e;
  // The list of valid fields includes the stress-only ones.
  EXPECT_NE(e.find("funding_shift_8h"), std::string::npos) << e;
  // weight is a margin-grid field, not a stress one.
  EXPECT_NE(error_of(R"([{"name": "w", "weight": 0.5}])").find("[0].weight: unknown field"), std::string::npos);
  // Unknown fields inside nested objects.
  const auto v = error_of(R"([{"name": "v", "venue_events": [{"venue": "x", "haircut": 1}]}])");
  EXPECT_NE(v.find("my-stress.json: [0].venue_events[0].haircut: unknown field"), std::string::npos) << v;
  const auto k = error_of(R"([{"name": "k", "skew_shock": {"kind": "linear", "cap": 1}}])");
  EXPECT_NE(k.find("[0].skew_shock.cap: unknown field"), std::string::npos) << k;
  const auto t = error_of(R"({"scenario": []})");
  EXPECT_NE(t.find("my-stress.json: scenario: unknown field"), std::string::npos) << t;
}

TEST(StressScenario, SpotMoveAtOrBelowMinus100PercentIsRejected) {
  const auto e = error_of(R"({"scenarios": [{"name": "a", "spot_move": {"BTC": -1.0}}]})");
  EXPECT_NE(e.find("my-stress.json: scenarios[0].spot_move.BTC: -1 must be a finite move above -1"), std::string::npos)
      << e;
  const auto f = error_of(R"([{"name": "a"}, {"name": "b", "spot_move": -1.5}])");
  EXPECT_NE(f.find("[1].spot_move: -1.5"), std::string::npos) << f;
  const auto g = error_of(R"([{"name": "a", "venue_events": [{"venue": "x", "close_positions": true,
                                                              "close_spot_move": -2}]}])");
  EXPECT_NE(g.find("[0].venue_events[0].close_spot_move: -2 must be a finite move above -1"), std::string::npos) << g;
}

TEST(StressScenario, BadValuesAreRejectedWithTheirPath) {
  const auto has = [](const std::string& text, const std::string& what) {
    const auto e = error_of(text);
    EXPECT_NE(e.find(what), std::string::npos) << "got: " << e;
  };
  has(R"([{"spot_move": 0.1}])", "[0]: missing field 'name'");
  has(R"([{"name": "a"}, {"name": "a"}])", "[1].name: 'a' is used by an earlier scenario");
  has(R"([{"name": "a", "funding_shift_8h": {"BTC": "high"}}])", "[0].funding_shift_8h.BTC: expected a number");
  has(R"([{"name": "a", "funding_shift_8h": 0.5}])", "[0].funding_shift_8h: 0.5 is not a plausible 8-hour rate change");
  has(R"([{"name": "a", "vol_shock": {"kind": "multiplicative", "size": -1.5}}])", "[0].vol_shock.size");
  has(R"([{"name": "a", "time_shift_days": -1}])", "[0].time_shift_days: -1 must be >= 0");
  has(R"([{"name": "a", "venue_events": [{"venue": "x", "collateral_haircut": 1.5}]}])",
      "[0].venue_events[0].collateral_haircut: 1.5 must be in [0, 1]");
  has(R"([{"name": "a", "venue_events": [{"venue": "x"}]}])", "[0].venue_events[0]: the event does nothing");
  has(R"([{"name": "a", "venue_events": [{"venue": "x", "frozen": true}, {"venue": "x", "frozen": true}]}])",
      "[0].venue_events[1].venue: 'x' has an earlier event");
  has(R"([{"name": "a", "venue_events": [{"venue": "x", "close_spot_move": -0.1}]}])",
      "close_spot_move: given without \"close_positions\": true");
  has(R"([{"name": "a", "venue_events": [{"venue": "x", "frozen": "yes"}]}])",
      "[0].venue_events[0].frozen: expected true or false");
  has(R"([{"name": "a", "skew_shock": {"kind": "steep"}}])", "[0].skew_shock.kind: 'steep' is not linear, abs or none");
  has(R"([{"name": "a", "vol_shock": {"skew": "linear"}, "skew_shock": {"kind": "abs"}}])",
      "[0].skew_shock: given together with vol_shock.skew");
  has(R"([])", "no scenarios");
  has(R"({"scenarios": 3})", "scenarios: expected an array of scenarios");
  has(R"([{"name": "a",}])", "my-stress.json");  // JSON syntax error names the file (and line)
}

TEST(StressScenario, ReferencesToMissingUnderlyingsAndVenuesAreErrors) {
  const auto f = parse_stress_file(R"([{"name": "fine", "spot_move": {"BTC": -0.1, "USDC": -0.05}},
                                       {"name": "sol", "spot_move": {"SOL": -0.3}},
                                       {"name": "fund", "funding_shift_8h": {"XRP": 0.001}},
                                       {"name": "venue", "venue_events": [{"venue": "ftx", "frozen": true}]},
                                       {"name": "close", "venue_events": [{"venue": "binance", "close_positions": true,
                                                                           "close_spot_move": {"DOGE": -0.5}}]}])",
                                   "refs.json");
  ASSERT_TRUE(f) << f.error().message;
  const std::set<std::string, std::less<>> und = {"BTC", "ETH", "USDC"}, venues = {"deribit", "binance"};
  const auto check = [&](std::size_t i) {
    risk::StressFile one{f->source, {f->scenarios[i]}};
    auto r = risk::check_references(one, und, venues);
    return r ? std::string("(ok)") : r.error().message;
  };
  EXPECT_EQ(check(0), "(ok)");
  EXPECT_EQ(check(1), "refs.json: scenarios[1] ('sol').spot_move.SOL: underlying 'SOL' is not in the market or the book");
  EXPECT_NE(check(2).find("scenarios[2] ('fund').funding_shift_8h.XRP: underlying 'XRP'"), std::string::npos);
  EXPECT_EQ(check(3), "refs.json: scenarios[3] ('venue').venue_events[0].venue: no account of the book is on venue 'ftx'");
  EXPECT_NE(check(4).find("scenarios[4] ('close').venue_events[0].close_spot_move.DOGE"), std::string::npos);
  EXPECT_FALSE(risk::check_references(*f, und, venues));  // the first bad one
}

TEST(StressScenario, ExampleFileParsesAndFitsTheExampleBook) {
  auto f = risk::load_stress_file(std::string(GREEKBOOK_SOURCE_DIR) + "/examples/stress.json");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_GE(f->scenarios.size(), 5u);
  const std::set<std::string, std::less<>> und = {"BTC", "ETH", "USDC", "USDT"};
  const std::set<std::string, std::less<>> venues = {"deribit", "binance", "derive", "hyperliquid", "dydx", "aave"};
  auto ok = risk::check_references(*f, und, venues);
  EXPECT_TRUE(ok) << ok.error().message;
  const auto missing = risk::load_stress_file("/nonexistent/stress.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/stress.json"), std::string::npos);
}

}  // namespace
