#include "greekbook/risk/history.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "greekbook/core/time.hpp"
#include "greekbook/io/csv.hpp"

namespace greekbook::risk {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string where(std::string_view source, std::size_t line, std::string_view field) {
  return fmt::format("{}:{}: field '{}'", source, line, field);
}

// A calendar date "YYYY-MM-DD" (a midnight timestamp is accepted too) -> day number.
Result<std::int64_t> parse_day(std::string_view text, std::string_view source, std::size_t line,
                               std::string_view field) {
  auto ms = core::parse_utc_ms(text);
  if (!ms || text.find('-') == std::string_view::npos)
    return make_error(fmt::format("{}: '{}' is not a date (expected YYYY-MM-DD)", where(source, line, field), text));
  if (*ms % core::kMsPerDay != 0)
    return make_error(fmt::format("{}: '{}' is not a UTC day (expected YYYY-MM-DD)", where(source, line, field), text));
  return *ms / core::kMsPerDay;
}

Result<double> parse_positive(std::string_view text, std::string_view source, std::size_t line,
                              std::string_view field) {
  const auto v = io::parse_finite_double(text);
  if (!v) return make_error(fmt::format("{}: '{}' is not a number", where(source, line, field), text));
  if (!(*v > 0)) return make_error(fmt::format("{}: {} must be positive", where(source, line, field), text));
  return *v;
}

// Appends a close to a series, checking order and the gap tolerance.
Result<bool> append(Series& s, std::int64_t day, double price, double vol, std::size_t line, std::string_view source,
                    std::string_view date_field, int max_gap) {
  if (!s.days.empty()) {
    const std::int64_t prev = s.days.back();
    if (day <= prev)
      return make_error(fmt::format("{}: {} {} is not after the previous {} close {} (line {}); dates must ascend",
                                    where(source, line, date_field), s.underlying, format_day(day), s.underlying,
                                    format_day(prev), s.lines.back()));
    const std::int64_t missing = day - prev - 1;
    if (missing > max_gap)
      return make_error(fmt::format(
          "{}: gap in the daily {} series: {} follows {} (line {}), {} missing day{} (tolerance {} day{}, "
          "--max-gap-days)",
          where(source, line, date_field), s.underlying, format_day(day), format_day(prev), s.lines.back(), missing,
          missing == 1 ? "" : "s", max_gap, max_gap == 1 ? "" : "s"));
  }
  s.days.push_back(day);
  s.price.push_back(price);
  if (!std::isnan(vol)) s.atm_vol.push_back(vol);
  s.lines.push_back(line);
  return true;
}

Result<io::CsvTable> read_csv(const std::string& path) {
  GB_TRY(text, io::read_text(path));
  return io::parse_csv(text, path);
}

Result<std::size_t> need_column(const io::CsvTable& t, std::initializer_list<std::string_view> names,
                                std::string_view source) {
  for (auto n : names)
    if (auto c = t.column(n)) return *c;
  std::string list;
  for (auto n : names) list += fmt::format("{}'{}'", list.empty() ? "" : " or ", n);
  return make_error(fmt::format("{}:1: missing column {}", source, list));
}
}  // namespace

std::string format_day(std::int64_t day) { return core::format_utc_ms(day * core::kMsPerDay).substr(0, 10); }

const Series* History::find(std::string_view underlying) const noexcept {
  for (const auto& s : series)
    if (s.underlying == underlying) return &s;
  return nullptr;
}

