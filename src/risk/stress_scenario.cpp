#include "greekbook/risk/stress_scenario.hpp"

#include <cmath>

#include <fmt/format.h>

#include "greekbook/io/csv.hpp"
#include "greekbook/io/json_fields.hpp"

namespace greekbook::risk {
namespace {
using io::Json;
using io::JsonPath;

// Fields parse_scenarios() reads (weight excepted: a stress scenario has no dampening).
const std::set<std::string, std::less<>> kShockFields = {"name", "spot_move", "vol_shock", "basis_shift_per_year",
                                                         "time_shift_days", "comment", "source"};
// Fields only a stress scenario has.
const std::set<std::string, std::less<>> kStressFields = {"skew_shock", "funding_shift_8h", "venue_events"};
constexpr const char* kFieldList =
    "name, source, comment, spot_move, vol_shock, skew_shock, basis_shift_per_year, funding_shift_8h, "
    "time_shift_days, venue_events";

Result<double> finite(const Json& v, const JsonPath& at) {
  if (!v.is_number()) return io::json_error(at, fmt::format("expected a number, got {}", io::brief(v)));
  const double x = v.get<double>();
  if (!std::isfinite(x)) return io::json_error(at, fmt::format("{} is not finite", x));
  return x;
}

// A number for every underlying, or an object per underlying ("*" = every other one).
Result<bool> per_underlying(const Json& v, const JsonPath& at, double& all,
                            std::vector<std::pair<std::string, double>>& by, bool is_move) {
  const auto value = [&](const Json& x, const JsonPath& where) -> Result<double> {
    GB_TRY(d, finite(x, where));
    if (is_move) {
      if (d <= -1.0) return io::json_error(where, fmt::format("{} must be a finite move above -1 (-0.2 = -20%)", d));
      return 1.0 + d;
    }
    if (std::abs(d) > 0.1)
      return io::json_error(where, fmt::format("{} is not a plausible 8-hour rate change (|shift| <= 0.1 = 10% per 8 h)", d));
    return d;
  };
  if (v.is_number()) {
    GB_TRY(d, value(v, at));
    all = d;
    return true;
  }
  if (!v.is_object())
    return io::json_error(at, fmt::format("expected a number or an object per underlying, got {}", io::brief(v)));
  for (const auto& [u, x] : v.items()) {
    GB_TRY(d, value(x, at.key(u)));
    if (u == "*") all = d;
    else by.emplace_back(u, d);
  }
  return true;
}

Result<bool> optional_bool(const Json& obj, const char* key, const JsonPath& at, bool& out) {
  if (!obj.contains(key)) return true;
  const Json& v = obj.at(key);
  if (!v.is_boolean()) return io::json_error(at.key(key), fmt::format("expected true or false, got {}", io::brief(v)));
  out = v.get<bool>();
  return true;
}

Result<scenario::SkewShock> parse_skew(const Json& v, const JsonPath& at) {
  static const std::set<std::string, std::less<>> known = {"kind", "base_cap", "c_base", "min_kstar", "width_scale",
                                                           "vol_static", "vol_scale"};
  if (!v.is_object()) return io::json_error(at, fmt::format("expected an object, got {}", io::brief(v)));
  for (const auto& [key, _] : v.items())
    if (!known.count(key))
      return io::json_error(at.key(key), "unknown field (kind, base_cap, c_base, min_kstar, width_scale, vol_static, "
                                         "vol_scale)");
  scenario::SkewShock k;
  GB_TRY(kind, io::require_string(v, "kind", at));
  if (kind == "linear") k.kind = scenario::SkewShockKind::Linear;
  else if (kind == "abs") k.kind = scenario::SkewShockKind::Abs;
  else if (kind == "none") k.kind = scenario::SkewShockKind::None;
  else return io::json_error(at.key("kind"), fmt::format("'{}' is not linear, abs or none", kind));
  for (auto [key, out] : {std::pair<const char*, double*>{"base_cap", &k.base_cap}, {"c_base", &k.c_base},
                           {"min_kstar", &k.min_kstar}, {"width_scale", &k.width_scale},
                           {"vol_static", &k.vol_static}, {"vol_scale", &k.vol_scale}}) {
    if (!v.contains(key)) continue;
    GB_TRY(x, finite(v.at(key), at.key(key)));
    *out = x;
  }
  if (!(k.min_kstar > 0)) return io::json_error(at.key("min_kstar"), fmt::format("{} must be positive", k.min_kstar));
  if (std::abs(k.base_cap) >= 1.0)
    return io::json_error(at.key("base_cap"), fmt::format("{} would make vols negative (|base_cap| < 1)", k.base_cap));
  return k;
}

Result<VenueEvent> parse_venue_event(const Json& v, const JsonPath& at) {
  static const std::set<std::string, std::less<>> known = {"venue", "collateral_haircut", "close_positions",
                                                           "close_spot_move", "frozen", "comment"};
  if (!v.is_object()) return io::json_error(at, fmt::format("expected an object, got {}", io::brief(v)));
  for (const auto& [key, _] : v.items())
    if (!known.count(key))
      return io::json_error(at.key(key), "unknown field (venue, collateral_haircut, close_positions, close_spot_move, "
                                         "frozen, comment)");
  VenueEvent e;
  GB_TRY(venue, io::require_string(v, "venue", at));
  if (venue.empty()) return io::json_error(at.key("venue"), "empty venue");
  e.venue = venue;
  if (v.contains("collateral_haircut")) {
    GB_TRY(h, finite(v.at("collateral_haircut"), at.key("collateral_haircut")));
    if (h < 0.0 || h > 1.0)
      return io::json_error(at.key("collateral_haircut"), fmt::format("{} must be in [0, 1] (1 = all lost)", h));
    e.collateral_haircut = h;
  }
  if (auto r = optional_bool(v, "close_positions", at, e.close_positions); !r) return tl::unexpected(r.error());
  if (auto r = optional_bool(v, "frozen", at, e.frozen); !r) return tl::unexpected(r.error());
  if (v.contains("close_spot_move")) {
    if (auto r = per_underlying(v.at("close_spot_move"), at.key("close_spot_move"), e.close_factor,
                                e.close_factor_by_underlying, true);
        !r)
      return tl::unexpected(r.error());
    e.has_close_move = true;
    if (!e.close_positions)
      return io::json_error(at.key("close_spot_move"), "given without \"close_positions\": true");
  }
  if (e.collateral_haircut == 0.0 && !e.close_positions && !e.frozen)
    return io::json_error(at, "the event does nothing (give collateral_haircut, close_positions or frozen)");
  return e;
}

Result<StressFile> parse_doc(const Json& doc, const std::string& source) {
  JsonPath root{source, ""};
  const Json* list = &doc;
  JsonPath at = root;
  if (doc.is_object()) {
    for (const auto& [key, _] : doc.items())
      if (key != "scenarios" && key != "comment" && key != "generated_by")
        return io::json_error(root.key(key), "unknown field (scenarios, comment, generated_by)");
    GB_TRY(s, io::require_field(doc, "scenarios", root));
    list = s;
    at = root.key("scenarios");
  }
  if (!list->is_array())
    return io::json_error(at, fmt::format("expected an array of scenarios, got {}", io::brief(*list)));
  if (list->empty()) return io::json_error(at, "no scenarios");
  // Unknown fields first (the message lists every stress field), then the shared fields through
  // scenario::parse_scenarios() on a copy without the stress-only ones.
  Json shared = Json::array();
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& j = (*list)[i];
    const JsonPath p = at.index(i);
    if (!j.is_object()) return io::json_error(p, fmt::format("expected an object, got {}", io::brief(j)));
    Json copy = Json::object();
    for (const auto& [key, value] : j.items()) {
      if (kShockFields.count(key)) copy[key] = value;
      else if (!kStressFields.count(key)) return io::json_error(p.key(key), fmt::format("unknown field ({})", kFieldList));
    }
    shared.push_back(std::move(copy));
  }
  GB_TRY(shocks, scenario::parse_scenarios(shared, at));
  StressFile file;
  file.source = source;
  std::set<std::string, std::less<>> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& j = (*list)[i];
    const JsonPath p = at.index(i);
    StressScenario s;
    s.index = i;
    s.shock = std::move(shocks[i]);
    if (!names.insert(s.shock.name).second)
      return io::json_error(p.key("name"), fmt::format("'{}' is used by an earlier scenario", s.shock.name));
    GB_TRY(src, io::optional_string(j, "source", p));
    if (src) s.source = *src;
    GB_TRY(comment, io::optional_string(j, "comment", p));
    if (comment) s.comment = *comment;
    if (j.contains("skew_shock")) {
      if (s.shock.vol.skew.kind != scenario::SkewShockKind::None)
        return io::json_error(p.key("skew_shock"), "given together with vol_shock.skew: use one");
      GB_TRY(skew, parse_skew(j.at("skew_shock"), p.key("skew_shock")));
      s.shock.vol.skew = skew;
    }
    if (j.contains("funding_shift_8h"))
      if (auto r = per_underlying(j.at("funding_shift_8h"), p.key("funding_shift_8h"), s.funding_shift_8h,
                                  s.funding_shift_by_underlying, false);
          !r)
        return tl::unexpected(r.error());
    if (j.contains("venue_events")) {
      const Json& ev = j.at("venue_events");
      const JsonPath ep = p.key("venue_events");
      if (!ev.is_array()) return io::json_error(ep, fmt::format("expected an array, got {}", io::brief(ev)));
      for (std::size_t k = 0; k < ev.size(); ++k) {
        GB_TRY(e, parse_venue_event(ev[k], ep.index(k)));
        if (s.venue_event(e.venue))
          return io::json_error(ep.index(k).key("venue"), fmt::format("'{}' has an earlier event in this scenario", e.venue));
        s.venue_events.push_back(std::move(e));
      }
    }
    file.scenarios.push_back(std::move(s));
  }
  return file;
}
}  // namespace

