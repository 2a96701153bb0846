// Derive PMRM_2: scenario PnL per market from per-expiry risk vectors (one RiskCube over the
// account's options), static discounts, basis contingency, contingencies, signed margins mapped onto
// MarginResult. Formulas: docs/margin/derive.md.
#include "greekbook/margin/derive_portfolio.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "greekbook/scenario/risk_cube.hpp"
#include "margin/derive_params_util.hpp"
#include "margin/derive_positions.hpp"

namespace greekbook::margin {
namespace {
using derive_detail::upper;
using io::Json;
using scenario::PositionState;

// Option PnL per expiry and scenario (raw: no dampening, no discount), USDC. Key: underlying, expiry.
using RawKey = std::pair<std::string, std::int64_t>;
using RawMap = std::map<RawKey, std::vector<double>>;

void add_option_vectors(std::span<const PositionState> positions, std::span<const scenario::Scenario> sc, RawMap& raw) {
  std::vector<PositionState> options;
  for (const auto& p : positions)
    if (p.is_option() && p.quantity != 0) options.push_back(p);
  if (options.empty()) return;
  const auto cube = scenario::RiskCube::build(options, sc);
  for (std::size_t i = 0; i < options.size(); ++i) {
    auto& acc = raw[{options[i].instrument.underlying, options[i].instrument.expiry_ms}];
    if (acc.empty()) acc.assign(sc.size(), 0.0);
    const auto v = cube.unit_vector(i);
    for (std::size_t s = 0; s < sc.size(); ++s) acc[s] += options[i].quantity * v[s];
  }
}

struct Collateral {
  std::string asset;
  double value = 0, confidence = 1;  // USDC; min(asset, market) confidence
  DerivePmrmCollateral params;
};

struct MarketResult {
  double mtm = 0, min_span = 0, signed_im = 0, signed_mm = 0;
  std::size_t worst = 0;
  std::vector<double> pnl;
  Json detail;
};

double conf_contingency(const DerivePmrmParams& p, double conf, double notional) {
  return conf < p.conf_threshold ? (1.0 - conf) * p.conf_margin * notional : 0.0;
}

MarketResult market_margin(const derive_detail::Market& m, const std::vector<Collateral>& colls, const RawMap& raw,
                           const DerivePmrmParams& p, std::span<const scenario::Scenario> sc, double im_mult) {
  const std::size_t n = p.scenarios.size();
  const double spot = m.spot, conf = p.confidence(m.underlying);
  MarketResult r;
  r.mtm = m.perp_upnl;
  // Per-expiry precomputes: MtM, static discounts, basis contingency, naked shorts.
  struct Pre {
    const std::vector<double>* raw;
    double mtm = 0, tau = 0;
    DeriveStaticDiscount disc;
  };
  std::vector<Pre> pre;
  double basis = 0, mm_opt = 0, im_opt = 0, im_conf = 0;
  Json je = Json::array();
  for (const auto& e : m.expiries) {
    Pre x{&raw.at({m.underlying, e.expiry_ms}), 0.0, e.expiry_years, derive_pmrm_static_discount(p, e.expiry_years)};
    std::map<double, double> by_strike;
    double net_options = 0;
    for (const auto& h : e.holdings) {
      x.mtm += h.mtm;
      by_strike[h.strike] += h.amount;
      net_options += std::abs(h.amount);
    }
    double naked = 0;
    for (const auto& [k, amount] : by_strike) naked += std::max(-amount, 0.0);
    const double up = (*x.raw)[n], down = (*x.raw)[n + 1];
    const double b = std::min(0.0, std::min(up, down)) * (p.basis_cont_add_factor + p.basis_cont_mult_factor * x.tau);
    basis += b;
    mm_opt += naked * spot * p.mm_option_percent;
    im_opt += naked * spot * p.im_option_percent;
    const double ec = conf_contingency(p, conf, net_options * spot);
    im_conf += ec;
    r.mtm += x.mtm;
    je.push_back({{"expiry_ms", e.expiry_ms}, {"tau", x.tau}, {"mtm", x.mtm}, {"static_discount_pos", x.disc.pos},
                  {"static_discount_neg", x.disc.neg}, {"naked_shorts", naked}, {"net_options", net_options},
                  {"basis_up_pnl", up}, {"basis_down_pnl", down}, {"basis_contingency", b},
                  {"confidence_contingency", ec}});
    pre.push_back(x);
  }
  // Scenario PnL (Derive's getScenarioPnL): perp, expiries (discounted, dampened; skew rows -|PnL|),
  // risk-cancelling collateral.
  r.pnl.assign(n, 0.0);
  for (std::size_t s = 0; s < n; ++s) {
    const double f = sc[s].spot_factor, d = p.scenarios[s].dampening;
    const bool skew = p.scenarios[s].vol == DerivePmrmVol::Linear || p.scenarios[s].vol == DerivePmrmVol::Abs;
    double pnl = m.perp_position * m.perp_price * (f - 1.0) * d;
    for (const auto& x : pre) {
      double shocked = x.mtm + (*x.raw)[s];
      shocked *= shocked >= 0 ? x.disc.pos : x.disc.neg;
      const double ep = (shocked - x.mtm) * d;
      pnl += skew ? -std::abs(ep) : ep;
    }
    for (const auto& c : colls)
      if (c.params.risk_cancelling) pnl += c.value * (f - 1.0) * d;
    r.pnl[s] = pnl;
  }
  r.min_span = basis;
  r.worst = n;
  for (std::size_t s = 0; s < n; ++s)
    if (r.pnl[s] < r.min_span) {
      r.min_span = r.pnl[s];
      r.worst = s;
    }
  // Contingencies.
  const double perp_notional = std::abs(m.perp_position) * spot;
  const double mm_perp = perp_notional * p.mm_perp_percent, im_perp = perp_notional * p.im_perp_percent;
  im_conf += conf_contingency(p, conf, perp_notional);
  double mm_coll = 0, im_coll = 0;
  Json jc = Json::array();
  for (const auto& c : colls) {
    mm_coll += c.value * c.params.mm_haircut;
    im_coll += c.value * c.params.im_haircut;
    const double cc = conf_contingency(p, c.confidence, c.value);
    im_conf += cc;
    r.mtm += c.value;
    jc.push_back({{"asset", c.asset}, {"value", c.value}, {"risk_cancelling", c.params.risk_cancelling},
                  {"mm_haircut", c.value * c.params.mm_haircut}, {"im_haircut", c.value * c.params.im_haircut},
                  {"confidence_contingency", cc}});
  }
  const double mm_cont = mm_perp + mm_opt + mm_coll, im_cont = im_perp + im_opt + im_coll + im_conf;
  r.signed_im = r.min_span * im_mult - im_cont - mm_cont + r.mtm;
  r.signed_mm = r.min_span * p.mm_factor - mm_cont + r.mtm;
  const std::string worst_name = r.worst == n ? "basis contingency" : sc[r.worst].name;
  r.detail = {{"spot", spot}, {"confidence", conf}, {"mtm", r.mtm}, {"perp_position", m.perp_position},
              {"perp_price", m.perp_price}, {"perp_unrealized_pnl", m.perp_upnl}, {"basis_contingency", basis},
              {"min_span", r.min_span}, {"worst_index", r.worst}, {"worst_name", worst_name}, {"scenario_pnl", r.pnl},
              {"mm_contingency", {{"perp", mm_perp}, {"options", mm_opt}, {"collateral", mm_coll}, {"total", mm_cont}}},
              {"im_contingency", {{"perp", im_perp}, {"options", im_opt}, {"collateral", im_coll},
                                  {"confidence", im_conf}, {"total", im_cont}}},
              {"signed_im", r.signed_im}, {"signed_mm", r.signed_mm}, {"expiries", std::move(je)},
              {"collaterals", std::move(jc)}};
  return r;
}

Result<MarginResult> assemble(const scenario::AccountState& account, std::span<const PositionState> extra,
                              const DerivePmrmParams& p, std::span<const scenario::Scenario> sc, const RawMap& raw) {
  GB_TRY(book, derive_detail::arrange(account, extra, p.cash_currency, "derive-pmrm"));
  // Collateral to its market (a market may hold collateral only).
  std::map<std::string, std::vector<Collateral>> colls;
  for (const auto& b : book.bases) {
    auto it = p.collaterals.find(upper(b.asset));
    if (it == p.collaterals.end()) {
      std::string known;
      for (const auto& [name, _] : p.collaterals) known += (known.empty() ? "" : ", ") + name;
      return make_error(fmt::format("account '{}': collateral '{}' ({}) is not a Derive PMRM_2 collateral "
                                    "(known: {}; add it under parameter 'collaterals')",
                                    account.id, b.asset, b.balance, known));
    }
    const std::string& market = it->second.market;
    colls[market].push_back({b.asset, b.balance * b.usd_rate / p.stable_price,
                             std::min(p.confidence(b.asset), p.confidence(market)), it->second});
    auto mk = std::find_if(book.markets.begin(), book.markets.end(), [&](const auto& m) { return m.underlying == market; });
    if (mk == book.markets.end()) {
      derive_detail::Market m;
      m.underlying = market;
      const double rate = account.usd_rate(market);
      m.spot = std::isfinite(rate) && rate > 0 ? rate : b.usd_rate;
      book.markets.push_back(std::move(m));
    }
  }
  for (const auto& m : book.markets)
    for (const auto& e : m.expiries)
      if (!raw.count({m.underlying, e.expiry_ms}))
        return make_error(fmt::format("account '{}': no risk vector for {} expiry {} (internal)", account.id,
                                      m.underlying, e.expiry_ms));
  const std::size_t n = p.scenarios.size();
  const double peg = p.stable_price < p.peg_loss_threshold ? (p.peg_loss_threshold - p.stable_price) * p.peg_loss_factor : 0.0;
  MarginResult r;
  r.account = account.id;
  r.model = "derive-pmrm";
  r.currency = p.cash_currency;
  r.errors = account.errors;
  r.scenario_pnl.assign(n, 0.0);
  auto names = std::make_shared<std::vector<std::string>>();
  for (std::size_t s = 0; s < n; ++s) names->push_back(sc[s].name);
  r.scenario_names = std::move(names);
  double signed_im = book.cash, signed_mm = book.cash, equity = book.cash;
  double worst_span = std::numeric_limits<double>::infinity();
  Json markets = Json::object();
  for (const auto& m : book.markets) {
    const MarketResult mr = market_margin(m, colls[m.underlying], raw, p, sc, p.im_factor + peg);
    signed_im += mr.signed_im;
    signed_mm += mr.signed_mm;
    equity += mr.mtm;
    for (std::size_t s = 0; s < n; ++s) r.scenario_pnl[s] += mr.pnl[s];
    if (mr.min_span < worst_span) {  // the market with the largest loss names the worst scenario
      worst_span = mr.min_span;
      const bool basis = mr.worst == n;
      r.worst = ScenarioOutcome{mr.worst, basis ? "basis contingency" : sc[mr.worst].name, mr.min_span,
                                basis ? 1.0 : p.scenarios[mr.worst].dampening};
    }
    markets[m.underlying] = mr.detail;
  }
  r.equity = equity;
  r.initial_margin = equity - signed_im;
  r.maintenance_margin = equity - signed_mm;
  Json vectors = Json::array();
  for (const auto& [key, v] : raw) vectors.push_back({{"underlying", key.first}, {"expiry_ms", key.second}, {"pnl", v}});
  r.details = {{"signed_im", signed_im}, {"signed_mm", signed_mm}, {"cash", book.cash}, {"stable_price", p.stable_price},
               {"im_factor_applied", p.im_factor + peg}, {"mm_factor", p.mm_factor}, {"markets", std::move(markets)},
               {"risk_vectors", std::move(vectors)}};
  r.notes.push_back("Derive signed margin M (>= 0 passes) = details.signed_im/signed_mm; requirement = equity - M");
  r.notes.push_back("scenario_pnl: Derive's scenario PnL (static discount and dampening applied); worst index == "
                    "grid size means the basis contingency");
  PoolMargin pool;
  pool.name = "portfolio";
  pool.currency = p.cash_currency;
  pool.equity = r.equity;
  pool.initial_margin = r.initial_margin;
  pool.maintenance_margin = r.maintenance_margin;
  pool.usd_rate = p.stable_price;
  r.pools.push_back(pool);
  finish_figures(r);
  return r;
}

// The risk vectors compute() left in details, when `before` is this model's result for `account`.
std::optional<RawMap> stored_vectors(const scenario::AccountState& account, const MarginResult& before, std::size_t size) {
  if (before.model != "derive-pmrm" || before.account != account.id || !before.details.is_object()) return std::nullopt;
  auto it = before.details.find("risk_vectors");
  if (it == before.details.end() || !it->is_array()) return std::nullopt;
  RawMap raw;
  for (const auto& v : *it) {
    if (!v.is_object() || !v.contains("underlying") || !v.contains("expiry_ms") || !v.contains("pnl")) return std::nullopt;
    const auto& pnl = v.at("pnl");
    if (!v.at("underlying").is_string() || !v.at("expiry_ms").is_number_integer() || !pnl.is_array() || pnl.size() != size)
      return std::nullopt;
    std::vector<double> x;
    for (const auto& e : pnl) {
      if (!e.is_number()) return std::nullopt;
      x.push_back(e.get<double>());
    }
    raw[{v.at("underlying").get<std::string>(), v.at("expiry_ms").get<std::int64_t>()}] = std::move(x);
  }
  for (const auto& p : account.positions)
    if (p.is_option() && p.quantity != 0 && !raw.count({p.instrument.underlying, p.instrument.expiry_ms})) return std::nullopt;
  return raw;
}

class DerivePmrmModel final : public MarginModel {
 public:
  explicit DerivePmrmModel(DerivePmrmParams p) : p_(std::move(p)), sc_(derive_pmrm_scenarios(p_)) {}
  std::string name() const override { return "derive-pmrm"; }

