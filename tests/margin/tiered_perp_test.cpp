// Tiered perp margin (Binance, Bybit, Hyperliquid): Hyperliquid's worked isolated liquidation,
// Bybit's published maintenance deductions, the deduction formula equals the progressive
// tier-by-tier sum and is continuous at bounds (Hyperliquid testnet DOGE ladder), cross and isolated
// pools by hand, errors, and the shipped parameter files equal the compiled-in defaults.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "greekbook/margin/tiered_perp.hpp"

using namespace greekbook;
using margin::NotionalTier;
using scenario::AccountState;
using scenario::PositionState;

namespace {
PositionState perp(const std::string& name, const std::string& venue, double qty, double entry, double mark) {
  PositionState p;
  p.instrument = *instruments::parse_instrument(name, venue);
  p.quantity = qty;
  p.entry = entry;
  p.spot = mark;
  p.forward = mark;
  p.mark = mark;
  p.delta = 1.0;
  return p;
}

AccountState account(const std::string& venue, const std::string& mode) {
  AccountState a;
  a.id = "acct-" + venue;
  a.venue = venue;
  a.margin_mode = mode;
  return a;
}

margin::ModelPtr model(std::string_view venue, const io::Json* params = nullptr) {
  auto m = margin::make_tiered_perp(venue, params, {"test", ""});
  EXPECT_TRUE(m) << (m ? "" : m.error().message);
  return std::move(*m);
}

/// MM as the progressive sum of mm_rate over the slices of notional in each tier.
double progressive_mm(const std::vector<NotionalTier>& t, double notional) {
  double mm = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double upper = i + 1 < t.size() ? t[i + 1].lower : INFINITY;
    if (notional > t[i].lower) mm += (std::min(notional, upper) - t[i].lower) * t[i].mm_rate;
  }
  return mm;
}

io::Json read_json_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = io::parse_json(ss.str(), path);
  EXPECT_TRUE(j) << (j ? "" : j.error().message);
  return j ? *j : io::Json();
}
}  // namespace

TEST(TieredPerp, HyperliquidIsolatedBtcLongWorkedExample) {
  // venues-and-peers 3.2 / 8.9: 1 BTC long at 100,000, max leverage 40, isolated margin 10,000:
  // MM = 100,000 / 80 = 1,250 and the liquidation price is 91,139.24 (equity 1,139.24 = MM).
  AccountState a = account("hyperliquid", "isolated");
  a.positions.push_back(perp("BTC", "hyperliquid", 1.0, 100000.0, 100000.0));
  a.positions[0].isolated_margin = 10000.0;
  const auto m = model("hyperliquid");
  const auto r = m->compute(a);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->maintenance_margin, 1250.0, 1e-9);
  EXPECT_NEAR(r->initial_margin, 2500.0, 1e-9);
  ASSERT_EQ(r->pools.size(), 1u);  // no collateral and no cross position: no cross pool
  EXPECT_EQ(r->pools[0].name, "isolated BTC");
  EXPECT_NEAR(r->pools[0].equity, 10000.0, 1e-9);

  const auto at = [&](double price) { return *m->compute(scenario::shifted(a, "BTC", price / 100000.0)); };
  const auto liq = at(91139.24);
  EXPECT_NEAR(liq.pools[0].equity, 1139.24, 1e-6);
  EXPECT_NEAR(liq.pools[0].excess() / liq.pools[0].maintenance_margin, 0.0, 1e-6);
  EXPECT_LT(at(91100.0).min_excess_usd(), 0.0);  // crosses zero there
  EXPECT_GT(at(91200.0).min_excess_usd(), 0.0);
  EXPECT_GT(at(91100.0).margin_ratio, 1.0);
}

