// Prevention transfers on the two-venue toy (cascade_test.cpp): amounts by hand, the donor, and the
// transfer re-run keeps the account above maintenance while a dollar less does not.
#include <gtest/gtest.h>

#include "contagion/contagion_test_util.hpp"
#include "greekbook/contagion/prevention.hpp"
#include "greekbook/margin/registry.hpp"

using namespace greekbook;
using namespace greekbook::contagion;
using namespace greekbook::contagiontest;

namespace {

CascadeInput toy(const margin::MarginModel& perp, const margin::MarginModel& lending) {
  CascadeInput in;
  in.accounts = {perp_account("a", "venue-a", 50000, 1, 100000, 100000),
                 perp_account("b", "venue-b", 60000, 10, 100000, 100000),
                 perp_account("c", "venue-c", 27375, 5, 100000, 100000),
                 perp_account("d", "venue-c", 100000, 0, 0, 100000),
                 lending_account("l", {{"BTC", 10.0}, {"USDC", -700000.0}}, {{"BTC", 100000.0}, {"USDC", 1.0}})};
  in.models = {&perp, &perp, &perp, &perp, &lending};
  in.liquidity = linear_depth();
  Event exploit;
  exploit.id = "exploit-a";
  exploit.kind = EventKind::VenueFailure;
  exploit.venue = "venue-a";
  exploit.collateral_lost = 1.0;
  Event dev;
  dev.id = "oracle-b";
  dev.kind = EventKind::Oracle;
  dev.venue = "venue-b";
  dev.underlying = "BTC";
  dev.deviation_pct = -3.0;
  dev.duration_min = 10.0;
  in.events.events = {exploit, dev};
  in.events.liquidation.step_fraction = 1.0;
  in.events.liquidation.penalty_rate = 0.01;
  return in;
}

bool fell_below(const CascadeResult& r, const std::string& id) {
  for (const auto& f : r.failures)
    if (f.account_id == id && f.cause == FailureCause::BelowMaintenance) return true;
  return false;
}

}  // namespace

TEST(Prevention, ToyTransfersByHand) {
  const FlatRateModel perp{0.05};
  const margin::LendingModel lending{margin::lending_defaults()};
  const CascadeInput in = toy(perp, lending);
  auto base = run_cascade(in);
  ASSERT_TRUE(base) << base.error().message;
  auto t = prevention_transfers(in, *base);
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->size(), 3u);

  // a failed with its venue: no transfer.
  EXPECT_EQ((*t)[0].account_id, "a");
  EXPECT_FALSE((*t)[0].amount);
  EXPECT_NE((*t)[0].note.find("venue_failure"), std::string::npos);
  EXPECT_EQ((*t)[0].cascades, 0);

  // b at 97,000 needs equity X − 30,000 >= MM 48,500: X = 78,500, i.e. 18,500 USDC more. Not liquidated,
  // it moves no price, so nothing else changes for it.
  const auto& b = (*t)[1];
  EXPECT_EQ(b.account_id, "b");
  EXPECT_EQ(b.currency, "USDC");
  ASSERT_TRUE(b.amount_usd);
  EXPECT_GE(*b.amount_usd, 18500.0);
  EXPECT_LE(*b.amount_usd, 18500.0 + 0.01);
  EXPECT_DOUBLE_EQ(*b.amount, *b.amount_usd);
  // Donors with 18,500 free USDC: d (100,000, sound) before a (50,000 − IM 10,000 = 40,000, fails).
  ASSERT_EQ(b.candidates.size(), 2u);
  EXPECT_EQ(b.candidates[0].account, "d");
  EXPECT_NEAR(b.candidates[0].free_usd, 100000, 1e-9);
  EXPECT_FALSE(b.candidates[0].fails);
  EXPECT_EQ(b.candidates[1].account, "a");
  EXPECT_NEAR(b.candidates[1].free_usd, 40000, 1e-9);
  EXPECT_TRUE(b.candidates[1].fails);
  ASSERT_TRUE(b.donor);
  EXPECT_EQ(*b.donor, "d");
  EXPECT_TRUE(b.verified);
  EXPECT_TRUE(b.donor_survives);
  EXPECT_TRUE(b.note.empty()) << b.note;

  // c sees 99,030 (b's impact): X + 5 x (99,030 − 100,000) >= 0.05 x 5 x 99,030: X = 29,607.50, i.e.
  // 2,232.50 more than its 27,375.
  const auto& c = (*t)[2];
  EXPECT_EQ(c.account_id, "c");
  ASSERT_TRUE(c.amount_usd);
  EXPECT_GE(*c.amount_usd, 2232.5);
  EXPECT_LE(*c.amount_usd, 2232.5 + 0.01);
  ASSERT_TRUE(c.donor);
  EXPECT_EQ(*c.donor, "d");
  EXPECT_GT(c.cascades, 10);

  // Re-run: the transfer from d keeps c above maintenance through the whole cascade; 1 USD less does not.
  auto with = run_cascade(with_transfer(in, 2, 3, "USDC", *c.amount));
  ASSERT_TRUE(with) << with.error().message;
  EXPECT_FALSE(fell_below(*with, "c"));
  EXPECT_FALSE(with->accounts[2].first_failure_round);
  EXPECT_GE(with->accounts[2].min_excess_usd, 0.0);
  EXPECT_LT(with->accounts[2].min_excess_usd, 0.011);
  EXPECT_FALSE(with->accounts[3].first_failure_round);
  EXPECT_NEAR(with->accounts[3].final_state.collateral.at("USDC"), 100000 - *c.amount, 1e-9);
  auto less = run_cascade(with_transfer(in, 2, 3, "USDC", *c.amount - 1.0));
  ASSERT_TRUE(less);
  EXPECT_TRUE(fell_below(*less, "c"));
  // b's transfer re-run: b is never below maintenance, and c (whom b's impact pulled in) survives too.
  auto with_b = run_cascade(with_transfer(in, 1, 3, "USDC", *b.amount));
  ASSERT_TRUE(with_b);
  EXPECT_FALSE(fell_below(*with_b, "b"));
  EXPECT_FALSE(fell_below(*with_b, "c"));
  EXPECT_NEAR(with_b->path.back().prices.at("BTC"), 100000, 1e-9);
}