  Result<MarginResult> compute(const scenario::AccountState& account) const override {
    RawMap raw;
    add_option_vectors(account.positions, sc_, raw);
    return assemble(account, {}, p_, sc_, raw);
  }

  Result<MarginResult> what_if(const scenario::AccountState& account, const MarginResult& before,
                               std::span<const PositionState> extra) const override {
    auto raw = stored_vectors(account, before, sc_.size());
    if (!raw) return MarginModel::what_if(account, before, extra);
    add_option_vectors(extra, sc_, *raw);
    return assemble(account, extra, p_, sc_, *raw);
  }

 private:
  DerivePmrmParams p_;
  std::vector<scenario::Scenario> sc_;
};
}  // namespace

Result<MarginResult> derive_pmrm_margin(const scenario::AccountState& account, const DerivePmrmParams& params) {
  const auto sc = derive_pmrm_scenarios(params);
  RawMap raw;
  add_option_vectors(account.positions, sc, raw);
  return assemble(account, {}, params, sc, raw);
}

Result<ModelPtr> make_derive_pmrm(const io::Json* params, const io::JsonPath& at) {
  GB_TRY(p, read_derive_pmrm_params(params, at));
  return ModelPtr(std::make_unique<DerivePmrmModel>(std::move(p)));
}

}  // namespace greekbook::margin
