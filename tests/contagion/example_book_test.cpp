// The shipped example (examples/contagion/book.json, examples/market.json, events.json, the OKX BTC
// depth profile) with the real venue models: invariants of the cascade and of its prevention transfers.
#include <gtest/gtest.h>

#include <cmath>

#include "greekbook/book/book.hpp"
#include "greekbook/contagion/prevention.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/market/snapshot_io.hpp"

using namespace greekbook;
using namespace greekbook::contagion;

TEST(ExampleBook, CascadeInvariantsAndVerifiedTransfers) {
  const std::string root = GREEKBOOK_SOURCE_DIR;
  auto market = market::load_market(root + "/examples/market.json");
  ASSERT_TRUE(market) << market.error().message;
  auto book = book::load_book(root + "/examples/contagion/book.json", market->valuation_ms);
  ASSERT_TRUE(book) << book.error().message;
  auto events = load_events(root + "/examples/contagion/events.json");
  ASSERT_TRUE(events) << events.error().message;
  auto depth = liquidation::load_liquidity_source(root + "/examples/depth/okx-BTC-USDT.json");
  ASSERT_TRUE(depth) << depth.error().message;
  CascadeInput in;
  in.accounts = scenario::build_account_states(*book, *market);
  auto models = margin::ModelSet::build(in.accounts, {}, "");
  ASSERT_TRUE(models) << models.error().message;
  for (const auto& a : in.accounts) in.models.push_back(*models->model_for(a));
  in.liquidity.by_underlying.emplace("BTC", *depth);
  auto flat = liquidation::DepthProfile::make({{0.0, 1e18}}, {{0.0, 1e18}}, "flat");
  in.liquidity.fallback = *flat;
  in.events = *events;
  auto r = run_cascade(in);
  ASSERT_TRUE(r) << r.error().message;

  // Failures come in round order; the dYdX account fails with its venue, at least three others in
  // the rounds after (the oracle's liquidations push the next ones over).
  ASSERT_GE(r->failures.size(), 4u);
  EXPECT_EQ(r->failures[0].account_id, "dydx-vault");
  EXPECT_EQ(r->failures[0].cause, FailureCause::VenueFailure);
  for (std::size_t k = 1; k < r->failures.size(); ++k) EXPECT_LE(r->failures[k - 1].round, r->failures[k].round);
  int max_round = 0;
  for (const auto& f : r->failures) max_round = std::max(max_round, f.round);
  EXPECT_GE(max_round, 3);
  // Only sells: the BTC price never rises along the path, and each move is the round's impact.
  for (std::size_t k = 1; k < r->path.size(); ++k) {
    const double before = r->path[k - 1].prices.at("BTC"), after = r->path[k].prices.at("BTC");
    EXPECT_LE(after, before);
    const double bps = r->path[k].impact_bps.count("BTC") ? r->path[k].impact_bps.at("BTC") : 0.0;
    EXPECT_NEAR(after, before * (1 + bps * 1e-4), 1e-8 * before);
  }
  // Losses: value start − value end, except the deficit of bankrupt accounts; treasuries lose nothing.
  for (const auto& o : r->accounts) {
    const double end = o.status == AccountStatus::Bankrupt ? std::max(o.value_end_usd, 0.0) : o.value_end_usd;
    EXPECT_NEAR(o.loss_usd, o.value_start_usd - end, 1e-6) << o.id;
    if (o.id.rfind("treasury", 0) == 0) {
      EXPECT_EQ(o.status, AccountStatus::Sound);
      EXPECT_NEAR(o.loss_usd, 0.0, 1e-9);
    }
  }
  // Every prevention transfer found is verified by its re-run, and the account then never fails.
  auto t = prevention_transfers(in, *r);
  ASSERT_TRUE(t) << t.error().message;
  int found = 0;
  for (const auto& tr : *t) {
    if (!tr.amount) continue;
    ++found;
    EXPECT_TRUE(tr.verified) << tr.account_id;
    EXPECT_TRUE(tr.donor) << tr.account_id;
    std::size_t j = 0;
    while (in.accounts[j].id != *tr.donor) ++j;
    auto again = run_cascade(with_transfer(in, tr.account, j, tr.currency, *tr.amount, tr.isolated_instrument));
    ASSERT_TRUE(again);
    for (const auto& f : again->failures) EXPECT_NE(f.account_id, tr.account_id);
    // ... while 1% less lets it fail.
    auto less = run_cascade(with_transfer(in, tr.account, j, tr.currency, 0.99 * *tr.amount, tr.isolated_instrument));
    ASSERT_TRUE(less);
    bool failed = false;
    for (const auto& f : less->failures) failed = failed || f.account_id == tr.account_id;
    EXPECT_TRUE(failed) << tr.account_id;
  }
  EXPECT_GE(found, 3);
}
