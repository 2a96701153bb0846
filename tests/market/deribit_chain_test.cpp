// Unit tests of parse_deribit_chain_csv on small inline chains in the 2026 snapshot format and the
// 2020 flat ticker format (rows shaped like Deribit's, values made up or rounded).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <unistd.h>

#include "greekbook/market/snapshot.hpp"
#include "greekbook/market/snapshot_io.hpp"

namespace {
namespace fs = std::filesystem;
using greekbook::market::MarketSnapshot;
using greekbook::market::parse_deribit_chain_csv;
using greekbook::pricing::OptionType;

const std::string kHeader2026 =
    "timestamp,instrument_name,underlying,underlying_name,option_type,strike,expiry_datetime,time_to_maturity,"
    "bid_price,ask_price,mark_price,mid_price,futures_price,futures_instrument_name,implied_volatility,delta,vega,"
    "open_interest,volume,bid_ask_spread,currency,index_price,volume_usd\n";

// Lines 2..6. Index prints for BTC: 87799.1, 87790.0, 87900.0 (median 87799.1); ETH: 2970.5.
const std::string kChain2026 =
    kHeader2026 +
    "2026-01-01T09:18:35.173006+00:00,BTC-3JAN26-88000-C,87834.32,SYN.BTC-3JAN26,call,88000.0,"
    "2026-01-03T08:00:00+00:00,0.0053,0.0085,0.009,0.00882175,0.00875,87834.32,SYN.BTC-3JAN26,0.3337,0.47,25.5,"
    "255.3,217.4,0.0005,BTC,87799.1,182765.59\n"
    "2026-01-01T09:18:36.500000+00:00,BTC-16JAN26-82000-P,87989.58,SYN.BTC-16JAN26,put,82000.0,"
    "2026-01-16T08:00:00+00:00,0.0409,,,0.0078,,87989.58,SYN.BTC-16JAN26,0.4257,-0.19,49.0,0.3,0.0,,BTC,87790.0,0.0\n"
    "2026-01-01T09:18:35.900000+00:00,BTC_USDC-3JAN26-90000-P,87834.32,SYN.BTC-3JAN26,put,90000.0,"
    "2026-01-03T08:00:00+00:00,0.0053,2150.0,2210.0,2180.5,2180.0,87834.32,SYN.BTC-3JAN26,0.351,-0.8,20.1,"
    "10.0,1.0,60.0,USDC,87900.0,100.0\n"
    "2026-01-01T09:18:35.200000+00:00,ETH-3JAN26-3000-C,2975.4,SYN.ETH-3JAN26,call,3000.0,"
    "2026-01-03T08:00:00+00:00,0.0053,0.0,0.012,0.0101,,2975.4,SYN.ETH-3JAN26,0.402,0.41,1.3,"
    "100.0,5.0,,ETH,2970.5,10.0\n";

const std::string kHeader2020 =
    "timestamp_ms,instrument_name,option_type,strike,expiration_timestamp_ms,underlying_index,underlying_price,"
    "index_price,estimated_delivery_price,interest_rate,mark_price,mark_iv,bid_iv,ask_iv,best_bid_price,"
    "best_bid_amount,best_ask_price,best_ask_amount,last_price,settlement_price,open_interest,delta,gamma,vega,"
    "theta,rho\n";

// Index prints 9350.67, 9350.12, 9351.0 (median 9350.67).
const std::string kChain2020 =
    kHeader2020 +
    "1589434896486,BTC-22MAY20-9250-P,put,9250.0,1590134400000,SYN.BTC-22MAY20,9352.58,9350.67,9350.67,0.0,"
    "0.04010621,76.87,80.07,85.17,0.042,15.5,0.045,0.5,0.0485,0.07,139.3,-0.43897,0.00037,5.49167,-26.07217,-0.99385\n"
    "1589434897493,BTC-22MAY20-12000-C,call,12000.0,1590134400000,SYN.BTC-22MAY20,9352.41,9350.12,9350.12,0.0,"
    "0.00570308,112.49,109.22,115.97,0.005,23.0,0.0065,113.1,0.005,0.0,110.6,0.08013,0.0001,2.07333,-14.40395,0.1544\n"
    "1589434890000,BTC-29MAY20-9000-C,call,9000.0,1590739200000,BTC-29MAY20,9380.5,9351.0,9351.0,0.0,"
    "0.0712,80.5,,,,,0.075,2.0,,,12.0,0.6,0.0003,6.1,-20.0,1.0\n";

MarketSnapshot parse_ok(const std::string& text, const std::string& sidecar_dir = "") {
  auto r = parse_deribit_chain_csv(text, "chain.csv", sidecar_dir);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : MarketSnapshot{};
}

std::string parse_err(const std::string& text) {
  auto r = parse_deribit_chain_csv(text, "chain.csv", "");
  EXPECT_FALSE(r.has_value());
  return r ? std::string() : r.error().message;
}

TEST(DeribitChain2026, QuotesLand) {
  const MarketSnapshot s = parse_ok(kChain2026);
  EXPECT_EQ(s.source, "chain.csv");
  EXPECT_EQ(s.valuation_ms, 1'767'259'116'500);  // the latest row: 2026-01-01T09:18:36.500Z
  ASSERT_EQ(s.underlyings.size(), 2u);
  const auto& btc = s.underlyings.at("BTC");
  EXPECT_EQ(btc.name, "BTC");
  ASSERT_EQ(btc.options.size(), 3u);

  const auto* c = btc.option("BTC-3JAN26-88000-C");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->right, OptionType::Call);
  EXPECT_EQ(c->strike, 88000.0);
  EXPECT_EQ(c->expiry_ms, 1'767'427'200'000);     // 2026-01-03T08:00Z
  EXPECT_EQ(c->timestamp_ms, 1'767'259'115'173);  // microseconds truncated
  EXPECT_EQ(c->bid, 0.0085);
  EXPECT_EQ(c->ask, 0.009);
  EXPECT_EQ(c->mark_price, 0.00882175);
  EXPECT_EQ(c->mark_iv, 0.3337);  // 2026 implied_volatility is already a fraction
  EXPECT_EQ(c->underlying_price, 87834.32);
  EXPECT_TRUE(c->inverse);
  EXPECT_EQ(c->source, "deribit");

