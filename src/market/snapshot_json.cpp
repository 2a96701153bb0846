// greekbook JSON market snapshot: parse and write (format documented in docs/formats.md).
#include <cmath>

#include <fmt/format.h>

#include "greekbook/core/time.hpp"
#include "greekbook/instruments/instrument.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/market/snapshot_io.hpp"

namespace greekbook::market {
namespace {
using io::Json;
using io::JsonPath;

Result<std::int64_t> time_field(const Json& obj, std::string_view key, const JsonPath& at) {
  GB_TRY(f, io::require_field(obj, key, at));
  if (f->is_number_integer()) return f->get<std::int64_t>();
  if (!f->is_string()) return io::json_error(at.key(key), fmt::format("expected a time, got {}", io::brief(*f)));
  auto t = core::parse_utc_ms(f->get<std::string>());
  if (!t) return io::json_error(at.key(key), t.error().message);
  return *t;
}

Result<PricePoint> price_point(const Json& obj, const char* price_key, const JsonPath& at,
                               std::int64_t default_time) {
  GB_TRY(value, io::require_number(obj, price_key, at));
  if (!(value > 0)) return io::json_error(at.key(price_key), fmt::format("must be positive, got {}", value));
  PricePoint p{value, "", default_time};
  GB_TRY(src, io::optional_string(obj, "source", at));
  if (src) p.source = *src;
  if (obj.contains("time")) {
    GB_TRY(t, time_field(obj, "time", at));
    p.timestamp_ms = t;
  }
  return p;
}

Result<std::optional<double>> positive_optional(const Json& obj, const char* key, const JsonPath& at,
                                                bool allow_zero) {
  GB_TRY(v, io::optional_number(obj, key, at));
  if (v && (*v < 0 || (!allow_zero && *v == 0)))
    return io::json_error(at.key(key), fmt::format("must be {}, got {}", allow_zero ? "non-negative" : "positive", *v));
  return v;
}

Result<OptionQuote> option_quote(const Json& o, const JsonPath& at, std::int64_t t0, const std::string& underlying) {
  OptionQuote q;
  GB_TRY(name, io::require_string(o, "instrument", at));
  auto inst = instruments::parse_instrument(name, "deribit");
  if (!inst || inst->kind != instruments::Kind::Option)
    return io::json_error(at.key("instrument"),
                          inst ? fmt::format("'{}' is not an option", name) : inst.error().message);
  if (inst->underlying != underlying)
    return io::json_error(at.key("instrument"), fmt::format("'{}' is a {} option, listed under {}", name,
                                                            inst->underlying, underlying));
  q.instrument = inst->name;  // canonical (e.g. BTC-03JAN26-... -> BTC-3JAN26-...), as book positions use
  q.expiry_ms = inst->expiry_ms;
  q.strike = inst->strike;
  q.right = inst->right;
  q.inverse = inst->inverse;
  GB_TRY(bid, positive_optional(o, "bid", at, true));
  GB_TRY(ask, positive_optional(o, "ask", at, true));
  GB_TRY(mark, positive_optional(o, "mark_price", at, true));
  GB_TRY(iv, positive_optional(o, "mark_iv", at, false));
  GB_TRY(und, positive_optional(o, "underlying_price", at, false));
  q.bid = bid;
  q.ask = ask;
  q.mark_price = mark;
  q.mark_iv = iv;
  q.underlying_price = und;
  GB_TRY(src, io::optional_string(o, "source", at));
  if (src) q.source = *src;
  q.timestamp_ms = t0;
  if (o.contains("time")) {
    GB_TRY(t, time_field(o, "time", at));
    q.timestamp_ms = t;
  }
  return q;
}

Result<UnderlyingMarket> underlying(const std::string& name, const Json& u, const JsonPath& at, std::int64_t t0) {
  UnderlyingMarket m;
  m.name = name;
  if (!u.is_object()) return io::json_error(at, fmt::format("expected an object, got {}", io::brief(u)));
  if (u.contains("index")) {
    GB_TRY(p, price_point(u.at("index"), "price", at.key("index"), t0));
    m.index = p;
  }
  const auto array = [&](const char* key) -> Result<const Json*> {
    if (!u.contains(key)) return static_cast<const Json*>(nullptr);
    const Json& a = u.at(key);
    if (!a.is_array()) return io::json_error(at.key(key), fmt::format("expected an array, got {}", io::brief(a)));
    return &a;
  };
  GB_TRY(perps, array("perpetuals"));
  for (std::size_t i = 0; perps && i < perps->size(); ++i) {
    const JsonPath p = at.key("perpetuals").index(i);
    PerpetualQuote q;
    GB_TRY(inst, io::require_string((*perps)[i], "instrument", p));
    GB_TRY(venue, io::optional_string((*perps)[i], "venue", p));
    if (venue) q.venue = *venue;
    if (auto parsed = instruments::parse_instrument(inst, q.venue)) {
      if (parsed->kind != instruments::Kind::Perpetual || parsed->underlying != name)
        return io::json_error(p.key("instrument"), fmt::format("'{}' is not a {} perpetual", inst, name));
    } else {
      return io::json_error(p.key("instrument"), parsed.error().message);
    }
    GB_TRY(mark, price_point((*perps)[i], "mark", p, t0));
    GB_TRY(funding, io::optional_number((*perps)[i], "funding_rate_8h", p));
    q.instrument = inst;
    q.mark = mark;
    q.funding_rate_8h = funding;
    m.perpetuals.push_back(std::move(q));
  }
  GB_TRY(futs, array("futures"));
  for (std::size_t i = 0; futs && i < futs->size(); ++i) {
    const JsonPath p = at.key("futures").index(i);
    FutureQuote q;
    GB_TRY(inst, io::require_string((*futs)[i], "instrument", p));
    auto parsed = instruments::parse_instrument(inst, "deribit");
    if (!parsed || parsed->kind != instruments::Kind::Future)
      return io::json_error(p.key("instrument"),
                            parsed ? fmt::format("'{}' is not a dated future", inst) : parsed.error().message);
    if (parsed->underlying != name)
      return io::json_error(p.key("instrument"), fmt::format("'{}' is a {} future, listed under {}", inst,
                                                             parsed->underlying, name));
    GB_TRY(mark, price_point((*futs)[i], "mark", p, t0));
    q.instrument = inst;
    q.expiry_ms = parsed->expiry_ms;
    q.mark = mark;
    m.futures.push_back(std::move(q));
  }
  GB_TRY(opts, array("options"));
  for (std::size_t i = 0; opts && i < opts->size(); ++i) {
    GB_TRY(q, option_quote((*opts)[i], at.key("options").index(i), t0, name));
    const std::string key = q.instrument;
    if (!m.options.emplace(key, std::move(q)).second)
      return io::json_error(at.key("options").index(i), fmt::format("duplicate option '{}'", key));
  }
  GB_TRY(smiles, array("smiles"));
  for (std::size_t i = 0; smiles && i < smiles->size(); ++i) {
    const JsonPath p = at.key("smiles").index(i);
    const Json& s = (*smiles)[i];
    SmileSpec spec;
    GB_TRY(expiry, time_field(s, "expiry", p));
    GB_TRY(svi, io::require_field(s, "svi", p));
    const JsonPath sp = p.key("svi");
    GB_TRY(a, io::require_number(*svi, "a", sp));
    GB_TRY(b, io::require_number(*svi, "b", sp));
    GB_TRY(rho, io::require_number(*svi, "rho", sp));
    GB_TRY(mm, io::require_number(*svi, "m", sp));
    GB_TRY(sig, io::require_number(*svi, "sigma", sp));
    if (b < 0) return io::json_error(sp.key("b"), fmt::format("must be >= 0, got {}", b));
    if (!(std::fabs(rho) < 1)) return io::json_error(sp.key("rho"), fmt::format("must be in (-1, 1), got {}", rho));
    if (!(sig > 0)) return io::json_error(sp.key("sigma"), fmt::format("must be > 0, got {}", sig));
    if (a + b * sig * std::sqrt(1 - rho * rho) < 0)
      return io::json_error(sp, "a + b sigma sqrt(1 - rho^2) < 0: negative total variance");
    spec.expiry_ms = expiry;
    spec.params = SviParams{a, b, rho, mm, sig};
    m.smiles.push_back(spec);
  }
  return m;
}

Json price_json(const PricePoint& p, const char* key) {
  Json j;
  j[key] = p.value;
  if (!p.source.empty()) j["source"] = p.source;
  if (p.timestamp_ms) j["time"] = core::format_utc_ms(p.timestamp_ms);
  return j;
}
}  // namespace

Result<MarketSnapshot> parse_market_json(std::string_view text, std::string_view source) {
  GB_TRY(doc, io::parse_json(text, source));
  const JsonPath root{std::string(source), ""};
  MarketSnapshot snap;
  snap.source = std::string(source);
  GB_TRY(t, time_field(doc, "valuation_time", root));
  snap.valuation_ms = t;
  GB_TRY(unds, io::require_field(doc, "underlyings", root));
  if (!unds->is_object())
    return io::json_error(root.key("underlyings"), fmt::format("expected an object, got {}", io::brief(*unds)));
  for (const auto& [name, u] : unds->items()) {
    GB_TRY(m, underlying(name, u, root.key("underlyings").key(name), snap.valuation_ms));
    snap.underlyings.emplace(name, std::move(m));
  }
  return snap;
}

std::string to_json(const MarketSnapshot& snap) {
  Json doc;
  doc["format"] = "greekbook.market.v1";
  doc["valuation_time"] = core::format_utc_ms(snap.valuation_ms);
  Json unds = Json::object();
  for (const auto& [name, u] : snap.underlyings) {
    Json j = Json::object();
    if (u.index) j["index"] = price_json(*u.index, "price");
    for (const auto& p : u.perpetuals) {
      Json q = price_json(p.mark, "mark");
      q["instrument"] = p.instrument;
      if (!p.venue.empty()) q["venue"] = p.venue;
      if (p.funding_rate_8h) q["funding_rate_8h"] = *p.funding_rate_8h;
      j["perpetuals"].push_back(q);
    }
    for (const auto& f : u.futures) {
      Json q = price_json(f.mark, "mark");
      q["instrument"] = f.instrument;
      j["futures"].push_back(q);
    }
    for (const auto& [oname, o] : u.options) {
      Json q;
      q["instrument"] = oname;
      if (o.bid) q["bid"] = *o.bid;
      if (o.ask) q["ask"] = *o.ask;
      if (o.mark_price) q["mark_price"] = *o.mark_price;
      if (o.mark_iv) q["mark_iv"] = *o.mark_iv;
      if (o.underlying_price) q["underlying_price"] = *o.underlying_price;
      if (!o.source.empty()) q["source"] = o.source;
      if (o.timestamp_ms) q["time"] = core::format_utc_ms(o.timestamp_ms);
      j["options"].push_back(q);
    }
    for (const auto& s : u.smiles) {
      j["smiles"].push_back({{"expiry", core::format_utc_ms(s.expiry_ms)},
                             {"svi", {{"a", s.params.a}, {"b", s.params.b}, {"rho", s.params.rho},
                                      {"m", s.params.m}, {"sigma", s.params.sigma}}}});
    }
    unds[name] = j;
  }
  doc["underlyings"] = unds;
  return doc.dump(1) + "\n";
}

}  // namespace greekbook::market
