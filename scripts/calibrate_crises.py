#!/usr/bin/env python3
"""Calibrates greekbook's built-in crisis library (params/stress/crises.json) from real data.

Reads ../shared/data (read-only; nothing is copied into the repository):
  binance-btc-daily-dvol/btcusdt_spot_binance_daily_20220219_20251104.csv   BTC daily closes 2022-02-19 .. 2025-11-04
  binance-btc-daily-dvol/deribit_dvol_btc_daily_close_20221106_20251112.csv Deribit BTC DVOL daily close
  binance-btc-daily-dvol/binance_btcusdt_funding_8h_20221103_20251112.csv   Binance BTCUSDT funding per 8 h
  funding-multi-exchange/normalized_utc/{BTC,ETH}-USDT_binance_funding_utc.csv  Binance funding 2020-01 .. 2023-12
  deribit-dvol-1y-ohlc/dvol_{BTC,ETH}_1y.csv                                 Deribit DVOL 2025-09-19 ..
  deribit-chain-2026/perpetual_futures_prices.csv, term_futures_marks.csv   Deribit BTC/ETH perpetual and dated-futures
                                                                            marks, 2025-12-30 .. 2026-04-15
  deribit-chain-2026/deribit_options_snapshot_*.csv                         two chains for the vol term-structure shape

For each crisis the data covers, the script finds the worst (or, for a rally, the best) close-to-close BTC move
over at most MAX_DAYS days inside a search window and takes, over the same dates:
  spot_move        BTC (and ETH where ETH prices exist) close-to-close; ETH otherwise BTC x ETH_BETA, and every
                   other coin ("*") BTC x ETH_BETA (a stated assumption)
  vol_shock        multiplicative, size = DVOL(end) / DVOL(start) - 1 (DVOL is Deribit's 30-day BTC implied-vol
                   index); where DVOL does not cover the dates, size = mean elasticity of the covered down-moves
                   (size / |BTC move|) x |BTC move| (a model, stated). One shock for every underlying (BTC's).
                   Tenor shape m = (30 / max(7, DTE))^p, p fitted on the Deribit chains of 2026-01-01 and
                   2026-02-01 (constant-maturity ATM IV rise by tenor), separately below and above 30 days.
  funding_shift_8h mean Binance 8-hour funding rate over the crisis minus its mean over the 30 days before
  basis_shift_per_year  change of the mean annualised basis of Deribit dated futures (>= 7 days) over the
                   perpetual, where the 2026 futures marks cover the dates; 0 otherwise (not in the data)
  time_shift_days  the crisis length in days (options decay, funding accrues)
Crises before the data (12 March 2020, 19 May 2021) take the BTC move from the public record (stated in
"source"); their funding comes from the 2020-2023 funding histories.

Writes params/stress/crises.json and src/risk/stress_library.cpp (the same JSON compiled into greekbook).
Python 3 standard library only.

Usage: scripts/calibrate_crises.py [--data DIR] [--check]
  --check  recompute and compare with the files in the repository (exit 1 when they differ)
"""
import argparse
import bisect
import csv
import datetime
import json
import math
import os
import sys

MAX_DAYS = 10          # longest crisis window searched (days between the two closes)
ETH_BETA = 1.2         # ETH (and other coins) move = BTC move x ETH_BETA where there are no ETH prices
FUNDING_LOOKBACK_DAYS = 30
MIN_BASIS_DAYS = 7     # futures closer to expiry than this are left out of the basis
VOL_FLOOR_DAYS = 7     # tenor shape floor: options under 7 days get the 7-day multiplier (assumption)

# (name, search from, search to, direction -1 = sell-off / +1 = rally, venue events, note)
DATA_CRISES = [
    ("Terra/LUNA collapse, May 2022", "2022-05-01", "2022-05-20", -1, [], ""),
    ("Celsius and Three Arrows Capital, June 2022", "2022-06-01", "2022-06-30", -1, [], ""),
    ("FTX collapse, November 2022", "2022-11-01", "2022-11-30", -1,
     [{"venue": "ftx", "collateral_haircut": 1.0, "close_positions": True,
       "comment": "public record: FTX halted withdrawals on 8 Nov 2022 and filed for bankruptcy on 11 Nov 2022; "
                  "balances on the venue are taken as lost at the time"}], ""),
    ("Yen carry-trade unwind, August 2024", "2024-07-25", "2024-08-10", -1, [], ""),
    ("US election rally, November 2024", "2024-11-01", "2024-11-30", +1, [], ""),
    ("Liquidation cascade, 10 October 2025", "2025-10-06", "2025-10-12", -1, [], ""),
    ("BTC sell-off, late January to early February 2026", "2026-01-20", "2026-02-15", -1, [], ""),
]