  const auto* p = btc.option("BTC-16JAN26-82000-P");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->right, OptionType::Put);
  EXPECT_FALSE(p->bid.has_value());  // empty bid/ask
  EXPECT_FALSE(p->ask.has_value());
  EXPECT_EQ(p->mark_price, 0.0078);
  EXPECT_EQ(p->mark_iv, 0.4257);

  const auto* lin = btc.option("BTC_USDC-3JAN26-90000-P");
  ASSERT_NE(lin, nullptr);
  EXPECT_FALSE(lin->inverse);
  EXPECT_EQ(lin->bid, 2150.0);
  EXPECT_EQ(lin->mark_price, 2180.5);

  ASSERT_TRUE(btc.index.has_value());
  EXPECT_EQ(btc.index->value, 87799.1);  // median of 87799.1, 87790.0, 87900.0
  EXPECT_EQ(btc.index->timestamp_ms, s.valuation_ms);

  const auto& eth = s.underlyings.at("ETH");
  const auto* e = eth.option("ETH-3JAN26-3000-C");
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->bid.has_value());  // a zero bid means no bid
  EXPECT_EQ(e->ask, 0.012);
  EXPECT_EQ(eth.index->value, 2970.5);
}

TEST(DeribitChain2020, FlatFormatQuotesLand) {
  const MarketSnapshot s = parse_ok(kChain2020);
  EXPECT_EQ(s.valuation_ms, 1'589'434'897'493);
  ASSERT_EQ(s.underlyings.size(), 1u);
  const auto& btc = s.underlyings.at("BTC");
  ASSERT_EQ(btc.options.size(), 3u);
  const auto* p = btc.option("BTC-22MAY20-9250-P");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->right, OptionType::Put);
  EXPECT_EQ(p->strike, 9250.0);
  EXPECT_EQ(p->expiry_ms, 1'590'134'400'000);
  EXPECT_EQ(p->timestamp_ms, 1'589'434'896'486);
  EXPECT_DOUBLE_EQ(*p->mark_iv, 0.7687);  // percent in 2020, divided by 100
  EXPECT_EQ(p->underlying_price, 9352.58);
  EXPECT_EQ(p->mark_price, 0.04010621);
  EXPECT_EQ(p->bid, 0.042);
  EXPECT_EQ(p->ask, 0.045);
  EXPECT_TRUE(p->inverse);
  const auto* c = btc.option("BTC-22MAY20-12000-C");
  ASSERT_NE(c, nullptr);
  EXPECT_DOUBLE_EQ(*c->mark_iv, 1.1249);
  const auto* m = btc.option("BTC-29MAY20-9000-C");
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(m->bid.has_value());
  EXPECT_EQ(m->ask, 0.075);
  EXPECT_EQ(m->underlying_price, 9380.5);
  EXPECT_EQ(m->expiry_ms, 1'590'739'200'000);
  ASSERT_TRUE(btc.index.has_value());
  EXPECT_EQ(btc.index->value, 9350.67);
}

TEST(DeribitChain, BadStrikeNamesSourceLineColumnAndValue) {
  std::string text = kChain2026;
  const auto pos = text.find(",88000.0,");
  text.replace(pos, 9, ",88k,");
  EXPECT_EQ(parse_err(text), "chain.csv:2: column 'strike': '88k' is not a positive number");
  std::string neg = kChain2020;
  neg.replace(neg.find(",12000.0,"), 9, ",-12000,");
  EXPECT_EQ(parse_err(neg), "chain.csv:3: column 'strike': '-12000' is not a positive number");
  std::string empty = kChain2020;
  empty.replace(empty.find(",9000.0,"), 8, ",,");
  EXPECT_EQ(parse_err(empty), "chain.csv:4: column 'strike': '' is not a positive number");
}

