#include "margin_inputs.hpp"

#include <fmt/format.h>

#include "greekbook/book/book.hpp"
#include "greekbook/market/snapshot_io.hpp"

namespace greekbook::cli {

Result<MarginInputs> load_margin_inputs(const std::string& book_path, const std::string& market_path,
                                        const std::string& params_path, const std::string& model,
                                        const std::string& account) {
  MarginInputs in;
  GB_TRY(market, market::load_market(market_path));
  GB_TRY(book, book::load_book(book_path, market.valuation_ms));
  GB_TRY(params, margin::load_params_file(params_path));
  in.accounts = scenario::build_account_states(book, market);
  if (!account.empty()) {
    std::erase_if(in.accounts, [&](const auto& s) { return s.id != account; });
    if (in.accounts.empty()) return make_error(fmt::format("--account '{}': no such account in {}", account, book_path));
  }
  GB_TRY(models, margin::ModelSet::build(in.accounts, params, model));
  in.models = std::move(models);
  in.market = std::move(market);
  return in;
}

}  // namespace greekbook::cli
