// greekbook margin: per account equity, initial and maintenance margin, available balance, margin
// ratio, liquidation prices and the worst scenario, with optional what-if orders.
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "commands.hpp"
#include "greekbook/book/book.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/market/snapshot_io.hpp"
#include "greekbook/report/margin_report.hpp"
#include "liquidation_levels.hpp"
#include "margin_inputs.hpp"

namespace greekbook::cli {
namespace {
int fail(const std::string& message) {
  fmt::print(stderr, "greekbook margin: {}\n", message);
  return 2;
}

struct Order {
  std::string instrument;
  double quantity = 0;
  std::string text;
};

Result<Order> parse_order(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return make_error(fmt::format("--what-if '{}': expected INSTRUMENT:QUANTITY, e.g. BTC-PERPETUAL:10000", text));
  Order o;
  o.instrument = text.substr(0, colon);
  const std::string q = text.substr(colon + 1);
  const char* first = q.data() + (q[0] == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(first, q.data() + q.size(), o.quantity);
  if (ec != std::errc() || ptr != q.data() + q.size() || !std::isfinite(o.quantity) || o.quantity == 0)
    return make_error(fmt::format("--what-if '{}': quantity '{}' is not a finite non-zero number", text, q));
  o.text = fmt::format("{}:{:+g}", o.instrument, o.quantity);
  return o;
}
}  // namespace

int run_margin(const MarginOptions& opts) {
  auto inputs = load_margin_inputs(opts.book, opts.market, opts.params, opts.model, opts.account);
  if (!inputs) return fail(inputs.error().message);
  auto& states = inputs->accounts;
  const margin::ModelSet& models = *inputs->models;
  const market::MarketSnapshot& market = inputs->market;

  std::vector<Order> orders;
  for (const auto& t : opts.what_if) {
    auto o = parse_order(t);
    if (!o) return fail(o.error().message);
    orders.push_back(*o);
  }
  if (!orders.empty() && opts.account.empty() && states.size() != 1) {
    std::string ids;
    for (const auto& s : states) ids += (ids.empty() ? "" : ", ") + s.id;
    return fail(fmt::format("--what-if needs --account when the book has several accounts ({})", ids));
  }

  report::MarginReport rep;
  rep.valuation_ms = market.valuation_ms;
  rep.horizon_days = opts.horizon_days;
  for (const auto& s : states) {
    auto m = margin::margin_account(s, models, opts.format == "json" && opts.details);
    if (!m) return fail(m.error().message);
    report::MarginAccountReport a;
    a.venue = s.venue;
    a.margin = std::move(*m);
    auto levels = liquidation_levels(s, **models.model_for(s), opts.horizon_days);
    if (!levels) return fail(levels.error().message);
    a.liquidation = std::move(*levels);
    if (!orders.empty()) {
      std::vector<scenario::PositionState> extra;
      for (const auto& o : orders) {
        auto p = scenario::make_position_state(o.instrument, s.venue, o.quantity, market);
        if (!p) return fail(fmt::format("--what-if '{}' on account '{}': {}", o.text, s.id, p.error().message));
        extra.push_back(std::move(*p));
        a.what_if.push_back(o.text);
      }
      auto after = (*models.model_for(s))->what_if(s, a.margin, extra);
      if (!after) return fail(fmt::format("--what-if on account '{}': {}", s.id, after.error().message));
      a.after = std::move(*after);
    }
    rep.accounts.push_back(std::move(a));
  }
  const std::string out = opts.format == "json" ? report::render_margin_json(rep, opts.details)
                                                : report::render_margin_table(rep);
  if (auto w = io::write_text_atomic(opts.output, out); !w) {
    fmt::print(stderr, "greekbook margin: {}\n", w.error().message);
    return 1;
  }
  return 0;
}

}  // namespace greekbook::cli
