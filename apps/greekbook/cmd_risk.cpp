// greekbook risk / explain: the portfolio risk report and the PnL explain between two snapshots.
#include <fmt/format.h>

#include "commands.hpp"
#include "greekbook/book/book.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/market/snapshot_io.hpp"
#include "greekbook/report/explain_report.hpp"
#include "greekbook/report/risk_report.hpp"
#include "greekbook/valuation/explain.hpp"
#include "greekbook/valuation/valuation.hpp"

namespace greekbook::cli {
namespace {
int fail(const char* cmd, const std::string& message) {
  fmt::print(stderr, "greekbook {}: {}\n", cmd, message);
  return 2;
}

int write(const char* cmd, const std::string& path, const std::string& content) {
  if (auto w = io::write_text_atomic(path, content); !w) {
    fmt::print(stderr, "greekbook {}: {}\n", cmd, w.error().message);
    return 1;
  }
  return 0;
}
}  // namespace

int run_risk(const RiskOptions& opts) {
  auto market = market::load_market(opts.market);
  if (!market) return fail("risk", market.error().message);
  auto book = book::load_book(opts.book, market->valuation_ms);
  if (!book) return fail("risk", book.error().message);
  const auto valuation = valuation::Valuation::prepare(*book, *market);
  const auto rep = valuation.run();
  std::string out;
  if (opts.format == "json") {
    out = report::render_json(rep);
  } else if (opts.format == "csv") {
    out = report::render_csv(rep);
  } else {
    out = report::render_table(rep);
  }
  return write("risk", opts.output, out);
}

int run_explain(const ExplainOptions& opts) {
  auto from = market::load_market(opts.from);
  if (!from) return fail("explain", from.error().message);
  auto to = market::load_market(opts.to);
  if (!to) return fail("explain", to.error().message);
  if (to->valuation_ms < from->valuation_ms)
    return fail("explain", fmt::format("--to snapshot ({}) is earlier than --from ({})", opts.to, opts.from));
  auto book = book::load_book(opts.book, from->valuation_ms);
  if (!book) return fail("explain", book.error().message);
  const auto rep = valuation::explain(*book, *from, *to);
  return write("explain", opts.output,
               opts.format == "json" ? report::render_explain_json(rep) : report::render_explain_table(rep));
}

}  // namespace greekbook::cli
