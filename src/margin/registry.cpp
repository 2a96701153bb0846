#include "greekbook/margin/registry.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace greekbook::margin {

// Factories of the models (declared in each model's header, e.g. deribit_standard.hpp).
Result<ModelPtr> make_deribit_sm(const io::Json* params, const io::JsonPath& at);
Result<ModelPtr> make_deribit_pm(const io::Json* params, const io::JsonPath& at);
Result<ModelPtr> make_derive_srm(const io::Json* params, const io::JsonPath& at);
Result<ModelPtr> make_derive_pmrm(const io::Json* params, const io::JsonPath& at);
Result<ModelPtr> make_tiered_perp(std::string_view preset, const io::Json* params, const io::JsonPath& at);
Result<ModelPtr> make_dydx(const io::Json* params, const io::JsonPath& at);
Result<ModelPtr> make_lending(const io::Json* params, const io::JsonPath& at);

std::vector<std::string> model_names() {
  return {"aave", "binance", "bybit", "deribit-pm", "deribit-sm", "derive-pmrm", "derive-srm", "dydx", "hyperliquid"};
}

std::string default_model_name(std::string_view venue, std::string_view mode) {
  if (venue == "deribit") return mode == "portfolio" ? "deribit-pm" : "deribit-sm";
  if (venue == "derive" || venue == "lyra") return mode == "portfolio" ? "derive-pmrm" : "derive-srm";
  if (venue == "binance" || venue == "okx") return "binance";
  if (venue == "bybit") return "bybit";
  if (venue == "hyperliquid") return "hyperliquid";
  if (venue == "dydx") return "dydx";
  if (venue == "aave" || venue == "spark" || venue == "compound") return "aave";
  return {};
}

Result<ModelPtr> make_model(std::string_view name, const io::Json* params, const io::JsonPath& at) {
  if (name == "deribit-sm") return make_deribit_sm(params, at);
  if (name == "deribit-pm") return make_deribit_pm(params, at);
  if (name == "derive-srm") return make_derive_srm(params, at);
  if (name == "derive-pmrm") return make_derive_pmrm(params, at);
  if (name == "binance" || name == "bybit" || name == "hyperliquid") return make_tiered_perp(name, params, at);
  if (name == "dydx") return make_dydx(params, at);
  if (name == "aave") return make_lending(params, at);
  std::string list;
  for (const auto& n : model_names()) list += (list.empty() ? "" : ", ") + n;
  return make_error(fmt::format("unknown margin model '{}' (known: {})", name, list));
}

Result<ParamsFile> load_params_file(const std::string& path) {
  ParamsFile f;
  if (path.empty()) return f;
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(fmt::format("{}: cannot open parameters file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  GB_TRY(doc, io::parse_json(ss.str(), path));
  const io::JsonPath root{path, ""};
  if (!doc.is_object())
    return io::json_error(root, fmt::format("expected an object {{\"<model>\": {{...}}}}, got {}", io::brief(doc)));
  const auto names = model_names();
  if (doc.contains("model")) {  // one model's file, e.g. params/margin/deribit-pm.json
    if (!doc.at("model").is_string())
      return io::json_error(root.key("model"), fmt::format("expected a model name, got {}", io::brief(doc.at("model"))));
    const std::string name = doc.at("model").get<std::string>();
    GB_TRY(model, make_model(name, &doc, root));
    (void)model;
    f.doc = io::Json::object();
    f.doc[name] = std::move(doc);
    f.source = path;
    return f;
  }
  for (const auto& [key, value] : doc.items()) {
    if (key == "comment" || key == "source") continue;
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      return io::json_error(root.key(key), fmt::format("unknown margin model (known: {})", list));
    }
    // Validate now, so a bad value is reported even when no account uses that model.
    GB_TRY(model, make_model(key, &value, root.key(key)));
    (void)model;
  }
  f.doc = std::move(doc);
  f.source = path;
  return f;
}

namespace {
std::string model_name_for(const scenario::AccountState& a, std::string_view override_model) {
  if (!override_model.empty()) return std::string(override_model);
  if (!a.margin_model.empty()) return a.margin_model;
  return default_model_name(a.venue, a.margin_mode);
}
}  // namespace

Result<ModelSet> ModelSet::build(const std::vector<scenario::AccountState>& accounts, const ParamsFile& params,
                                 std::string_view override_model) {
  ModelSet set;
  set.override_ = std::string(override_model);
  for (const auto& a : accounts) {
    const std::string name = model_name_for(a, override_model);
    if (name.empty())
      return make_error(fmt::format("account '{}': venue '{}' has no default margin model; set \"margin_model\" "
                                    "in the book or pass --model",
                                    a.id, a.venue));
    if (set.models_.count(name)) continue;
    const io::Json* p = params.doc.contains(name) ? &params.doc.at(name) : nullptr;
    const io::JsonPath at{params.source.empty() ? std::string("defaults") : params.source, name};
    auto model = make_model(name, p, at);
    if (!model) return make_error(fmt::format("account '{}': {}", a.id, model.error().message));
    set.models_.emplace(name, std::move(*model));
  }
  return set;
}

Result<const MarginModel*> ModelSet::model_for(const scenario::AccountState& a) const {
  const std::string name = model_name_for(a, override_);
  auto it = models_.find(name);
  if (it == models_.end()) return make_error(fmt::format("account '{}': no margin model '{}' was built", a.id, name));
  return it->second.get();
}

Result<MarginResult> margin_account(const scenario::AccountState& account, const ModelSet& models, bool detailed) {
  if (!account.errors.empty()) {
    std::string list;
    for (const auto& e : account.errors) list += (list.empty() ? "" : "; ") + e;
    return make_error(fmt::format("account '{}': cannot be margined, positions not valued: {}", account.id, list));
  }
  GB_TRY(model, models.model_for(account));
  auto r = detailed ? model->compute_detailed(account) : model->compute(account);
  if (!r) {
    const std::string& m = r.error().message;
    if (m.find(account.id) == std::string::npos) return make_error(fmt::format("account '{}': {}", account.id, m));
    return r;
  }
  return r;
}

}  // namespace greekbook::margin
