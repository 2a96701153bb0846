// Unit tests of the greekbook JSON market snapshot: parse_market_json, finalise and to_json.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "greekbook/core/time.hpp"
#include "greekbook/market/snapshot.hpp"
#include "greekbook/market/snapshot_io.hpp"

namespace {
using greekbook::core::years_between;
using greekbook::market::finalise;
using greekbook::market::MarketSnapshot;
using greekbook::market::parse_market_json;
using greekbook::market::to_json;
using greekbook::pricing::OptionType;
using Json = nlohmann::json;

constexpr std::int64_t kValuation = 1'768'464'000'000;   // 2026-01-15T08:00:00Z
constexpr std::int64_t kIndexTime = 1'768'463'940'000;   // 2026-01-15T07:59:00Z
constexpr std::int64_t kFeb27 = 1'772'179'200'000;       // 2026-02-27T08:00:00Z
constexpr std::int64_t kMar27 = 1'774'598'400'000;       // 2026-03-27T08:00:00Z
constexpr std::int64_t kOptionTime = 1'768'463'990'123;  // 2026-01-15T07:59:50.123Z

// SVI parameters of the 27MAR26 smile in kDoc.
constexpr double kA = 0.012, kB = 0.07, kRho = -0.2, kM = 0.03, kSigma = 0.16;

constexpr const char* kDoc = R"({
  "format": "greekbook.market.v1",
  "valuation_time": "2026-01-15T08:00:00Z",
  "underlyings": {
    "BTC": {
      "index": {"price": 96500.0, "source": "example index", "time": "2026-01-15T07:59:00Z"},
      "perpetuals": [
        {"instrument": "BTC-PERPETUAL", "mark": 96540.0, "funding_rate_8h": 0.0001, "source": "example deribit"},
        {"instrument": "BTCUSDT", "mark": 96552.5}
      ],
      "futures": [
        {"instrument": "BTC-27FEB26", "mark": 97250.0},
        {"instrument": "BTC-27MAR26", "mark": 97720.0, "source": "deribit mark"}
      ],
      "smiles": [
        {"expiry": "2026-03-27T08:00:00Z", "svi": {"a": 0.012, "b": 0.07, "rho": -0.2, "m": 0.03, "sigma": 0.16}}
      ],
      "options": [
        {"instrument": "BTC-27MAR26-100000-C", "bid": 0.081, "ask": 0.083, "mark_price": 0.08204, "mark_iv": 0.525,
         "underlying_price": 97700.0, "source": "deribit", "time": "2026-01-15T07:59:50.123Z"},
        {"instrument": "BTC-27FEB26-90000-P", "bid": 0, "mark_price": 0.04111, "mark_iv": 0.55},
        {"instrument": "BTC_USDC-27MAR26-95000-P", "mark_price": 5350.0}
      ]
    },
    "ETH": {"index": {"price": 3310.0}}
  }
})";

MarketSnapshot parse_ok(const std::string& text) {
  auto r = parse_market_json(text, "m.json");
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : MarketSnapshot{};
}

// Parses kDoc after `edit`, expecting an error; returns its message.
template <class Edit>
std::string error_after(Edit edit) {
  Json doc = Json::parse(kDoc);
  edit(doc);
  auto r = parse_market_json(doc.dump(), "m.json");
  EXPECT_FALSE(r.has_value());
  return r ? std::string() : r.error().message;
}

