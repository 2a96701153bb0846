// Derive SRM parameters: compiled-in defaults and the JSON reader (params/margin/derive-srm.json).
#include <fmt/format.h>

#include "greekbook/margin/derive_standard.hpp"
#include "greekbook/margin/params.hpp"
#include "margin/derive_params_util.hpp"

namespace greekbook::margin {
using derive_detail::group;
using derive_detail::upper;

const DeriveSrmPerpReq& DeriveSrmParams::perp(const std::string& underlying) const {
  auto it = perp_overrides.find(upper(underlying));
  return it != perp_overrides.end() ? it->second : perp_default;
}

const DeriveSrmOptionParams& DeriveSrmParams::options(const std::string& underlying) const {
  auto it = option_overrides.find(upper(underlying));
  return it != option_overrides.end() ? it->second : option_default;
}

double DeriveSrmParams::confidence(const std::string& name) const {
  auto it = oracle_confidence.find(upper(name));
  return it != oracle_confidence.end() ? it->second : 1.0;
}

namespace {
// config-mainnet.sol::getSRMParams perp overrides (venues-and-peers 2.1).
std::map<std::string, DeriveSrmPerpReq> config_perp_overrides() {
  std::map<std::string, DeriveSrmPerpReq> m;
  for (const char* u : {"SOL", "DOGE", "TIA", "SUI", "NEAR", "WLD", "BNB", "AAVE", "OP", "ARB"}) m[u] = {0.067, 0.10};
  for (const char* u : {"PEPE", "WIF"}) m[u] = {0.143, 0.20};
  return m;
}
}  // namespace

std::map<std::string, DeriveSrmPerpReq> derive_srm_live_docs_perp() {
  std::map<std::string, DeriveSrmPerpReq> m;
  for (const char* u : {"BTC", "ETH"}) m[u] = {0.05, 0.066};
  m["SOL"] = {0.067, 0.077};
  m["HYPE"] = {0.08, 0.10};
  m["XRP"] = {0.067, 0.10};
  m["LINK"] = {0.067, 0.10};
  m["XAUT"] = {0.08, 0.10};
  for (const char* u : {"ZEC", "LIT", "PUMP", "CC"}) m[u] = {0.10, 0.15};
  for (const char* u : {"ADA", "VVV"}) m[u] = {0.15, 0.20};
  return m;
}

DeriveSrmParams derive_srm_defaults() {
  DeriveSrmParams p;
  p.perp_overrides = config_perp_overrides();
  p.option_overrides["SNX"] = {0.25, 0.225, 0.15, 0.15, 0.15, 1.4, 1.3, 1.05};
  const auto base = [&](std::initializer_list<const char*> assets, double mf, double im_scale) {
    for (const char* a : assets) p.base[a] = {mf, im_scale};
  };
  base({"ETH", "WETH", "WSTETH"}, 0.80, 0.9375);  // WETH: inference, wrapped ETH takes ETH's row
  base({"BTC", "WBTC"}, 0.75, 0.93);              // WBTC: inference, as BTC
  base({"USDT", "SFP"}, 0.98, 0.98);
  base({"SNX"}, 0.70, 0.65);
  base({"RSETH", "WEETH", "RSWETH", "LBTC", "CBBTC"}, 0.65, 0.77);
  base({"DAI", "PYUSD"}, 0.925, 0.92);
  base({"SDAI"}, 0.875, 0.915);
  base({"USDE"}, 0.80, 0.875);
  base({"EBTC"}, 0.90, 0.945);
  return p;
}

namespace {
Result<bool> check_perp(const DeriveSrmPerpReq& r, const io::JsonPath& at) {
  if (r.mm > r.im)
    return io::json_error(at.key("mm"), fmt::format("{} exceeds im {} (Derive requires mm <= im)", r.mm, r.im));
  return true;
}

auto read_perp_entry() {
  return [](const io::Json& v, const io::JsonPath& at, DeriveSrmPerpReq& r) -> Result<bool> {
    GB_TRY(ok, group([&](ParamReader& g) {
                 // Derive's setter: 0 < mm <= im < 1.
                 g.number("mm", r.mm, 1e-9, 0.999999).number("im", r.im, 1e-9, 0.999999);
               })(v, at));
    (void)ok;
    return check_perp(r, at);
  };
}

auto read_option_entry() {
  return [](const io::Json& v, const io::JsonPath& at, DeriveSrmOptionParams& o) -> Result<bool> {
    // Ranges of Derive's setOptionMarginParams.
    return group([&](ParamReader& g) {
      g.number("max_spot_req", o.max_spot_req, 0.0, 1.2)
          .number("min_spot_req", o.min_spot_req, 0.0, 1.2)
          .number("mm_call_spot_req", o.mm_call_spot_req, 0.0, 1.0)
          .number("mm_put_spot_req", o.mm_put_spot_req, 0.0, 1.0)
          .number("mm_put_mtm_req", o.mm_put_mtm_req, 0.0, 1.0)
          .number("unpaired_im_scale", o.unpaired_im_scale, 1.0, 3.0)
          .number("unpaired_mm_scale", o.unpaired_mm_scale, 1.0, 3.0)
          .number("mm_offset_scale", o.mm_offset_scale, 1.0, 3.0);
    })(v, at);
  };
}

auto read_base_entry() {
  return [](const io::Json& v, const io::JsonPath& at, DeriveSrmBaseParams& b) -> Result<bool> {
    return group([&](ParamReader& g) {
      g.number("margin_factor", b.margin_factor, 0.0, 1.0).number("im_scale", b.im_scale, 0.0, 1.0);
    })(v, at);
  };
}
}  // namespace

Result<DeriveSrmParams> read_derive_srm_params(const io::Json* params, const io::JsonPath& at) {
  DeriveSrmParams p = derive_srm_defaults();
  ParamReader r(params, at);
  r.ignore("source").ignore("comment");
  r.string("cash_currency", p.cash_currency, {});
  // The preset first: it picks the perp override table that "perp.overrides" then amends.
  r.string("perp_preset", p.perp_preset, {"config-mainnet", "live-docs"});
  p.perp_overrides = p.perp_preset == "live-docs" ? derive_srm_live_docs_perp() : config_perp_overrides();
  r.custom("perp", group([&](ParamReader& g) {
    g.custom("default", [&](const io::Json& v, const io::JsonPath& path) { return read_perp_entry()(v, path, p.perp_default); });
    g.custom("overrides", [&](const io::Json& v, const io::JsonPath& path) {
      return derive_detail::read_table(v, path, p.perp_overrides, p.perp_default, read_perp_entry());
    });
  }));
  r.custom("options", group([&](ParamReader& g) {
    g.custom("default", [&](const io::Json& v, const io::JsonPath& path) {
      return read_option_entry()(v, path, p.option_default);
    });
    g.custom("overrides", [&](const io::Json& v, const io::JsonPath& path) {
      return derive_detail::read_table(v, path, p.option_overrides, p.option_default, read_option_entry());
    });
  }));
  r.custom("oracle_contingency", group([&](ParamReader& g) {
    g.number("perp_threshold", p.perp_threshold, 0.0, 1.0)
        .number("option_threshold", p.option_threshold, 0.0, 1.0)
        .number("base_threshold", p.base_threshold, 0.0, 1.0)
        .number("factor", p.oc_factor, 0.0, 1.0);
  }));
  r.custom("base", [&](const io::Json& v, const io::JsonPath& path) {
    return derive_detail::read_table(v, path, p.base, DeriveSrmBaseParams{}, read_base_entry());
  });
  r.custom("depeg", group([&](ParamReader& g) {
    g.number("threshold", p.depeg_threshold, 0.0, 1.0).number("factor", p.depeg_factor, 0.0, 3.0);
  }));
  r.number("stable_price", p.stable_price, 1e-6, 10.0);
  r.custom("oracle_confidence", [&](const io::Json& v, const io::JsonPath& path) {
    return derive_detail::read_confidence(v, path, p.oracle_confidence);
  });
  GB_TRY(ok, r.finish());
  (void)ok;
  if (p.cash_currency.empty()) return io::json_error(at.key("cash_currency"), "must not be empty");
  p.cash_currency = upper(p.cash_currency);
  return p;
}

}  // namespace greekbook::margin
