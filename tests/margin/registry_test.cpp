// Registry and book-level margining: every model builds from its defaults and from its shipped
// parameter file, venue defaults, errors naming the account, instrument, file and parameter.
#include <gtest/gtest.h>

#include <fstream>

#include "greekbook/book/book.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/market/snapshot_io.hpp"

using namespace greekbook;

namespace {
const std::string kDir = GREEKBOOK_SOURCE_DIR;

struct Examples {
  market::MarketSnapshot market;
  book::Book book;
  std::vector<scenario::AccountState> states;
};

const Examples& examples() {
  static const Examples e = [] {
    Examples x;
    x.market = *market::load_market(kDir + "/examples/market.json");
    x.book = *book::load_book(kDir + "/examples/book.json", x.market.valuation_ms);
    x.states = scenario::build_account_states(x.book, x.market);
    return x;
  }();
  return e;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}
}  // namespace

TEST(Registry, EveryModelBuildsFromDefaultsAndItsShippedFile) {
  for (const auto& name : margin::model_names()) {
    auto m = margin::make_model(name, nullptr, {"defaults", name});
    ASSERT_TRUE(m.has_value()) << name << ": " << m.error().message;
    EXPECT_EQ((*m)->name(), name);
    // A shipped file names its model and loads as a --params file on its own.
    auto file = margin::load_params_file(kDir + "/params/margin/" + name + ".json");
    ASSERT_TRUE(file.has_value()) << name << ": " << file.error().message;
    EXPECT_TRUE(file->doc.contains(name)) << name;
  }
}

TEST(Registry, VenueDefaults) {
  EXPECT_EQ(margin::default_model_name("deribit", "cross"), "deribit-sm");
  EXPECT_EQ(margin::default_model_name("deribit", "segregated"), "deribit-sm");
  EXPECT_EQ(margin::default_model_name("deribit", "portfolio"), "deribit-pm");
  EXPECT_EQ(margin::default_model_name("derive", "portfolio"), "derive-pmrm");
  EXPECT_EQ(margin::default_model_name("derive", "cross"), "derive-srm");
  EXPECT_EQ(margin::default_model_name("okx", "cross"), "binance");
  EXPECT_EQ(margin::default_model_name("hyperliquid", "isolated"), "hyperliquid");
  EXPECT_EQ(margin::default_model_name("aave", "cross"), "aave");
  EXPECT_EQ(margin::default_model_name("kraken", "cross"), "");
}

TEST(Registry, UnknownModelListsTheKnownOnes) {
  auto m = margin::make_model("deribit-xm", nullptr, {"defaults", ""});
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("unknown margin model 'deribit-xm'"), std::string::npos);
  EXPECT_NE(m.error().message.find("deribit-pm"), std::string::npos);
}

TEST(Registry, ParamsFileErrorsNameFilePathAndValue) {
  const auto haircut = write_temp("haircut.json", R"({"deribit-sm": {"haircut": {"ETH": -0.1}}})");
  auto r = margin::load_params_file(haircut);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(haircut), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("ETH"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("-0.1"), std::string::npos) << r.error().message;

  const auto unknown = write_temp("unknown_model.json", R"({"kraken": {}})");
  r = margin::load_params_file(unknown);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("kraken"), std::string::npos);
  EXPECT_NE(r.error().message.find("unknown margin model"), std::string::npos);

  const auto field = write_temp("unknown_field.json", R"({"deribit-pm": {"price_rnage": 0.2}})");
  r = margin::load_params_file(field);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("price_rnage"), std::string::npos) << r.error().message;

  EXPECT_FALSE(margin::load_params_file("/nonexistent/params.json"));
}

TEST(Registry, EveryExampleAccountIsMarginedByItsVenueModel) {
  const auto& e = examples();
  auto models = margin::ModelSet::build(e.states, {});
  ASSERT_TRUE(models) << models.error().message;
  for (const auto& s : e.states) {
    auto r = margin::margin_account(s, *models);
    ASSERT_TRUE(r) << s.id << ": " << r.error().message;
    EXPECT_EQ(r->account, s.id);
    EXPECT_GT(r->maintenance_margin, 0.0) << s.id;
    EXPECT_GE(r->initial_margin, r->maintenance_margin) << s.id;
    EXPECT_NEAR(r->available, r->equity - r->initial_margin, 1e-9 * std::abs(r->equity)) << s.id;
  }
}

TEST(Registry, ModelThatCannotMarginAnInstrumentNamesAccountAndInstrument) {
  const auto& e = examples();
  std::vector<scenario::AccountState> one{e.states[0]};  // deribit-main: inverse options and futures
  auto models = margin::ModelSet::build(one, {}, "binance");
  ASSERT_TRUE(models);
  auto r = margin::margin_account(one[0], *models);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("deribit-main"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("BTC-"), std::string::npos) << r.error().message;
}

TEST(Registry, VenueWithoutModelAndUnvaluedPositionsAreErrors) {
  auto s = examples().states[0];
  s.venue = "kraken";
  auto models = margin::ModelSet::build({s}, {});
  ASSERT_FALSE(models);
  EXPECT_NE(models.error().message.find("kraken"), std::string::npos);

  s = examples().states[0];
  s.errors.push_back("BTC-27MAR26-1000-C: no usable volatility");
  auto set = margin::ModelSet::build({s}, {});
  ASSERT_TRUE(set);
  auto r = margin::margin_account(s, *set);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not valued"), std::string::npos);
  EXPECT_NE(r.error().message.find("BTC-27MAR26-1000-C"), std::string::npos);
}

TEST(Registry, BookModelFieldAndOverride) {
  auto s = examples().states[0];
  s.margin_model = "deribit-pm";
  auto set = margin::ModelSet::build({s}, {});
  ASSERT_TRUE(set);
  EXPECT_EQ((*set->model_for(s))->name(), "deribit-pm");
  auto over = margin::ModelSet::build({s}, {}, "deribit-sm");
  ASSERT_TRUE(over);
  EXPECT_EQ((*over->model_for(s))->name(), "deribit-sm");
}
