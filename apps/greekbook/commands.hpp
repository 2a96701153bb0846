#pragma once
// Subcommands of the greekbook CLI. Each returns the process exit status:
// 0 success, 2 bad input or usage (nothing partial written), 1 internal failure.
#include <string>

namespace greekbook::cli {

struct TableOptions {
  std::string input = "-";   ///< CSV file or "-" for stdin
  std::string output = "-";  ///< CSV file (written atomically) or "-" for stdout
  bool skip_bad = false;     ///< report bad rows in an `error` column instead of failing
};

int run_price(const TableOptions& opts);
int run_iv(const TableOptions& opts);

struct BenchOptions {
  bool json = false;
  int options = 100000;  ///< options per batch
  int repeats = 7;       ///< timed repetitions; the median is reported
};

int run_bench(const BenchOptions& opts);

}  // namespace greekbook::cli
