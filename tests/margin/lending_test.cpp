// Aave-style lending: health factor and borrowing power by hand, HF = 1 exactly where equity = MM
// (collateral price moved with scenario::shifted), close factor, errors naming the JSON path,
// account and currency, and the shipped parameter file equals the defaults.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "greekbook/margin/lending.hpp"

using namespace greekbook;
using scenario::AccountState;

namespace {
AccountState eth_vs_usdc() {
  AccountState a;
  a.id = "aave-main";
  a.venue = "aave";
  a.collateral = {{"ETH", 10.0}, {"USDC", -15000.0}};
  a.usd_rates = {{"ETH", 3000.0}, {"USDC", 1.0}};
  return a;
}

margin::ModelPtr model(const io::Json* params = nullptr) {
  auto m = margin::make_lending(params, {"test", ""});
  EXPECT_TRUE(m) << (m ? "" : m.error().message);
  return std::move(*m);
}
}  // namespace

TEST(Lending, HealthFactorByHand) {
  // 10 ETH at 3,000 (LTV 80.5%, LT 83%) against 15,000 USDC borrowed.
  const auto r = model()->compute(eth_vs_usdc());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->details["health_factor"].get<double>(), 30000.0 * 0.83 / 15000.0, 1e-12);  // 1.66
  EXPECT_NEAR(r->details["borrowing_power_usd"].get<double>(), 24150.0, 1e-9);
  EXPECT_NEAR(r->details["available_borrows_usd"].get<double>(), 9150.0, 1e-9);
  EXPECT_NEAR(r->equity, 15000.0, 1e-9);
  EXPECT_NEAR(r->maintenance_margin, 30000.0 * 0.17, 1e-9);   // 5,100
  EXPECT_NEAR(r->initial_margin, 30000.0 * 0.195, 1e-9);      // 5,850
  EXPECT_NEAR(r->available, 9150.0, 1e-9);                    // = borrowing power left
  EXPECT_NEAR(r->excess(), 24900.0 - 15000.0, 1e-9);
  EXPECT_FALSE(r->details["liquidatable"].get<bool>());
  EXPECT_DOUBLE_EQ(r->details["supplied"]["ETH"]["liquidation_bonus"].get<double>(), 0.05);
  EXPECT_DOUBLE_EQ(r->details["close_factor"].get<double>(), 0.5);
  ASSERT_EQ(r->positions.size(), 2u);
}

TEST(Lending, HealthFactorIsOneWhereEquityEqualsMaintenance) {
  const AccountState a = eth_vs_usdc();
  const auto m = model();
  const double p_star = 15000.0 / (10.0 * 0.83);  // 1,807.23: collateral x LT = debt
  const auto at = *m->compute(scenario::shifted(a, "ETH", p_star / 3000.0));
  EXPECT_NEAR(at.details["health_factor"].get<double>(), 1.0, 1e-12);
  EXPECT_NEAR(at.excess() / at.maintenance_margin, 0.0, 1e-12);
  EXPECT_NEAR(at.margin_ratio, 1.0, 1e-12);

  const auto below = *m->compute(scenario::shifted(a, "ETH", 0.99 * p_star / 3000.0));
  EXPECT_TRUE(below.details["liquidatable"].get<bool>());
  EXPECT_LT(below.excess(), 0.0);
  EXPECT_DOUBLE_EQ(below.details["close_factor"].get<double>(), 0.5);  // HF 0.99 > 0.95
  const auto deep = *m->compute(scenario::shifted(a, "ETH", 0.9 * p_star / 3000.0));
  EXPECT_NEAR(deep.details["health_factor"].get<double>(), 0.9, 1e-12);
  EXPECT_DOUBLE_EQ(deep.details["close_factor"].get<double>(), 1.0);  // HF <= 0.95
}

TEST(Lending, NoDebtHasNoHealthFactor) {
  AccountState a = eth_vs_usdc();
  a.collateral.erase("USDC");
  const auto r = model()->compute(a);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->details["health_factor"].is_null());
  EXPECT_TRUE(std::isinf(margin::health_factor(24900.0, 0.0)));
  EXPECT_NEAR(r->equity, 30000.0, 1e-9);
  EXPECT_GT(r->excess(), 0.0);
}

TEST(Lending, ErrorsNameAccountCurrencyAndPath) {
  AccountState a = eth_vs_usdc();
  a.collateral["SOL"] = 5.0;
  a.usd_rates["SOL"] = 150.0;
  auto r = model()->compute(a);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("aave-main"), std::string::npos);
  EXPECT_NE(r.error().message.find("SOL"), std::string::npos) << r.error().message;

  a = eth_vs_usdc();
  scenario::PositionState p;
  p.instrument = *instruments::parse_instrument("BTC-USD", "dydx");
  p.quantity = 1;
  a.positions.push_back(p);
  r = model()->compute(a);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("BTC-USD"), std::string::npos) << r.error().message;

  a = eth_vs_usdc();
  a.usd_rates.erase("ETH");
  r = model()->compute(a);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("ETH"), std::string::npos) << r.error().message;

  const auto err = [](const char* text) {
    const io::Json j = io::Json::parse(text);
    auto p = margin::read_lending_params(&j, {"p.json", "aave"});
    EXPECT_FALSE(p) << text;
    return p ? std::string() : p.error().message;
  };
  auto m = err(R"({"assets": {"ETH": {"ltv": -0.1}}})");
  EXPECT_NE(m.find("p.json: aave.assets.ETH.ltv"), std::string::npos) << m;
  EXPECT_NE(m.find("-0.1"), std::string::npos) << m;
  m = err(R"({"assets": {"ETH": {"ltv": 0.9}}})");  // LT 0.83 < LTV 0.9
  EXPECT_NE(m.find("aave.assets.ETH.liquidation_threshold"), std::string::npos) << m;
  m = err(R"({"assets": {"ETH": {"liquidation_threshold": 0.97}}})");  // 0.97 x 1.05 > 1
  EXPECT_NE(m.find("aave.assets.ETH.liquidation_bonus"), std::string::npos) << m;
  m = err(R"({"assets": {"SOL": {"ltv": 0.5}}})");
  EXPECT_NE(m.find("aave.assets.SOL"), std::string::npos) << m;
  m = err(R"({"close_factor": 1.5})");
  EXPECT_NE(m.find("aave.close_factor"), std::string::npos) << m;
}

TEST(Lending, ShippedParameterFileEqualsDefaults) {
  const std::string path = GREEKBOOK_SOURCE_DIR "/params/margin/aave.json";
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto j = io::parse_json(ss.str(), path);
  ASSERT_TRUE(j) << j.error().message;
  const auto p = margin::read_lending_params(&*j, {path, ""});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(*p, margin::lending_defaults());
}
