#include "deribit_common.hpp"

#include <cctype>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace greekbook::margin::deribit {
using instruments::Kind;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<bool> check_position(const scenario::AccountState& a, const scenario::PositionState& p, std::string_view model) {
  const auto fail = [&](std::string_view what, double value) {
    return make_error(fmt::format("account '{}': {}: {} cannot margin it: {} is {}", a.id, p.instrument.name, model,
                                  what, value));
  };
  switch (p.instrument.kind) {
    case Kind::Spot:
    case Kind::Perpetual:
    case Kind::Future:
    case Kind::Option:
      break;
    default:
      return make_error(fmt::format("account '{}': {}: {} cannot margin instruments of kind '{}'", a.id,
                                    p.instrument.name, model, instruments::to_string(p.instrument.kind)));
  }
  if (!std::isfinite(p.quantity)) return fail("quantity", p.quantity);
  if (!(std::isfinite(p.spot) && p.spot > 0)) return fail("the index (spot) price", p.spot);
  if (p.is_option()) {
    if (!(std::isfinite(p.mark) && p.mark >= 0)) return fail("the option mark", p.mark);
    if (!(p.instrument.strike > 0)) return fail("the strike", p.instrument.strike);
    if (!(std::isfinite(p.forward) && p.forward > 0)) return fail("the forward", p.forward);
    if (!(std::isfinite(p.vol) && p.vol >= 0)) return fail("the implied vol", p.vol);
    if (!std::isfinite(p.expiry_years)) return fail("the time to expiry (years)", p.expiry_years);
  } else {
    if (!(std::isfinite(p.mark) && p.mark > 0)) return fail("the mark price", p.mark);
    if (!std::isfinite(p.expiry_years)) return fail("the time to expiry (years)", p.expiry_years);
    if (!std::isnan(p.entry) && !(std::isfinite(p.entry) && p.entry > 0)) return fail("the entry price", p.entry);
  }
  if (p.instrument.settlement_currency.empty())
    return make_error(fmt::format("account '{}': {}: {} cannot margin it: no settlement currency", a.id,
                                  p.instrument.name, model));
  return true;
}

void add_equity(std::map<std::string, double>& equity, const scenario::PositionState& p) {
  equity[p.instrument.settlement_currency] += p.quantity * p.unit_equity();
}

std::map<std::string, double> currency_equity(const scenario::AccountState& a) {
  // A few settlement currencies per account: a flat list (last hit first) beats a map per position.
  std::vector<std::pair<const std::string*, double>> sums;
  const std::string* last = nullptr;
  double* last_sum = nullptr;
  for (const auto& p : a.positions) {
    const std::string& ccy = p.instrument.settlement_currency;
    if (!last || *last != ccy) {
      last_sum = nullptr;
      for (auto& [c, v] : sums)
        if (*c == ccy) last_sum = &v;
      if (!last_sum) last_sum = &sums.emplace_back(&ccy, 0.0).second;
      last = &ccy;
    }
    *last_sum += p.quantity * p.unit_equity();
  }
  std::map<std::string, double> equity(a.collateral.begin(), a.collateral.end());
  for (const auto& [c, v] : sums) equity[*c] += v;
  return equity;
}

Result<double> usd_rate(const scenario::AccountState& a, const std::string& currency) {
  const double r = a.usd_rate(currency);
  if (!(std::isfinite(r) && r > 0))
    return make_error(fmt::format("account '{}': no USD rate for currency '{}' (got {}): cannot convert it to USD",
                                  a.id, currency, r));
  return r;
}

Result<double> cross_equity_usd(const scenario::AccountState& a, const std::map<std::string, double>& equity,
                                const std::function<double(const std::string&)>& haircut) {
  double total = 0.0;
  for (const auto& [ccy, e] : equity) {
    if (e == 0.0) continue;
    GB_TRY(rate, usd_rate(a, ccy));
    total += e > 0 ? e * rate * (1.0 - haircut(ccy)) : e * rate;
  }
  return total;
}

ParamReader& number_above(ParamReader& r, std::string_view key, double& out, double min, double max) {
  return r.custom(key, [&out, min, max](const io::Json& v, const io::JsonPath& p) -> Result<bool> {
    if (!v.is_number()) return io::json_error(p, fmt::format("expected a number, got {}", io::brief(v)));
    const double x = v.get<double>();
    if (!(std::isfinite(x) && x > min && x <= max))
      return io::json_error(p, fmt::format("{} is out of range (must be > {} and <= {})", x, min, max));
    out = x;
    return true;
  });
}

ParamReader& number_below(ParamReader& r, std::string_view key, double& out, double min, double max) {
  return r.custom(key, [&out, min, max](const io::Json& v, const io::JsonPath& p) -> Result<bool> {
    if (!v.is_number()) return io::json_error(p, fmt::format("expected a number, got {}", io::brief(v)));
    const double x = v.get<double>();
    if (!(std::isfinite(x) && x >= min && x < max))
      return io::json_error(p, fmt::format("{} is out of range (must be >= {} and < {})", x, min, max));
    out = x;
    return true;
  });
}

}  // namespace greekbook::margin::deribit
