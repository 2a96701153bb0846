// Deribit standard margin (deribit-sm): the venue's published worked examples (linear perp IM/MM,
// short inverse call/put), net sizing of futures, equity and pools in S:SM and X:SM, haircuts, bad
// parameters, and the shipped parameter file.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "greekbook/margin/deribit_standard.hpp"

using namespace greekbook;
using margin::DeribitSmParams;
using scenario::AccountState;
using scenario::PositionState;

namespace {
PositionState linear_or_inverse(const char* name, double quantity, double mark, double spot) {
  PositionState p;
  p.instrument = *instruments::parse_instrument(name, "deribit");
  p.quantity = quantity;
  p.mark = p.forward = mark;
  p.spot = spot;
  p.delta = 1.0;
  return p;
}

PositionState option(const char* name, double quantity, double spot, double mark) {
  PositionState p;
  p.instrument = *instruments::parse_instrument(name, "deribit");
  p.quantity = quantity;
  p.spot = p.forward = spot;
  p.mark = mark;
  p.vol = 0.6;
  p.expiry_years = 0.1;
  return p;
}

AccountState account(std::string mode, std::vector<PositionState> positions, std::map<std::string, double> collateral,
                     std::map<std::string, double> rates) {
  AccountState a;
  a.id = "acct-1";
  a.venue = "deribit";
  a.margin_mode = std::move(mode);
  a.positions = std::move(positions);
  a.collateral = std::move(collateral);
  a.usd_rates = std::move(rates);
  return a;
}

margin::MarginResult compute(const AccountState& a, const io::Json* params = nullptr) {
  auto model = margin::make_deribit_sm(params, {"test", ""});
  EXPECT_TRUE(model.has_value()) << (model ? "" : model.error().message);
  auto r = (*model)->compute(a);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return *r;
}

std::string error_of(const io::Json& params) {
  auto model = margin::make_deribit_sm(&params, {"p.json", "deribit-sm"});
  return model ? std::string() : model.error().message;
}
}  // namespace

TEST(DeribitSm, LinearPerpPublishedExamples) {
  // venues-and-peers 1.2 / 8.1: 25 BTC -> IM 2.125% = 53,125 USDC at 100k, MM 1.125%; 350 BTC -> 3.75%.
  const auto r25 = compute(account("segregated", {linear_or_inverse("BTC_USDC-PERPETUAL", 25, 100000, 100000)}, {},
                                   {{"BTC", 100000}}));
  ASSERT_EQ(r25.pools.size(), 1u);
  EXPECT_EQ(r25.currency, "USDC");
  EXPECT_NEAR(r25.initial_margin, 53125.0, 1e-8);
  EXPECT_NEAR(r25.maintenance_margin, 28125.0, 1e-8);  // 0.28125 BTC
  EXPECT_NEAR(r25.positions.at(0).initial, 53125.0, 1e-8);

  const auto r350 = compute(account("segregated", {linear_or_inverse("BTC_USDC-PERPETUAL", -350, 100000, 100000)}, {},
                                    {{"BTC", 100000}}));
  EXPECT_NEAR(r350.initial_margin / 100000, 13.125, 1e-12);

  // SOL: 4% + 0.0005% x 6,000 = 7% -> 420 SOL.
  const auto sol = compute(account("segregated", {linear_or_inverse("SOL_USDC-PERPETUAL", 6000, 150, 150)}, {},
                                   {{"SOL", 150}}));
  EXPECT_NEAR(sol.initial_margin / 150, 420.0, 1e-9);
  EXPECT_NEAR(sol.maintenance_margin / 150, 6000 * (0.02 + 0.000005 * 6000), 1e-9);
}

