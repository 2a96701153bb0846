// Aave-style liquidation of a lending account, checked by hand (close factor 50% / 100%, bonus, bad debt).
#include <gtest/gtest.h>

#include "greekbook/liquidation/lending_liquidation.hpp"

using namespace greekbook;

namespace {
scenario::AccountState lending(double eth, double usdc, double eth_price) {
  scenario::AccountState a;
  a.id = "aave";
  a.venue = "aave";
  a.collateral = {{"ETH", eth}, {"USDC", usdc}};
  a.usd_rates = {{"ETH", eth_price}, {"USDC", 1.0}};
  return a;
}
}  // namespace

TEST(LendingLiquidation, HealthyAccountIsLeftAlone) {
  const auto p = margin::lending_defaults();
  auto hf = liquidation::health_factor(lending(100, -180000, 3310), p);
  ASSERT_TRUE(hf);
  EXPECT_NEAR(*hf, 100 * 3310 * 0.83 / 180000, 1e-12);
  auto r = liquidation::liquidate_lending(lending(100, -180000, 3310), p);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->triggered);
  EXPECT_TRUE(r->calls.empty());
}

TEST(LendingLiquidation, HalfCloseAboveThresholdByHand) {
  // ETH 2,150: HF = 100 x 2150 x 0.83 / 180000 = 0.99139 > 0.95: close factor 50%.
  const auto r = liquidation::liquidate_lending(lending(100, -180000, 2150), margin::lending_defaults());
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->triggered);
  ASSERT_EQ(r->calls.size(), 1u);
  const auto& c = r->calls[0];
  EXPECT_EQ(c.close_factor, 0.5);
  EXPECT_NEAR(c.repaid, 90000, 1e-6);
  EXPECT_NEAR(c.seized_usd, 94500, 1e-6);
  EXPECT_NEAR(c.seized, 94500 / 2150.0, 1e-9);
  EXPECT_NEAR(r->realised_loss_usd, 4500, 1e-6);
  const double eth_left = 100 - 94500 / 2150.0;
  EXPECT_NEAR(r->health_factor_after, eth_left * 2150 * 0.83 / 90000, 1e-12);
  EXPECT_NEAR(r->final_account.collateral.at("USDC"), -90000, 1e-6);
  EXPECT_NEAR(r->final_account.collateral.at("ETH"), eth_left, 1e-9);
  EXPECT_EQ(r->bad_debt_usd, 0.0);
}

TEST(LendingLiquidation, FullCloseBelowThresholdAndBadDebt) {
  // ETH 2,000: HF 0.9222 <= 0.95: the whole debt may be repaid; 189,000 USD of ETH seized.
  auto r = liquidation::liquidate_lending(lending(100, -180000, 2000), margin::lending_defaults());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->calls.size(), 1u);
  EXPECT_EQ(r->calls[0].close_factor, 1.0);
  EXPECT_NEAR(r->calls[0].repaid, 180000, 1e-6);
  EXPECT_NEAR(r->final_account.collateral.at("ETH"), 100 - 189000 / 2000.0, 1e-9);
  EXPECT_NEAR(r->realised_loss_usd, 9000, 1e-6);
  // ETH 1,500: collateral 150,000 < debt: everything is seized for 150000/1.05 of debt; the rest is bad debt.
  r = liquidation::liquidate_lending(lending(100, -180000, 1500), margin::lending_defaults());
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->final_account.collateral.at("ETH"), 0.0, 1e-12);
  EXPECT_NEAR(r->bad_debt_usd, 180000 - 150000 / 1.05, 1e-6);
  EXPECT_NEAR(r->realised_loss_usd, 150000 - 150000 / 1.05, 1e-6);
}

TEST(LendingLiquidation, ErrorsNameAccountAndCurrency) {
  auto a = lending(100, -180000, 2000);
  a.collateral["DOGE"] = 10;
  auto r = liquidation::liquidate_lending(a, margin::lending_defaults());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'aave'"), std::string::npos);
  EXPECT_NE(r.error().message.find("DOGE"), std::string::npos);
}
