// Deribit chain CSVs (the 2026 snapshot format and the 2020 flat ticker format) -> MarketSnapshot,
// and load_market(), which recognises the format from the content.
#include <algorithm>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "greekbook/core/time.hpp"
#include "greekbook/instruments/instrument.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/market/snapshot_io.hpp"

namespace greekbook::market {
namespace {

struct Columns {
  const io::CsvTable& t;
  std::string_view source;
  Result<std::size_t> need(std::string_view name) const {
    if (auto i = t.column(name)) return *i;
    return make_error(fmt::format("{}:1: missing column '{}' in a Deribit chain file", source, name));
  }
};

std::optional<double> number(const io::CsvRow& row, std::optional<std::size_t> col) {
  if (!col || row.fields[*col].empty()) return std::nullopt;
  return io::parse_finite_double(row.fields[*col]);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Calls `add(underlying market, instrument, mark)` for each row of a sidecar file (beside the chain)
// that belongs to this snapshot file. A missing sidecar is fine; a malformed one is an error.
template <class Add>
Result<bool> for_sidecar_rows(MarketSnapshot& snap, const std::string& dir, const char* name, const char* snapshot_col,
                              const char* currency_col, const char* instrument_col, const char* mark_col,
                              const std::string& file_name, Add add) {
  const std::filesystem::path p = std::filesystem::path(dir) / name;
  if (!std::filesystem::exists(p)) return false;
  GB_TRY(text, io::read_text(p.string()));
  GB_TRY(t, io::parse_csv(text, p.string()));
  const Columns cols{t, p.string()};
  GB_TRY(f, cols.need(snapshot_col));
  GB_TRY(c, cols.need(currency_col));
  GB_TRY(n, cols.need(instrument_col));
  GB_TRY(m, cols.need(mark_col));
  for (const auto& row : t.rows) {
    if (row.fields[f] != file_name) continue;
    auto it = snap.underlyings.find(row.fields[c]);
    if (it == snap.underlyings.end()) continue;  // a currency this chain has no options for
    const auto mark = io::parse_finite_double(row.fields[m]);
    if (!mark || *mark <= 0)
      return make_error(fmt::format("{}:{}: column '{}': '{}' is not a positive price", p.string(), row.line, mark_col,
                                    row.fields[m]));
    add(it->second, row.fields[n], *mark);
  }
  return true;
}

Result<bool> load_sidecars(MarketSnapshot& snap, const std::string& dir, const std::string& file_name) {
  const std::int64_t t = snap.valuation_ms;
  GB_TRY(futures, for_sidecar_rows(snap, dir, "term_futures_marks.csv", "snapshot_file", "currency",
                                   "futures_instrument_name", "term_mark_price_final", file_name,
                                   [&](UnderlyingMarket& u, const std::string& inst, double mark) {
                                     const auto parsed = instruments::parse_instrument(inst, "deribit");
                                     if (parsed && parsed->kind == instruments::Kind::Future)
                                       u.futures.push_back({parsed->name, parsed->expiry_ms,
                                                            {mark, "deribit term_futures_marks.csv", t}});
                                   }));
  GB_TRY(perps, for_sidecar_rows(snap, dir, "perpetual_futures_prices.csv", "snapshot_file", "coin", "instrument_name",
                                 "perp_futures_mark_price", file_name,
                                 [&](UnderlyingMarket& u, const std::string& inst, double mark) {
                                   u.perpetuals.push_back({inst, {mark, "deribit perpetual_futures_prices.csv", t}, {}});
                                 }));
  return futures || perps;
}

}  // namespace

Result<MarketSnapshot> parse_deribit_chain_csv(std::string_view text, std::string_view source,
                                               const std::string& sidecar_dir) {
  GB_TRY(table, io::parse_csv(text, source));
  const Columns cols{table, source};
  const bool flat2020 = table.column("timestamp_ms").has_value();
  GB_TRY(c_name, cols.need("instrument_name"));
  GB_TRY(c_type, cols.need("option_type"));
  GB_TRY(c_strike, cols.need("strike"));
  GB_TRY(c_mark, cols.need("mark_price"));
  GB_TRY(c_und, cols.need(flat2020 ? "underlying_price" : "underlying"));
  GB_TRY(c_iv, cols.need(flat2020 ? "mark_iv" : "implied_volatility"));
  GB_TRY(c_time, cols.need(flat2020 ? "timestamp_ms" : "timestamp"));
  GB_TRY(c_expiry, cols.need(flat2020 ? "expiration_timestamp_ms" : "expiry_datetime"));
  const auto c_bid = table.column(flat2020 ? "best_bid_price" : "bid_price");
  const auto c_ask = table.column(flat2020 ? "best_ask_price" : "ask_price");
  const auto c_index = table.column("index_price");
  const double iv_scale = flat2020 ? 0.01 : 1.0;  // 2020 mark_iv is in percent

  MarketSnapshot snap;
  snap.source = std::string(source);
  std::map<std::string, std::vector<double>> index_prints;
  for (const auto& row : table.rows) {
    const auto bad = [&](std::size_t col, const char* why) {
      return make_error(fmt::format("{}:{}: column '{}': '{}' {}", source, row.line, table.header[col],
                                    row.fields[col], why));
    };
    OptionQuote q;
    const auto inst = instruments::parse_instrument(row.fields[c_name], "deribit");
    if (!inst || inst->kind != instruments::Kind::Option)
      return bad(c_name, inst ? "is not an option" : ("is not a Deribit option name: " + inst.error().message).c_str());
    q.instrument = inst->name;
    const std::string& type = row.fields[c_type];
    if (type != "call" && type != "put") return bad(c_type, "is not call or put");
    q.right = type == "call" ? pricing::OptionType::Call : pricing::OptionType::Put;
    const auto strike = io::parse_finite_double(row.fields[c_strike]);
    if (!strike || *strike <= 0) return bad(c_strike, "is not a positive number");
    q.strike = *strike;
    auto t = core::parse_utc_ms(row.fields[c_time]);
    if (!t) return bad(c_time, "is not a time");
    auto e = core::parse_utc_ms(row.fields[c_expiry]);
    if (!e) return bad(c_expiry, "is not a time");
    q.timestamp_ms = *t;
    q.expiry_ms = *e;
    q.mark_price = number(row, c_mark);
    if (auto iv = number(row, c_iv); iv && *iv > 0) q.mark_iv = *iv * iv_scale;
    if (auto u = number(row, c_und); u && *u > 0) q.underlying_price = *u;
    if (auto b = number(row, c_bid); b && *b > 0) q.bid = b;
    if (auto a = number(row, c_ask); a && *a > 0) q.ask = a;
    q.inverse = inst->inverse;
    if (q.right != inst->right || q.strike != inst->strike || q.expiry_ms != inst->expiry_ms)
      return make_error(fmt::format("{}:{}: row disagrees with its instrument name '{}' (type {}, strike {}, expiry {})",
                                    source, row.line, inst->name, type, row.fields[c_strike], row.fields[c_expiry]));
    q.source = "deribit";
    snap.valuation_ms = std::max(snap.valuation_ms, q.timestamp_ms);
    const std::string und = inst->underlying;
    if (auto ix = number(row, c_index); ix && *ix > 0) index_prints[und].push_back(*ix);
    auto& u = snap.underlyings[und];
    u.name = und;
    const std::string name = q.instrument;
    if (!u.options.emplace(name, std::move(q)).second)
      return make_error(fmt::format("{}:{}: duplicate instrument '{}'", source, row.line, name));
  }
  if (snap.underlyings.empty()) return make_error(fmt::format("{}: no option rows", source));
  for (auto& [und, prints] : index_prints)
    snap.underlyings[und].index = PricePoint{median(prints), "deribit index (median of rows)", snap.valuation_ms};
  if (!sidecar_dir.empty()) {
    GB_TRY(loaded, load_sidecars(snap, sidecar_dir, std::filesystem::path(std::string(source)).filename().string()));
    (void)loaded;
  }
  return snap;
}

Result<MarketSnapshot> load_market(const std::string& path) {
  GB_TRY(text, io::read_text(path));
  const auto first = text.find_first_not_of(" \t\r\n");
  Result<MarketSnapshot> snap = make_error(fmt::format(
      "{}: unrecognised market format (expected greekbook JSON, or a Deribit chain CSV whose header "
      "starts with 'timestamp,instrument_name,' or 'timestamp_ms,instrument_name,')", path));
  if (first != std::string::npos && text[first] == '{') {
    snap = parse_market_json(text, path);
  } else if (text.rfind("timestamp,instrument_name,", 0) == 0 || text.rfind("timestamp_ms,instrument_name,", 0) == 0) {
    snap = parse_deribit_chain_csv(text, path, std::filesystem::path(path).parent_path().string());
  }
  if (snap) finalise(*snap);
  return snap;
}

}  // namespace greekbook::market
