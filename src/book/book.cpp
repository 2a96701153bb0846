#include "greekbook/book/book.hpp"

#include <cctype>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "greekbook/core/time.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/io/json_fields.hpp"

namespace greekbook::book {
namespace {
using io::Json;
using io::JsonPath;

const std::set<std::string> kMarginModes = {"cross", "isolated", "portfolio", "segregated"};

// Checks shared by both formats; `where` prefixes messages ("book.json: accounts[0].positions[1]").
Result<Position> make_position(std::string_view name, std::string_view venue, double quantity,
                               std::optional<double> average_price, std::int64_t valuation_ms,
                               const std::string& where) {
  auto inst = instruments::parse_instrument(name, venue);
  if (!inst) return make_error(fmt::format("{}: field 'instrument': {}", where, inst.error().message));
  if (inst->has_expiry() && inst->expiry_ms <= valuation_ms)
    return make_error(fmt::format("{}: field 'instrument': '{}' expired at {} (valuation time {})", where, name,
                                  core::format_utc_ms(inst->expiry_ms), core::format_utc_ms(valuation_ms)));
  if (!std::isfinite(quantity) || quantity == 0.0)
    return make_error(fmt::format("{}: field 'quantity': {} must be a finite non-zero number", where, quantity));
  if (average_price && !(std::isfinite(*average_price) && *average_price > 0))
    return make_error(fmt::format("{}: field 'average_price': {} must be a positive number", where, *average_price));
  return Position{std::move(*inst), quantity, average_price, where, std::nullopt};
}

Result<Account> parse_account(const Json& a, const JsonPath& at, std::int64_t valuation_ms) {
  Account acc;
  GB_TRY(id, io::require_string(a, "id", at));
  if (id.empty()) return io::json_error(at.key("id"), "must not be empty");
  acc.id = id;
  GB_TRY(venue, io::require_string(a, "venue", at));
  if (venue.empty()) return io::json_error(at.key("venue"), "must not be empty (e.g. \"deribit\", \"binance\")");
  for (char& c : venue) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  acc.venue = venue;
  GB_TRY(mode, io::optional_string(a, "margin_mode", at));
  if (mode) {
    if (!kMarginModes.count(*mode))
      return io::json_error(at.key("margin_mode"),
                            fmt::format("'{}' is not one of cross, isolated, portfolio, segregated", *mode));
    acc.margin_mode = *mode;
  }
  GB_TRY(model, io::optional_string(a, "margin_model", at));
  if (model) acc.margin_model = *model;  // checked against the known models by the margin engine
  if (a.contains("collateral")) {
    const Json& c = a.at("collateral");
    if (!c.is_object()) return io::json_error(at.key("collateral"), fmt::format("expected an object, got {}", io::brief(c)));
    for (const auto& [ccy, v] : c.items()) {
      GB_TRY(amount, io::require_number(c, ccy, at.key("collateral")));
      acc.collateral[ccy] = amount;
    }
  }
  if (a.contains("positions")) {
    const Json& ps = a.at("positions");
    if (!ps.is_array()) return io::json_error(at.key("positions"), fmt::format("expected an array, got {}", io::brief(ps)));
    for (std::size_t i = 0; i < ps.size(); ++i) {
      const JsonPath p = at.key("positions").index(i);
      GB_TRY(name, io::require_string(ps[i], "instrument", p));
      GB_TRY(qty, io::require_number(ps[i], "quantity", p));
      GB_TRY(avg, io::optional_number(ps[i], "average_price", p));
      GB_TRY(pos, make_position(name, acc.venue, qty, avg, valuation_ms, p.where()));
      GB_TRY(iso, io::optional_number(ps[i], "isolated_margin", p));
      if (iso && !(std::isfinite(*iso) && *iso >= 0))
        return io::json_error(p.key("isolated_margin"), fmt::format("{} must be a non-negative number", *iso));
      pos.isolated_margin = iso;
      acc.positions.push_back(std::move(pos));
    }
  }
  return acc;
}
}  // namespace

Result<Book> parse_book_json(std::string_view text, std::string_view source, std::int64_t valuation_ms) {
  GB_TRY(doc, io::parse_json(text, source));
  const JsonPath root{std::string(source), ""};
  GB_TRY(accounts, io::require_field(doc, "accounts", root));
  if (!accounts->is_array())
    return io::json_error(root.key("accounts"), fmt::format("expected an array, got {}", io::brief(*accounts)));
  Book book;
  book.source = std::string(source);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < accounts->size(); ++i) {
    const JsonPath at = root.key("accounts").index(i);
    GB_TRY(acc, parse_account((*accounts)[i], at, valuation_ms));
    if (!ids.insert(acc.id).second)
      return io::json_error(at.key("id"), fmt::format("duplicate account id '{}'", acc.id));
    book.accounts.push_back(std::move(acc));
  }
  return book;
}

Result<Book> parse_positions_csv(std::string_view text, std::string_view source, std::int64_t valuation_ms) {
  GB_TRY(table, io::parse_csv(text, source));
  const auto col = [&](const char* name) -> Result<std::size_t> {
    if (auto c = table.column(name)) return *c;
    return make_error(fmt::format("{}:1: missing column '{}' (expected account,instrument,quantity[,average_price])",
                                  source, name));
  };
  GB_TRY(c_acc, col("account"));
  GB_TRY(c_inst, col("instrument"));
  GB_TRY(c_qty, col("quantity"));
  const auto c_avg = table.column("average_price");
  const auto c_venue = table.column("venue");
  Book book;
  book.source = std::string(source);
  std::map<std::string, std::size_t> index;
  for (const auto& row : table.rows) {
    const std::string where = fmt::format("{}:{}", source, row.line);
    const std::string& id = row.fields[c_acc];
    if (id.empty()) return make_error(fmt::format("{}: field 'account': must not be empty", where));
    const auto qty = io::parse_finite_double(row.fields[c_qty]);
    if (!qty)
      return make_error(fmt::format("{}: field 'quantity': '{}' is not a finite number", where, row.fields[c_qty]));
    std::optional<double> avg;
    if (c_avg && !row.fields[*c_avg].empty()) {
      avg = io::parse_finite_double(row.fields[*c_avg]);
      if (!avg)
        return make_error(fmt::format("{}: field 'average_price': '{}' is not a finite number", where, row.fields[*c_avg]));
    }
    const std::string venue = c_venue ? row.fields[*c_venue] : std::string();
    GB_TRY(pos, make_position(row.fields[c_inst], venue, *qty, avg, valuation_ms, where));
    auto [it, fresh] = index.emplace(id, book.accounts.size());
    if (fresh) book.accounts.push_back(Account{id, pos.instrument.venue, "cross", {}, {}, {}});
    if (book.accounts[it->second].venue != pos.instrument.venue)
      return make_error(fmt::format("{}: field 'instrument': '{}' is a {} instrument but account '{}' is on {} "
                                    "(one account, one venue)", where, pos.instrument.name, pos.instrument.venue, id,
                                    book.accounts[it->second].venue));
    book.accounts[it->second].positions.push_back(std::move(pos));
  }
  return book;
}

Result<Book> load_book(const std::string& path, std::int64_t valuation_ms) {
  GB_TRY(text, io::read_text(path));
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') return parse_book_json(text, path, valuation_ms);
  return parse_positions_csv(text, path, valuation_ms);
}

std::size_t position_count(const Book& book) noexcept {
  std::size_t n = 0;
  for (const auto& a : book.accounts) n += a.positions.size();
  return n;
}

}  // namespace greekbook::book