double StressScenario::funding_shift(std::string_view underlying) const noexcept {
  for (const auto& [u, x] : funding_shift_by_underlying)
    if (u == underlying) return x;
  return funding_shift_8h;
}

const VenueEvent* StressScenario::venue_event(std::string_view venue) const noexcept {
  for (const auto& e : venue_events)
    if (e.venue == venue) return &e;
  return nullptr;
}

Result<StressFile> parse_stress_file(std::string_view text, std::string_view source) {
  GB_TRY(doc, io::parse_json(text, source));
  return parse_doc(doc, std::string(source));
}

Result<StressFile> load_stress_file(const std::string& path) {
  GB_TRY(text, io::read_text(path));
  return parse_stress_file(text, path);
}

Result<StressFile> crisis_library() {
  return parse_stress_file(crisis_library_json(), "built-in crisis library (params/stress/crises.json)");
}

Result<bool> check_references(const StressFile& file, const std::set<std::string, std::less<>>& underlyings,
                              const std::set<std::string, std::less<>>& venues) {
  const auto where = [&](const StressScenario& s) {
    return fmt::format("{}: scenarios[{}] ('{}')", file.source, s.index, s.name());
  };
  for (const auto& s : file.scenarios) {
    for (const auto& [u, _] : s.shock.spot_factor_by_underlying)
      if (!underlyings.count(u))
        return make_error(fmt::format("{}.spot_move.{}: underlying '{}' is not in the market or the book", where(s), u, u));
    for (const auto& [u, _] : s.funding_shift_by_underlying)
      if (!underlyings.count(u))
        return make_error(
            fmt::format("{}.funding_shift_8h.{}: underlying '{}' is not in the market or the book", where(s), u, u));
    for (std::size_t k = 0; k < s.venue_events.size(); ++k) {
      const VenueEvent& e = s.venue_events[k];
      if (!venues.count(e.venue))
        return make_error(fmt::format("{}.venue_events[{}].venue: no account of the book is on venue '{}'", where(s), k,
                                      e.venue));
      for (const auto& [u, _] : e.close_factor_by_underlying)
        if (!underlyings.count(u))
          return make_error(fmt::format("{}.venue_events[{}].close_spot_move.{}: underlying '{}' is not in the market or "
                                        "the book", where(s), k, u, u));
    }
  }
  return true;
}

}  // namespace greekbook::risk
