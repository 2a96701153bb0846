// Bad input never crashes: thousands of random mutations of valid documents (byte flips, deletions,
// insertions, truncations) go through every loader and, when they still load, through valuation.
// Each must come back as a value or an error (no exception, no crash, no NaN in a valued row).
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "greekbook/book/book.hpp"
#include "greekbook/instruments/instrument.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/market/snapshot_io.hpp"
#include "greekbook/valuation/valuation.hpp"

namespace greekbook {
namespace {

std::string read_example(const std::string& name) {
  std::ifstream in(std::string(GREEKBOOK_SOURCE_DIR) + "/examples/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string mutate(std::string s, std::mt19937_64& rng) {
  static const std::string alphabet = "{}[]\",:-.0123456789eE+ abcXYZ\n\\";
  std::uniform_int_distribution<int> op(0, 4);
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const std::size_t pos = rng() % s.size();
    switch (op(rng)) {
      case 0: s[pos] = alphabet[rng() % alphabet.size()]; break;            // flip
      case 1: s.erase(pos, 1 + rng() % 8); break;                           // delete a run
      case 2: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;   // insert
      case 3: s.resize(pos); break;                                         // truncate
      default: s.insert(pos, s.substr(rng() % s.size(), rng() % 16)); break;  // duplicate a piece
    }
  }
  return s;
}

TEST(Robustness, MutatedMarketsAndBooksLoadOrFailCleanly) {
  const std::string market = read_example("market.json");
  const std::string book = read_example("book.json");
  ASSERT_FALSE(market.empty());
  ASSERT_FALSE(book.empty());
  auto base_market = market::parse_market_json(market, "market.json");
  ASSERT_TRUE(base_market.has_value()) << base_market.error().message;
  market::finalise(*base_market);
  std::mt19937_64 rng(2026);
  int market_ok = 0, book_ok = 0, rows_valued = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string m = mutate(market, rng);
    EXPECT_NO_THROW({
      auto snap = market::parse_market_json(m, "m.json");
      if (snap) {
        ++market_ok;
        market::finalise(*snap);
      } else {
        EXPECT_FALSE(snap.error().message.empty());
      }
    });
    const std::string b = mutate(book, rng);
    EXPECT_NO_THROW({
      auto parsed = book::parse_book_json(b, "b.json", base_market->valuation_ms);
      if (parsed) {
        ++book_ok;
        const auto rep = valuation::Valuation::prepare(*parsed, *base_market).run();
        for (std::size_t r = 0; r < rep.values.size(); ++r) {
          if (!(*rep.rows)[r].error.empty()) continue;
          ++rows_valued;
          EXPECT_TRUE(std::isfinite(rep.values[r].delta)) << (*rep.rows)[r].instrument;
          EXPECT_TRUE(std::isfinite(rep.values[r].vega)) << (*rep.rows)[r].instrument;
        }
      } else {
        EXPECT_FALSE(parsed.error().message.empty());
      }
    });
  }
  // The mutations must exercise both outcomes, or the test proves little.
  EXPECT_GT(market_ok, 50);
  EXPECT_LT(market_ok, 2900);
  EXPECT_GT(book_ok, 50);
  EXPECT_GT(rows_valued, 1000);
}

TEST(Robustness, MutatedCsvAndInstrumentNamesFailCleanly) {
  const std::string csv = "account,instrument,quantity,average_price\nd,BTC-27MAR26-100000-C,-3,0.05\nd,BTC-PERPETUAL,1000,95000\n";
  std::mt19937_64 rng(7);
  int ok = 0;
  for (int i = 0; i < 3000; ++i) {
    EXPECT_NO_THROW({
      auto b = book::parse_positions_csv(mutate(csv, rng), "p.csv", 0);
      if (b) ++ok;
      auto inst = instruments::parse_instrument(mutate("BTC_USDC-27MAR26-100000-C", rng), "");
      (void)inst;
      auto t = io::parse_csv(mutate(csv, rng), "x.csv");
      (void)t;
    });
  }
  EXPECT_GT(ok, 30);
}

}  // namespace
}  // namespace greekbook
