#include "greekbook/contagion/events.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "greekbook/liquidation/liquidation_price.hpp"

namespace greekbook::contagion {

const char* to_string(EventKind k) noexcept {
  switch (k) {
    case EventKind::VenueFailure: return "venue_failure";
    case EventKind::Oracle: return "oracle";
    case EventKind::Depeg: return "depeg";
  }
  return "?";
}

const char* to_string(OracleMode m) noexcept { return m == OracleMode::Stale ? "stale" : "deviation"; }

double Event::close_factor(const std::string& u) const {
  const auto it = close_move_pct.find(u);
  return 1.0 + (it == close_move_pct.end() ? close_move_all : it->second) / 100.0;
}

namespace {

using io::Json;
using io::JsonPath;

// Reads the fields of one event object; every error names the path, the event id and the value.
class EventReader {
 public:
  EventReader(const Json& obj, JsonPath at, std::string id) : obj_(obj), at_(std::move(at)), id_(std::move(id)) {}

  tl::unexpected<Error> error(std::string_view key, std::string_view message) const {
    return io::json_error(key.empty() ? at_ : at_.key(key),
                          fmt::format("{} (event '{}')", message, id_.empty() ? "?" : id_));
  }
  bool has(std::string_view key) const { return obj_.contains(key); }

  Result<double> number(std::string_view key, double min, double max, bool min_open = false) const {
    const Json& v = obj_.at(std::string(key));
    if (!v.is_number()) return error(key, fmt::format("expected a number, got {}", io::brief(v)));
    const double x = v.get<double>();
    const bool low = min_open ? !(x > min) : !(x >= min);
    if (!std::isfinite(x) || low || x > max) {
      std::string range = min_open ? fmt::format("> {}", min) : fmt::format(">= {}", min);
      if (std::isfinite(max)) range += fmt::format(" and <= {}", max);
      return error(key, fmt::format("{} is out of range (must be {})", io::brief(v), range));
    }
    return x;
  }
  Result<std::string> string(std::string_view key) const {
    const Json& v = obj_.at(std::string(key));
    if (!v.is_string() || v.get<std::string>().empty())
      return error(key, fmt::format("expected a non-empty string, got {}", io::brief(v)));
    return v.get<std::string>();
  }
  Result<bool> require(std::string_view key, std::string_view kind) const {
    if (!has(key)) return error("", fmt::format("missing field '{}' (required for a {} event)", key, kind));
    return true;
  }
  /// An error for the first field of the object not in `known` (sorted, listed in the message).
  Result<bool> only(const std::set<std::string, std::less<>>& known, std::string_view kind) const {
    for (const auto& [key, _] : obj_.items()) {
      if (known.count(key)) continue;
      std::string list;
      for (const auto& s : known) list += (list.empty() ? "" : ", ") + s;
      return error(key, fmt::format("unknown field for a {} event (known: {})", kind, list));
    }
    return true;
  }

