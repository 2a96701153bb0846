// greekbook stress: placeholder until the command lands (registers nothing).
#include "commands.hpp"

namespace greekbook::cli {

Subcommand add_stress(CLI::App&) { return {}; }

}  // namespace greekbook::cli
