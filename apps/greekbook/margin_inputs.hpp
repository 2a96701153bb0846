#pragma once
// What `greekbook margin` and `greekbook liquidation` both load: market, book, margin parameters, the
// accounts priced at the snapshot (optionally one of them) and the models they use.
#include <optional>
#include <string>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/market/snapshot.hpp"

namespace greekbook::cli {

struct MarginInputs {
  market::MarketSnapshot market;
  std::vector<scenario::AccountState> accounts;
  std::optional<margin::ModelSet> models;
};

/// Errors name the file, account or parameter (the command prints them and exits 2).
Result<MarginInputs> load_margin_inputs(const std::string& book, const std::string& market, const std::string& params,
                                        const std::string& model, const std::string& account);

}  // namespace greekbook::cli
