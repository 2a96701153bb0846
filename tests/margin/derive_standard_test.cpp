// Derive SRM: the published worked example (short ETH 2,200 call: IM -290, MM -210), max-loss pairing
// of a call spread, puts, perps with the oracle contingency, base collateral, depeg, the signed ->
// requirement mapping, parameters (shipped file == defaults, located errors).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "derive_test_util.hpp"
#include "greekbook/margin/derive_standard.hpp"

using namespace greekbook;
using margin::DeriveSrmParams;
using scenario::AccountState;
using scenario::PositionState;

namespace {
using derive_test::kSpot;

// A Derive option with a given mark (USDC per coin); spot = forward = 2,000.
PositionState option(const std::string& name, double qty, double mark) {
  PositionState p;
  p.instrument = *instruments::parse_instrument(name, "derive");
  p.quantity = qty;
  p.spot = kSpot;
  p.forward = kSpot;
  p.vol = 0.6;
  p.expiry_years = 30 / 365.0;
  p.mark = mark;
  p.delta = 0.3;
  return p;
}

PositionState perp(double qty, double mark, double entry = scenario::kNaN) { return derive_test::perp(qty, mark, entry); }

AccountState account(std::vector<PositionState> positions, double cash = 0.0) {
  return derive_test::account(std::move(positions), cash, "acct1", "cross");
}

margin::MarginResult srm(const AccountState& a, const DeriveSrmParams& p = margin::derive_srm_defaults()) {
  auto r = margin::derive_srm_margin(a, p);
  EXPECT_TRUE(r.has_value()) << r.error().message;
  return *r;
}

Result<DeriveSrmParams> parse_params(const std::string& text) {
  auto j = io::parse_json(text, "test");
  if (!j) return tl::unexpected(j.error());
  return margin::read_derive_srm_params(&*j, io::JsonPath{"test", "derive-srm"});
}
}  // namespace

TEST(DeriveSrm, ShortCallPublishedExample) {
  // venues-and-peers 2.1 / 8.5: ETH 2,000, short 1 x 2,200 call, mtm -30 -> IM -290, MM -210.
  const auto iso = margin::derive_srm_isolated_margin(margin::derive_srm_defaults().option_default,
                                                      pricing::OptionType::Call, 2200, -1, -30, kSpot);
  EXPECT_NEAR(iso.im, -290.0, 1e-9);
  EXPECT_NEAR(iso.mm, -210.0, 1e-9);

  const auto r = srm(account({option("ETH-20260327-2200-C", -1, 30)}));
  EXPECT_NEAR(r.details["signed_im"].get<double>(), -290.0, 1e-9);
  EXPECT_NEAR(r.details["signed_mm"].get<double>(), -210.0, 1e-9);
  // Requirement = equity - signed margin; equity = cash 0 + mtm -30.
  EXPECT_NEAR(r.equity, -30.0, 1e-9);
  EXPECT_NEAR(r.initial_margin, 260.0, 1e-9);
  EXPECT_NEAR(r.maintenance_margin, 180.0, 1e-9);
  EXPECT_NEAR(r.available, -290.0, 1e-9);  // = Derive's signed IM
  EXPECT_NEAR(r.excess(), -210.0, 1e-9);   // = Derive's signed MM
  const auto& e = r.details["markets"]["ETH"]["expiries"][0];
  EXPECT_EQ(e["pairing"], "isolated");
  EXPECT_NEAR(e["unpaired_im"].get<double>(), -1.2 * kSpot, 1e-9);  // one naked call: -1.2 x forward
  ASSERT_EQ(r.positions.size(), 1u);
  EXPECT_NEAR(r.positions[0].initial, 260.0, 1e-9);
  EXPECT_NEAR(r.positions[0].maintenance, 180.0, 1e-9);
}

TEST(DeriveSrm, CallSpreadMaxLossBeatsIsolated) {
  // Short 2,200 C (mtm -30) / long 2,400 C (mtm +10). Isolated: -290 (IM), -210 (MM), the long adds 0.
  // Max loss: settlement payoff at 0 -> 0, at 2,200 -> 0, at 2,400 -> -200; net calls 0 (no unpaired).
  // Expiry margin = max(isolated, -200) = -200 for IM and MM. With cash 1,000:
  // signed = 1,000 - 200 = 800; equity = 1,000 - 30 + 10 = 980; requirement = 980 - 800 = 180.
  const auto r = srm(account({option("ETH-20260327-2200-C", -1, 30), option("ETH-20260327-2400-C", 1, 10)}, 1000));
  const auto& e = r.details["markets"]["ETH"]["expiries"][0];
  EXPECT_NEAR(e["isolated_im"].get<double>(), -290.0, 1e-9);
  EXPECT_NEAR(e["max_loss"].get<double>(), -200.0, 1e-9);
  EXPECT_EQ(e["pairing"], "max_loss");
  EXPECT_NEAR(r.details["signed_im"].get<double>(), 800.0, 1e-9);
  EXPECT_NEAR(r.details["signed_mm"].get<double>(), 800.0, 1e-9);
  EXPECT_NEAR(r.equity, 980.0, 1e-9);
  EXPECT_NEAR(r.initial_margin, 180.0, 1e-9);
  EXPECT_NEAR(r.maintenance_margin, 180.0, 1e-9);
  // The pairing helps: below the naked short alone (260) plus the long's value.
  EXPECT_LT(r.initial_margin, 260.0 + 10.0);
}