TEST(DeribitSm, InversePerpInCoin) {
  // 2,500,000 USD of BTC-PERPETUAL at mark 100,000 = 25 BTC: IM 0.53125 BTC, MM 0.28125 BTC.
  const auto r = compute(account("segregated", {linear_or_inverse("BTC-PERPETUAL", 2'500'000, 100000, 99950)},
                                 {{"BTC", 2.0}}, {{"BTC", 99950}}));
  EXPECT_EQ(r.currency, "BTC");
  EXPECT_NEAR(r.initial_margin, 0.53125, 1e-12);
  EXPECT_NEAR(r.maintenance_margin, 0.28125, 1e-12);
  EXPECT_NEAR(r.equity, 2.0, 1e-15);  // no entry price: PnL already settled into the balance
  EXPECT_NEAR(r.available, 2.0 - 0.53125, 1e-12);
  EXPECT_NEAR(r.margin_ratio, 0.28125 / 2.0, 1e-12);
}

TEST(DeribitSm, FuturesSizedByNetPositionPerCurrency) {
  // A 25 BTC calendar spread nets to 0: each leg at the 2% base rate on its own notional.
  auto spread = account("segregated",
                        {linear_or_inverse("BTC-PERPETUAL", 2'500'000, 100000, 100000),
                         linear_or_inverse("BTC-27MAR26", -2'500'000, 100000, 100000)},
                        {}, {{"BTC", 100000}});
  EXPECT_NEAR(compute(spread).initial_margin, 2 * 25 * 0.02, 1e-12);
  // Two longs add up: 50 BTC at 2.25%.
  spread.positions[1].quantity = 2'500'000;
  EXPECT_NEAR(compute(spread).initial_margin, 50 * (0.02 + 0.00005 * 50), 1e-12);
  // Linear products of the same underlying net separately (other settlement currency).
  spread.positions.push_back(linear_or_inverse("BTC_USDC-PERPETUAL", -50, 100000, 100000));
  const auto r = compute(spread);
  EXPECT_NEAR(r.positions.at(2).initial, 50 * 100000 * (0.02 + 0.00005 * 50), 1e-6);
  EXPECT_EQ(r.pools.size(), 2u);
}

TEST(DeribitSm, ShortOptionPublishedExamples) {
  // venues-and-peers 1.3 / 8.2: index 60,000; 70,000 call mark 0.01 -> IM 0.11, MM 0.085;
  // 55,000 put mark 0.008 -> IM 0.108, MM 0.083 (BTC per contract).
  const margin::DeribitSmOptionRates k;
  const auto call = margin::deribit_sm_short_option(k, pricing::OptionType::Call, 70000, 60000, 0.01);
  EXPECT_NEAR(call.initial, 0.11, 1e-15);
  EXPECT_NEAR(call.maintenance, 0.085, 1e-15);
  const auto put = margin::deribit_sm_short_option(k, pricing::OptionType::Put, 55000, 60000, 0.008);
  EXPECT_NEAR(put.initial, 0.108, 1e-15);
  EXPECT_NEAR(put.maintenance, 0.083, 1e-15);
  // In the money: no OTM relief, 0.15 + mark.
  EXPECT_NEAR(margin::deribit_sm_short_option(k, pricing::OptionType::Call, 50000, 60000, 0.2).initial, 0.35, 1e-15);
  // Near the money: 0.15 - 2,000/60,000 = 0.11667 above the 0.1 floor.
  EXPECT_NEAR(margin::deribit_sm_short_option(k, pricing::OptionType::Put, 58000, 60000, 0.03).initial,
              0.15 - 2000.0 / 60000 + 0.03, 1e-15);

  // Through compute(): -3 calls and -2 puts, longs free.
  const auto r = compute(account("segregated",
                                 {option("BTC-27MAR26-70000-C", -3, 60000, 0.01), option("BTC-27MAR26-55000-P", -2, 60000, 0.008),
                                  option("BTC-27MAR26-60000-C", 5, 60000, 0.05)},
                                 {{"BTC", 1.0}}, {{"BTC", 60000}}));
  EXPECT_NEAR(r.positions.at(0).initial, 0.33, 1e-14);
  EXPECT_NEAR(r.positions.at(0).maintenance, 0.255, 1e-14);
  EXPECT_NEAR(r.positions.at(1).initial, 0.216, 1e-14);
  EXPECT_NEAR(r.positions.at(1).maintenance, 0.166, 1e-14);
  EXPECT_EQ(r.positions.at(2).initial, 0.0);
  EXPECT_NEAR(r.initial_margin, 0.546, 1e-14);
  // Equity: 1 BTC + marks (-0.03 - 0.016 + 0.25).
  EXPECT_NEAR(r.equity, 1.0 - 0.03 - 0.016 + 0.25, 1e-14);
}

