// Derive (Lyra v2) Standard Risk Manager: signed margins per market and expiry, mapped onto
// MarginResult (requirement = equity - signed margin). Formulas: docs/margin/derive.md.
#include "greekbook/margin/derive_standard.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "margin/derive_params_util.hpp"
#include "margin/derive_positions.hpp"

namespace greekbook::margin {
namespace {
using derive_detail::upper;
using instruments::Kind;
using io::Json;

// Isolated margins of every holding, max-loss pairing and unpaired calls of one expiry.
struct ExpiryMargin {
  double iso_im = 0, iso_mm = 0, max_loss = 0, net_calls = 0, unpaired_im = 0, unpaired_mm = 0;
  double im = 0, mm = 0, shorts = 0, mtm = 0, oracle = 0;
};

// Settlement payoff of the expiry's holdings if the underlying settles at `price` (USDC).
double payoff(const derive_detail::Expiry& e, double price) {
  double total = 0;
  for (const auto& h : e.holdings) total += h.amount * std::max(pricing::sign(h.right) * (price - h.strike), 0.0);
  return total;
}

ExpiryMargin expiry_margin(const derive_detail::Expiry& e, double spot, const DeriveSrmOptionParams& o) {
  ExpiryMargin m;
  m.max_loss = std::min(payoff(e, 0.0), 0.0);
  for (const auto& h : e.holdings) {
    const DeriveSignedMargin iso = derive_srm_isolated_margin(o, h.right, h.strike, h.amount, h.mtm, spot);
    m.iso_im += iso.im;
    m.iso_mm += iso.mm;
    m.mtm += h.mtm;
    m.max_loss = std::min(m.max_loss, std::min(payoff(e, h.strike), 0.0));
    if (h.right == pricing::OptionType::Call) m.net_calls += h.amount;
    if (h.amount < 0) m.shorts -= h.amount;
  }
  if (m.net_calls < 0) {
    m.unpaired_im = o.unpaired_im_scale * e.forward * m.net_calls;
    m.unpaired_mm = o.unpaired_mm_scale * e.forward * m.net_calls;
  }
  m.im = std::max(m.iso_im, m.max_loss + m.unpaired_im);
  m.mm = std::max(m.iso_mm, m.max_loss + m.unpaired_mm);
  return m;
}

// IM oracle contingency (1 - conf) x factor x notional when conf is below a non-zero threshold.
double oracle_penalty(double conf, double threshold, double factor, double notional) {
  return threshold != 0 && conf < threshold ? (1.0 - conf) * factor * notional : 0.0;
}
}  // namespace

DeriveSignedMargin derive_srm_isolated_margin(const DeriveSrmOptionParams& p, pricing::OptionType right, double strike,
                                              double amount, double mtm, double spot) noexcept {
  if (amount >= 0) return {};
  const bool call = right == pricing::OptionType::Call;
  const double otm = std::max(call ? strike - spot : spot - strike, 0.0) / spot;
  const double im_rate = std::max(p.min_spot_req, p.max_spot_req - otm);
  DeriveSignedMargin m;
  if (call) {
    m.mm = mtm + p.mm_call_spot_req * spot * amount;
    m.im = mtm + im_rate * spot * amount;
  } else {
    m.mm = std::min(p.mm_put_spot_req * spot * amount, p.mm_put_mtm_req * mtm) + mtm;
    m.im = std::min(im_rate * spot * amount + mtm, m.mm * p.mm_offset_scale);
  }
  return m;
}

Result<MarginResult> derive_srm_margin(const scenario::AccountState& account, const DeriveSrmParams& params) {
  GB_TRY(book, derive_detail::arrange(account, params.cash_currency, "derive-srm"));
  MarginResult r;
  r.account = account.id;
  r.model = "derive-srm";
  r.currency = params.cash_currency;
  r.errors = account.errors;
  const double stable = params.stable_price;
  const double depeg_mult = stable < params.depeg_threshold ? (params.depeg_threshold - stable) * params.depeg_factor : 0.0;
  double signed_im = book.cash, signed_mm = book.cash, mtm = book.cash;
  Json markets = Json::object();
  for (const auto& mk : book.markets) {
    const double spot = mk.spot, conf = params.confidence(mk.underlying);
    const DeriveSrmPerpReq& pr = params.perp(mk.underlying);
    const DeriveSrmOptionParams& op = params.options(mk.underlying);
    Json jm = {{"spot", spot}, {"confidence", conf}};
    // Perp.
    const double perp_notional = std::abs(mk.perp_position) * mk.perp_price;
    double im = 0, mm = 0;
    if (mk.perp_position != 0) {
      const double oc = oracle_penalty(conf, params.perp_threshold, params.oc_factor, spot * std::abs(mk.perp_position));
      im = -perp_notional * pr.im - oc + mk.perp_upnl;
      mm = -perp_notional * pr.mm + mk.perp_upnl;
      jm["perp"] = {{"position", mk.perp_position}, {"price", mk.perp_price}, {"unrealized_pnl", mk.perp_upnl},
                    {"im", -perp_notional * pr.im}, {"mm", -perp_notional * pr.mm}, {"oracle_contingency", oc}};
    }
    double market_mtm = mk.perp_upnl, shorts = 0;
    Json je = Json::array();
    for (const auto& e : mk.expiries) {
      ExpiryMargin m = expiry_margin(e, spot, op);
      m.oracle = oracle_penalty(conf, params.option_threshold, params.oc_factor, spot * m.shorts);
      im += m.im - m.oracle;
      mm += m.mm;
      market_mtm += m.mtm;
      shorts += m.shorts;
      je.push_back({{"expiry_ms", e.expiry_ms}, {"forward", e.forward}, {"mtm", m.mtm}, {"isolated_im", m.iso_im},
                    {"isolated_mm", m.iso_mm}, {"max_loss", m.max_loss}, {"net_calls", m.net_calls},
                    {"unpaired_im", m.unpaired_im}, {"unpaired_mm", m.unpaired_mm}, {"im", m.im}, {"mm", m.mm},
                    {"pairing", m.iso_im >= m.max_loss + m.unpaired_im ? "isolated" : "max_loss"},
                    {"short_positions", m.shorts}, {"oracle_contingency", m.oracle}});
    }
    const double depeg = depeg_mult * spot * (shorts + std::abs(mk.perp_position));
    im -= depeg;
    jm["expiries"] = std::move(je);
    jm["depeg_penalty"] = depeg;
    jm["im"] = im;
    jm["mm"] = mm;
    jm["mtm"] = market_mtm;
    markets[mk.underlying] = std::move(jm);
    signed_im += im;
    signed_mm += mm;
    mtm += market_mtm;
    // Per-position figures: perps their own rate, options standalone (isolated, before pairing).
    for (const auto& p : mk.perps) {
      const double n = std::abs(p.quantity) * mk.perp_price;
      r.positions.push_back({p.name, p.quantity, n * pr.im, n * pr.mm, params.cash_currency, "cross"});
    }
    for (const auto& e : mk.expiries)
      for (const auto& h : e.holdings) {
        const DeriveSignedMargin iso = derive_srm_isolated_margin(op, h.right, h.strike, h.amount, h.mtm, spot);
        r.positions.push_back({h.name, h.amount, h.mtm - iso.im, h.mtm - iso.mm, params.cash_currency, "cross"});
      }
  }
  Json jb = Json::array();
  for (const auto& b : book.bases) {
    auto it = params.base.find(upper(b.asset));
    if (it == params.base.end()) {
      std::string known;
      for (const auto& [name, _] : params.base) known += (known.empty() ? "" : ", ") + name;
      return make_error(fmt::format("account '{}': collateral '{}' ({}) has no Derive SRM base margin factor "
                                    "(known: {}; add it under parameter 'base')",
                                    account.id, b.asset, b.balance, known));
    }
    const double notional = b.balance * b.usd_rate;
    const double oc = oracle_penalty(params.confidence(b.asset), params.base_threshold, params.oc_factor, notional);
    const double bmm = notional * it->second.margin_factor, bim = bmm * it->second.im_scale - oc;
    signed_im += bim;
    signed_mm += bmm;
    mtm += notional / stable;
    jb.push_back({{"asset", b.asset}, {"balance", b.balance}, {"notional", notional}, {"im", bim}, {"mm", bmm},
                  {"oracle_contingency", oc}});
  }
  r.equity = mtm;
  r.initial_margin = mtm - signed_im;
  r.maintenance_margin = mtm - signed_mm;
  r.details = {{"signed_im", signed_im}, {"signed_mm", signed_mm}, {"cash", book.cash}, {"stable_price", stable},
               {"depeg_multiplier", depeg_mult}, {"markets", std::move(markets)}, {"base", std::move(jb)}};
  r.notes.push_back("Derive signed margin M (>= 0 passes) = details.signed_im/signed_mm; requirement = equity - M");
  r.notes.push_back("option rows are standalone isolated figures; max-loss pairing per expiry is in details.markets");
  PoolMargin pool;
  pool.name = "cross";
  pool.currency = params.cash_currency;
  pool.equity = r.equity;
  pool.initial_margin = r.initial_margin;
  pool.maintenance_margin = r.maintenance_margin;
  pool.usd_rate = stable;
  r.pools.push_back(pool);
  finish_figures(r);
  return r;
}

namespace {
class DeriveSrmModel final : public MarginModel {
 public:
  explicit DeriveSrmModel(DeriveSrmParams p) : p_(std::move(p)) {}
  std::string name() const override { return "derive-srm"; }
  Result<MarginResult> compute(const scenario::AccountState& account) const override {
    return derive_srm_margin(account, p_);
  }

 private:
  DeriveSrmParams p_;
};
}  // namespace

Result<ModelPtr> make_derive_srm(const io::Json* params, const io::JsonPath& at) {
  GB_TRY(p, read_derive_srm_params(params, at));
  return ModelPtr(std::make_unique<DeriveSrmModel>(std::move(p)));
}

}  // namespace greekbook::margin