# Crises the price data does not cover: BTC move from the public record.
RECORD_CRISES = [
    ("Black Thursday, 12 March 2020", "2020-03-11", "2020-03-12", -0.372,
     "BTC close 11 Mar 2020 about 7,911 USD -> 12 Mar 2020 about 4,971 USD, about -37% close to close "
     "(public record, CoinMarketCap daily closes; no BTC price data in ../shared before 2022-02-19)"),
    ("Crash of 19 May 2021", "2021-05-18", "2021-05-19", -0.138,
     "BTC close 18 May 2021 about 42,900 USD -> 19 May 2021 about 37,000 USD, about -14% close to close, intraday "
     "low near 30,000 USD (public record, CoinMarketCap daily closes; no BTC price data in ../shared before 2022)"),
]

PRICES = "binance-btc-daily-dvol/btcusdt_spot_binance_daily_20220219_20251104.csv"
DVOL = "binance-btc-daily-dvol/deribit_dvol_btc_daily_close_20221106_20251112.csv"
FUNDING_BTC_RECENT = "binance-btc-daily-dvol/binance_btcusdt_funding_8h_20221103_20251112.csv"
FUNDING_OLD = "funding-multi-exchange/normalized_utc/{coin}-USDT_binance_funding_utc.csv"
DVOL_1Y = "deribit-dvol-1y-ohlc/dvol_{coin}_1y.csv"
PERPS_2026 = "deribit-chain-2026/perpetual_futures_prices.csv"
TERM_2026 = "deribit-chain-2026/term_futures_marks.csv"
CHAIN_BEFORE = "deribit-chain-2026/deribit_options_snapshot_20260101T211918Z.csv"
CHAIN_AFTER = "deribit-chain-2026/deribit_options_snapshot_20260201T045402Z.csv"

MONTHS = {m: i + 1 for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                                          "NOV", "DEC"])}


def day(s):
    return datetime.date.fromisoformat(s[:10])


def ms_to_dt(ms):
    return datetime.datetime.fromtimestamp(ms / 1000.0, tz=datetime.timezone.utc)


