#!/usr/bin/env python3
"""Margin and liquidation on real Deribit chains (../shared/data/deribit-chain-2026), end to end
through the CLI. For each chain, a hedged book: every expiry's iron condor (short 25-delta strangle,
long 10-delta wings, 10 BTC a leg) with its delta hedged by the perpetual, in S:SM, S:PM and X:PM
accounts; plus the naked 25-delta short strangles (reported, not gated: in coin the inverse puts'
-66% extended scenario dominates Deribit-style PM). Gates (exit 1 when one fails):
  * every account is margined (no error) and every figure is finite, IM >= MM > 0;
  * portfolio margin is below standard margin on the hedged book (both segregated, in BTC);
  * the Deribit PM initial margin equals 1/0.8 x its maintenance margin;
  * --what-if of an order equals margining the book with that order added (1e-9 relative);
  * at every liquidation price greekbook liquidation reports, equity = maintenance margin (1e-8 relative).
Usage: validate_margin_deribit.py [--shared DIR] [--greekbook BIN] [--json FILE]
"""
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from validation_common import fnum, parse_args


def run(gb, *args):
    p = subprocess.run([gb, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("greekbook %s: %s" % (" ".join(args[:1]), p.stderr.strip()))
    return json.loads(p.stdout)


def run_status(gb, chain, positions):
    """True when greekbook can margin these positions on this chain."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.json"
        path.write_text(json.dumps({"accounts": [{"id": "probe", "venue": "deribit", "positions": positions}]}))
        return subprocess.run([gb, "margin", "--book", str(path), "--market", str(chain)], capture_output=True).returncode == 0


def strangle_book(chain_csv, wings=False):
    """25-delta short strangle per BTC expiry (>= 7 days), with long 10-delta wings when asked, and the
    perpetual (USD notional) that hedges the book's delta."""
    by_expiry = {}
    index = None
    with open(chain_csv) as f:
        for row in csv.DictReader(f):
            if row["currency"] != "BTC" or fnum(row["delta"]) is None or fnum(row["time_to_maturity"]) is None:
                continue
            if fnum(row["time_to_maturity"]) < 7 / 365:
                continue
            index = fnum(row["index_price"])
            by_expiry.setdefault(row["expiry_datetime"], []).append(row)
    legs, delta = [], 0.0
    futures = sorted({r["futures_instrument_name"] for rows in by_expiry.values() for r in rows
                      if r["futures_instrument_name"].startswith("BTC-")})
    for expiry, rows in sorted(by_expiry.items()):
        calls = [r for r in rows if r["option_type"] == "call"]
        puts = [r for r in rows if r["option_type"] == "put"]
        if not calls or not puts:
            continue
        c = min(calls, key=lambda r: abs(fnum(r["delta"]) - 0.25))
        p = min(puts, key=lambda r: abs(fnum(r["delta"]) + 0.25))
        picks = [(c, -10.0), (p, -10.0)]
        if wings:
            picks += [(min(calls, key=lambda r: abs(fnum(r["delta"]) - 0.10)), 10.0),
                      (min(puts, key=lambda r: abs(fnum(r["delta"]) + 0.10)), 10.0)]
        for r, q in picks:
            legs.append({"instrument": r["instrument_name"], "quantity": q, "average_price": fnum(r["mark_price"])})
            delta += q * fnum(r["delta"])
    hedge = round(-delta * index / 10.0) * 10.0  # USD notional, multiple of 10
    return legs, hedge, index, futures


def main():
    args, data = parse_args(__doc__.splitlines()[0])
    chains = sorted((data / "deribit-chain-2026").glob("deribit_options_snapshot_*.csv"))
    if not chains:
        print("validate_margin_deribit: no chains under %s, skipped" % data)
        return 0
    gb, failures, stats = args.greekbook, [], []
    for chain in chains:
        legs, _, index, futures = strangle_book(chain)
        condors, hedge, _, _ = strangle_book(chain, wings=True)
        if not legs:
            continue
        # The perpetual hedges the delta; a chain without a perpetual mark uses its first future.
        probe = run_status(gb, chain, [{"instrument": "BTC-PERPETUAL", "quantity": 10.0}])
        hedge_instrument = "BTC-PERPETUAL" if probe or not futures else futures[0]
        hedged = condors + ([{"instrument": hedge_instrument, "quantity": hedge}] if hedge else [])
        book = {"accounts": [
            {"id": "sm", "venue": "deribit", "margin_mode": "segregated", "collateral": {"BTC": 40.0}, "positions": hedged},
            {"id": "pm", "venue": "deribit", "margin_mode": "segregated", "margin_model": "deribit-pm",
             "collateral": {"BTC": 40.0}, "positions": hedged},
            {"id": "xpm", "venue": "deribit", "margin_mode": "portfolio", "collateral": {"BTC": 40.0}, "positions": hedged},
            {"id": "naked", "venue": "deribit", "margin_mode": "segregated", "collateral": {"BTC": 40.0}, "positions": legs},
            {"id": "naked-pm", "venue": "deribit", "margin_mode": "segregated", "margin_model": "deribit-pm",
             "collateral": {"BTC": 40.0}, "positions": legs},
        ]}
        with tempfile.TemporaryDirectory() as tmp:
            bpath = Path(tmp) / "book.json"
            bpath.write_text(json.dumps(book))
            m = run(gb, "margin", "--book", str(bpath), "--market", str(chain), "--format", "json")
            acc = {a["account"]: a for a in m["accounts"]}
            for a in acc.values():
                figs = [a["equity"], a["initial_margin"], a["maintenance_margin"], a["available"], a["margin_ratio"]]
                if any(x is None for x in figs) or not (a["initial_margin"] >= a["maintenance_margin"] > 0):
                    failures.append("%s %s: figures %s" % (chain.name, a["account"], figs))
            sm, pm = acc["sm"]["initial_margin"], acc["pm"]["initial_margin"]
            if not pm < sm:
                failures.append("%s: PM %.6g BTC not below SM %.6g BTC on the hedged book" % (chain.name, pm, sm))
            if abs(pm - acc["pm"]["maintenance_margin"] / 0.8) > 1e-12 * pm:
                failures.append("%s: PM IM != MM / 0.8" % chain.name)
            # What-if vs the book with the order.
            order = condors[0]["instrument"]
            w = run(gb, "margin", "--book", str(bpath), "--market", str(chain), "--account", "pm", "--format", "json",
                    "--what-if", order + ":-5")
            book2 = json.loads(json.dumps(book))
            pos = book2["accounts"][1]["positions"]
            pos.append({"instrument": order, "quantity": -5.0})
            bpath2 = Path(tmp) / "book2.json"
            bpath2.write_text(json.dumps(book2))
            m2 = run(gb, "margin", "--book", str(bpath2), "--market", str(chain), "--account", "pm", "--format", "json")
            wi, direct = w["accounts"][0]["what_if"]["initial_margin"], m2["accounts"][0]["initial_margin"]
            if abs(wi - direct) > 1e-9 * abs(direct):
                failures.append("%s: what-if IM %.12g != direct %.12g" % (chain.name, wi, direct))
            # Liquidation prices: equity = MM at each crossing.
            lq = run(gb, "liquidation", "--book", str(bpath), "--market", str(chain), "--format", "json")
            crossings = 0
            for a in lq["accounts"]:
                for lp in a["liquidation_prices"]:
                    for side in ("down", "up"):
                        c = lp[side]
                        if c.get("price") is None or c.get("jump"):
                            continue
                        crossings += 1
                        e, mm = c["equity"], c["maintenance_margin"]
                        if abs(e - mm) > 1e-8 * max(abs(e), abs(mm)):
                            failures.append("%s %s %s: equity %.12g != MM %.12g" % (chain.name, a["account"], side, e, mm))
        stats.append({"chain": chain.name, "legs": len(hedged), "sm_im_btc": sm, "pm_im_btc": pm,
                      "xpm_im_usd": acc["xpm"]["initial_margin"], "naked_sm_im_btc": acc["naked"]["initial_margin"],
                      "naked_pm_im_btc": acc["naked-pm"]["initial_margin"],
                      "pm_over_sm": pm / sm, "what_if_rel_error": abs(wi - direct) / abs(direct), "crossings": crossings})
        print("%s: hedged book of %d legs: SM %.4f BTC, S:PM %.4f BTC (%.0f%% of SM), X:PM %.0f USD; naked strangles: "
              "SM %.4f, S:PM %.4f BTC; what-if rel. error %.1e; %d liquidation prices checked"
              % (chain.name, len(hedged), sm, pm, 100 * pm / sm, acc["xpm"]["initial_margin"],
                 acc["naked"]["initial_margin"], acc["naked-pm"]["initial_margin"], stats[-1]["what_if_rel_error"],
                 crossings))
    if args.json:
        Path(args.json).write_text(json.dumps(stats, indent=2))
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