TEST(DeribitChain, BadTypeAndTimeRows) {
  std::string type = kChain2026;
  type.replace(type.find(",put,82000.0"), 5, ",P,");
  EXPECT_EQ(parse_err(type), "chain.csv:3: column 'option_type': 'P' is not call or put");
  std::string expiry = kChain2020;
  expiry.replace(expiry.find(",1590739200000,"), 15, ",soon,");
  EXPECT_EQ(parse_err(expiry), "chain.csv:4: column 'expiration_timestamp_ms': 'soon' is not a time");
  std::string ts = kChain2026;
  ts.replace(ts.find("2026-01-01T09:18:35.200000+00:00"), 32, "2026-13-01T09:18:35Z");
  EXPECT_EQ(parse_err(ts), "chain.csv:5: column 'timestamp': '2026-13-01T09:18:35Z' is not a time");
}

TEST(DeribitChain, MissingColumnDuplicateRowAndNoRows) {
  std::string no_strike = kChain2020;
  no_strike.replace(no_strike.find(",strike,"), 8, ",strk,");
  EXPECT_EQ(parse_err(no_strike), "chain.csv:1: missing column 'strike' in a Deribit chain file");
  const std::string first_row = kChain2020.substr(kHeader2020.size(), kChain2020.find('\n', kHeader2020.size()) + 1 - kHeader2020.size());
  const std::string dup = kChain2020 + first_row;
  EXPECT_EQ(parse_err(dup), "chain.csv:5: duplicate instrument 'BTC-22MAY20-9250-P'");
  EXPECT_EQ(parse_err(kHeader2026), "chain.csv: no option rows");
  const std::string ragged = kHeader2020 + "1589434896486,BTC-22MAY20-9250-P,put\n";
  EXPECT_NE(parse_err(ragged).find("chain.csv:2:"), std::string::npos);
}

TEST(DeribitChain, SidecarFuturesAndPerpetualsForThisSnapshotOnly) {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("greekbook-chain-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(dir);
  std::ofstream(dir / "term_futures_marks.csv")
      << "currency,futures_instrument_name,snapshot_file,term_mark_price_final\n"
         "BTC,BTC-27MAR26,chain.csv,88500.0\n"
         "BTC,BTC-26JUN26,other.csv,90000.0\n"
         "SOL,SOL-27MAR26,chain.csv,130.0\n";
  std::ofstream(dir / "perpetual_futures_prices.csv")
      << "snapshot_file,coin,instrument_name,perp_futures_mark_price\n"
         "chain.csv,BTC,BTC-PERPETUAL,87810.5\n"
         "other.csv,ETH,ETH-PERPETUAL,2971.0\n";
  const MarketSnapshot s = parse_ok(kChain2026, dir.string());
  std::error_code ec;
  fs::remove_all(dir, ec);
  const auto& btc = s.underlyings.at("BTC");
  ASSERT_EQ(btc.futures.size(), 1u);  // other.csv rows and unknown underlyings are ignored
  EXPECT_EQ(btc.futures[0].instrument, "BTC-27MAR26");
  EXPECT_EQ(btc.futures[0].expiry_ms, 1'774'598'400'000);
  EXPECT_EQ(btc.futures[0].mark.value, 88500.0);
  ASSERT_EQ(btc.perpetuals.size(), 1u);
  EXPECT_EQ(btc.perpetuals[0].instrument, "BTC-PERPETUAL");
  EXPECT_EQ(btc.perpetuals[0].mark.value, 87810.5);
  EXPECT_TRUE(s.underlyings.at("ETH").perpetuals.empty());
  EXPECT_EQ(s.underlyings.count("SOL"), 0u);
}

}  // namespace

namespace {
TEST(DeribitChain, RowMustAgreeWithItsInstrumentName) {
  std::string text = kChain2026;
  // The name says a call at 88000; make the row say put.
  const auto p = text.find("SYN.BTC-3JAN26,call,88000.0");
  text.replace(p, std::string("SYN.BTC-3JAN26,call").size(), "SYN.BTC-3JAN26,put");
  const std::string e = parse_err(text);
  EXPECT_NE(e.find("chain.csv:2: row disagrees with its instrument name 'BTC-3JAN26-88000-C'"), std::string::npos) << e;
  std::string garbage = kChain2026;
  garbage.replace(garbage.find("BTC-3JAN26-88000-C"), std::string("BTC-3JAN26-88000-C").size(), "garbage");
  const std::string g = parse_err(garbage);
  EXPECT_NE(g.find("chain.csv:2: column 'instrument_name': 'garbage'"), std::string::npos) << g;
}
}  // namespace