def read_csv(data, rel):
    with open(os.path.join(data, rel), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class Series:
    """Daily values keyed by date, with the file they come from."""

    def __init__(self, values, source):
        self.values = dict(values)
        self.source = source

    def covers(self, a, b):
        return a in self.values and b in self.values


def load(data):
    d = {"dir": data}
    d["btc_binance"] = Series(((day(r["date_utc"]), float(r["close"])) for r in read_csv(data, PRICES)),
                              f"{PRICES} (Binance BTCUSDT daily closes)")
    # 2026: the last Deribit perpetual mark of each day (snapshots at ~04, 09, 15 and 21 h UTC).
    perps = read_csv(data, PERPS_2026)
    last = {}
    for r in perps:
        key = (r["coin"], day(r["obs_datetime"]))
        if key not in last or r["obs_datetime"] > last[key]["obs_datetime"]:
            last[key] = r
    for coin in ("BTC", "ETH"):
        d[f"{coin.lower()}_deribit"] = Series(
            ((k[1], float(r["perp_futures_mark_price"])) for k, r in last.items() if k[0] == coin),
            f"{PERPS_2026} ({coin}-PERPETUAL mark at the last snapshot of each day, ~21:30 UTC)")
    d["last_obs"] = {k: r["obs_datetime"] for k, r in last.items()}
    dv = {day(r["date_utc"]): float(r["dvol_close"]) for r in read_csv(data, DVOL)}
    dv1 = {day(r["date"]): float(r["close"]) for r in read_csv(data, DVOL_1Y.format(coin="BTC"))}
    d["dvol_btc"] = Series(list(dv1.items()) + list(dv.items()), f"{DVOL} and {DVOL_1Y.format(coin='BTC')}")
    # Funding: timestamps (UTC) -> rate per 8 h.
    funding = {}
    for coin in ("BTC", "ETH"):
        pts = {}
        for r in read_csv(data, FUNDING_OLD.format(coin=coin)):
            if r["interval_hours"] == "8":
                pts[int(r["funding_time_ms"]) // 1000] = float(r["funding_rate"])
        src = [FUNDING_OLD.format(coin=coin)]
        if coin == "BTC":
            for r in read_csv(data, FUNDING_BTC_RECENT):
                pts.setdefault(int(r["funding_time_ms"]) // 1000, float(r["funding_rate"]))
            src.append(FUNDING_BTC_RECENT)
        times = sorted(pts)
        funding[coin] = (times, [pts[t] for t in times], " and ".join(src))
    d["funding"] = funding
    d["term"] = read_csv(data, TERM_2026)
    d["perps_rows"] = perps
    return d


def worst_window(series, a, b, direction):
    days = sorted(x for x in series.values if a <= x <= b)
    best = None
    for i, s in enumerate(days):
        for e in days[i + 1:]:
            if (e - s).days > MAX_DAYS:
                break
            move = series.values[e] / series.values[s] - 1.0
            if best is None or move * direction > best[2] * direction:
                best = (s, e, move)
    return best


def mean_funding(data, coin, t0, t1):
    """Mean 8-hour rate over funding times in (t0, t1] (datetimes, UTC); None when not covered."""
    times, rates, _ = data["funding"][coin]
    a = bisect.bisect_right(times, t0.timestamp())
    b = bisect.bisect_right(times, t1.timestamp())
    if b - a < max(1, int((t1 - t0).total_seconds() / 28800) - 1):
        return None
    return sum(rates[a:b]) / (b - a)


def funding_shift(data, coin, start, end):
    """Crisis mean minus the mean of the 30 days before (closes at 00:00 UTC after each date)."""
    close = lambda d: datetime.datetime.combine(d + datetime.timedelta(days=1), datetime.time(),
                                                tzinfo=datetime.timezone.utc)
    t0, t1 = close(start), close(end)
    crisis = mean_funding(data, coin, t0, t1)
    before = mean_funding(data, coin, t0 - datetime.timedelta(days=FUNDING_LOOKBACK_DAYS), t0)
    if crisis is None or before is None:
        return None
    return crisis - before, crisis, before


def expiry_of(name):
    code = name.split("-")[1]
    y = 2000 + int(code[-2:])
    return datetime.datetime(y, MONTHS[code[-5:-2]], int(code[:-5]), 8, tzinfo=datetime.timezone.utc)


def mean_basis(data, stamp):
    """Mean annualised basis of BTC dated futures (>= MIN_BASIS_DAYS) over the perpetual at a snapshot time."""
    perp = [r for r in data["perps_rows"] if r["obs_datetime"] == stamp and r["coin"] == "BTC"]
    if not perp:
        return None
    p = float(perp[0]["perp_futures_mark_price"])
    t = datetime.datetime.fromisoformat(stamp)
    out = {}
    for r in data["term"]:
        if r["timestamp"] != stamp or r["currency"] != "BTC" or not r["term_mark_price_final"]:
            continue
        T = (expiry_of(r["futures_instrument_name"]) - t).total_seconds() / (365 * 86400)
        if T * 365 >= MIN_BASIS_DAYS:
            out[r["futures_instrument_name"]] = (float(r["term_mark_price_final"]) / p - 1.0) / T
    return out


def atm_term_structure(data, rel):
    """ATM implied vol by days to expiry of the BTC options of one chain (mean of the two nearest strikes)."""
    by = {}
    for r in read_csv(data, rel):
        if not r["instrument_name"].startswith("BTC-"):
            continue
        try:
            F, K = float(r["underlying"]), float(r["strike"])
            iv, T = float(r["implied_volatility"]), float(r["time_to_maturity"])
        except ValueError:
            continue
        by.setdefault(r["expiry_datetime"], []).append((abs(math.log(K / F)), iv, T * 365.25))
    out = []
    for v in by.values():
        v.sort()
        near = v[:2]
        out.append((near[0][2], sum(x[1] for x in near) / len(near)))
    return sorted(out)


def vol_at(ts, d):
    """ATM vol at d days by linear interpolation of total variance."""
    for (d0, v0), (d1, v1) in zip(ts, ts[1:]):
        if d0 <= d <= d1:
            w = v0 * v0 * d0 + (v1 * v1 * d1 - v0 * v0 * d0) * (d - d0) / (d1 - d0)
            return math.sqrt(w / d)
    return None


def fit_tenor_shape(data):
    """Powers p of m = (30/DTE)^p fitted (least squares through the 30-day point) on the constant-maturity
    ATM IV rise between the two chains, below and above 30 days."""
    before = atm_term_structure(data["dir"], CHAIN_BEFORE)
    after = atm_term_structure(data["dir"], CHAIN_AFTER)
    rel = []
    for d, v in after:
        v0 = vol_at(before, d)
        if v0 and d >= 1.0:
            rel.append((d, v / v0 - 1.0))
    r30 = None
    for (d0, x0), (d1, x1) in zip(rel, rel[1:]):
        if d0 <= 30 <= d1:
            r30 = x0 + (x1 - x0) * (30 - d0) / (d1 - d0)
    powers = []
    for side in (lambda d: VOL_FLOOR_DAYS <= d < 30, lambda d: d > 30):
        pts = [(math.log(30.0 / d), math.log(x / r30)) for d, x in rel if side(d) and x > 0]
        powers.append(round(sum(a * b for a, b in pts) / sum(a * a for a, _ in pts), 2))
    return powers[0], powers[1], rel, r30


def r4(x):
    return round(x, 4)


def build(data):
    short_p, long_p, rel, r30 = fit_tenor_shape(data)
    near = min(rel, key=lambda x: abs(x[0] - VOL_FLOOR_DAYS * 2))
    shape = (f"tenor shape m = (30/max({VOL_FLOOR_DAYS}, DTE))^p, p = {short_p} from {VOL_FLOOR_DAYS} to 30 days and "
             f"{long_p} above, fitted on the constant-maturity BTC ATM IV rise between {CHAIN_BEFORE} and {CHAIN_AFTER} "
             f"(+{near[1]*100:.1f}% at {near[0]:.1f} days, +{r30*100:.1f}% at 30, +{rel[-1][1]*100:.1f}% at "
             f"{rel[-1][0]:.0f}); expiries under {VOL_FLOOR_DAYS} days are left out of the fit (the first chain was "
             f"taken on a holiday, its short-dated IVs are depressed) and get the {VOL_FLOOR_DAYS}-day multiplier "
             f"(assumption)")
    entries = []
    elasticities = []
    for name, a, b, direction, events, _ in DATA_CRISES:
        a, b = day(a), day(b)
        btc = data["btc_deribit"] if a.year >= 2026 else data["btc_binance"]
        s, e, move = worst_window(btc, a, b, direction)
        eth_series = data["eth_deribit"]
        src = [f"BTC {move*100:+.2f}%: {btc.source}, {s} {btc.values[s]:,.2f} -> {e} {btc.values[e]:,.2f} "
               f"({'worst' if direction < 0 else 'best'} close-to-close move of at most {MAX_DAYS} days in "
               f"{a} .. {b})"]
        if eth_series.covers(s, e):
            eth = eth_series.values[e] / eth_series.values[s] - 1.0
            src.append(f"ETH {eth*100:+.2f}%: {eth_series.source}, same dates "
                       f"({eth_series.values[s]:,.2f} -> {eth_series.values[e]:,.2f}); other coins ('*') BTC x {ETH_BETA}")
        else:
            eth = move * ETH_BETA
            src.append(f"ETH and other coins: BTC x {ETH_BETA} (no ETH prices in ../shared for these dates)")
        dv = data["dvol_btc"].values
        d0 = min((x for x in dv if s <= x < e), default=None)
        vol = None
        if d0 is not None and e in dv:
            vol = dv[e] / dv[d0] - 1.0
            note = "" if d0 == s else f" (first DVOL date in the window; the data starts {min(dv)})"
            src.append(f"vol x(1 {vol:+.3f} m): Deribit BTC DVOL {d0} {dv[d0]} -> {e} {dv[e]}{note}, "
                       f"{data['dvol_btc'].source}; ETH gets the same relative shock")
            if direction < 0:
                elasticities.append((name, vol / abs(move)))
        entries.append(dict(name=name, s=s, e=e, move=move, eth=eth, vol=vol, src=src, events=events,
                            direction=direction))
    for name, a, b, move, record in RECORD_CRISES:
        entries.append(dict(name=name, s=day(a), e=day(b), move=move, eth=move * ETH_BETA, vol=None,
                            src=[f"BTC {move*100:+.1f}%: {record}",
                                 f"ETH and other coins: BTC x {ETH_BETA} (no ETH prices in ../shared for these dates)"],
                            events=[], direction=-1))
    elasticity = sum(x for _, x in elasticities) / len(elasticities)
    el_text = ", ".join(f"{n.split(',')[0]} {x:.2f}" for n, x in elasticities)
    out = []
    for c in entries:
        s, e, src = c["s"], c["e"], c["src"]
        if c["vol"] is None:
            c["vol"] = elasticity * abs(c["move"])
            src.append(f"vol x(1 {c['vol']:+.3f} m): no implied-vol data for these dates; size = {elasticity:.2f} x "
                       f"|BTC move|, the mean elasticity DVOL change / |move| of the covered sell-offs ({el_text})")
        src.append(shape)
        funding = {}
        for coin in ("BTC", "ETH"):
            f = funding_shift(data, coin, s, e)
            if f is not None:
                funding[coin] = f[0]
                src.append(f"funding {coin} {f[0]:+.6f}/8h: Binance {coin}USDT mean {f[1]:+.6f} over the crisis vs "
                           f"{f[2]:+.6f} over the {FUNDING_LOOKBACK_DAYS} days before, {data['funding'][coin][2]}")
        if "BTC" in funding and "ETH" not in funding:
            funding["ETH"] = funding["BTC"]
            src.append("funding ETH: no ETH funding data for these dates, BTC's shift")
        if not funding:
            src.append("funding: not covered by the funding data (2020-01 .. 2025-11), no shift")
        basis = 0.0
        ks, ke = data["last_obs"].get(("BTC", s)), data["last_obs"].get(("BTC", e))
        b0 = mean_basis(data, ks) if ks else None
        b1 = mean_basis(data, ke) if ke else None
        common = sorted(set(b0 or {}) & set(b1 or {}))
        if common:
            basis = sum(b1[k] - b0[k] for k in common) / len(common)
            src.append(f"basis {basis:+.4f}/yr: mean change of the annualised basis of {', '.join(common)} over "
                       f"BTC-PERPETUAL, {TERM_2026} at {ks} and {ke}")
        else:
            src.append("basis: no futures-curve data for these dates, no shift")
        horizon = (e - s).days
        item = {"name": c["name"], "source": "; ".join(src),
                "spot_move": {"BTC": r4(c["move"]), "ETH": r4(c["eth"]), "*": r4(c["move"] * ETH_BETA)},
                "vol_shock": {"kind": "multiplicative", "size": round(c["vol"], 3), "ref_days": 30,
                              "floor_days": VOL_FLOOR_DAYS, "short_power": short_p, "long_power": long_p},
                "basis_shift_per_year": r4(basis),
                "funding_shift_8h": {k: round(v, 6) for k, v in sorted(funding.items())},
                "time_shift_days": horizon}
        if not item["funding_shift_8h"]:
            del item["funding_shift_8h"]
        if c["events"]:
            item["venue_events"] = c["events"]
        out.append((s, item))
    out.sort(key=lambda x: x[0])
    return {
        "comment": ("greekbook's built-in crisis library (greekbook stress --library): each scenario's magnitudes come "
                    "from real data where ../shared/data covers the dates and from the public record otherwise, as "
                    "each 'source' says. Spot moves are close to close; the horizon is the crisis length in days. "
                    "Do not edit by hand: scripts/calibrate_crises.py writes this file and src/risk/stress_library.cpp."),
        "generated_by": "scripts/calibrate_crises.py",
        "scenarios": [item for _, item in out],
    }


CPP = """// The built-in crisis library: params/stress/crises.json compiled in. Generated by
// scripts/calibrate_crises.py: do not edit by hand (tests/risk/stress_library_test.cpp keeps the two identical).
#include "greekbook/risk/stress_scenario.hpp"

namespace greekbook::risk {{

std::string_view crisis_library_json() noexcept {{
  static constexpr std::string_view kLibrary = R"greekbook({json})greekbook";
  return kLibrary;
}}

}}  // namespace greekbook::risk
"""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.data):
        print(f"calibrate_crises.py: {args.data}: no data directory", file=sys.stderr)
        return 2
    doc = build(load(args.data))
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    cpp = CPP.format(json=text)
    targets = [(os.path.join(root, "params", "stress", "crises.json"), text),
               (os.path.join(root, "src", "risk", "stress_library.cpp"), cpp)]
    if args.check:
        bad = [p for p, t in targets if not os.path.exists(p) or open(p, encoding="utf-8").read() != t]
        for p in bad:
            print(f"calibrate_crises.py: {p} differs from a fresh calibration", file=sys.stderr)
        return 1 if bad else 0
    for p, t in targets:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p + ".tmp", "w", encoding="utf-8") as f:
            f.write(t)
        os.replace(p + ".tmp", p)
        print(f"wrote {os.path.relpath(p, root)}")
    for s in doc["scenarios"]:
        print(f"  {s['name']}: {s['spot_move']}, vol {s['vol_shock']['size']:+.3f}, "
              f"funding {s.get('funding_shift_8h')}, basis {s['basis_shift_per_year']}, {s['time_shift_days']} d")
    return 0


if __name__ == "__main__":
    sys.exit(main())