TEST(TieredPerp, BybitPublishedDeductionsReproduced) {
  // Bybit Margin Parameters, BTCUSDT: "Maintenance Margin Deduction" column.
  const double published[] = {0,      1200,   3020,   4300,   5820,   8460,   15460,  20500,  46000,  66000,
                              80000,  160000, 300000, 452000, 502000, 777000, 837000, 967000, 1107000, 1482000};
  const auto p = margin::tiered_perp_defaults("bybit");
  ASSERT_TRUE(p);
  const auto d = margin::maintenance_deductions(p->assets.at("BTC").tiers);
  ASSERT_EQ(d.size(), std::size(published));
  for (std::size_t i = 0; i < d.size(); ++i) EXPECT_NEAR(d[i], published[i], 1e-6) << "tier " << i + 1;
}

TEST(TieredPerp, BinanceDeductionEqualsTierByTierSum) {
  const auto p = margin::tiered_perp_defaults("binance");
  ASSERT_TRUE(p);
  const auto& t = p->assets.at("BTC").tiers;
  const auto d = margin::maintenance_deductions(t);
  // Maintenance amounts by hand: 50,000 x 0.1% = 50; + 250,000 x 0.5% = 1,300; + 1M x 1.5% = 16,300.
  EXPECT_NEAR(d[1], 50.0, 1e-9);
  EXPECT_NEAR(d[2], 1300.0, 1e-9);
  EXPECT_NEAR(d[3], 16300.0, 1e-9);
  for (double n : {1.0, 49999.0, 50000.0, 120000.0, 250000.0, 999999.0, 1e6, 7e6, 10e6, 35e6, 150e6, 250e6, 3e8, 4.5e8}) {
    const double mm = margin::tiered_maintenance_margin(t, n);
    EXPECT_NEAR(mm, progressive_mm(t, n), 1e-9 * std::max(1.0, n)) << n;
  }
  // IM: notional 100,000 sits in the 100x tier -> 1,000; a 20x leverage setting -> 5,000.
  EXPECT_NEAR(margin::tiered_initial_margin(p->assets.at("BTC"), 100000.0), 1000.0, 1e-9);
  margin::AssetTiers lev = p->assets.at("BTC");
  lev.leverage = 20.0;
  EXPECT_NEAR(margin::tiered_initial_margin(lev, 100000.0), 5000.0, 1e-9);
  EXPECT_NEAR(margin::tiered_initial_margin(lev, 15e6), 15e6 / 10.0, 1e-6);  // tier max 10x < setting
}

TEST(TieredPerp, HyperliquidTestnetDogeLadderIsContinuous) {
  // Hyperliquid docs margin-tiers, testnet DOGE: 0-20k 10x, 20-100k 5x, >100k 3x; mm = 1/(2 lev).
  const io::Json params = io::Json::parse(R"({"assets": {"DOGE": {"tiers": [
      {"lower": 0, "max_leverage": 10}, {"lower": 20000, "max_leverage": 5}, {"lower": 100000, "max_leverage": 3}]}}})");
  const auto p = margin::read_tiered_perp_params("hyperliquid", &params, {"test", ""});
  ASSERT_TRUE(p) << p.error().message;
  const auto& t = p->assets.at("DOGE").tiers;
  EXPECT_DOUBLE_EQ(t[2].mm_rate, 1.0 / 6.0);
  const auto d = margin::maintenance_deductions(t);
  EXPECT_NEAR(d[1], 1000.0, 1e-9);                       // 20,000 x (10% - 5%)
  EXPECT_NEAR(d[2], 1000.0 + 100000.0 / 15.0, 1e-9);     // + 100,000 x (1/6 - 10%)
  for (double bound : {20000.0, 100000.0}) {
    const double below = margin::tiered_maintenance_margin(t, std::nextafter(bound, 0.0));
    EXPECT_NEAR(below, margin::tiered_maintenance_margin(t, bound), 1e-9) << bound;
  }
  EXPECT_NEAR(margin::tiered_maintenance_margin(t, 100000.0), 9000.0, 1e-9);
  EXPECT_NEAR(margin::tiered_maintenance_margin(t, 150000.0), 1000 + 8000 + 50000.0 / 6.0, 1e-9);
}

