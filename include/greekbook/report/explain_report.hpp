#pragma once
// Renders a PnL explain (valuation/explain.hpp) as a table or JSON.
#include <string>

#include "greekbook/valuation/explain.hpp"

namespace greekbook::report {

std::string render_explain_json(const valuation::ExplainReport& rep);
std::string render_explain_table(const valuation::ExplainReport& rep);

}  // namespace greekbook::report
