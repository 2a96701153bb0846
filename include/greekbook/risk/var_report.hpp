#pragma once
// Rendering of `greekbook var` results (docs/var.md): JSON (every figure, component ES of every
// position) and a table (levels per method, the approximation's error, the largest contributors to
// ES, backtest statistics).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "greekbook/risk/var.hpp"
#include "greekbook/risk/var_backtest.hpp"

namespace greekbook::risk {

struct VarRun {
  std::int64_t valuation_ms = 0;
  std::string history_source;
  std::int64_t history_first_day = 0, history_last_day = 0;  ///< the common daily returns available
  std::size_t history_returns = 0;
  VarOptions options;
  std::size_t backtest_paths = 0;
  const VarBook* book = nullptr;
  std::vector<MethodResult> results;
  std::vector<BacktestResult> backtests;
  std::vector<std::string> notes;
};

std::string render_var_json(const VarRun& run);
std::string render_var_table(const VarRun& run);

}  // namespace greekbook::risk