Result<History> parse_history_csv(std::string_view text, std::string_view source, const HistoryOptions& opts) {
  if (opts.max_gap_days < 0) return make_error(fmt::format("max gap {} days must be >= 0", opts.max_gap_days));
  GB_TRY(table, io::parse_csv(text, source));
  for (const auto& h : table.header)
    if (h != "date" && h != "underlying" && h != "price" && h != "atm_vol")
      return make_error(fmt::format("{}:1: unknown column '{}' (expected date,underlying,price[,atm_vol])", source, h));
  GB_TRY(c_date, need_column(table, {"date"}, source));
  GB_TRY(c_und, need_column(table, {"underlying"}, source));
  GB_TRY(c_price, need_column(table, {"price"}, source));
  const auto c_vol = table.column("atm_vol");
  History h;
  h.source = std::string(source);
  h.max_gap_days = opts.max_gap_days;
  std::map<std::string, std::size_t, std::less<>> index;
  std::vector<bool> with_vol;  // per series: whether its first row had a vol
  for (const auto& row : table.rows) {
    const auto& f = row.fields;
    const std::string& und = f[c_und];
    if (und.empty()) return make_error(fmt::format("{}: empty underlying", where(source, row.line, "underlying")));
    GB_TRY(day, parse_day(f[c_date], source, row.line, "date"));
    GB_TRY(price, parse_positive(f[c_price], source, row.line, "price"));
    double vol = kNaN;
    if (c_vol && !f[*c_vol].empty()) {
      GB_TRY(v, parse_positive(f[*c_vol], source, row.line, "atm_vol"));
      if (v > 10)
        return make_error(fmt::format("{}: {} looks like a percentage; atm_vol is annualised as a fraction (0.55 = 55%)",
                                      where(source, row.line, "atm_vol"), f[*c_vol]));
      vol = v;
    }
    auto [it, fresh] = index.try_emplace(und, h.series.size());
    if (fresh) {
      h.series.push_back(Series{und, {}, {}, {}, {}});
      with_vol.push_back(!std::isnan(vol));
    }
    if (with_vol[it->second] != !std::isnan(vol))
      return make_error(fmt::format("{}: {} for {} while its first row (line {}) {}; an underlying has atm_vol on every "
                                    "row or on none",
                                    where(source, row.line, "atm_vol"), std::isnan(vol) ? "empty" : "given", und,
                                    h.series[it->second].lines.empty() ? row.line : h.series[it->second].lines.front(),
                                    with_vol[it->second] ? "has one" : "has none"));
    GB_TRY(ok, append(h.series[it->second], day, price, vol, row.line, source, "date", opts.max_gap_days));
    (void)ok;
  }
  if (h.series.empty()) return make_error(fmt::format("{}: no rows (expected date,underlying,price[,atm_vol])", source));
  return h;
}

Result<History> load_history(const std::string& path, const HistoryOptions& opts) {
  GB_TRY(text, io::read_text(path));
  if (text.rfind("open_time_ms,date_utc", 0) == 0) return load_binance_daily(path, "", "BTC", opts);
  return parse_history_csv(text, path, opts);
}

Result<History> load_binance_daily(const std::string& prices_path, const std::string& dvol_path,
                                   const std::string& underlying, const HistoryOptions& opts) {
  if (opts.max_gap_days < 0) return make_error(fmt::format("max gap {} days must be >= 0", opts.max_gap_days));
  GB_TRY(prices, read_csv(prices_path));
  GB_TRY(c_pdate, need_column(prices, {"date_utc"}, prices_path));
  GB_TRY(c_close, need_column(prices, {"close"}, prices_path));
  Series all{underlying, {}, {}, {}, {}};
  for (const auto& row : prices.rows) {
    GB_TRY(day, parse_day(row.fields[c_pdate], prices_path, row.line, "date_utc"));
    GB_TRY(px, parse_positive(row.fields[c_close], prices_path, row.line, "close"));
    GB_TRY(ok, append(all, day, px, kNaN, row.line, prices_path, "date_utc", opts.max_gap_days));
    (void)ok;
  }
  // The DVOL closes by day, checked for order, and for gaps over the dates the prices cover.
  std::map<std::int64_t, double> dvol;
  if (!dvol_path.empty() && !all.days.empty()) {
    GB_TRY(d, read_csv(dvol_path));
    GB_TRY(c_ddate, need_column(d, {"date_utc", "date"}, dvol_path));
    GB_TRY(c_dclose, need_column(d, {"dvol_close", "close"}, dvol_path));
    Series check{underlying + " DVOL", {}, {}, {}, {}};
    std::int64_t prev = std::numeric_limits<std::int64_t>::min();
    for (const auto& row : d.rows) {
      GB_TRY(day, parse_day(row.fields[c_ddate], dvol_path, row.line, d.header[c_ddate]));
      GB_TRY(v, parse_positive(row.fields[c_dclose], dvol_path, row.line, d.header[c_dclose]));
      if (day <= prev)
        return make_error(fmt::format("{}: {} is not after the previous date {}; dates must ascend",
                                      where(dvol_path, row.line, d.header[c_ddate]), format_day(day), format_day(prev)));
      prev = day;
      dvol[day] = v / 100.0;
      if (day < all.days.front() || day > all.days.back()) continue;
      GB_TRY(ok, append(check, day, v, kNaN, row.line, dvol_path, d.header[c_ddate], opts.max_gap_days));
      (void)ok;
    }
  }
  History h;
  h.max_gap_days = opts.max_gap_days;
  h.source = dvol_path.empty() ? prices_path : prices_path + " + " + dvol_path;
  if (dvol_path.empty()) {
    if (all.days.empty()) return make_error(fmt::format("{}: no rows", prices_path));
    h.series.push_back(std::move(all));
    return h;
  }
  Series joined{underlying, {}, {}, {}, {}};
  for (std::size_t i = 0; i < all.days.size(); ++i) {
    auto it = dvol.find(all.days[i]);
    if (it == dvol.end()) continue;
    joined.days.push_back(all.days[i]);
    joined.price.push_back(all.price[i]);
    joined.atm_vol.push_back(it->second);
    joined.lines.push_back(all.lines[i]);
  }
  if (joined.days.empty())
    return make_error(fmt::format("{} and {}: no date in common (prices and DVOL do not overlap)", prices_path, dvol_path));
  // Each file is gap-checked; their intersection can still skip days where the two files' gaps differ.
  for (std::size_t i = 1; i < joined.days.size(); ++i)
    if (joined.days[i] - joined.days[i - 1] - 1 > opts.max_gap_days)
      return make_error(fmt::format("{}:{}: field 'date_utc': {} has a DVOL close but the previous shared date is {} "
                                    "({} missing days, tolerance {})",
                                    prices_path, joined.lines[i], format_day(joined.days[i]), format_day(joined.days[i - 1]),
                                    joined.days[i] - joined.days[i - 1] - 1, opts.max_gap_days));
  h.series.push_back(std::move(joined));
  return h;
}

