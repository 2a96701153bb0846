// greekbook contagion: placeholder until the command lands (registers nothing).
#include "commands.hpp"

namespace greekbook::cli {

Subcommand add_contagion(CLI::App&) { return {}; }

}  // namespace greekbook::cli