TEST(ParseMarketJson, AllFieldsLand) {
  const MarketSnapshot s = parse_ok(kDoc);
  EXPECT_EQ(s.valuation_ms, kValuation);
  EXPECT_EQ(s.source, "m.json");
  ASSERT_EQ(s.underlyings.size(), 2u);
  const auto* btc = s.underlying("BTC");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->name, "BTC");
  ASSERT_TRUE(btc->index.has_value());
  EXPECT_EQ(btc->index->value, 96500.0);
  EXPECT_EQ(btc->index->source, "example index");
  EXPECT_EQ(btc->index->timestamp_ms, kIndexTime);

  ASSERT_EQ(btc->perpetuals.size(), 2u);
  const auto* perp = btc->perpetual("BTC-PERPETUAL");
  ASSERT_NE(perp, nullptr);
  EXPECT_EQ(perp->mark.value, 96540.0);
  EXPECT_EQ(perp->mark.source, "example deribit");
  EXPECT_EQ(perp->mark.timestamp_ms, kValuation);  // no time given: the valuation time
  EXPECT_EQ(perp->funding_rate_8h, 0.0001);
  const auto* usdt = btc->perpetual("BTCUSDT");
  ASSERT_NE(usdt, nullptr);
  EXPECT_EQ(usdt->mark.value, 96552.5);
  EXPECT_FALSE(usdt->funding_rate_8h.has_value());
  EXPECT_EQ(btc->perpetual("ETH-PERPETUAL"), nullptr);

  ASSERT_EQ(btc->futures.size(), 2u);
  const auto* mar = btc->future("BTC-27MAR26");
  ASSERT_NE(mar, nullptr);
  EXPECT_EQ(mar->expiry_ms, kMar27);
  EXPECT_EQ(mar->mark.value, 97720.0);
  EXPECT_EQ(mar->mark.source, "deribit mark");
  EXPECT_EQ(btc->future("BTC-27FEB26")->expiry_ms, kFeb27);

  ASSERT_EQ(btc->options.size(), 3u);
  const auto* call = btc->option("BTC-27MAR26-100000-C");
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->expiry_ms, kMar27);
  EXPECT_EQ(call->strike, 100000.0);
  EXPECT_EQ(call->right, OptionType::Call);
  EXPECT_TRUE(call->inverse);
  EXPECT_EQ(call->bid, 0.081);
  EXPECT_EQ(call->ask, 0.083);
  EXPECT_EQ(call->mark_price, 0.08204);
  EXPECT_EQ(call->mark_iv, 0.525);
  EXPECT_EQ(call->underlying_price, 97700.0);
  EXPECT_EQ(call->source, "deribit");
  EXPECT_EQ(call->timestamp_ms, kOptionTime);
  const auto* put = btc->option("BTC-27FEB26-90000-P");
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(put->right, OptionType::Put);
  EXPECT_EQ(put->expiry_ms, kFeb27);
  EXPECT_EQ(put->bid, 0.0);  // zero bid allowed
  EXPECT_FALSE(put->ask.has_value());
  EXPECT_FALSE(put->underlying_price.has_value());
  EXPECT_EQ(put->timestamp_ms, kValuation);
  const auto* linear = btc->option("BTC_USDC-27MAR26-95000-P");
  ASSERT_NE(linear, nullptr);
  EXPECT_FALSE(linear->inverse);
  EXPECT_EQ(linear->strike, 95000.0);
  EXPECT_FALSE(linear->mark_iv.has_value());

  ASSERT_EQ(btc->smiles.size(), 1u);
  EXPECT_EQ(btc->smiles[0].expiry_ms, kMar27);
  EXPECT_EQ(btc->smiles[0].params.a, kA);
  EXPECT_EQ(btc->smiles[0].params.b, kB);
  EXPECT_EQ(btc->smiles[0].params.rho, kRho);
  EXPECT_EQ(btc->smiles[0].params.m, kM);
  EXPECT_EQ(btc->smiles[0].params.sigma, kSigma);

  const auto* eth = s.underlying("ETH");
  ASSERT_NE(eth, nullptr);
  EXPECT_EQ(eth->index->value, 3310.0);
  EXPECT_TRUE(eth->options.empty() && eth->futures.empty() && eth->perpetuals.empty());
  EXPECT_EQ(s.underlying("SOL"), nullptr);
}

TEST(ParseMarketJson, EpochMillisecondTimes) {
  Json doc = Json::parse(kDoc);
  doc["valuation_time"] = kValuation;
  EXPECT_EQ(parse_ok(doc.dump()).valuation_ms, kValuation);
}

