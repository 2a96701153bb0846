#pragma once
// Margin models by name, the venue defaults, parameter files, and margining a whole book.
//
// Model names (docs/margin.md): deribit-sm, deribit-pm, derive-srm, derive-pmrm, binance, bybit,
// hyperliquid, dydx, aave. An account uses, in order: the --model override, its book field
// `margin_model`, else its venue's default (default_model_name()).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/margin/margin_model.hpp"

namespace greekbook::margin {

/// All model names, sorted.
std::vector<std::string> model_names();

/// The model a venue uses for an account in `margin_mode` ("" when the venue has none):
/// deribit -> deribit-pm for "portfolio", else deribit-sm; derive -> derive-pmrm for "portfolio", else
/// derive-srm; binance, bybit, okx -> binance/bybit; hyperliquid; dydx; aave, spark, compound -> aave.
std::string default_model_name(std::string_view venue, std::string_view margin_mode);

/// Builds a model; `params` (may be null) overrides its defaults; errors name `at` and the field.
Result<ModelPtr> make_model(std::string_view name, const io::Json* params, const io::JsonPath& at);

/// A parameters file: {"<model name>": {parameters...}, ...}; unknown model names are errors.
struct ParamsFile {
  io::Json doc = io::Json::object();
  std::string source;  ///< file name, "" when no file was given
};
Result<ParamsFile> load_params_file(const std::string& path);

/// The models the accounts of a book need, built once each (an override applies to every account).
class ModelSet {
 public:
  static Result<ModelSet> build(const std::vector<scenario::AccountState>& accounts, const ParamsFile& params,
                                std::string_view override_model = {});
  /// The model of an account (by the rules above); error when none applies.
  Result<const MarginModel*> model_for(const scenario::AccountState& account) const;

 private:
  std::string override_;
  std::map<std::string, ModelPtr, std::less<>> models_;
};

/// Margin of one account; errors (named account and instrument) when the account has positions the
/// market could not value or its model cannot margin them.
/// `detailed`: compute_detailed() (the models' heavy detail output, e.g. Deribit PM's per-instrument
/// risk vectors) instead of compute().
Result<MarginResult> margin_account(const scenario::AccountState& account, const ModelSet& models,
                                    bool detailed = false);

}  // namespace greekbook::margin
