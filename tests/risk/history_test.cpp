// Histories for VaR: our CSV format, the Binance + DVOL loaders, daily returns and the errors on bad input.
#include "greekbook/risk/history.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace greekbook::risk {
namespace {

const std::string kCsv =
    "date,underlying,price,atm_vol\n"
    "2025-01-01,BTC,100,0.50\n"
    "2025-01-01,ETH,10,0.70\n"
    "2025-01-02,BTC,110,0.55\n"
    "2025-01-02,ETH,9,0.77\n"
    "2025-01-03,BTC,99,0.50\n"
    "2025-01-03,ETH,9.9,0.70\n";

TEST(History, ParsesOurFormat) {
  auto h = parse_history_csv(kCsv, "h.csv");
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_EQ(h->series.size(), 2u);
  const Series* btc = h->find("BTC");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->days.size(), 3u);
  EXPECT_EQ(format_day(btc->days[0]), "2025-01-01");
  EXPECT_EQ(btc->price[1], 110.0);
  EXPECT_EQ(btc->atm_vol[1], 0.55);
  EXPECT_EQ(btc->lines[2], 6u);
  EXPECT_EQ(h->find("SOL"), nullptr);
}

TEST(History, DailyReturnsAreLogReturnsInTheOrderAsked) {
  auto h = parse_history_csv(kCsv, "h.csv");
  ASSERT_TRUE(h);
  const std::vector<std::string> want = {"ETH", "BTC"};
  auto r = daily_returns(*h, want);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->underlyings, want);
  EXPECT_DOUBLE_EQ(r->price[1][0], std::log(1.1));
  EXPECT_DOUBLE_EQ(r->price[1][1], std::log(0.9));
  EXPECT_DOUBLE_EQ(r->price[0][0], std::log(0.9));
  EXPECT_DOUBLE_EQ(r->vol[0][0], std::log(1.1));
  EXPECT_DOUBLE_EQ(r->vol[1][1], std::log(0.50 / 0.55));
  EXPECT_EQ(r->last_price[1], 99.0);
  EXPECT_EQ(r->last_vol[0], 0.70);
  EXPECT_EQ(format_day(r->days[0]), "2025-01-02");
  const Returns t = r->tail(1);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_DOUBLE_EQ(t.price[1][0], std::log(0.9));
}

TEST(History, GapWithinToleranceIsOneReturnScaledToADay) {
  const std::string csv = "date,underlying,price\n2025-01-01,BTC,100\n2025-01-03,BTC,121\n2025-01-04,BTC,110\n";
  auto h = parse_history_csv(csv, "g.csv", {1});
  ASSERT_TRUE(h) << h.error().message;
  const std::vector<std::string> u = {"BTC"};
  auto r = daily_returns(*h, u);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_DOUBLE_EQ(r->price[0][0], std::log(1.21) / std::sqrt(2.0));
  EXPECT_FALSE(r->has_vol(0));
  EXPECT_TRUE(std::isnan(r->last_vol[0]));
}

TEST(History, GapBeyondToleranceNamesFileLineFieldAndDates) {
  const std::string csv = "date,underlying,price\n2025-01-01,BTC,100\n2025-01-02,BTC,101\n2025-01-06,BTC,99\n";
  auto h = parse_history_csv(csv, "gap.csv", {1});
  ASSERT_FALSE(h);
  const std::string& m = h.error().message;
  EXPECT_NE(m.find("gap.csv:4"), std::string::npos) << m;
  EXPECT_NE(m.find("field 'date'"), std::string::npos) << m;
  EXPECT_NE(m.find("2025-01-06 follows 2025-01-02"), std::string::npos) << m;
  EXPECT_NE(m.find("3 missing days"), std::string::npos) << m;
  EXPECT_TRUE(parse_history_csv(csv, "gap.csv", {3}));
}

TEST(History, BadNumbersNameFileLineFieldAndValue) {
  auto h = parse_history_csv("date,underlying,price\n2025-01-01,BTC,100\n2025-01-02,BTC,abc\n", "bad.csv");
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().message, "bad.csv:3: field 'price': 'abc' is not a number");
  h = parse_history_csv("date,underlying,price\n2025-01-01,BTC,-5\n", "neg.csv");
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().message, "neg.csv:2: field 'price': -5 must be positive");
  h = parse_history_csv("date,underlying,price,atm_vol\n2025-01-01,BTC,100,55\n", "pct.csv");
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().message.find("pct.csv:2: field 'atm_vol': 55 looks like a percentage"), std::string::npos);
  h = parse_history_csv("date,underlying,price\n2025-13-01,BTC,100\n", "date.csv");
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().message, "date.csv:2: field 'date': '2025-13-01' is not a date (expected YYYY-MM-DD)");
}

TEST(History, StructuralErrors) {
  auto h = parse_history_csv("date,underlying,close\n2025-01-01,BTC,100\n", "c.csv");
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().message, "c.csv:1: unknown column 'close' (expected date,underlying,price[,atm_vol])");
  h = parse_history_csv("date,underlying,price\n2025-01-02,BTC,100\n2025-01-01,BTC,100\n", "o.csv");
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().message.find("o.csv:3: field 'date': BTC 2025-01-01 is not after the previous BTC close 2025-01-02"),
            std::string::npos)
      << h.error().message;
  h = parse_history_csv("date,underlying,price,atm_vol\n2025-01-01,BTC,100,0.5\n2025-01-02,BTC,100,\n", "m.csv");
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().message.find("m.csv:3: field 'atm_vol': empty for BTC"), std::string::npos) << h.error().message;
  h = parse_history_csv("date,underlying,price\n", "e.csv");
  ASSERT_FALSE(h);
}

