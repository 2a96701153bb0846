// Property tests of the portfolio valuation: parity-neutral books, scaling, aggregation = sum,
// forward bumps against delta/gamma, inverse-futures PnL, unvaluable positions.
#include <cmath>

#include <gtest/gtest.h>

#include "greekbook/core/time.hpp"
#include "greekbook/pricing/black76.hpp"
#include "greekbook/valuation/valuation.hpp"

namespace greekbook::valuation {
std::string fmt_name(const char* prefix, double k, pricing::OptionType right);
namespace {
constexpr std::int64_t kNow = 1768464000000;       // 2026-01-15T08:00:00Z
constexpr std::int64_t kMar27 = 1774598400000;     // 2026-03-27T08:00:00Z
constexpr double kF = 97720.0, kIndex = 96500.0;

market::MarketSnapshot make_market(double forward = kF, double iv = 0.55, double index = kIndex) {
  market::MarketSnapshot m;
  m.valuation_ms = kNow;
  auto& u = m.underlyings["BTC"];
  u.name = "BTC";
  u.index = market::PricePoint{index, "test", kNow};
  u.perpetuals.push_back({"BTC-PERPETUAL", {index + 40, "test", kNow}, 0.0001, ""});
  u.perpetuals.push_back({"BTCUSDT", {index + 50, "test", kNow}, 0.0001, ""});
  u.futures.push_back({"BTC-27MAR26", kMar27, {forward, "test", kNow}});
  for (double k : {80000.0, 90000.0, 100000.0, 110000.0}) {
    for (auto right : {pricing::OptionType::Call, pricing::OptionType::Put}) {
      for (const char* prefix : {"BTC-27MAR26-", "BTC_USDC-27MAR26-"}) {
        market::OptionQuote q;
        q.instrument = fmt_name(prefix, k, right);
        q.expiry_ms = kMar27;
        q.strike = k;
        q.right = right;
        q.inverse = std::string(prefix) == "BTC-27MAR26-";
        q.mark_iv = iv + 0.1 * std::log(k / forward) * std::log(k / forward);  // a smile
        q.underlying_price = forward;
        u.options[q.instrument] = q;
      }
    }
  }
  market::finalise(m);
  return m;
}

book::Position pos(const std::string& name, double qty, std::optional<double> avg = {}) {
  auto inst = instruments::parse_instrument(name, "");
  EXPECT_TRUE(inst.has_value()) << name;
  return {*inst, qty, avg, name, std::nullopt};
}

book::Book one_account(std::vector<book::Position> ps, std::map<std::string, double> collateral = {}) {
  book::Book b;
  b.accounts.push_back({"acc", "deribit", "cross", std::move(collateral), std::move(ps), ""});
  return b;
}

const Aggregate& btc(const Report& r) {
  for (const auto& [k, a] : r.by_underlying)
    if (k == "BTC") return a;
  ADD_FAILURE() << "no BTC totals";
  static Aggregate none;
  return none;
}
}  // namespace

std::string fmt_name(const char* prefix, double k, pricing::OptionType right) {
  return std::string(prefix) + std::to_string(static_cast<long>(k)) + (right == pricing::OptionType::Call ? "-C" : "-P");
}

TEST(Valuation, ParityBookHasZeroDelta) {
  // Long call, short put of one strike = long forward; a short inverse future of USD notional F
  // (delta = -F/F = -1 coin) cancels it: Black delta N(d1) - (N(d1) - 1) - 1 = 0.
  const auto m = make_market();
  const auto b = one_account({pos("BTC-27MAR26-100000-C", 1), pos("BTC-27MAR26-100000-P", -1), pos("BTC-27MAR26", -kF)});
  const auto rep = Valuation::prepare(b, m).run();
  EXPECT_NEAR(btc(rep).delta, 0.0, 1e-12);
  EXPECT_NEAR(btc(rep).gamma, 0.0, 1e-18);
  EXPECT_NEAR(btc(rep).vega, 0.0, 1e-9);
  // Premium-adjusted: the coin value of call - put (= (F - K)/F coin) makes delta_total non-zero:
  // delta_total = -(C - P)/F = -(F - K)/F.
  EXPECT_NEAR(btc(rep).delta_total, -(kF - 100000.0) / kF, 1e-12);
}

TEST(Valuation, ScalingQuantitiesScalesGreeks) {
  const auto m = make_market();
  const auto b1 = one_account({pos("BTC-27MAR26-90000-P", 2), pos("BTC-27MAR26-110000-C", -3), pos("BTC-PERPETUAL", 50000)});
  auto b3 = b1;
  for (auto& p : b3.accounts[0].positions) p.quantity *= 3;
  const auto r1 = Valuation::prepare(b1, m).run(), r3 = Valuation::prepare(b3, m).run();
  for (auto field : {&Aggregate::delta, &Aggregate::delta_total, &Aggregate::gamma, &Aggregate::vega, &Aggregate::theta,
                     &Aggregate::value_usd})
    EXPECT_NEAR(btc(r3).*field, 3 * (btc(r1).*field), 1e-9 * std::abs(btc(r3).*field) + 1e-12);
}

TEST(Valuation, AggregateEqualsSumOfRows) {
  const auto m = make_market();
  const auto b = one_account({pos("BTC-27MAR26-80000-P", 4, 0.01), pos("BTC-27MAR26-100000-C", -2, 0.05),
                              pos("BTC_USDC-27MAR26-90000-C", 1.5, 9000), pos("BTC-PERPETUAL", -30000, 95000),
                              pos("BTCUSDT", 0.7, 96000)},
                             {{"BTC", 3.0}, {"USDC", 1000.0}});
  const auto rep = Valuation::prepare(b, m).run();
  Aggregate sum;
  for (std::size_t r = 0; r < rep.values.size(); ++r) {
    const auto& x = rep.values[r];
    sum.delta += x.delta;
    sum.delta_total += x.delta_total;
    sum.gamma += x.gamma;
    sum.vega += x.vega;
    sum.theta += x.theta;
    if (!std::isnan(x.value_usd)) sum.value_usd += x.value_usd;
    if (!std::isnan(x.pnl_usd)) sum.pnl_usd += x.pnl_usd;
  }
  EXPECT_NEAR(rep.portfolio.value_usd, sum.value_usd, 1e-6);
  EXPECT_NEAR(rep.portfolio.pnl_usd, sum.pnl_usd, 1e-6);
  EXPECT_NEAR(btc(rep).delta, sum.delta, 1e-12);  // every row here is BTC (USDC collateral has no delta)
  EXPECT_NEAR(btc(rep).delta_total, sum.delta_total, 1e-12);
  EXPECT_NEAR(btc(rep).delta_usd, sum.delta * kIndex, 1e-6);  // dollar delta at the index, all rows
  EXPECT_NEAR(btc(rep).gamma, sum.gamma, 1e-15);
  EXPECT_NEAR(btc(rep).vega, sum.vega, 1e-9);
  EXPECT_NEAR(btc(rep).theta, sum.theta, 1e-9);
  double by_account = 0, by_venue = 0, by_expiry = 0;
  for (const auto& [k, a] : rep.by_account) by_account += a.value_usd;
  for (const auto& [k, a] : rep.by_venue) by_venue += a.value_usd;
  for (const auto& [k, a] : rep.by_expiry) by_expiry += a.value_usd;
  EXPECT_NEAR(by_account, sum.value_usd, 1e-6);
  EXPECT_NEAR(by_venue, sum.value_usd, 1e-6);
  EXPECT_NEAR(by_expiry + 1000.0, sum.value_usd, 1e-6);  // USDC collateral has no expiry bucket
  // Coin collateral: in delta (its USD exposure), not in delta_total (Deribit's convention).
  EXPECT_EQ(rep.values.back().delta, 0.0);  // USDC
}

TEST(Valuation, ForwardBumpMatchesDeltaAndGamma) {
  // Linear (USDC) option: value = q P(F); bumping F by +-h moves it by delta h + gamma h^2 / 2.
  const auto b = one_account({pos("BTC_USDC-27MAR26-100000-C", 2), pos("BTC_USDC-27MAR26-90000-P", -3)});
  const auto base = Valuation::prepare(b, make_market()).run();
  for (double h : {-500.0, -100.0, 100.0, 500.0}) {
    const auto bumped = Valuation::prepare(b, make_market(kF + h)).run();
    // The smile moves with F (vol is quoted per strike at the option's own mark IV, which is held),
    // so use the quoted IV fixed: the test market recomputes IV from log(K/F); compare against
    // the delta-gamma expansion plus the vega of that IV change.
    double expected = 0, actual = 0;
    for (std::size_t r = 0; r < base.values.size(); ++r) {
      const auto& x0 = base.values[r];
      const auto& x1 = bumped.values[r];
      actual += x1.value_usd - x0.value_usd;
      expected += x0.delta * h + 0.5 * x0.gamma * h * h + x0.vega * 100.0 * (x1.vol - x0.vol) +
                  x0.vanna_usd * h * (x1.vol - x0.vol);
    }
    EXPECT_NEAR(actual, expected, 2e-3 * std::abs(actual) + 0.05) << "h = " << h;
  }
}

TEST(Valuation, InverseOptionDeltaTotalIsScaledCoinDerivative) {
  // delta_total = F d(value_coin)/dF for an inverse option (held IV fixed by flat smile).
  const auto b = one_account({pos("BTC-27MAR26-100000-C", 1)});
  const double h = 1.0;
  const auto up = Valuation::prepare(b, make_market(kF + h, 0.55)).run();
  const auto dn = Valuation::prepare(b, make_market(kF - h, 0.55)).run();
  const auto mid = Valuation::prepare(b, make_market(kF, 0.55)).run();
  const double dvdf = (up.values[0].value - dn.values[0].value) / (2 * h);
  const double dvol_df = (up.values[0].vol - dn.values[0].vol) / (2 * h);
  // remove the smile's own move: vega (per 1.00, coin) * dvol/dF
  const double vega_coin = mid.values[0].vega * 100.0 / kF;
  EXPECT_NEAR(kF * (dvdf - vega_coin * dvol_df), mid.values[0].delta_total, 1e-6);
}

TEST(Valuation, InverseFuturePnlIsNotionalTimesReciprocalDifference) {
  // Deribit: long 10,000 USD of BTC-PERPETUAL at 95,000, mark 96,540: PnL = 10000 (1/95000 - 1/96540) BTC.
  const auto m = make_market();
  const auto rep = Valuation::prepare(one_account({pos("BTC-PERPETUAL", 10000, 95000)}), m).run();
  const double coin = 10000 * (1 / 95000.0 - 1 / 96540.0);
  EXPECT_NEAR(rep.values[0].value, coin, 1e-15);
  EXPECT_NEAR(rep.values[0].pnl_usd, coin * kIndex, 1e-9);
  EXPECT_NEAR(rep.values[0].delta, 10000 / 96540.0, 1e-15);
  EXPECT_EQ(rep.values[0].gamma, 0.0);
}

TEST(Valuation, LinearPerpAndSpotUseQuantityInCoin) {
  const auto m = make_market();
  const auto rep = Valuation::prepare(one_account({pos("BTCUSDT", -2, 97000), pos("BTC/USDT", 1.5, 91000)}), m).run();
  EXPECT_DOUBLE_EQ(rep.values[0].pnl_usd, -2 * (kIndex + 50 - 97000));
  EXPECT_DOUBLE_EQ(rep.values[0].delta, -2);
  EXPECT_DOUBLE_EQ(rep.values[1].value_usd, 1.5 * kIndex);
  EXPECT_DOUBLE_EQ(rep.values[1].pnl_usd, 1.5 * (kIndex - 91000));
}

TEST(Valuation, UnvaluablePositionIsReportedAndTheRestIsValued) {
  auto m = make_market();
  m.underlyings["BTC"].surface = {};  // no surface: an unquoted option cannot be valued
  const auto b = one_account({pos("BTC-27MAR26-95000-C", 1), pos("BTC-27MAR26-100000-C", 1), pos("ETH-PERPETUAL", 100)});
  const auto v = Valuation::prepare(b, m);
  const auto rep = v.run();
  EXPECT_NE(v.rows()[0].error.find("no quote for BTC-27MAR26-95000-C and no BTC volatility surface"), std::string::npos)
      << v.rows()[0].error;
  EXPECT_TRUE(v.rows()[1].error.empty());
  EXPECT_NE(v.rows()[2].error.find("no market data for underlying ETH"), std::string::npos);
  EXPECT_TRUE(std::isnan(rep.values[0].value_usd));  // missing, never 0
  EXPECT_EQ(btc(rep).errors, 1);
  EXPECT_NEAR(btc(rep).delta, rep.values[1].delta, 1e-15);
  EXPECT_EQ(rep.portfolio.errors, 2);
}

TEST(Valuation, QuotedOptionUsesItsOwnMarkIvAndForward) {
  const auto m = make_market();
  const auto rep = Valuation::prepare(one_account({pos("BTC-27MAR26-110000-C", 1)}), m).run();
  const double iv = 0.55 + 0.1 * std::pow(std::log(110000 / kF), 2);
  const double T = core::years_between(kNow, kMar27);
  const double usd = pricing::black76_price({pricing::OptionType::Call, kF, 110000, T, iv, 0});
  EXPECT_DOUBLE_EQ(rep.values[0].vol, iv);
  EXPECT_NEAR(rep.values[0].mark, usd / kF, 1e-15);
  EXPECT_NEAR(rep.values[0].value_usd, usd / kF * kIndex, 1e-9);
}

TEST(Valuation, RepeatedRunsReuseBuffersAndAgree) {
  const auto m = make_market();
  const auto v = Valuation::prepare(one_account({pos("BTC-27MAR26-90000-P", 2), pos("BTC-PERPETUAL", 1000, 90000)}), m);
  Report r;
  v.run(r);
  const double first = r.portfolio.value_usd;
  const auto* data = r.values.data();
  v.run(r);
  EXPECT_EQ(r.values.data(), data);
  EXPECT_EQ(r.portfolio.value_usd, first);
}

TEST(Valuation, PerpetualFundingCarry) {
  // Longs pay a positive rate. BTC-PERPETUAL: 10,000 USD long at 0.0001 per 8 h pays 3 USD a day,
  // settled in coin at the mark and valued at the index; BTCUSDT: short 2 BTC receives
  // 2 x mark x 0.0001 x 3. Dated futures carry no funding.
  const auto m = make_market();
  const auto rep = Valuation::prepare(one_account({pos("BTC-PERPETUAL", 10000), pos("BTCUSDT", -2),
                                                   pos("BTC-27MAR26", 10000)}),
                                      m).run();
  EXPECT_NEAR(rep.values[0].funding_usd_day, -3.0 * 10000 * 0.0001 / (kIndex + 40) * kIndex, 1e-12);
  EXPECT_NEAR(rep.values[1].funding_usd_day, 3.0 * 2 * (kIndex + 50) * 0.0001, 1e-9);
  EXPECT_EQ(rep.values[2].funding_usd_day, 0.0);
  EXPECT_NEAR(btc(rep).funding_usd_day, rep.values[0].funding_usd_day + rep.values[1].funding_usd_day, 1e-12);
}

TEST(Valuation, ReportOutlivesItsValuation) {
  // prepare(...).run() on a temporary: the report shares the row descriptions, nothing dangles
  // (caught by AddressSanitizer when Report held a plain pointer).
  const Report rep = Valuation::prepare(one_account({pos("BTC-27MAR26-90000-P", 2)}), make_market()).run();
  ASSERT_EQ(rep.rows->size(), 1u);
  EXPECT_EQ((*rep.rows)[0].instrument, "BTC-27MAR26-90000-P");
}

}  // namespace greekbook::valuation
