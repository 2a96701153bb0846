// The built-in crisis library: the compiled-in text is params/stress/crises.json, it parses, every
// entry has its source, and (when ../shared is present) the magnitudes are those of the real data.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "greekbook/risk/stress_scenario.hpp"

namespace {
using namespace greekbook;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const risk::StressScenario* find(const risk::StressFile& f, std::string_view part) {
  for (const auto& s : f.scenarios)
    if (s.name().find(part) != std::string::npos) return &s;
  return nullptr;
}

TEST(CrisisLibrary, CompiledInTextIsTheShippedFile) {
  const std::string path = std::string(GREEKBOOK_SOURCE_DIR) + "/params/stress/crises.json";
  const std::string file = read(path);
  ASSERT_FALSE(file.empty()) << path;
  EXPECT_EQ(std::string(risk::crisis_library_json()), file)
      << "re-run scripts/calibrate_crises.py: it writes both files";
}

TEST(CrisisLibrary, ParsesAndEveryEntryHasASource) {
  auto lib = risk::crisis_library();
  ASSERT_TRUE(lib) << lib.error().message;
  EXPECT_GE(lib->scenarios.size(), 8u);
  for (const auto& s : lib->scenarios) {
    EXPECT_FALSE(s.source.empty()) << s.name();
    EXPECT_NE(s.source.find("BTC"), std::string::npos) << s.name();
    EXPECT_NE(s.shock.factor("BTC"), 1.0) << s.name();
    EXPECT_GT(s.horizon_days(), 0.0) << s.name();
    EXPECT_NE(s.shock.vol.kind, scenario::VolShockKind::None) << s.name();
    // Where ETH has no data of its own the source says which beta was used.
    if (s.source.find("ETH and other coins: BTC x 1.2") != std::string::npos) {
      EXPECT_NEAR(s.shock.factor("ETH") - 1.0, 1.2 * (s.shock.factor("BTC") - 1.0), 1e-4) << s.name();
    }
  }
  // The crises the issue names, with the public-record figure for 12 March 2020.
  const auto* march = find(*lib, "12 March 2020");
  ASSERT_NE(march, nullptr);
  EXPECT_NEAR(march->shock.factor("BTC"), 1.0 - 0.372, 1e-12);
  EXPECT_NE(march->source.find("public record"), std::string::npos);
  ASSERT_NE(find(*lib, "Terra"), nullptr);
  const auto* ftx = find(*lib, "FTX");
  ASSERT_NE(ftx, nullptr);
  ASSERT_NE(ftx->venue_event("ftx"), nullptr);
  EXPECT_DOUBLE_EQ(ftx->venue_event("ftx")->collateral_haircut, 1.0);
  EXPECT_NE(find(*lib, "19 May 2021"), nullptr);
  EXPECT_NE(find(*lib, "August 2024"), nullptr);
  // At least one rally: a short book needs an upside shock.
  bool rally = false;
  for (const auto& s : lib->scenarios) rally |= s.shock.factor("BTC") > 1.0;
  EXPECT_TRUE(rally);
}

// Daily closes of a CSV with a date column and a value column.
std::map<std::string, double> closes(const std::string& path, const std::string& date_col, const std::string& value_col) {
  std::map<std::string, double> out;
  std::ifstream in(path);
  std::string line;
  const auto next = [&] {
    if (!std::getline(in, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files
    return true;
  };
  next();
  std::vector<std::string> head;
  for (std::stringstream ss(line); std::getline(ss, line, ',');) head.push_back(line);
  const auto col = [&](const std::string& n) { return std::find(head.begin(), head.end(), n) - head.begin(); };
  const auto d = col(date_col), v = col(value_col);
  while (next()) {
    std::vector<std::string> f;
    for (std::stringstream ss(line); std::getline(ss, line, ',');) f.push_back(line);
    if (static_cast<std::ptrdiff_t>(f.size()) > std::max(d, v)) out[f[d].substr(0, 10)] = std::stod(f[v]);
  }
  return out;
}

TEST(CrisisLibrary, MagnitudesAreThoseOfTheRealData) {
  const std::filesystem::path data = std::filesystem::path(GREEKBOOK_SOURCE_DIR) / ".." / "shared" / "data";
  if (!std::filesystem::exists(data / "binance-btc-daily-dvol")) GTEST_SKIP() << "no ../shared/data";
  auto lib = risk::crisis_library();
  ASSERT_TRUE(lib);
  const auto btc = closes((data / "binance-btc-daily-dvol" / "btcusdt_spot_binance_daily_20220219_20251104.csv").string(),
                          "date_utc", "close");
  const auto dvol = closes((data / "binance-btc-daily-dvol" / "deribit_dvol_btc_daily_close_20221106_20251112.csv").string(),
                           "date_utc", "dvol_close");
  ASSERT_GT(btc.size(), 1000u);
  // Terra: the worst close-to-close window of May 2022 is 4 -> 12 May, -26.86%.
  const auto* terra = find(*lib, "Terra");
  ASSERT_NE(terra, nullptr);
  EXPECT_NEAR(terra->shock.factor("BTC"), btc.at("2022-05-12") / btc.at("2022-05-04"), 5e-5);
  EXPECT_DOUBLE_EQ(terra->horizon_days(), 8.0);
  // FTX: 5 -> 9 Nov 2022, DVOL from its first day (6 Nov) to 9 Nov.
  const auto* ftx = find(*lib, "FTX");
  EXPECT_NEAR(ftx->shock.factor("BTC"), btc.at("2022-11-09") / btc.at("2022-11-05"), 5e-5);
  EXPECT_NEAR(ftx->shock.vol.size, dvol.at("2022-11-09") / dvol.at("2022-11-06") - 1.0, 5e-4);
  // August 2024 and its DVOL rise.
  const auto* yen = find(*lib, "August 2024");
  EXPECT_NEAR(yen->shock.factor("BTC"), btc.at("2024-08-05") / btc.at("2024-07-28"), 5e-5);
  EXPECT_NEAR(yen->shock.vol.size, dvol.at("2024-08-05") / dvol.at("2024-07-28") - 1.0, 5e-4);
  // No window of at most 10 days in May 2022 falls further than the library's Terra move.
  std::vector<std::pair<std::string, double>> may;
  for (const auto& [d, c] : btc)
    if (d >= "2022-05-01" && d <= "2022-05-20") may.emplace_back(d, c);
  for (std::size_t i = 0; i < may.size(); ++i)
    for (std::size_t j = i + 1; j < may.size() && j <= i + 10; ++j)
      EXPECT_GE(may[j].second / may[i].second, terra->shock.factor("BTC") - 5e-5);
}

}  // namespace