TEST(Finalise, ForwardCurveReturnsFuturesMarksAtTheirExpiries) {
  MarketSnapshot s = parse_ok(kDoc);
  finalise(s);
  const auto& btc = s.underlyings.at("BTC");
  EXPECT_EQ(btc.forwards.spot(), 96500.0);
  EXPECT_EQ(btc.forwards.forward(kFeb27), 97250.0);
  // The futures mark wins over the option's underlying price (97700) at the same expiry.
  EXPECT_EQ(btc.forwards.forward(kMar27), 97720.0);
  // Between the index and the first future: log-linear.
  const std::int64_t mid = kValuation + (kFeb27 - kValuation) / 2;
  EXPECT_NEAR(*btc.forwards.forward(mid), std::sqrt(96500.0 * 97250.0), 1e-8);
  // ETH has only an index: flat.
  EXPECT_EQ(s.underlyings.at("ETH").forwards.forward(kMar27), 3310.0);
}

TEST(Finalise, SurfaceUsesTheGivenSmile) {
  MarketSnapshot s = parse_ok(kDoc);
  finalise(s);
  const auto& btc = s.underlyings.at("BTC");
  ASSERT_EQ(btc.surface_expiries.size(), 1u);
  EXPECT_EQ(btc.surface_expiries[0], kMar27);
  ASSERT_FALSE(btc.surface.empty());
  const double T = years_between(kValuation, kMar27);
  EXPECT_DOUBLE_EQ(T, 71.0 / 365.0);
  for (const double k : {-0.4, -0.1, 0.0, 0.03, 0.1, 0.5}) {
    const double x = k - kM;
    const double w = kA + kB * (kRho * x + std::sqrt(x * x + kSigma * kSigma));
    EXPECT_NEAR(btc.surface.implied_vol(T, k), std::sqrt(w / T), 1e-14) << k;
  }
  // At k = m: w = a + b sigma.
  EXPECT_NEAR(btc.surface.implied_vol(T, kM), std::sqrt((kA + kB * kSigma) / T), 1e-14);
  // One quoted IV at 27FEB26 is too few to fit: reported, not silently dropped.
  ASSERT_EQ(btc.surface_errors.size(), 1u);
  EXPECT_NE(btc.surface_errors[0].find("2026-02-27T08:00:00.000Z"), std::string::npos) << btc.surface_errors[0];
  EXPECT_TRUE(s.underlyings.at("ETH").surface.empty());
}

TEST(ParseMarketJson, MissingValuationTime) {
  const std::string e = error_after([](Json& d) { d.erase("valuation_time"); });
  EXPECT_EQ(e, "m.json: missing field 'valuation_time'");
}

TEST(ParseMarketJson, BadValuationTimeNamesFieldAndValue) {
  const std::string e = error_after([](Json& d) { d["valuation_time"] = "2026-02-30T08:00:00Z"; });
  EXPECT_NE(e.find("m.json: valuation_time: "), std::string::npos) << e;
  EXPECT_NE(e.find("'2026-02-30T08:00:00Z'"), std::string::npos) << e;
}

TEST(ParseMarketJson, NegativeIndexPrice) {
  const std::string e = error_after([](Json& d) { d["underlyings"]["BTC"]["index"]["price"] = -5.0; });
  EXPECT_EQ(e, "m.json: underlyings.BTC.index.price: must be positive, got -5");
}

TEST(ParseMarketJson, OptionWithANonOptionName) {
  const std::string e =
      error_after([](Json& d) { d["underlyings"]["BTC"]["options"][1]["instrument"] = "BTC-PERPETUAL"; });
  EXPECT_EQ(e, "m.json: underlyings.BTC.options[1].instrument: 'BTC-PERPETUAL' is not an option");
  const std::string bad = error_after([](Json& d) { d["underlyings"]["BTC"]["options"][0]["instrument"] = "BTC-32MAR26-1-C"; });
  EXPECT_NE(bad.find("underlyings.BTC.options[0].instrument: instrument 'BTC-32MAR26-1-C'"), std::string::npos) << bad;
}

TEST(ParseMarketJson, DuplicateOption) {
  const std::string e = error_after([](Json& d) {
    auto& opts = d["underlyings"]["BTC"]["options"];
    opts.push_back(opts[0]);
  });
  EXPECT_EQ(e, "m.json: underlyings.BTC.options[3]: duplicate option 'BTC-27MAR26-100000-C'");
}

