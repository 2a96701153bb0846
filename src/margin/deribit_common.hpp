#pragma once
// Helpers shared by the Deribit standard (SM) and portfolio (PM) margin models (internal header):
// position checks, per-currency equity, USD rates, haircut-adjusted cross-collateral equity, and
// keyed-table parameter reading ({"default": {...}, "BTC": {...}}).
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/margin/params.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::margin::deribit {

std::string lower(std::string_view s);

/// True for S:SM / S:PM (margin_mode "segregated"); every other mode is cross (X:SM / X:PM).
inline bool is_segregated(const scenario::AccountState& a) noexcept { return a.margin_mode == "segregated"; }

/// A position the Deribit models can margin: finite non-zero-able quantity, finite positive spot and
/// mark (mark >= 0 for options), options with a positive strike and forward. Errors name the
/// account and the instrument.
Result<bool> check_position(const scenario::AccountState& a, const scenario::PositionState& p,
                            std::string_view model);

/// Native equity per currency: collateral balance + sum of quantity x unit_equity() over the
/// positions settled in that currency (coin for inverse products, USDC/USDT for linear ones).
std::map<std::string, double> currency_equity(const scenario::AccountState& a);

/// Adds one position's equity to a currency-equity map.
void add_equity(std::map<std::string, double>& equity, const scenario::PositionState& p);

/// USD per unit of `currency` from the account (stablecoins 1); error naming account and currency
/// when unknown or not positive.
Result<double> usd_rate(const scenario::AccountState& a, const std::string& currency);

/// Cross-collateral equity in USD: sum over currencies of equity x usd_rate x (1 - haircut) for a
/// positive equity, equity x usd_rate (no haircut benefit) for a negative one.
Result<double> cross_equity_usd(const scenario::AccountState& a, const std::map<std::string, double>& equity,
                                const std::function<double(const std::string&)>& haircut);

/// Reads a keyed table of parameter groups: `obj` is {"source": ..., "default": {...}, KEY: {...}}.
/// "default" is read first (over table["default"]'s compiled-in values); every other key starts
/// from its compiled-in entry if there is one, else from the (overridden) default. `read_entry`
/// reads one group with a ParamReader (unknown keys are errors). Keys are stored as given.
template <class T>
Result<bool> read_table(const io::Json& obj, const io::JsonPath& at, std::map<std::string, T>& table,
                        const std::function<void(ParamReader&, T&)>& read_entry) {
  if (!obj.is_object()) return io::json_error(at, "expected an object keyed by name (with a \"default\" entry)");
  const auto read_one = [&](const std::string& key, T& out) -> Result<bool> {
    ParamReader r(&obj.at(key), at.key(key));
    r.ignore("source").ignore("comment");
    read_entry(r, out);
    return r.finish();
  };
  if (obj.contains("default")) {
    T& d = table["default"];
    if (auto ok = read_one("default", d); !ok) return ok;
  }
  for (const auto& [key, value] : obj.items()) {
    if (key == "default" || key == "source" || key == "comment") continue;
    T entry = table.count(key) ? table.at(key) : table["default"];
    if (auto ok = read_one(key, entry); !ok) return ok;
    table[key] = entry;
  }
  return true;
}

/// Like ParamReader::number with an exclusive lower bound: min < x <= max.
ParamReader& number_above(ParamReader& r, std::string_view key, double& out, double min, double max);
/// Like ParamReader::number with an exclusive upper bound: min <= x < max (haircuts).
ParamReader& number_below(ParamReader& r, std::string_view key, double& out, double min, double max);

}  // namespace greekbook::margin::deribit
