// Liquidation prices under the real venue models: published closed forms (Hyperliquid, dYdX) and,
// for every account of the example book, equity = maintenance margin at every crossing.
#include <gtest/gtest.h>

#include <cmath>

#include "greekbook/book/book.hpp"
#include "greekbook/liquidation/liquidation_price.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/market/snapshot_io.hpp"

using namespace greekbook;

namespace {
scenario::PositionState linear_perp(const std::string& name, const std::string& venue, double qty, double price) {
  scenario::PositionState p;
  p.instrument = *instruments::parse_instrument(name, venue);
  p.quantity = qty;
  p.entry = price;
  p.spot = p.forward = p.mark = price;
  return p;
}

liquidation::LiquidationPriceOptions btc() {
  liquidation::LiquidationPriceOptions o;
  o.underlying = "BTC";
  return o;
}

scenario::AccountState account(const std::string& venue, scenario::PositionState p, double isolated) {
  scenario::AccountState a;
  a.id = venue + "-test";
  a.venue = venue;
  a.margin_mode = "isolated";
  p.isolated_margin = isolated;
  a.positions.push_back(p);
  a.usd_rates = {{p.instrument.underlying, p.spot}, {"USDC", 1.0}};
  return a;
}
}  // namespace

TEST(RealModels, HyperliquidPublishedLiquidationPrice) {
  // 1 BTC long at 100,000, max leverage 40 (MM 1.25%), isolated margin 10,000 -> 91,139.24.
  auto model = margin::make_model("hyperliquid", nullptr, {"defaults", ""});
  ASSERT_TRUE(model);
  const auto a = account("hyperliquid", linear_perp("BTC", "hyperliquid", 1.0, 100000), 10000);
  auto lp = liquidation::liquidation_price(a, **model, btc());
  ASSERT_TRUE(lp) << lp.error().message;
  ASSERT_TRUE(lp->below);
  EXPECT_NEAR(lp->below->price_usd, 91139.24, 0.005);
  EXPECT_NEAR(lp->below->price_usd, 90000 / 0.9875, 1e-6 * 91139.24);
}

TEST(RealModels, DydxIsolatedClosedForm) {
  // p' = (e - s p) / (|s| MMF - s), MMF of the model's BTC market (IMF x maintenance fraction).
  auto model = margin::make_model("dydx", nullptr, {"defaults", ""});
  ASSERT_TRUE(model);
  for (double s : {2.0, -2.0}) {
    const double p = 96000, e = 30000;
    const auto a = account("dydx", linear_perp("BTC-USD", "dydx", s, p), e);
    auto now = (*model)->compute(a);
    ASSERT_TRUE(now) << now.error().message;
    const double mmf = now->maintenance_margin / (std::abs(s) * p);
    auto lp = liquidation::liquidation_price(a, **model, btc());
    ASSERT_TRUE(lp) << lp.error().message;
    const auto& c = s > 0 ? lp->below : lp->above;
    ASSERT_TRUE(c) << s;
    // e here is the isolated collateral; equity at p' = e + s (p' - p).
    const double expected = (e - s * p) / (std::abs(s) * mmf - s);
    EXPECT_NEAR(c->price_usd, expected, 1e-8 * expected) << s;
  }
}

TEST(RealModels, EquityEqualsMaintenanceAtEveryCrossingOfTheExampleBook) {
  const std::string dir = GREEKBOOK_SOURCE_DIR;
  auto market = market::load_market(dir + "/examples/market.json");
  ASSERT_TRUE(market);
  auto book = book::load_book(dir + "/examples/book.json", market->valuation_ms);
  ASSERT_TRUE(book);
  const auto states = scenario::build_account_states(*book, *market);
  auto models = margin::ModelSet::build(states, {});
  ASSERT_TRUE(models);
  int crossings = 0;
  for (const auto& s : states) {
    const auto* model = *models->model_for(s);
    auto prices = liquidation::liquidation_prices(s, *model, 1.0 / 365);
    ASSERT_TRUE(prices) << s.id << ": " << prices.error().message;
    for (const auto& lp : *prices) {
      for (const auto* c : {lp.below ? &*lp.below : nullptr, lp.above ? &*lp.above : nullptr}) {
        if (!c || c->jump) continue;
        ++crossings;
        const auto at = scenario::shifted(s, liquidation::move_factors(lp, c->factor));
        auto r = model->compute(at);
        ASSERT_TRUE(r);
        EXPECT_LE(std::abs(c->equity - c->maintenance_margin),
                  1e-8 * std::max(std::abs(c->equity), std::abs(c->maintenance_margin)))
            << s.id << " " << lp.underlying << " at " << c->price_usd;
        EXPECT_LE(std::abs(r->min_excess_usd()), 1e-8 * std::max(std::abs(r->equity), r->maintenance_margin) *
                                                      at.usd_rate(r->currency))
            << s.id << " " << lp.underlying;
      }
    }
  }
  EXPECT_GE(crossings, 10);
}