TEST(ParseMarketJson, OptionFieldChecks) {
  const std::string iv = error_after([](Json& d) { d["underlyings"]["BTC"]["options"][0]["mark_iv"] = 0; });
  EXPECT_EQ(iv, "m.json: underlyings.BTC.options[0].mark_iv: must be positive, got 0");
  const std::string bid = error_after([](Json& d) { d["underlyings"]["BTC"]["options"][2]["bid"] = "0.1"; });
  EXPECT_EQ(bid, "m.json: underlyings.BTC.options[2].bid: expected a number, got \"0.1\"");
  const std::string fut = error_after([](Json& d) { d["underlyings"]["BTC"]["futures"][0]["instrument"] = "BTC-PERPETUAL"; });
  EXPECT_EQ(fut, "m.json: underlyings.BTC.futures[0].instrument: 'BTC-PERPETUAL' is not a dated future");
  const std::string mark = error_after([](Json& d) { d["underlyings"]["BTC"]["perpetuals"][1].erase("mark"); });
  EXPECT_EQ(mark, "m.json: underlyings.BTC.perpetuals[1]: missing field 'mark'");
}

TEST(ParseMarketJson, SviRhoOutOfRange) {
  const std::string e = error_after([](Json& d) { d["underlyings"]["BTC"]["smiles"][0]["svi"]["rho"] = 1.2; });
  EXPECT_EQ(e, "m.json: underlyings.BTC.smiles[0].svi.rho: must be in (-1, 1), got 1.2");
}

TEST(ParseMarketJson, SviNegativeB) {
  const std::string e = error_after([](Json& d) { d["underlyings"]["BTC"]["smiles"][0]["svi"]["b"] = -0.01; });
  EXPECT_EQ(e, "m.json: underlyings.BTC.smiles[0].svi.b: must be >= 0, got -0.01");
}

TEST(ParseMarketJson, SviOtherChecks) {
  const std::string sigma = error_after([](Json& d) { d["underlyings"]["BTC"]["smiles"][0]["svi"]["sigma"] = 0; });
  EXPECT_EQ(sigma, "m.json: underlyings.BTC.smiles[0].svi.sigma: must be > 0, got 0");
  const std::string neg = error_after([](Json& d) { d["underlyings"]["BTC"]["smiles"][0]["svi"]["a"] = -0.5; });
  EXPECT_NE(neg.find("m.json: underlyings.BTC.smiles[0].svi: "), std::string::npos) << neg;
  EXPECT_NE(neg.find("negative total variance"), std::string::npos) << neg;
  const std::string missing = error_after([](Json& d) { d["underlyings"]["BTC"]["smiles"][0]["svi"].erase("m"); });
  EXPECT_EQ(missing, "m.json: underlyings.BTC.smiles[0].svi: missing field 'm'");
}

TEST(ParseMarketJson, ShapeErrors) {
  EXPECT_EQ(error_after([](Json& d) { d["underlyings"] = Json::array(); }),
            "m.json: underlyings: expected an object, got []");
  EXPECT_EQ(error_after([](Json& d) { d["underlyings"]["BTC"]["options"] = 5; }),
            "m.json: underlyings.BTC.options: expected an array, got 5");
  auto r = parse_market_json("{\"valuation_time\": ", "cut.json");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("cut.json:1:"), std::string::npos) << r.error().message;
}

