// greekbook var: placeholder until the command lands (registers nothing).
#include "commands.hpp"

namespace greekbook::cli {

Subcommand add_var(CLI::App&) { return {}; }

}  // namespace greekbook::cli
