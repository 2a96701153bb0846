// Notional-tiered perp margin (Binance, Bybit, Hyperliquid) and the cross/isolated pools shared
// with dYdX. Formulas and sources: include/greekbook/margin/tiered_perp.hpp, docs/margin/perp-venues.md.
#include "greekbook/margin/tiered_perp.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "greekbook/margin/params.hpp"

namespace greekbook::margin {
namespace {
using instruments::Kind;

struct Row {
  double lower, max_leverage, mm_rate;
};

AssetTiers ladder(std::initializer_list<Row> rows) {
  AssetTiers a;
  for (const auto& r : rows) a.tiers.push_back({r.lower, r.max_leverage, r.mm_rate});
  return a;
}

void apply_half_initial(TieredPerpParams& p) {
  for (auto& [_, asset] : p.assets)
    for (auto& t : asset.tiers) t.mm_rate = 1.0 / (2.0 * t.max_leverage);
}

Result<bool> read_tier(const io::Json& v, const io::JsonPath& at, MmRule rule, NotionalTier& t) {
  if (!v.is_object()) return io::json_error(at, fmt::format("expected a tier object, got {}", io::brief(v)));
  for (const char* key : {"lower", "max_leverage"})
    if (!v.contains(key)) return io::json_error(at, fmt::format("missing field '{}'", key));
  if (rule == MmRule::Table && !v.contains("mm_rate"))
    return io::json_error(at, "missing field 'mm_rate' (required with mm_rule \"table\")");
  if (rule == MmRule::HalfInitial && v.contains("mm_rate"))
    return io::json_error(at.key("mm_rate"),
                          "not allowed with mm_rule \"half_initial\" (mm_rate = 1 / (2 x max_leverage))");
  ParamReader r(&v, at);
  r.ignore("source").number("lower", t.lower, 0.0).number("max_leverage", t.max_leverage, 1.0, 1e4);
  r.number("mm_rate", t.mm_rate, 0.0, 1.0);
  return r.finish();
}

Result<bool> read_asset(const io::Json& v, const io::JsonPath& at, MmRule rule, AssetTiers& asset) {
  ParamReader r(&v, at);
  double leverage = asset.leverage.value_or(kInf);
  r.ignore("source").number("leverage", leverage, 1.0, 1e4);
  r.custom("tiers", [&](const io::Json& arr, const io::JsonPath& p) -> Result<bool> {
    if (!arr.is_array() || arr.empty())
      return io::json_error(p, fmt::format("expected a non-empty array of tiers, got {}", io::brief(arr)));
    asset.tiers.assign(arr.size(), NotionalTier{});
    for (std::size_t i = 0; i < arr.size(); ++i) {
      GB_TRY(ok, read_tier(arr[i], p.index(i), rule, asset.tiers[i]));
      (void)ok;
    }
    return true;
  });
  GB_TRY(ok, r.finish());
  if (std::isfinite(leverage)) asset.leverage = leverage;
  return ok;
}

Result<bool> validate(const std::string& name, const AssetTiers& a, const io::JsonPath& at) {
  const io::JsonPath tiers = at.key("tiers");
  if (a.tiers.empty()) return io::json_error(tiers, fmt::format("underlying {} has no tiers", name));
  if (a.tiers[0].lower != 0.0)
    return io::json_error(tiers.index(0).key("lower"), fmt::format("{} must be 0 (the first tier starts at 0)", a.tiers[0].lower));
  for (std::size_t i = 0; i < a.tiers.size(); ++i) {
    const auto& t = a.tiers[i];
    const io::JsonPath ti = tiers.index(i);
    if (!(t.mm_rate > 0.0))
      return io::json_error(ti.key("mm_rate"), fmt::format("{} must be > 0", t.mm_rate));
    if (t.mm_rate > 1.0 / t.max_leverage * (1 + 1e-12))
      return io::json_error(ti.key("mm_rate"), fmt::format("{} exceeds the IM rate 1/max_leverage = {} of the tier",
                                                           t.mm_rate, 1.0 / t.max_leverage));
    if (i == 0) continue;
    const auto& prev = a.tiers[i - 1];
    if (!(t.lower > prev.lower))
      return io::json_error(ti.key("lower"), fmt::format("{} is not above the previous tier's {}", t.lower, prev.lower));
    if (t.max_leverage > prev.max_leverage)
      return io::json_error(ti.key("max_leverage"),
                            fmt::format("{} is above the previous tier's {} (leverage must not increase)", t.max_leverage, prev.max_leverage));
    if (t.mm_rate < prev.mm_rate)
      return io::json_error(ti.key("mm_rate"),
                            fmt::format("{} is below the previous tier's {} (rates must not decrease)", t.mm_rate, prev.mm_rate));
  }
  return true;
}

double rate_of(const scenario::AccountState& a, const std::string& ccy) { return a.usd_rate(ccy); }
bool good_rate(double r) { return std::isfinite(r) && r > 0.0; }
}  // namespace

std::vector<double> maintenance_deductions(std::span<const NotionalTier> tiers) {
  std::vector<double> d(tiers.size(), 0.0);
  for (std::size_t n = 1; n < tiers.size(); ++n)
    d[n] = d[n - 1] + tiers[n].lower * (tiers[n].mm_rate - tiers[n - 1].mm_rate);
  return d;
}

std::size_t tier_index(std::span<const NotionalTier> tiers, double notional) noexcept {
  std::size_t n = 0;
  while (n + 1 < tiers.size() && notional >= tiers[n + 1].lower) ++n;
  return n;
}

double tiered_maintenance_margin(std::span<const NotionalTier> tiers, double notional) {
  const std::size_t n = tier_index(tiers, notional);
  return notional * tiers[n].mm_rate - maintenance_deductions(tiers)[n];
}

double tiered_initial_margin(const AssetTiers& asset, double notional) {
  const double max_lev = asset.tiers[tier_index(asset.tiers, notional)].max_leverage;
  return notional / std::min(asset.leverage.value_or(max_lev), max_lev);
}

Result<TieredPerpParams> tiered_perp_defaults(std::string_view venue) {
  TieredPerpParams p;
  p.venue = std::string(venue);
  if (venue == "binance") {
    // Binance announcement "Updates to Leverage and Margin Tiers of Binance Futures Contracts (2021-03-18)".
    p.assets["BTC"] = ladder({{0, 125, 0.004}, {50e3, 100, 0.005}, {250e3, 50, 0.01}, {1e6, 20, 0.025},
                              {10e6, 10, 0.05}, {20e6, 5, 0.10}, {50e6, 4, 0.125}, {100e6, 3, 0.15},
                              {200e6, 2, 0.25}, {300e6, 1, 0.50}});
    // Same announcement, the 50x altcoin ladder (XEM, COTI, CHR, MANA, HBAR, ALICE): the fallback.
    p.assets["*"] = ladder({{0, 50, 0.01}, {5e3, 20, 0.025}, {25e3, 10, 0.05}, {100e3, 5, 0.10},
                            {250e3, 2, 0.125}, {1e6, 1, 0.50}});
  } else if (venue == "bybit") {
    // Bybit "Margin Parameters" page, BTCUSDT (risk limit = the tier's upper bound).
    p.assets["BTC"] = ladder({{0, 100, 0.005}, {2.0e6, 90, 0.0056}, {2.6e6, 80, 0.0063}, {3.2e6, 75, 0.0067},
                              {3.8e6, 70, 0.0071}, {4.4e6, 65, 0.0077}, {5.0e6, 55, 0.0091}, {5.6e6, 50, 0.01},
                              {8.5e6, 45, 0.013}, {10e6, 40, 0.015}, {14e6, 35, 0.016}, {20e6, 30, 0.02},
                              {28e6, 25, 0.025}, {38e6, 20, 0.029}, {50e6, 19, 0.03}, {55e6, 18, 0.035},
                              {60e6, 17, 0.036}, {65e6, 16, 0.038}, {70e6, 15, 0.04}, {75e6, 14, 0.045}});
  } else if (venue == "hyperliquid") {
    // Hyperliquid docs, trading/margin-tiers: BTC 40x below 150M USDC, 20x above; ETH 25x / 15x at 100M.
    p.mm_rule = MmRule::HalfInitial;
    p.assets["BTC"] = ladder({{0, 40, 0}, {150e6, 20, 0}});
    p.assets["ETH"] = ladder({{0, 25, 0}, {100e6, 15, 0}});
    apply_half_initial(p);
  } else {
    return make_error(fmt::format("tiered perp model: unknown venue preset '{}' (known: binance, bybit, hyperliquid)", venue));
  }
  return p;
}

Result<TieredPerpParams> read_tiered_perp_params(std::string_view venue, const io::Json* params, const io::JsonPath& at) {
  GB_TRY(p, tiered_perp_defaults(venue));
  std::string rule = p.mm_rule == MmRule::Table ? "table" : "half_initial";
  ParamReader r(params, at);
  r.ignore("source").string("mm_rule", rule, {"table", "half_initial"});
  p.mm_rule = rule == "table" ? MmRule::Table : MmRule::HalfInitial;
  r.custom("assets", [&](const io::Json& v, const io::JsonPath& path) -> Result<bool> {
    if (!v.is_object()) return io::json_error(path, fmt::format("expected an object of underlyings, got {}", io::brief(v)));
    for (const auto& [name, entry] : v.items()) {
      AssetTiers& asset = p.assets[name];
      if (entry.contains("tiers")) asset.tiers.clear();
      GB_TRY(ok, read_asset(entry, path.key(name), p.mm_rule, asset));
      (void)ok;
    }
    return true;
  });
  GB_TRY(ok, r.finish());
  (void)ok;
  if (p.mm_rule == MmRule::HalfInitial) apply_half_initial(p);
  for (const auto& [name, asset] : p.assets) {
    GB_TRY(valid, validate(name, asset, at.key("assets").key(name)));
    (void)valid;
  }
  return p;
}

Result<MarginResult> TieredPerpModel::compute(const scenario::AccountState& account) const {
  std::vector<std::string> fallback;
  const auto requirement = [&](const scenario::AccountState& a,
                               const scenario::PositionState& p) -> Result<PerpRequirement> {
    auto it = params_.assets.find(p.instrument.underlying);
    if (it == params_.assets.end()) {
      it = params_.assets.find("*");
      if (it == params_.assets.end())
        return make_error(fmt::format("account {}: instrument {}: model {} has no notional tiers for {} (add them at "
                                      "parameter assets.{})",
                                      a.id, p.instrument.name, params_.venue, p.instrument.underlying, p.instrument.underlying));
      if (std::find(fallback.begin(), fallback.end(), p.instrument.underlying) == fallback.end())
        fallback.push_back(p.instrument.underlying);
    }
    const AssetTiers& asset = it->second;
    const double notional = p.notional_usd();  // quote currency for linear products
    const std::size_t n = tier_index(asset.tiers, notional);
    const double rate = rate_of(a, p.instrument.settlement_currency);
    PerpRequirement q;
    q.initial_usd = tiered_initial_margin(asset, notional) * rate;
    q.maintenance_usd = tiered_maintenance_margin(asset.tiers, notional) * rate;
    const double lev = std::min(asset.leverage.value_or(asset.tiers[n].max_leverage), asset.tiers[n].max_leverage);
    q.details = {{"notional", notional},       {"tier", n + 1},
                 {"leverage", lev},            {"max_leverage", asset.tiers[n].max_leverage},
                 {"mm_rate", asset.tiers[n].mm_rate}, {"maintenance_deduction", maintenance_deductions(asset.tiers)[n]},
                 {"ladder", it->first}};
    return q;
  };
  GB_TRY(r, perp_pools_margin(account, params_.venue, requirement));
  for (const auto& u : fallback)
    r.notes.push_back(fmt::format("{}: no ladder of its own in model {}, margined with the default ladder (assets.*)", u,
                                  params_.venue));
  return r;
}

Result<ModelPtr> make_tiered_perp(std::string_view venue_preset, const io::Json* params, const io::JsonPath& at) {
  GB_TRY(p, read_tiered_perp_params(venue_preset, params, at));
  return ModelPtr(std::make_unique<TieredPerpModel>(std::move(p)));
}

Result<MarginResult> perp_pools_margin(const scenario::AccountState& account, const std::string& model,
                                       const PerpRequirementFn& requirement) {
  const std::string& mode = account.margin_mode;
  if (mode != "cross" && mode != "isolated")
    return make_error(fmt::format("account {}: margin mode '{}' is not supported by model {} (cross or isolated)",
                                  account.id, mode, model));
  MarginResult r;
  r.account = account.id;
  r.model = model;
  r.currency = "USD";
  r.errors = account.errors;
  r.details = io::Json::object();

  double collateral = 0.0;
  for (const auto& [ccy, amount] : account.collateral) {
    const double rate = rate_of(account, ccy);
    if (!good_rate(rate))
      return make_error(fmt::format("account {}: collateral {} {} has no USD rate", account.id, amount, ccy));
    collateral += amount * rate;
  }
  // Positions margined (spot holdings are collateral, not positions).
  std::size_t margined = 0, isolated = 0;
  for (const auto& p : account.positions) {
    const auto& inst = p.instrument;
    if (inst.kind == Kind::Option)
      return make_error(fmt::format("account {}: instrument {}: model {} cannot margin options", account.id, inst.name, model));
    if (inst.inverse)
      return make_error(fmt::format("account {}: instrument {}: model {} margins linear (USD-margined) products only, "
                                    "not inverse ones", account.id, inst.name, model));
    if (inst.kind == Kind::Spot) continue;
    ++margined;
    if (p.isolated_margin) {
      ++isolated;
      if (!(*p.isolated_margin >= 0.0) || !std::isfinite(*p.isolated_margin))
        return make_error(fmt::format("account {}: instrument {}: isolated margin {} must be a finite number >= 0",
                                      account.id, inst.name, *p.isolated_margin));
    }
  }
  const bool whole_account_isolated = mode == "isolated" && isolated == 0 && margined == 1;
  if (mode == "isolated" && isolated < margined && !whole_account_isolated) {
    std::string missing;
    for (const auto& p : account.positions)
      if (p.instrument.kind != Kind::Spot && !p.isolated_margin) missing += (missing.empty() ? "" : ", ") + p.instrument.name;
    return make_error(fmt::format("account {}: margin mode 'isolated' with several positions needs isolated_margin on each "
                                  "position (the collateral set aside for it); missing on {}",
                                  account.id, missing));
  }

  PoolMargin cross{.name = "cross", .currency = "USD"};
  cross.equity = collateral;
  bool cross_used = !account.collateral.empty();
  std::vector<PoolMargin> iso_pools;
  bool spot_noted = false;
  for (const auto& p : account.positions) {
    const auto& inst = p.instrument;
    const double rate = rate_of(account, inst.settlement_currency);
    if (!good_rate(rate))
      return make_error(fmt::format("account {}: instrument {}: settlement currency {} has no USD rate", account.id,
                                    inst.name, inst.settlement_currency));
    if (!std::isfinite(p.mark) || p.mark <= 0.0)
      return make_error(fmt::format("account {}: instrument {}: mark price {} is not a positive number", account.id,
                                    inst.name, p.mark));
    const double value = p.quantity * p.unit_equity() * rate;  // unrealised PnL (spot: holding value)
    if (inst.kind == Kind::Spot) {
      (whole_account_isolated ? collateral : cross.equity) += value;
      cross_used = true;
      if (!spot_noted) r.notes.push_back("spot holdings count as collateral at their value, with no margin requirement");
      spot_noted = true;
      continue;
    }
    GB_TRY(q, requirement(account, p));
    PositionMargin pm{inst.name, p.quantity, q.initial_usd, q.maintenance_usd, "USD", "cross"};
    if (p.isolated_margin || whole_account_isolated) {
      PoolMargin pool{.name = "isolated " + inst.name, .currency = "USD"};
      pool.equity = (p.isolated_margin ? *p.isolated_margin * rate : 0.0) + value;  // + collateral below
      pool.initial_margin = q.initial_usd;
      pool.maintenance_margin = q.maintenance_usd;
      pm.pool = pool.name;
      iso_pools.push_back(pool);
    } else {
      cross_used = true;
      cross.equity += value;
      cross.initial_margin += q.initial_usd;
      cross.maintenance_margin += q.maintenance_usd;
    }
    r.details["positions"][inst.name] = std::move(q.details);
    r.positions.push_back(std::move(pm));
  }
  if (whole_account_isolated) {
    iso_pools.front().equity += collateral;  // includes spot holdings
    r.notes.push_back("margin mode 'isolated' with one position: the whole collateral is its isolated margin");
  } else if (cross_used) {
    r.pools.push_back(cross);
  }
  r.pools.insert(r.pools.end(), iso_pools.begin(), iso_pools.end());
  for (const auto& pool : r.pools) {
    r.equity += pool.equity;
    r.initial_margin += pool.initial_margin;
    r.maintenance_margin += pool.maintenance_margin;
  }
  finish_figures(r);
  return r;
}

}  // namespace greekbook::margin