TEST(ToJson, RoundTripPreservesQuotes) {
  const MarketSnapshot a = parse_ok(kDoc);
  const std::string text = to_json(a);
  const MarketSnapshot b = parse_ok(text);
  EXPECT_EQ(b.valuation_ms, a.valuation_ms);
  ASSERT_EQ(b.underlyings.size(), a.underlyings.size());
  for (const auto& [name, ua] : a.underlyings) {
    const auto& ub = b.underlyings.at(name);
    ASSERT_EQ(ub.index.has_value(), ua.index.has_value()) << name;
    if (ua.index) {
      EXPECT_EQ(ub.index->value, ua.index->value);
      EXPECT_EQ(ub.index->source, ua.index->source);
      EXPECT_EQ(ub.index->timestamp_ms, ua.index->timestamp_ms);
    }
    ASSERT_EQ(ub.perpetuals.size(), ua.perpetuals.size());
    for (std::size_t i = 0; i < ua.perpetuals.size(); ++i) {
      EXPECT_EQ(ub.perpetuals[i].instrument, ua.perpetuals[i].instrument);
      EXPECT_EQ(ub.perpetuals[i].mark.value, ua.perpetuals[i].mark.value);
      EXPECT_EQ(ub.perpetuals[i].mark.source, ua.perpetuals[i].mark.source);
      EXPECT_EQ(ub.perpetuals[i].funding_rate_8h, ua.perpetuals[i].funding_rate_8h);
    }
    ASSERT_EQ(ub.futures.size(), ua.futures.size());
    for (std::size_t i = 0; i < ua.futures.size(); ++i) {
      EXPECT_EQ(ub.futures[i].instrument, ua.futures[i].instrument);
      EXPECT_EQ(ub.futures[i].expiry_ms, ua.futures[i].expiry_ms);
      EXPECT_EQ(ub.futures[i].mark.value, ua.futures[i].mark.value);
      EXPECT_EQ(ub.futures[i].mark.source, ua.futures[i].mark.source);
    }
    ASSERT_EQ(ub.options.size(), ua.options.size());
    for (const auto& [oname, oa] : ua.options) {
      const auto* ob = ub.option(oname);
      ASSERT_NE(ob, nullptr) << oname;
      EXPECT_EQ(ob->bid, oa.bid) << oname;
      EXPECT_EQ(ob->ask, oa.ask) << oname;
      EXPECT_EQ(ob->mark_price, oa.mark_price) << oname;
      EXPECT_EQ(ob->mark_iv, oa.mark_iv) << oname;
      EXPECT_EQ(ob->underlying_price, oa.underlying_price) << oname;
      EXPECT_EQ(ob->source, oa.source) << oname;
      EXPECT_EQ(ob->timestamp_ms, oa.timestamp_ms) << oname;
      EXPECT_EQ(ob->inverse, oa.inverse) << oname;
    }
    ASSERT_EQ(ub.smiles.size(), ua.smiles.size());
    for (std::size_t i = 0; i < ua.smiles.size(); ++i) {
      EXPECT_EQ(ub.smiles[i].expiry_ms, ua.smiles[i].expiry_ms);
      EXPECT_EQ(ub.smiles[i].params.a, ua.smiles[i].params.a);
      EXPECT_EQ(ub.smiles[i].params.rho, ua.smiles[i].params.rho);
      EXPECT_EQ(ub.smiles[i].params.sigma, ua.smiles[i].params.sigma);
    }
  }
  // Writing the re-read snapshot gives the same text.
  EXPECT_EQ(to_json(b), text);
}

}  // namespace

namespace {
TEST(ParseMarketJson, InstrumentsMustBelongToTheirUnderlying) {
  const std::string fut = error_after([](Json& d) { d["underlyings"]["BTC"]["futures"][0]["instrument"] = "ETH-27MAR26"; });
  EXPECT_NE(fut.find("underlyings.BTC.futures[0].instrument: 'ETH-27MAR26' is a ETH future, listed under BTC"),
            std::string::npos) << fut;
  const std::string opt =
      error_after([](Json& d) { d["underlyings"]["BTC"]["options"][0]["instrument"] = "ETH-27MAR26-3000-C"; });
  EXPECT_NE(opt.find("underlyings.BTC.options[0].instrument: 'ETH-27MAR26-3000-C' is a ETH option, listed under BTC"),
            std::string::npos) << opt;
  const std::string perp =
      error_after([](Json& d) { d["underlyings"]["BTC"]["perpetuals"][0]["instrument"] = "ETH-PERPETUAL"; });
  EXPECT_NE(perp.find("'ETH-PERPETUAL' is not a BTC perpetual"), std::string::npos) << perp;
}

TEST(ParseMarketJson, OptionNamesAreCanonicalSoSpellingsCollide) {
  // BTC-027MAR26 is not a valid spelling, but a leading-zero strike is; both spellings of one option
  // are the same instrument and must collide as a duplicate.
  const std::string e = error_after([](Json& d) {
    auto& opts = d["underlyings"]["BTC"]["options"];
    Json copy = opts[0];
    copy["instrument"] = "BTC-27MAR26-0100000-C";
    opts.push_back(copy);
  });
  EXPECT_NE(e.find("duplicate option 'BTC-27MAR26-100000-C'"), std::string::npos) << e;
}
}  // namespace