TEST(Prevention, NoDonorAndTopUpCurrency) {
  const FlatRateModel perp{0.05};
  const margin::LendingModel lending{margin::lending_defaults()};
  CascadeInput in = toy(perp, lending);
  in.accounts.erase(in.accounts.begin() + 3);  // without d, only a (which fails) has free USDC
  in.models.erase(in.models.begin() + 3);
  in.accounts[0].collateral["USDC"] = 12000;  // a: free 12,000 − 10,000 = 2,000 < 2,232.50 (c's) and 18,500 (b's)
  auto base = run_cascade(in);
  ASSERT_TRUE(base) << base.error().message;
  auto t = prevention_transfers(in, *base);
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->size(), 3u);
  EXPECT_FALSE((*t)[2].donor);
  EXPECT_TRUE((*t)[2].candidates.empty());
  EXPECT_NE((*t)[2].note.find("USD of free USDC at the start"), std::string::npos) << (*t)[2].note;
  EXPECT_EQ((*t)[2].note.rfind("no other account has 2232.5", 0), 0u) << (*t)[2].note;

  EXPECT_EQ(top_up_currency(in.accounts[3]), "BTC");  // l: 10 BTC supplied, USDC borrowed
  scenario::AccountState empty;
  EXPECT_EQ(top_up_currency(empty), "USDC");
  auto bad = prevention_transfers(in, *base, {0.0, 1e12});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "prevention: tolerance 0 USD must be > 0 and below the cap 1000000000000 USD");
}

TEST(Prevention, IsolatedPoolIsToppedUpFromTheAccountsOwnBalance) {
  // Hyperliquid (real model, BTC 40x: MM = notional / 80): 60,000 USDC cross, long 1 BTC at 100,000 with
  // 10,000 isolated margin. Its oracle marks BTC 10% low: the isolated pool has equity 0 < MM 1,125.
  // Prevention: 1,125 USDC into that position's isolated margin, from the account's own cross balance.
  auto model = margin::make_model("hyperliquid", nullptr, {"test", ""});
  ASSERT_TRUE(model) << model.error().message;
  auto inst = instruments::parse_instrument("BTC", "hyperliquid");
  ASSERT_TRUE(inst) << inst.error().message;
  CascadeInput in;
  auto a = perp_account("hl", "hyperliquid", 60000, 0, 0, 100000);
  scenario::PositionState p = linear_perp(1.0, 100000, 100000);
  p.instrument = *inst;
  p.isolated_margin = 10000.0;
  a.positions.push_back(p);
  in.accounts = {a, perp_account("other", "venue-o", 50000, 0, 0, 100000)};
  const FlatRateModel flat{0.05};
  in.models = {model->get(), &flat};
  in.liquidity = flat_depth();
  Event dev;
  dev.id = "hl-oracle";
  dev.kind = EventKind::Oracle;
  dev.venue = "hyperliquid";
  dev.underlying = "BTC";
  dev.deviation_pct = -10.0;
  dev.duration_min = 5.0;
  in.events.events = {dev};
  auto base = run_cascade(in);
  ASSERT_TRUE(base) << base.error().message;
  ASSERT_EQ(base->failures.size(), 1u);
  EXPECT_EQ(base->failures[0].pool, "isolated BTC");
  EXPECT_NEAR(base->failures[0].excess_usd, -1125, 1e-6);
  auto t = prevention_transfers(in, *base);
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->size(), 1u);
  const auto& tr = (*t)[0];
  EXPECT_EQ(tr.isolated_instrument, "BTC");
  EXPECT_EQ(tr.currency, "USDC");
  ASSERT_TRUE(tr.amount_usd);
  EXPECT_GE(*tr.amount_usd, 1125.0);
  EXPECT_LE(*tr.amount_usd, 1125.0 + 0.01);
  ASSERT_EQ(tr.candidates.size(), 2u);
  EXPECT_EQ(tr.candidates[0].account, "hl");  // its own cross balance: 60,000 free
  EXPECT_NEAR(tr.candidates[0].free_usd, 60000, 1e-9);
  EXPECT_EQ(tr.candidates[1].account, "other");
  ASSERT_TRUE(tr.donor);
  EXPECT_EQ(*tr.donor, "hl");
  EXPECT_TRUE(tr.verified);
  // Re-run: the cross balance pays the isolated margin; nothing fails.
  auto with = run_cascade(with_transfer(in, 0, 0, "USDC", *tr.amount, "BTC"));
  ASSERT_TRUE(with);
  EXPECT_TRUE(with->failures.empty());
  EXPECT_NEAR(with->accounts[0].final_state.collateral.at("USDC"), 60000 - *tr.amount, 1e-9);
  EXPECT_NEAR(*with->accounts[0].final_state.positions[0].isolated_margin, 10000 + *tr.amount, 1e-9);
}
