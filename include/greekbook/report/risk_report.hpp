#pragma once
// Renders a valuation::Report for people (table) and machines (JSON, CSV). The JSON shape is
// documented in docs/risk-report.md; numbers that could not be computed are null, never 0.
#include <string>

#include "greekbook/valuation/valuation.hpp"

namespace greekbook::report {

std::string render_json(const valuation::Report& rep);
std::string render_table(const valuation::Report& rep);
/// One line per row (positions and collateral), same fields as the JSON positions.
std::string render_csv(const valuation::Report& rep);

}  // namespace greekbook::report
