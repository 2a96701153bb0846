#pragma once
// Renderings of a stress report (greekbook stress --format table|json). JSON layout: docs/stress.md.
// Numbers that could not be computed are null in JSON and "-" in the table, never 0.
#include <string>

#include "greekbook/risk/stress.hpp"

namespace greekbook::risk {

std::string render_stress_json(const StressReport& report);
std::string render_stress_table(const StressReport& report);

}  // namespace greekbook::risk
