// dYdX v4 margin: liquidity tiers with open-interest IMF scaling. Formulas and sources:
// include/greekbook/margin/dydx.hpp, docs/margin/perp-venues.md.
#include "greekbook/margin/dydx.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "greekbook/margin/params.hpp"
#include "greekbook/margin/tiered_perp.hpp"

namespace greekbook::margin {
namespace {
constexpr int kPpm = 1000000;

Result<bool> read_tier(const io::Json& v, const io::JsonPath& at, DydxParams& p) {
  if (!v.is_object()) return io::json_error(at, fmt::format("expected a liquidity tier object, got {}", io::brief(v)));
  if (!v.contains("id")) return io::json_error(at, "missing field 'id'");
  const io::Json& idv = v.at("id");
  if (!idv.is_number_integer() || idv.get<long long>() < 0 || idv.get<long long>() > kPpm)
    return io::json_error(at.key("id"), fmt::format("expected an integer id in [0, {}], got {}", kPpm, io::brief(idv)));
  const int id = static_cast<int>(idv.get<long long>());
  if (!p.liquidity_tiers.count(id))
    for (const char* key : {"initial_margin_ppm", "maintenance_fraction_ppm"})
      if (!v.contains(key)) return io::json_error(at, fmt::format("missing field '{}' (tier id {} is not in the defaults)", key, id));
  LiquidityTier& t = p.liquidity_tiers[id];
  t.id = id;
  ParamReader r(&v, at);
  r.ignore("id").ignore("source").string("name", t.name, {});
  r.integer("initial_margin_ppm", t.initial_margin_ppm, 0, kPpm);
  r.integer("maintenance_fraction_ppm", t.maintenance_fraction_ppm, 0, kPpm);
  r.number("open_interest_lower_cap", t.open_interest_lower_cap, 0.0);
  r.number("open_interest_upper_cap", t.open_interest_upper_cap, 0.0);
  GB_TRY(ok, r.finish());
  if (t.open_interest_upper_cap != 0.0 && !(t.open_interest_upper_cap > t.open_interest_lower_cap))
    return io::json_error(at.key("open_interest_upper_cap"),
                          fmt::format("{} must be 0 (no scaling) or above open_interest_lower_cap {}",
                                      t.open_interest_upper_cap, t.open_interest_lower_cap));
  return ok;
}

Result<bool> read_market(const io::Json& v, const io::JsonPath& at, DydxMarket& m) {
  double oi = m.open_interest.value_or(-1.0);
  ParamReader r(&v, at);
  r.ignore("source").integer("liquidity_tier", m.liquidity_tier, 0, kPpm).number("open_interest", oi, 0.0);
  GB_TRY(ok, r.finish());
  if (oi >= 0.0) m.open_interest = oi;
  return ok;
}

LiquidityTier tier(int id, std::string name, int imf, int mf, double lower, double upper) {
  return {id, std::move(name), imf, mf, lower, upper};
}
}  // namespace

double dydx_initial_margin_fraction(const LiquidityTier& t, double open_notional) noexcept {
  const double base = t.initial_margin_ppm / static_cast<double>(kPpm);
  if (t.open_interest_upper_cap == 0.0) return base;
  const double scaling =
      (open_notional - t.open_interest_lower_cap) / (t.open_interest_upper_cap - t.open_interest_lower_cap);
  return std::min(base + std::max(scaling * (1.0 - base), 0.0), 1.0);
}

double dydx_maintenance_margin_fraction(const LiquidityTier& t) noexcept {
  return t.initial_margin_ppm / static_cast<double>(kPpm) * (t.maintenance_fraction_ppm / static_cast<double>(kPpm));
}

DydxParams dydx_defaults() {
  // dydxprotocol/v4-chain protocol/testutil/constants/genesis.go (localnet genesis): the seven
  // liquidity tiers, caps converted from quote quantums (1e-6 USDC) to USDC.
  DydxParams p;
  for (auto t : {tier(0, "Large-Cap", 50000, 600000, 0, 0), tier(1, "Small-Cap", 100000, 500000, 20e6, 50e6),
                 tier(2, "Long-Tail", 200000, 500000, 5e6, 10e6), tier(3, "Safety", 1000000, 200000, 2e6, 5e6),
                 tier(4, "Isolated", 50000, 600000, 500e3, 1e6), tier(5, "Mid-Cap", 50000, 600000, 40e6, 100e6),
                 tier(6, "FX", 10000, 500000, 500e3, 1e6)})
    p.liquidity_tiers[t.id] = t;
  p.markets["BTC-USD"] = {0, std::nullopt};
  p.markets["ETH-USD"] = {0, std::nullopt};
  return p;
}

Result<DydxParams> read_dydx_params(const io::Json* params, const io::JsonPath& at) {
  DydxParams p = dydx_defaults();
  ParamReader r(params, at);
  r.ignore("source");
  r.custom("liquidity_tiers", [&](const io::Json& v, const io::JsonPath& path) -> Result<bool> {
    if (!v.is_array()) return io::json_error(path, fmt::format("expected an array of liquidity tiers, got {}", io::brief(v)));
    for (std::size_t i = 0; i < v.size(); ++i) {
      GB_TRY(ok, read_tier(v[i], path.index(i), p));
      (void)ok;
    }
    return true;
  });
  r.custom("markets", [&](const io::Json& v, const io::JsonPath& path) -> Result<bool> {
    if (!v.is_object()) return io::json_error(path, fmt::format("expected an object of markets, got {}", io::brief(v)));
    for (const auto& [ticker, entry] : v.items()) {
      if (!p.markets.count(ticker) && !entry.contains("liquidity_tier"))
        return io::json_error(path.key(ticker), "missing field 'liquidity_tier' (a market not in the defaults)");
      GB_TRY(ok, read_market(entry, path.key(ticker), p.markets[ticker]));
      (void)ok;
    }
    return true;
  });
  GB_TRY(ok, r.finish());
  (void)ok;
  for (const auto& [ticker, m] : p.markets)
    if (!p.liquidity_tiers.count(m.liquidity_tier))
      return io::json_error(at.key("markets").key(ticker).key("liquidity_tier"),
                            fmt::format("{} is not a defined liquidity tier id", m.liquidity_tier));
  return p;
}

Result<MarginResult> DydxModel::compute(const scenario::AccountState& account) const {
  std::vector<std::string> no_oi;
  const auto requirement = [&](const scenario::AccountState& a,
                               const scenario::PositionState& p) -> Result<PerpRequirement> {
    const std::string ticker = p.instrument.underlying + "-USD";
    const auto m = params_.markets.find(ticker);
    if (m == params_.markets.end())
      return make_error(fmt::format("account {}: instrument {}: model dydx has no market parameters for {} (add "
                                    "markets.{}.liquidity_tier)", a.id, p.instrument.name, ticker, ticker));
    const LiquidityTier& t = params_.liquidity_tiers.at(m->second.liquidity_tier);
    const double price = p.mark;  // dYdX margins at the oracle price: the snapshot's mark of X-USD
    const double open_notional = m->second.open_interest.value_or(0.0) * price;
    if (!m->second.open_interest && t.open_interest_upper_cap != 0.0 &&
        std::find(no_oi.begin(), no_oi.end(), ticker) == no_oi.end())
      no_oi.push_back(ticker);
    const double imf = dydx_initial_margin_fraction(t, open_notional);
    const double mmf = dydx_maintenance_margin_fraction(t);
    const double notional = std::abs(p.quantity * price);
    const double rate = a.usd_rate(p.instrument.settlement_currency);
    PerpRequirement q;
    q.initial_usd = notional * imf * rate;
    q.maintenance_usd = notional * mmf * rate;
    q.details = {{"liquidity_tier", t.name.empty() ? std::to_string(t.id) : t.name},
                 {"imf", imf},
                 {"imf_base", t.initial_margin_ppm / static_cast<double>(kPpm)},
                 {"mmf", mmf},
                 {"open_notional", open_notional},
                 {"notional", notional}};
    return q;
  };
  GB_TRY(r, perp_pools_margin(account, "dydx", requirement));
  for (const auto& ticker : no_oi)
    r.notes.push_back(fmt::format("{}: market open interest not given (parameter markets.{}.open_interest), taken as 0: "
                                  "no open-interest IMF scaling", ticker, ticker));
  return r;
}

Result<ModelPtr> make_dydx(const io::Json* params, const io::JsonPath& at) {
  GB_TRY(p, read_dydx_params(params, at));
  return ModelPtr(std::make_unique<DydxModel>(std::move(p)));
}

}  // namespace greekbook::margin