TEST(History, MissingUnderlyingNamesFileAndWhatItHas) {
  auto h = parse_history_csv("date,underlying,price\n2025-01-01,BTC,100\n2025-01-02,BTC,101\n", "only-btc.csv");
  ASSERT_TRUE(h);
  const std::vector<std::string> u = {"BTC", "ETH"};
  auto r = daily_returns(*h, u);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "only-btc.csv: field 'underlying': no prices for ETH (the book needs it; the history has BTC)");
}

TEST(History, CommonDatesWithAJointGapAreAnError) {
  // Each series skips one day (tolerated) but on different days: together they miss two in a row.
  const std::string csv =
      "date,underlying,price\n2025-01-01,BTC,1\n2025-01-02,BTC,1\n2025-01-04,BTC,1\n2025-01-05,BTC,1\n"
      "2025-01-01,ETH,1\n2025-01-03,ETH,1\n2025-01-04,ETH,1\n2025-01-05,ETH,1\n";
  auto h = parse_history_csv(csv, "j.csv", {1});
  ASSERT_TRUE(h) << h.error().message;
  const std::vector<std::string> u = {"BTC", "ETH"};
  auto r = daily_returns(*h, u);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("share no date between 2025-01-01 and 2025-01-04 (2 missing days, tolerance 1)"),
            std::string::npos)
      << r.error().message;
}

TEST(History, BinanceKlinesJoinedWithDvol) {
  const auto dir = std::filesystem::temp_directory_path() / "greekbook_history_test";
  std::filesystem::create_directories(dir);
  const auto prices = (dir / "klines.csv").string(), dvol = (dir / "dvol.csv").string();
  std::ofstream(prices) << "open_time_ms,date_utc,open,high,low,close,volume_btc\n"
                           "1,2022-11-05,1,1,1,20000,1\n1,2022-11-06,1,1,1,21000,1\n1,2022-11-07,1,1,1,20500,1\n"
                           "1,2022-11-08,1,1,1,19000,1\n";
  std::ofstream(dvol) << "timestamp_ms,date_utc,dvol_close\n1,2022-11-06,56.76\n1,2022-11-07,59.48\n1,2022-11-08,76.66\n"
                         "1,2022-11-09,114.72\n";
  auto h = load_binance_daily(prices, dvol, "BTC");
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_EQ(h->series.size(), 1u);
  const Series& s = h->series[0];
  ASSERT_EQ(s.days.size(), 3u);  // the dates in both files
  EXPECT_EQ(format_day(s.days.front()), "2022-11-06");
  EXPECT_EQ(s.price[0], 21000.0);
  EXPECT_DOUBLE_EQ(s.atm_vol[2], 0.7666);
  // Without DVOL, load_history recognises the klines header.
  auto only = load_history(prices);
  ASSERT_TRUE(only) << only.error().message;
  EXPECT_EQ(only->series[0].days.size(), 4u);
  EXPECT_TRUE(only->series[0].atm_vol.empty());
  // A bad close names the klines file, line and field.
  std::ofstream(prices) << "open_time_ms,date_utc,open,high,low,close,volume_btc\n1,2022-11-05,1,1,1,x,1\n";
  auto bad = load_binance_daily(prices, "", "BTC");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, prices + ":2: field 'close': 'x' is not a number");
  std::filesystem::remove_all(dir);
}

// The shared real data (skipped when ../shared is absent).
TEST(History, SharedBinanceBtcAndDvol) {
  const std::string dir = std::string(GREEKBOOK_SOURCE_DIR) + "/../shared/data/binance-btc-daily-dvol/";
  const std::string prices = dir + "btcusdt_spot_binance_daily_20220219_20251104.csv";
  const std::string dvol = dir + "deribit_dvol_btc_daily_close_20221106_20251112.csv";
  if (!std::filesystem::exists(prices) || !std::filesystem::exists(dvol)) GTEST_SKIP() << "no " << prices;
  auto h = load_binance_daily(prices, dvol, "BTC", {0});
  ASSERT_TRUE(h) << h.error().message;
  const Series& s = h->series[0];
  EXPECT_EQ(format_day(s.days.front()), "2022-11-06");
  EXPECT_EQ(format_day(s.days.back()), "2025-11-04");
  EXPECT_EQ(s.days.size(), static_cast<std::size_t>(s.days.back() - s.days.front() + 1));  // no gap at all
  const std::vector<std::string> u = {"BTC"};
  auto r = daily_returns(*h, u);
  ASSERT_TRUE(r);
  // BTC's daily log returns: sd between 1.5% and 4%, ATM vol changes a few percent a day.
  double m = 0, ss = 0;
  for (double x : r->price[0]) m += x;
  m /= static_cast<double>(r->size());
  for (double x : r->price[0]) ss += (x - m) * (x - m);
  const double sd = std::sqrt(ss / static_cast<double>(r->size() - 1));
  EXPECT_GT(sd, 0.015);
  EXPECT_LT(sd, 0.04);
  EXPECT_GT(r->last_vol[0], 0.2);
  EXPECT_LT(r->last_vol[0], 1.5);
}

}  // namespace
}  // namespace greekbook::risk