 private:
  const Json& obj_;
  JsonPath at_;
  std::string id_;
};

constexpr double kInf = std::numeric_limits<double>::infinity();

Result<Event> parse_event(const Json& obj, const JsonPath& at) {
  if (!obj.is_object()) return io::json_error(at, fmt::format("expected an event object, got {}", io::brief(obj)));
  std::string id;
  if (obj.contains("id") && obj["id"].is_string()) id = obj["id"].get<std::string>();
  EventReader r(obj, at, id);
  if (!obj.contains("id")) return r.error("", "missing field 'id'");
  GB_TRY(id_checked, r.string("id"));
  Event e;
  e.id = id_checked;
  e.origin = at.where();
  if (!obj.contains("kind")) return r.error("", "missing field 'kind' (venue_failure, oracle or depeg)");
  GB_TRY(kind, r.string("kind"));
  if (kind == "venue_failure") e.kind = EventKind::VenueFailure;
  else if (kind == "oracle") e.kind = EventKind::Oracle;
  else if (kind == "depeg") e.kind = EventKind::Depeg;
  else return r.error("kind", fmt::format("'{}' is not one of venue_failure, oracle, depeg", kind));
  std::set<std::string, std::less<>> known{"id", "kind", "at_min", "comment", "source"};
  if (e.kind == EventKind::VenueFailure) known.insert({"venue", "collateral_lost", "collateral_frozen", "close_move_pct"});
  if (e.kind == EventKind::Oracle) known.insert({"venue", "underlying", "mode", "deviation_pct", "duration_min"});
  if (e.kind == EventKind::Depeg) known.insert({"currency", "usd_rate", "duration_min"});
  GB_TRY(fields_ok, r.only(known, kind));
  (void)fields_ok;
  if (r.has("at_min")) {
    GB_TRY(t, r.number("at_min", 0.0, kInf));
    e.at_min = t;
  }
  if (e.kind != EventKind::VenueFailure && r.has("duration_min")) {
    GB_TRY(d, r.number("duration_min", 0.0, kInf, true));
    e.duration_min = d;
  }
  switch (e.kind) {
    case EventKind::VenueFailure: {
      GB_TRY(req, r.require("venue", kind));
      (void)req;
      GB_TRY(venue, r.string("venue"));
      e.venue = venue;
      if (r.has("collateral_lost")) {
        GB_TRY(x, r.number("collateral_lost", 0.0, 1.0));
        e.collateral_lost = x;
      }
      if (r.has("collateral_frozen")) {
        GB_TRY(x, r.number("collateral_frozen", 0.0, 1.0));
        e.collateral_frozen = x;
      }
      if (e.collateral_lost + e.collateral_frozen > 1.0 + 1e-12)
        return r.error("collateral_frozen", fmt::format("collateral_lost {} + collateral_frozen {} exceed 1",
                                                        e.collateral_lost, e.collateral_frozen));
      if (r.has("close_move_pct")) {
        const Json& v = obj["close_move_pct"];
        if (v.is_object()) {
          EventReader moves(v, at.key("close_move_pct"), id);
          for (const auto& [u, _] : v.items()) {
            GB_TRY(x, moves.number(u, -100.0, kInf, true));
            e.close_move_pct[u] = x;
          }
        } else {
          GB_TRY(x, r.number("close_move_pct", -100.0, kInf, true));
          e.close_move_all = x;
        }
      }
      break;
    }
    case EventKind::Oracle: {
      for (const char* f : {"venue", "underlying", "duration_min"}) {
        GB_TRY(req, r.require(f, kind));
        (void)req;
      }
      GB_TRY(venue, r.string("venue"));
      GB_TRY(u, r.string("underlying"));
      e.venue = venue;
      e.underlying = u;
      if (r.has("mode")) {
        GB_TRY(mode, r.string("mode"));
        if (mode == "stale") e.mode = OracleMode::Stale;
        else if (mode != "deviation") return r.error("mode", fmt::format("'{}' is not one of deviation, stale", mode));
      }
      if (e.mode == OracleMode::Stale && r.has("deviation_pct"))
        return r.error("deviation_pct", "not used by a stale oracle (it holds the market price of at_min)");
      if (e.mode == OracleMode::Deviation) {
        GB_TRY(req, r.require("deviation_pct", "deviation-mode oracle"));
        (void)req;
        GB_TRY(x, r.number("deviation_pct", -100.0, kInf, true));
        e.deviation_pct = x;
      }
      break;
    }
    case EventKind::Depeg: {
      for (const char* f : {"currency", "usd_rate"}) {
        GB_TRY(req, r.require(f, kind));
        (void)req;
      }
      GB_TRY(c, r.string("currency"));
      e.currency = c;
      GB_TRY(rate, r.number("usd_rate", 0.0, kInf, true));
      e.usd_rate = rate;
      break;
    }
  }
  return e;
}

}  // namespace

Result<EventFile> parse_events(const io::Json& doc, std::string_view source) {
  const JsonPath root{std::string(source), ""};
  if (!doc.is_object()) return io::json_error(root, fmt::format("expected an object with 'events', got {}", io::brief(doc)));
  EventFile f;
  f.source = std::string(source);
  for (const auto& [key, _] : doc.items())
    if (key != "events" && key != "liquidation" && key != "insurance_funds" && key != "comment" && key != "source")
      return io::json_error(root.key(key), "unknown field (known: events, liquidation, insurance_funds, comment, source)");
  GB_TRY(events, io::require_field(doc, "events", root));
  if (!events->is_array()) return io::json_error(root.key("events"), fmt::format("expected an array, got {}", io::brief(*events)));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < events->size(); ++i) {
    const JsonPath at = root.key("events").index(i);
    GB_TRY(e, parse_event((*events)[i], at));
    if (!ids.insert(e.id).second)
      return io::json_error(at.key("id"), fmt::format("duplicate event id '{}'", e.id));
    f.events.push_back(std::move(e));
  }
  const Json* liq = doc.contains("liquidation") ? &doc["liquidation"] : nullptr;
  GB_TRY(params, liquidation::make_liquidation_params(liq, root.key("liquidation")));
  f.liquidation = params;
  if (doc.contains("insurance_funds")) {
    const Json& funds = doc["insurance_funds"];
    const JsonPath at = root.key("insurance_funds");
    if (!funds.is_object()) return io::json_error(at, fmt::format("expected an object venue -> USD, got {}", io::brief(funds)));
    for (const auto& [venue, v] : funds.items()) {
      if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
        return io::json_error(at.key(venue), fmt::format("{} must be a finite amount of USD >= 0", io::brief(v)));
      f.insurance_funds[venue] = v.get<double>();
    }
  }
  return f;
}