TEST(TieredPerp, CrossAndIsolatedPoolsByHand) {
  AccountState a = account("binance", "cross");
  a.collateral["USDT"] = 100000.0;
  a.positions.push_back(perp("BTCUSDT", "binance", 2.0, 90000.0, 95000.0));   // uPnL +10,000
  a.positions.push_back(perp("ETHUSDT", "binance", -10.0, 3000.0, 3100.0));   // uPnL -1,000
  a.positions[1].isolated_margin = 2000.0;
  const auto r = model("binance")->compute(a);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->pools.size(), 2u);
  const auto& cross = r->pools[0];
  const auto& iso = r->pools[1];
  // Cross: notional 190,000 in the 100x / 0.5% tier: IM 1,900, MM 190,000 x 0.5% - 50 = 900.
  EXPECT_EQ(cross.name, "cross");
  EXPECT_NEAR(cross.equity, 110000.0, 1e-9);
  EXPECT_NEAR(cross.initial_margin, 1900.0, 1e-9);
  EXPECT_NEAR(cross.maintenance_margin, 900.0, 1e-9);
  // Isolated ETHUSDT on the fallback ladder: notional 31,000 in the 10x / 5% tier,
  // deduction 5,000 x 1.5% + 25,000 x 2.5% = 700: MM 1,550 - 700 = 850; equity 2,000 - 1,000.
  EXPECT_EQ(iso.name, "isolated ETHUSDT");
  EXPECT_NEAR(iso.equity, 1000.0, 1e-9);
  EXPECT_NEAR(iso.initial_margin, 3100.0, 1e-9);
  EXPECT_NEAR(iso.maintenance_margin, 850.0, 1e-9);
  EXPECT_NEAR(r->equity, 111000.0, 1e-9);
  EXPECT_NEAR(r->maintenance_margin, 1750.0, 1e-9);
  EXPECT_NEAR(r->margin_ratio, 0.85, 1e-12);  // the isolated pool's ratio dominates
  EXPECT_EQ(r->positions[1].pool, "isolated ETHUSDT");
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_NE(r->notes[0].find("ETH"), std::string::npos);

  // The same positions all cross: one pool, ETH's uPnL offsets the BTC gain.
  a.positions[1].isolated_margin.reset();
  const auto c = model("binance")->compute(a);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->pools.size(), 1u);
  EXPECT_NEAR(c->equity, 109000.0, 1e-9);
  EXPECT_NEAR(c->maintenance_margin, 1750.0, 1e-9);
}

TEST(TieredPerp, IsolatedModeNeedsIsolatedMarginPerPosition) {
  AccountState a = account("bybit", "isolated");
  a.collateral["USDT"] = 5000.0;
  a.positions.push_back(perp("BTCUSDT", "bybit", 0.5, 100000.0, 100000.0));
  a.positions.push_back(perp("BTC/USDT", "bybit", 0.1, 90000.0, 100000.0));  // spot: collateral
  const auto one = model("bybit")->compute(a);
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_EQ(one->pools.size(), 1u);
  EXPECT_EQ(one->pools[0].name, "isolated BTCUSDT");
  EXPECT_NEAR(one->pools[0].equity, 5000.0 + 10000.0, 1e-9);        // collateral + spot held
  EXPECT_NEAR(one->pools[0].maintenance_margin, 50000.0 * 0.005, 1e-9);

  a.positions.push_back(perp("BTCUSDT", "bybit", -0.2, 100000.0, 100000.0));
  const auto two = model("bybit")->compute(a);
  ASSERT_FALSE(two);
  EXPECT_NE(two.error().message.find("acct-bybit"), std::string::npos) << two.error().message;
  EXPECT_NE(two.error().message.find("isolated_margin"), std::string::npos);
}