TEST(DeribitSm, PutInitialNeverBelowMaintenance) {
  // With a 5% floor the put's IM formula (0.058) falls below its MM (0.083): IM = MM.
  const io::Json params = {{"options", {{"im_otm_base", 0.05}, {"im_floor", 0.05}}}};
  const auto r = compute(account("segregated", {option("BTC-27MAR26-55000-P", -1, 60000, 0.008)}, {}, {{"BTC", 60000}}),
                         &params);
  EXPECT_NEAR(r.initial_margin, 0.083, 1e-15);
  EXPECT_NEAR(r.maintenance_margin, 0.083, 1e-15);
}

TEST(DeribitSm, LinearUsdcOptionTimesIndex) {
  // BTC_USDC option: mark 600 USDC = 0.01 BTC at 60,000: IM = 0.11 x 60,000 = 6,600 USDC per coin.
  const auto r = compute(account("segregated", {option("BTC_USDC-27MAR26-70000-C", -2, 60000, 600)}, {{"USDC", 50000}},
                                 {{"BTC", 60000}}));
  EXPECT_EQ(r.currency, "USDC");
  EXPECT_NEAR(r.initial_margin, 13200, 1e-9);
  EXPECT_NEAR(r.maintenance_margin, 2 * 0.085 * 60000, 1e-9);
  EXPECT_NEAR(r.equity, 50000 - 1200, 1e-9);
}

TEST(DeribitSm, SegregatedPoolsAndUsdTotals) {
  const auto r = compute(account("segregated",
                                 {linear_or_inverse("BTC-PERPETUAL", 1'000'000, 100000, 100000),
                                  linear_or_inverse("ETH_USDC-PERPETUAL", -10, 3000, 3000)},
                                 {{"BTC", 1.0}, {"USDC", 5000}}, {{"BTC", 100000}, {"ETH", 3000}}));
  ASSERT_EQ(r.pools.size(), 2u);
  EXPECT_EQ(r.currency, "USD");
  const auto& btc = r.pools[0];
  const auto& usdc = r.pools[1];
  EXPECT_EQ(btc.currency, "BTC");
  EXPECT_EQ(usdc.currency, "USDC");
  EXPECT_NEAR(btc.initial_margin, 10 * (0.02 + 0.00005 * 10), 1e-12);
  // ETH has no entry: the default (BTC) table, 10 ETH.
  EXPECT_NEAR(usdc.initial_margin, 30000 * (0.02 + 0.00005 * 10), 1e-9);
  EXPECT_NEAR(r.initial_margin, btc.initial_margin * 100000 + usdc.initial_margin, 1e-6);
  EXPECT_NEAR(r.equity, 100000 + 5000, 1e-9);
}

TEST(DeribitSm, CrossCollateralHaircutsAndIndexConversion) {
  const io::Json params = {{"haircut", {{"BTC", 0.1}}}};
  auto a = account("cross",
                   {linear_or_inverse("BTC-PERPETUAL", 1'000'000, 100000, 99000),
                    linear_or_inverse("ETH_USDC-PERPETUAL", -10, 3000, 3000)},
                   {{"BTC", 1.0}, {"USDC", -2000}}, {{"BTC", 99000}, {"ETH", 3000}});
  const auto r = compute(a, &params);
  ASSERT_EQ(r.pools.size(), 1u);
  EXPECT_EQ(r.currency, "USD");
  // Positive BTC equity haircut 10%; the USDC borrowing counts in full.
  EXPECT_NEAR(r.equity, 1.0 * 99000 * 0.9 - 2000, 1e-9);
  // BTC margin (coin) converted at the index 99,000.
  EXPECT_NEAR(r.initial_margin, 10 * 0.0205 * 99000 + 30000 * 0.0205, 1e-6);
  EXPECT_NEAR(r.maintenance_margin, 10 * 0.0105 * 99000 + 30000 * 0.0105, 1e-6);
  EXPECT_TRUE(r.notes.empty());
  a.margin_mode = "portfolio";
  const auto p = compute(a, &params);
  EXPECT_NEAR(p.initial_margin, r.initial_margin, 1e-9);
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("X:SM"), std::string::npos);
}