TEST(DeriveSrm, ShortPutHandComputed) {
  // Put K 1,800, spot 2,000, mtm -20: otm 0.1 -> IM rate max(0.13, 0.15 - 0.1) = 0.13.
  // MM = min(0.09 x 2000 x -1, 0.09 x -20) - 20 = -200; IM = min(-260 - 20, -200 x 1.05) = -280.
  // Max loss at 0 = -1,800, so isolated wins.
  const auto r = srm(account({option("ETH-20260327-1800-P", -1, 20)}));
  EXPECT_NEAR(r.details["signed_im"].get<double>(), -280.0, 1e-9);
  EXPECT_NEAR(r.details["signed_mm"].get<double>(), -200.0, 1e-9);
  // Deep ITM put (K 2,400, mtm -410): MM = min(-180, -36.9) - 410 = -590; IM = min(-0.15x2000 - 410, -590 x 1.05).
  const auto deep = margin::derive_srm_isolated_margin(margin::derive_srm_defaults().option_default,
                                                       pricing::OptionType::Put, 2400, -1, -410, kSpot);
  EXPECT_NEAR(deep.mm, -590.0, 1e-9);
  EXPECT_NEAR(deep.im, std::min(-710.0, -590.0 * 1.05), 1e-9);
  // Long options carry no isolated margin.
  const auto lng = margin::derive_srm_isolated_margin(margin::derive_srm_defaults().option_default,
                                                      pricing::OptionType::Put, 1800, 1, 20, kSpot);
  EXPECT_EQ(lng.im, 0.0);
  EXPECT_EQ(lng.mm, 0.0);
}

TEST(DeriveSrm, UnpairedCallsAndMaxLoss) {
  // 2 short 2,200 C + 1 long 2,400 C: payoff at 2,400 = -400; net calls -1 adds -1.2 x 2,000 (IM).
  const auto r = srm(account({option("ETH-20260327-2200-C", -2, 30), option("ETH-20260327-2400-C", 1, 10)}));
  const auto& e = r.details["markets"]["ETH"]["expiries"][0];
  EXPECT_NEAR(e["max_loss"].get<double>(), -400.0, 1e-9);
  EXPECT_NEAR(e["unpaired_im"].get<double>(), -2400.0, 1e-9);
  EXPECT_NEAR(e["unpaired_mm"].get<double>(), -2200.0, 1e-9);
  EXPECT_NEAR(e["im"].get<double>(), -580.0, 1e-9);  // isolated 2 x -290 beats -2,800
  EXPECT_NEAR(e["mm"].get<double>(), -420.0, 1e-9);
}

TEST(DeriveSrm, PerpRatesOracleContingencyAndPreset) {
  // 10 ETH perp at 2,000, entry 1,900: unrealised +1,000 counts in margin and equity.
  // MM = -20,000 x 0.065 + 1,000 = -300; IM = -20,000 x 0.10 + 1,000 = -1,000.
  const auto a = account({perp(10, 2000, 1900)});
  auto r = srm(a);
  EXPECT_NEAR(r.details["signed_mm"].get<double>(), -300.0, 1e-9);
  EXPECT_NEAR(r.details["signed_im"].get<double>(), -1000.0, 1e-9);
  EXPECT_NEAR(r.equity, 1000.0, 1e-9);
  EXPECT_NEAR(r.maintenance_margin, 1300.0, 1e-9);
  EXPECT_NEAR(r.initial_margin, 2000.0, 1e-9);
  // Confidence 0.5 < 0.55: IM adds (1 - 0.5) x 1.0 x 2,000 x 10 = 10,000; MM unchanged.
  auto low = parse_params(R"({"oracle_confidence": {"eth": 0.5}})");
  ASSERT_TRUE(low) << low.error().message;
  r = srm(a, *low);
  EXPECT_NEAR(r.initial_margin, 12000.0, 1e-9);
  EXPECT_NEAR(r.maintenance_margin, 1300.0, 1e-9);
  // Live-docs preset: ETH 0.05 / 0.066.
  auto live = parse_params(R"({"perp_preset": "live-docs"})");
  ASSERT_TRUE(live) << live.error().message;
  r = srm(a, *live);
  EXPECT_NEAR(r.maintenance_margin, 1000.0, 1e-9);
  EXPECT_NEAR(r.initial_margin, 1320.0, 1e-9);
  // Config overrides: SOL 0.067 / 0.10.
  EXPECT_DOUBLE_EQ(margin::derive_srm_defaults().perp("SOL").mm, 0.067);
  EXPECT_DOUBLE_EQ(margin::derive_srm_defaults().perp("PEPE").im, 0.20);
}