TEST(TieredPerp, RejectsOptionsInverseAndUnknownUnderlyings) {
  AccountState a = account("binance", "cross");
  a.collateral["USDT"] = 1000.0;
  a.positions.push_back(perp("BTC-PERPETUAL", "deribit", 1000.0, 100000.0, 100000.0));
  auto r = model("binance")->compute(a);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("acct-binance"), std::string::npos);
  EXPECT_NE(r.error().message.find("BTC-PERPETUAL"), std::string::npos);
  EXPECT_NE(r.error().message.find("inverse"), std::string::npos);

  a.positions[0] = perp("BTC-27MAR26-100000-C", "deribit", 1.0, scenario::kNaN, 0.05);
  r = model("binance")->compute(a);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("option"), std::string::npos) << r.error().message;

  a.positions[0] = perp("ETHUSDT", "bybit", 1.0, 3000.0, 3000.0);  // Bybit preset ships BTC only
  r = model("bybit")->compute(a);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("assets.ETH"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("ETHUSDT"), std::string::npos);

  a.margin_mode = "portfolio";
  r = model("binance")->compute(a);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("portfolio"), std::string::npos);
}

TEST(TieredPerp, ParamErrorsNameThePath) {
  const auto err = [](std::string_view venue, const char* text) {
    const io::Json j = io::Json::parse(text);
    auto p = margin::read_tiered_perp_params(venue, &j, {"p.json", "binance"});
    EXPECT_FALSE(p) << text;
    return p ? std::string() : p.error().message;
  };
  auto m = err("binance", R"({"assets": {"BTC": {"tiers": [{"lower": 0, "max_leverage": 20, "mm_rate": 0.01},
                                                          {"lower": 0, "max_leverage": 10, "mm_rate": 0.02}]}}})");
  EXPECT_NE(m.find("p.json: binance.assets.BTC.tiers[1].lower"), std::string::npos) << m;
  m = err("binance", R"({"assets": {"BTC": {"tiers": [{"lower": 0, "max_leverage": 20, "mm_rate": -0.01}]}}})");
  EXPECT_NE(m.find("assets.BTC.tiers[0].mm_rate"), std::string::npos) << m;
  EXPECT_NE(m.find("-0.01"), std::string::npos) << m;
  m = err("binance", R"({"assets": {"BTC": {"tiers": [{"lower": 0, "max_leverage": 100, "mm_rate": 0.02}]}}})");
  EXPECT_NE(m.find("exceeds the IM rate"), std::string::npos) << m;
  m = err("hyperliquid", R"({"assets": {"BTC": {"tiers": [{"lower": 0, "max_leverage": 40, "mm_rate": 0.01}]}}})");
  EXPECT_NE(m.find("assets.BTC.tiers[0].mm_rate"), std::string::npos) << m;
  m = err("binance", R"({"assets": {"BTC": {"leverage": 0.5}}})");
  EXPECT_NE(m.find("assets.BTC.leverage"), std::string::npos) << m;
  m = err("binance", R"({"asset": {}})");
  EXPECT_NE(m.find("unknown parameter"), std::string::npos) << m;
  EXPECT_FALSE(margin::make_tiered_perp("okx", nullptr, {"t", ""}));

  const io::Json lev = io::Json::parse(R"({"assets": {"BTC": {"leverage": 10}}})");
  const auto p = margin::read_tiered_perp_params("binance", &lev, {"t", ""});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->assets.at("BTC").leverage, 10.0);
  EXPECT_EQ(p->assets.at("BTC").tiers, margin::tiered_perp_defaults("binance")->assets.at("BTC").tiers);
}

TEST(TieredPerp, ShippedParameterFilesEqualDefaults) {
  for (const char* venue : {"binance", "bybit", "hyperliquid"}) {
    const std::string path = std::string(GREEKBOOK_SOURCE_DIR "/params/margin/") + venue + ".json";
    const io::Json j = read_json_file(path);
    const auto p = margin::read_tiered_perp_params(venue, &j, {path, ""});
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(*p, *margin::tiered_perp_defaults(venue)) << venue;
  }
}