Result<EventFile> load_events(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(fmt::format("{}: cannot open the events file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  GB_TRY(doc, io::parse_json(ss.str(), path));
  return parse_events(doc, path);
}

Result<bool> check_events(const EventFile& file, const std::vector<scenario::AccountState>& accounts) {
  std::set<std::string> venues;
  std::map<std::string, std::set<std::string>> held;  // venue -> underlyings held there
  std::set<std::string> stables;                      // stablecoins held anywhere
  std::string venue_list;
  for (const auto& a : accounts) {
    if (venues.insert(a.venue).second) venue_list += (venue_list.empty() ? "" : ", ") + a.venue;
    for (const auto& u : liquidation::account_underlyings(a)) held[a.venue].insert(u);
    for (const auto& [ccy, amount] : a.collateral)
      if (scenario::is_stablecoin(ccy) && amount != 0.0) stables.insert(ccy);
    for (const auto& p : a.positions)
      if (scenario::is_stablecoin(p.instrument.settlement_currency)) stables.insert(p.instrument.settlement_currency);
  }
  const auto bad = [](const Event& e, std::string_view field, std::string message) {
    return make_error(fmt::format("{}.{}: {} (event '{}')", e.origin, field, message, e.id));
  };
  for (std::size_t i = 0; i < file.events.size(); ++i) {
    const Event& e = file.events[i];
    if (e.kind != EventKind::Depeg && !venues.count(e.venue))
      return bad(e, "venue", fmt::format("unknown venue '{}' (venues of the book: {})", e.venue, venue_list));
    if (e.kind == EventKind::Oracle && !held[e.venue].count(e.underlying)) {
      std::string list;
      for (const auto& u : held[e.venue]) list += (list.empty() ? "" : ", ") + u;
      return bad(e, "underlying", fmt::format("unknown underlying '{}': no account on {} holds it (held there: {})",
                                              e.underlying, e.venue, list.empty() ? "none" : list));
    }
    if (e.kind == EventKind::Depeg) {
      if (!scenario::is_stablecoin(e.currency))
        return bad(e, "currency", fmt::format("'{}' is not a stablecoin greekbook knows (USD, USDC, USDT, DAI, ...)", e.currency));
      if (!stables.count(e.currency))
        return bad(e, "currency", fmt::format("no account of the book holds or settles in '{}'", e.currency));
    }
    if (e.kind == EventKind::VenueFailure)
      for (const auto& [u, _] : e.close_move_pct)
        if (!held[e.venue].count(u))
          return bad(e, "close_move_pct." + u, fmt::format("unknown underlying '{}': no account on {} holds it", u, e.venue));
    // Same target twice at overlapping times: one venue fails once, one oracle or peg is broken once.
    for (std::size_t j = 0; j < i; ++j) {
      const Event& o = file.events[j];
      if (o.kind != e.kind) continue;
      const bool same = e.kind == EventKind::VenueFailure ? o.venue == e.venue
                        : e.kind == EventKind::Oracle     ? o.venue == e.venue && o.underlying == e.underlying
                                                          : o.currency == e.currency;
      if (!same) continue;
      const double inf = std::numeric_limits<double>::infinity();
      const bool overlap = e.kind == EventKind::VenueFailure ||
                           (e.at_min < o.end_min().value_or(inf) && o.at_min < e.end_min().value_or(inf));
      if (overlap)
        return bad(e, "at_min", fmt::format("overlaps event '{}' ({}) on the same {}", o.id, o.origin,
                                            e.kind == EventKind::VenueFailure ? "venue (a venue fails once)"
                                            : e.kind == EventKind::Oracle     ? "venue and underlying"
                                                                              : "currency"));
    }
  }
  for (const auto& [venue, _] : file.insurance_funds)
    if (!venues.count(venue))
      return make_error(fmt::format("{}: insurance_funds.{}: unknown venue '{}' (venues of the book: {})", file.source,
                                    venue, venue, venue_list));
  return true;
}

}  // namespace greekbook::contagion