TEST(DeriveSrm, BaseCollateralAndDepeg) {
  // 1 ETH at 2,000: MM credit 2,000 x 0.8 = 1,600, IM credit x 0.9375 = 1,500; equity 2,000.
  AccountState a = account({});
  a.collateral["ETH"] = 1.0;
  auto r = srm(a);
  EXPECT_NEAR(r.equity, 2000.0, 1e-9);
  EXPECT_NEAR(r.maintenance_margin, 400.0, 1e-9);
  EXPECT_NEAR(r.initial_margin, 500.0, 1e-9);
  // USDC at 0.98 (< 0.99): IM penalty (0.99 - 0.98) x 2 x spot x (shorts + |perp|) on a short call.
  auto depeg = parse_params(R"({"stable_price": 0.98})");
  ASSERT_TRUE(depeg) << depeg.error().message;
  r = srm(account({option("ETH-20260327-2200-C", -1, 30)}), *depeg);
  EXPECT_NEAR(r.details["signed_im"].get<double>(), -290.0 - 0.02 * kSpot, 1e-9);
  EXPECT_NEAR(r.details["signed_mm"].get<double>(), -210.0, 1e-9);
}

TEST(DeriveSrm, ErrorsNameAccountAndInstrument) {
  AccountState a = account({});
  a.collateral["FOO"] = 1.0;
  a.usd_rates["FOO"] = 3.0;
  auto r = margin::derive_srm_margin(a, margin::derive_srm_defaults());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("acct1"), std::string::npos);
  EXPECT_NE(r.error().message.find("FOO"), std::string::npos);

  a = account({});
  a.collateral["ETH"] = -2.0;
  r = margin::derive_srm_margin(a, margin::derive_srm_defaults());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("-2"), std::string::npos);

  PositionState inv = perp(1000, 2000);
  inv.instrument = *instruments::parse_instrument("ETH-PERPETUAL", "deribit");
  r = margin::derive_srm_margin(account({inv}), margin::derive_srm_defaults());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("acct1"), std::string::npos);
  EXPECT_NE(r.error().message.find("ETH-PERPETUAL"), std::string::npos);
  EXPECT_NE(r.error().message.find("inverse"), std::string::npos);
}

TEST(DeriveSrmParams, ShippedFileEqualsDefaults) {
  const std::string path = GREEKBOOK_SOURCE_DIR "/params/margin/derive-srm.json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = io::parse_json(ss.str(), path);
  ASSERT_TRUE(j) << j.error().message;
  auto p = margin::read_derive_srm_params(&*j, io::JsonPath{path, ""});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(*p == margin::derive_srm_defaults());
  auto def = margin::read_derive_srm_params(nullptr, io::JsonPath{"defaults", ""});
  ASSERT_TRUE(def);
  EXPECT_TRUE(*def == margin::derive_srm_defaults());
  auto model = margin::make_derive_srm(&*j, io::JsonPath{path, ""});
  ASSERT_TRUE(model);
  EXPECT_EQ((*model)->name(), "derive-srm");
}

TEST(DeriveSrmParams, BadValuesNamePathAndValue) {
  auto r = parse_params(R"({"perp": {"default": {"mm": 0.2}}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("perp.default.mm"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("0.2"), std::string::npos);
  r = parse_params(R"({"options": {"overrides": {"BTC": {"unpaired_im_scale": 0.5}}}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("options.overrides.BTC.unpaired_im_scale"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("0.5"), std::string::npos);
  r = parse_params(R"({"oracle_confidence": {"ETH": -0.1}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("oracle_confidence.ETH"), std::string::npos) << r.error().message;
  r = parse_params(R"({"perp_preset": "yesterday"})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("yesterday"), std::string::npos);
  r = parse_params(R"({"base": {"ETH": {"margin_factor": 0.5, "haircut": 1}}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("base.ETH.haircut"), std::string::npos) << r.error().message;
  r = parse_params(R"({"im_perp_req": 0.1})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("im_perp_req"), std::string::npos) << r.error().message;
  // An override changes one field of an existing row and keeps the rest.
  auto ok = parse_params(R"({"base": {"eth": {"im_scale": 0.5}}, "perp": {"overrides": {"BTC": {"im": 0.2}}}})");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_DOUBLE_EQ(ok->base.at("ETH").margin_factor, 0.8);
  EXPECT_DOUBLE_EQ(ok->base.at("ETH").im_scale, 0.5);
  EXPECT_DOUBLE_EQ(ok->perp("BTC").mm, 0.065);
  EXPECT_DOUBLE_EQ(ok->perp("BTC").im, 0.2);
}