Returns Returns::tail(std::size_t n) const {
  if (n >= size()) return *this;
  const std::size_t from = size() - n;
  Returns r;
  r.underlyings = underlyings;
  r.days.assign(days.begin() + static_cast<std::ptrdiff_t>(from), days.end());
  const auto cut = [&](const std::vector<double>& v) {
    return v.empty() ? v : std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(from), v.end());
  };
  for (const auto& v : price) r.price.push_back(cut(v));
  for (const auto& v : vol) r.vol.push_back(cut(v));
  r.last_price = last_price;
  r.last_vol = last_vol;
  return r;
}

Result<Returns> daily_returns(const History& history, std::span<const std::string> underlyings) {
  if (underlyings.empty()) return make_error("no underlying to take returns of");
  std::vector<const Series*> ser;
  for (const auto& u : underlyings) {
    const Series* s = history.find(u);
    if (!s) {
      std::string have;
      for (const auto& x : history.series) have += (have.empty() ? "" : ", ") + x.underlying;
      return make_error(fmt::format("{}: field 'underlying': no prices for {} (the book needs it; the history has {})",
                                    history.source, u, have.empty() ? "none" : have));
    }
    ser.push_back(s);
  }
  // Dates every series has: walk them together.
  std::vector<std::int64_t> common;
  std::vector<std::vector<std::size_t>> at(ser.size());
  std::vector<std::size_t> pos(ser.size(), 0);
  for (std::int64_t d : ser[0]->days) {
    bool all = true;
    for (std::size_t k = 0; k < ser.size() && all; ++k) {
      const auto& days = ser[k]->days;
      while (pos[k] < days.size() && days[pos[k]] < d) ++pos[k];
      all = pos[k] < days.size() && days[pos[k]] == d;
    }
    if (!all) continue;
    common.push_back(d);
    for (std::size_t k = 0; k < ser.size(); ++k) at[k].push_back(pos[k]);
  }
  if (common.size() < 2)
    return make_error(fmt::format("{}: the series of {} share {} date{}; returns need at least 2", history.source,
                                  fmt::join(underlyings, ", "), common.size(), common.size() == 1 ? "" : "s"));
  Returns r;
  r.underlyings.assign(underlyings.begin(), underlyings.end());
  const std::size_t n = common.size() - 1;
  r.days.assign(common.begin() + 1, common.end());
  for (std::size_t i = 1; i < common.size(); ++i) {
    const std::int64_t missing = common[i] - common[i - 1] - 1;
    if (missing > history.max_gap_days)
      return make_error(fmt::format("{}:{}: field 'date': the closes of {} share no date between {} and {} ({} "
                                    "missing days, tolerance {})",
                                    history.source, ser[0]->lines[at[0][i]], fmt::join(underlyings, ", "), format_day(common[i - 1]), format_day(common[i]),
                                    missing, history.max_gap_days));
  }
  for (std::size_t k = 0; k < ser.size(); ++k) {
    const Series& s = *ser[k];
    std::vector<double> pr(n), vr;
    if (!s.atm_vol.empty()) vr.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t a = at[k][i], b = at[k][i + 1];
      const double scale = 1.0 / std::sqrt(static_cast<double>(common[i + 1] - common[i]));
      pr[i] = std::log(s.price[b] / s.price[a]) * scale;
      if (!vr.empty()) vr[i] = std::log(s.atm_vol[b] / s.atm_vol[a]) * scale;
    }
    r.price.push_back(std::move(pr));
    r.vol.push_back(std::move(vr));
    r.last_price.push_back(s.price[at[k].back()]);
    r.last_vol.push_back(s.atm_vol.empty() ? kNaN : s.atm_vol[at[k].back()]);
  }
  return r;
}

}  // namespace greekbook::risk