TEST(DeribitSm, SpotHasNoMarginAndCountsInEquity) {
  PositionState spot = linear_or_inverse("BTC_USDC", 0.5, 100000, 100000);
  const auto r = compute(account("segregated", {spot}, {{"USDC", 1000}}, {{"BTC", 100000}}));
  EXPECT_EQ(r.initial_margin, 0.0);
  EXPECT_NEAR(r.equity, 51000, 1e-9);
}

TEST(DeribitSm, BadInputsNameAccountInstrumentAndCurrency) {
  auto model = margin::make_deribit_sm(nullptr, {"test", ""});
  ASSERT_TRUE(model);
  PositionState bad = linear_or_inverse("BTC-PERPETUAL", 1000, scenario::kNaN, 100000);
  auto r = (*model)->compute(account("segregated", {bad}, {}, {{"BTC", 100000}}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("acct-1"), std::string::npos);
  EXPECT_NE(r.error().message.find("BTC-PERPETUAL"), std::string::npos);
  EXPECT_NE(r.error().message.find("mark"), std::string::npos);
  // Cross collateral in a currency without a USD rate.
  r = (*model)->compute(account("cross", {}, {{"XYZ", 5}}, {}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("XYZ"), std::string::npos);
  EXPECT_NE(r.error().message.find("acct-1"), std::string::npos);
}

TEST(DeribitSm, BadParametersNamePathAndValue) {
  std::string e = error_of({{"haircut", {{"BTC", -0.1}}}});
  EXPECT_NE(e.find("deribit-sm.haircut.BTC"), std::string::npos) << e;
  EXPECT_NE(e.find("-0.1"), std::string::npos) << e;
  e = error_of({{"haircut", {{"USDC", 1.0}}}});
  EXPECT_NE(e.find("haircut.USDC"), std::string::npos) << e;
  e = error_of({{"futures", {{"BTC", {{"im_bse", 0.02}}}}}});
  EXPECT_NE(e.find("futures.BTC.im_bse"), std::string::npos) << e;
  e = error_of({{"futures", {{"default", {{"mm_base", 0.05}}}}}});
  EXPECT_NE(e.find("futures.default.mm_base"), std::string::npos) << e;
  e = error_of({{"options", {{"im_floor", "x"}}}});
  EXPECT_NE(e.find("options.im_floor"), std::string::npos) << e;
  e = error_of({{"option", {}}});
  EXPECT_NE(e.find("deribit-sm.option"), std::string::npos) << e;
  EXPECT_EQ(error_of(io::Json::object()), "");
}

TEST(DeribitSm, OverridesStartFromDefaults) {
  const io::Json params = {{"futures", {{"ETH", {{"im_slope", 0.000002}, {"mm_slope", 0.000002}}}}}};
  auto p = margin::read_deribit_sm_params(&params, {"test", ""});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->futures_for("ETH").im_base, 0.02);
  EXPECT_EQ(p->futures_for("ETH").im_slope, 0.000002);
  EXPECT_EQ(p->futures_for("DOGE"), p->futures.at("default"));
  EXPECT_EQ(p->haircut_for("SOL"), 0.0);
}

TEST(DeribitSm, ShippedParametersEqualDefaults) {
  std::ifstream in(GREEKBOOK_SOURCE_DIR "/params/margin/deribit-sm.json");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = io::parse_json(ss.str(), "deribit-sm.json");
  ASSERT_TRUE(doc) << doc.error().message;
  auto p = margin::read_deribit_sm_params(&*doc, {"deribit-sm.json", ""});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(*p == DeribitSmParams{});
  EXPECT_EQ(p->futures.at("SOL").im_base, 0.04);
}
