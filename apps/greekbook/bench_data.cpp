#include "bench_data.hpp"

#include <cmath>
#include <random>

#include <fmt/format.h>

#include "greekbook/core/time.hpp"
#include "greekbook/instruments/instrument.hpp"
#include "greekbook/pricing/black76.hpp"

namespace greekbook::cli {
namespace {
constexpr std::int64_t kValuation = 1768464000000;  // 2026-01-15T08:00:00Z
constexpr int kExpiryDays[] = {1, 2, 3, 8, 15, 22, 43, 71, 99, 162, 253, 344};
}  // namespace

market::MarketSnapshot synthetic_market() {
  market::MarketSnapshot m;
  m.valuation_ms = kValuation;
  m.source = "synthetic";
  market::UnderlyingMarket& u = m.underlyings["BTC"];
  u.name = "BTC";
  u.index = market::PricePoint{96500.0, "synthetic", kValuation};
  u.perpetuals.push_back({"BTC-PERPETUAL", {96540.0, "synthetic", kValuation}, 0.0001, "deribit"});
  for (int days : kExpiryDays) {
    const std::int64_t expiry = kValuation + days * core::kMsPerDay;
    const double T = days / 365.0;
    // ATM vol ~ 45% rising to 55% with tenor, skew rho -0.2, forward carry 8%/yr.
    const double atm = 0.45 + 0.10 * std::min(1.0, T);
    u.smiles.push_back({expiry, {0.6 * atm * atm * T, 0.4 * atm * std::sqrt(T), -0.2, 0.0, 0.5 * atm * std::sqrt(T)}});
    const std::string name = "BTC-" + instruments::format_deribit_expiry(expiry);
    u.futures.push_back({name, expiry, {96500.0 * std::exp(0.08 * T), "synthetic", kValuation}});
  }
  market::finalise(m);
  return m;
}

book::Book synthetic_book(const market::MarketSnapshot& m, std::size_t n) {
  const auto& u = m.underlyings.at("BTC");
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  book::Book b;
  b.source = "synthetic";
  b.accounts.push_back(book::Account{"bench", "deribit", "cross", {{"BTC", 100.0}}, {}, ""});
  for (std::size_t i = 0; i < n; ++i) {
    const auto& fq = u.futures[i % u.futures.size()];
    const double strike = std::round(fq.mark.value * (0.6 + 0.8 * unit(rng)) / 500.0) * 500.0;
    const bool call = unit(rng) < 0.5;
    const std::string name = fmt::format("BTC-{}-{}-{}", instruments::format_deribit_expiry(fq.expiry_ms), strike,
                                         call ? "C" : "P");
    auto inst = instruments::parse_instrument(name, "deribit");
    if (!inst) continue;
    double qty = std::round((unit(rng) - 0.5) * 400.0) / 10.0;
    if (qty == 0.0) qty = 1.0;
    b.accounts[0].positions.push_back({*inst, qty, 0.05, name, std::nullopt});
  }
  return b;
}

std::string synthetic_chain_csv(const market::MarketSnapshot& m, std::size_t n) {
  const auto& u = m.underlyings.at("BTC");
  std::string csv =
      "timestamp,instrument_name,underlying,underlying_name,option_type,strike,expiry_datetime,time_to_maturity,"
      "bid_price,ask_price,mark_price,mid_price,futures_price,futures_instrument_name,implied_volatility,delta,vega,"
      "open_interest,volume,bid_ask_spread,currency,index_price,volume_usd\n";
  const std::string ts = core::format_utc_ms(m.valuation_ms);
  const std::size_t per_expiry = std::max<std::size_t>(n / u.futures.size() / 2, 5);
  for (const auto& f : u.futures) {
    const double T = core::years_between(m.valuation_ms, f.expiry_ms);
    const double F = f.mark.value;
    const std::string code = instruments::format_deribit_expiry(f.expiry_ms);
    for (std::size_t j = 0; j < per_expiry; ++j) {
      const double strike = std::round(F * std::exp(-0.5 + j / static_cast<double>(per_expiry - 1)) / 100.0) * 100.0;
      const double vol = u.surface.implied_vol(T, std::log(strike / F));
      for (int c = 0; c < 2; ++c) {
        const auto type = c == 0 ? pricing::OptionType::Call : pricing::OptionType::Put;
        const double mark = pricing::black76_price({type, F, strike, T, vol, 0.0}) / F;
        csv += fmt::format("{},BTC-{}-{}-{},{},SYN.BTC-{},{},{},{},{},,,{:.8f},,{},,{:.4f},,,,,,BTC,96500.0,\n", ts, code,
                           strike, c == 0 ? "C" : "P", F, code, c == 0 ? "call" : "put", strike,
                           core::format_utc_ms(f.expiry_ms), T, mark, F, vol);
      }
    }
  }
  return csv;
}

}  // namespace greekbook::cli
