#pragma once
// Builders shared by the stress tests: the example market, account states from a book JSON
// snippet, models, simple scenarios and the crisis library.
#include <stdexcept>
#include <string>
#include <vector>

#include "greekbook/book/book.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/market/snapshot_io.hpp"
#include "greekbook/risk/stress.hpp"

namespace greekbook::stress_test {
using risk::StressScenario;
using scenario::AccountState;

inline const market::MarketSnapshot& example_market() {
  static const market::MarketSnapshot m = [] {
    auto r = market::load_market(std::string(GREEKBOOK_SOURCE_DIR) + "/examples/market.json");
    if (!r) throw std::runtime_error(r.error().message);
    return *r;
  }();
  return m;
}

inline std::vector<AccountState> states(const std::string& book_json) {
  auto b = book::parse_book_json(book_json, "test-book", example_market().valuation_ms);
  if (!b) throw std::runtime_error(b.error().message);
  auto s = scenario::build_account_states(*b, example_market());
  for (const auto& a : s)
    if (!a.errors.empty()) throw std::runtime_error(a.errors.front());
  return s;
}

inline std::string account_json(const std::string& id, const std::string& venue, const std::string& collateral,
                                const std::string& positions) {
  return R"({"accounts": [{"id": ")" + id + R"(", "venue": ")" + venue + R"(", "margin_mode": "cross", "collateral": )" +
         collateral + R"(, "positions": )" + positions + "}]}";
}

inline margin::ModelSet models_for(const std::vector<AccountState>& accounts) {
  auto m = margin::ModelSet::build(accounts, margin::ParamsFile{});
  if (!m) throw std::runtime_error(m.error().message);
  return std::move(*m);
}

inline StressScenario spot(const std::string& name, double move, double days = 0.0) {
  StressScenario s;
  s.shock.name = name;
  s.shock.spot_factor = 1.0 + move;
  s.shock.time_shift_days = days;
  return s;
}

inline risk::StressReport run(const std::vector<AccountState>& accounts, const std::vector<StressScenario>& scenarios) {
  auto models = models_for(accounts);
  auto r = risk::run_stress(accounts, models, scenarios);
  if (!r) throw std::runtime_error(r.error().message);
  return std::move(*r);
}

inline std::vector<StressScenario> library() {
  auto lib = risk::crisis_library();
  if (!lib) throw std::runtime_error(lib.error().message);
  return lib->scenarios;
}

}  // namespace greekbook::stress_test
