#!/usr/bin/env python3
"""Validate `greekbook risk` and `greekbook explain` on Deribit chains against Deribit's published Greeks.

Usage: scripts/validate_risk_deribit.py [--shared DIR] [--greekbook BIN] [--json FILE]
  DIR defaults to ../shared next to the repository (data under DIR/data); when it is missing the
  script prints "skipped" and exits 0. BIN defaults to build/apps/greekbook/greekbook.
  Exit status: 0 all gates pass (or skipped), 1 a gate fails, 2 greekbook could not be run.

1. Risk report: for each chain (deribit-chain-2020 flat file, deribit-chain-2026 snapshots) a positions CSV
   holding +1 of every option not expired at the file's valuation time (its latest timestamp) is run through
   `greekbook risk --format json`; per position delta, vega, theta (2020), gamma (2020, 5 dp: reported only)
   and mark (coin) are compared with the chain's values. Each position is also recomputed here (Black-76,
   r = 0, F = its row's underlying price, its mark IV, T = ACT/365 ms from the valuation time), which checks
   the report's plumbing to ~1e-12, and delta_total = delta - mark is checked. The 2020 rows span ~150 s;
   the report values all at the latest timestamp, Deribit each at its own: that timing effect is computed
   with Black-76 and reported (and the errors with it removed). The 2026 delta/vega come from ticker calls
   seconds to minutes after the prices (data README): not synchronous, so they are gated loosely.
2. PnL explain between the two 2026-01-01 snapshots (09:18 -> 21:19 UTC) on a deterministic book of BTC and
   ETH options (7-92 days, strikes within +-25% of the forward, mixed long/short); the attribution is
   recomputed here term by term, and the actual PnL checked against Deribit's marks x the index.
Gates (medians): 2020 |delta err| <= 2e-5, vega and theta (T >= 2 d) relative <= 2e-4; 2026 |delta err|
  <= 2e-3, vega relative <= 5e-3 per file; recomputation consistency; explain |residual| <= 10% of
  sum |position PnL|, and greekbook's explain terms equal to the recomputed ones.
"""
import csv, json, math, os, random, subprocess, sys, tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validation_common import fmt, fnum, iso_ms, parse_args, rel, stats  # noqa: E402

MS_YEAR = 365 * 86400 * 1000.0
GATES = {("2020", "delta_abs"): 2e-5, ("2020", "vega_rel"): 2e-4, ("2020", "theta_rel_2d"): 2e-4,
         ("2026", "delta_abs"): 2e-3, ("2026", "vega_rel"): 5e-3}
METRICS = [("mark_abs", "|mark - Deribit| (coin)"), ("delta_abs", "|delta - Deribit|"),
           ("vega_rel", "|vega / Deribit - 1|"), ("theta_rel", "|theta / Deribit - 1|"),
           ("theta_rel_2d", "  same, T >= 2 days"), ("gamma_abs", "|gamma - Deribit| (5 dp)")]
CONSISTENCY_TOL = 1e-9  # max |greekbook - recomputed| (coin / delta / relative vega, theta)
EXPLAIN_RESIDUAL_GATE = 0.10
TERMS = ["delta", "gamma", "vega", "theta", "vanna", "volga"]






def ncdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def b76(call, F, K, T, s):
    """Black-76, r = 0: USD price, delta, gamma, vega (per 1.00), theta (USD per year), vanna, volga."""
    sq = s * math.sqrt(T)
    d1 = (math.log(F / K) + 0.5 * sq * sq) / sq
    d2 = d1 - sq
    n1 = math.exp(-0.5 * d1 * d1) / math.sqrt(2 * math.pi)
    px = F * ncdf(d1) - K * ncdf(d2) if call else K * ncdf(-d2) - F * ncdf(-d1)
    vega = F * n1 * math.sqrt(T)
    return dict(price=px, delta=ncdf(d1) - (0 if call else 1), gamma=n1 / (F * sq), vega=vega,
                theta=-F * n1 * s / (2 * math.sqrt(T)), vanna=-n1 * d2 / s, volga=vega * d1 * d2 / s)


def load_chain(path):
    """Rows of a 2026 snapshot or the 2020 flat file, normalised."""
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            flat = "timestamp_ms" in r
            iv = fnum(r["mark_iv"] if flat else r["implied_volatility"])
            rows.append(dict(name=r["instrument_name"], call=r["option_type"] == "call", K=float(r["strike"]),
                             F=fnum(r["underlying_price" if flat else "underlying"]), mark=fnum(r["mark_price"]),
                             iv=None if iv is None else iv / 100.0 if flat else iv,
                             ts=int(r["timestamp_ms"]) if flat else iso_ms(r["timestamp"]),
                             exp=int(r["expiration_timestamp_ms"]) if flat else iso_ms(r["expiry_datetime"]),
                             index=fnum(r["index_price"]), delta=fnum(r["delta"]), vega=fnum(r["vega"]),
                             theta=fnum(r.get("theta")), gamma=fnum(r.get("gamma"))))
    return rows


def run_gb(binary, args):
    try:
        p = subprocess.run([binary] + args + ["--format", "json"], capture_output=True, text=True)
    except OSError as e:
        print("validate_risk_deribit: cannot run %s: %s" % (binary, e), file=sys.stderr)
        sys.exit(2)
    if p.returncode != 0:
        print("greekbook %s failed (exit %d): %s" % (args[0], p.returncode, p.stderr.strip()), file=sys.stderr)
        sys.exit(2)
    return json.loads(p.stdout)


def write_book(path, positions):
    with open(path, "w") as f:
        f.write("account,instrument,quantity\n" + "".join("deribit,%s,%r\n" % p for p in positions))






def risk_check(binary, path, kind, tmp):
    rows = load_chain(path)
    val = max(r["ts"] for r in rows)
    live = [r for r in rows if r["exp"] > val]
    write_book(book := os.path.join(tmp, path.stem + "_book.csv"), [(r["name"], 1) for r in live])
    rep = run_gb(binary, ["risk", "--book", book, "--market", str(path)])
    pos = {p["instrument"]: p for p in rep["positions"]}
    cons = {"valuation_ms": abs(iso_ms(rep["valuation_time"].replace("Z", "+00:00")) - val)}
    errs = {m: [] for m, _ in METRICS}
    timing = {m: [] for m in ("mark_abs", "delta_abs", "vega_rel", "theta_rel")}
    fixed = {m: [] for m in timing}
    row_errors = []
    for r in live:
        p = pos.get(r["name"])
        if p is None or p["error"] or not r["iv"]:
            row_errors.append("%s: %s" % (r["name"], "missing" if p is None else p["error"] or "no mark IV"))
            continue
        T = (r["exp"] - val) / MS_YEAR
        ref = b76(r["call"], r["F"], r["K"], T, r["iv"])
        for k, ours, theirs in (("mark", p["mark"], ref["price"] / r["F"]), ("delta", p["delta"], ref["delta"]),
                                ("gamma", p["gamma"] * 1e4, ref["gamma"] * 1e4), ("forward", p["forward"] / r["F"], 1),
                                ("vega", p["vega"], ref["vega"] / 100), ("theta", p["theta"], ref["theta"] / 365),
                                ("delta_total", p["delta_total"], p["delta"] - p["mark"])):
            d = abs(ours - theirs) / (max(abs(theirs), 1.0) if k in ("vega", "theta") else 1.0)
            cons[k] = max(cons.get(k, 0.0), d)
        # Deribit values the row at its own timestamp: the same model at T_own shows the timing effect.
        own = b76(r["call"], r["F"], r["K"], (r["exp"] - r["ts"]) / MS_YEAR, r["iv"])
        shift = dict(mark=(ref["price"] - own["price"]) / r["F"], delta=ref["delta"] - own["delta"],
                     vega=(ref["vega"] - own["vega"]) / 100, theta=(ref["theta"] - own["theta"]) / 365)
        for m, how in (("mark", "abs"), ("delta", "abs"), ("vega", "rel"), ("theta", "rel")):
            if r[m] is None or not (r[m] or how == "abs"):
                continue
            err = (lambda x: abs(x - r[m])) if how == "abs" else (lambda x: rel(x, r[m]))
            errs[m + "_" + how].append(err(p[m]))
            fixed[m + "_" + how].append(err(p[m] - shift[m]))
            timing[m + "_" + how].append(abs(shift[m]) / (1.0 if how == "abs" else abs(r[m])))
            if m == "theta" and T >= 2 / 365.0:
                errs["theta_rel_2d"].append(errs["theta_rel"][-1])
        if r["gamma"] is not None:
            errs["gamma_abs"].append(abs(p["gamma"] - r["gamma"]))
    spread = (val - min(r["ts"] for r in rows)) / 1000.0
    return dict(kind=kind, rows=len(rows), expired=len(rows) - len(live), valued=len(live) - len(row_errors),
                row_errors=row_errors, stats={m: stats(v) for m, v in errs.items() if v}, consistency=cons,
                timestamp_spread_s=spread, timing_effect={m: stats(v) for m, v in timing.items() if v and spread},
                timing_removed={m: stats(v) for m, v in fixed.items() if v and spread})


def pick_book(a_rows, c_names, t0):
    """Deterministic realistic book: per underlying and expiry (7-92 d) 4 OTM options across +-25% moneyness."""
    rng, groups = random.Random(20260101), {}
    for r in a_rows:
        days = (r["exp"] - t0) / 86400000.0
        otm = (r["K"] >= r["F"]) == r["call"]
        if 7 <= days <= 92 and abs(r["K"] / r["F"] - 1) <= 0.25 and otm and r["name"] in c_names:
            groups.setdefault((r["name"][:3], r["exp"]), []).append(r)
    book = []
    for (und, _), g in sorted(groups.items()):
        g.sort(key=lambda r: r["K"])
        for i in sorted({round(j * (len(g) - 1) / 3) for j in range(4)}):
            size = rng.choice([0.5, 1, 2, 5, 10] if und == "BTC" else [5, 10, 20, 50, 100])
            book.append((g[i]["name"], size * rng.choice([1, -1])))
    return book


def explain_check(binary, fa, fc, tmp):
    a_rows, c_rows = load_chain(fa), load_chain(fc)
    A, C = {r["name"]: r for r in a_rows}, {r["name"]: r for r in c_rows}
    t0, t1 = max(r["ts"] for r in a_rows), max(r["ts"] for r in c_rows)
    book = pick_book(a_rows, set(C), t0)
    write_book(path := os.path.join(tmp, "explain_book.csv"), book)
    rep = run_gb(binary, ["explain", "--book", path, "--from", str(fa), "--to", str(fc)])
    idx = lambda rows, u: stats([r["index"] for r in rows if r["name"].startswith(u) and r["index"]])["median"]
    S0 = {u: idx(a_rows, u) for u in ("BTC", "ETH")}
    S1 = {u: idx(c_rows, u) for u in ("BTC", "ETH")}
    term_diff, act_diff, basis, sum_abs, worst, per_und = 0.0, 0.0, 0.0, 0.0, [], {}
    for p in rep["positions"]:
        a, c, q, u = A[p["instrument"]], C[p["instrument"]], p["quantity"], p["instrument"][:3]
        g0 = b76(a["call"], a["F"], a["K"], (a["exp"] - t0) / MS_YEAR, a["iv"])
        g1 = b76(c["call"], c["F"], c["K"], (c["exp"] - t1) / MS_YEAR, c["iv"])
        dF, ds, r0, r1 = c["F"] - a["F"], c["iv"] - a["iv"], S0[u] / a["F"], S1[u] / c["F"]
        mine = dict(delta=g0["delta"] * dF, gamma=0.5 * g0["gamma"] * dF * dF, vega=g0["vega"] * ds,
                    theta=g0["theta"] * (t1 - t0) / MS_YEAR, vanna=g0["vanna"] * dF * ds, volga=0.5 * g0["volga"] * ds * ds)
        for k in TERMS:
            term_diff = max(term_diff, abs(p[k] - r0 * q * mine[k]) / max(1.0, abs(p[k])))
        actual = q * (g1["price"] * r1 - g0["price"] * r0)
        term_diff = max(term_diff, abs(p["actual"] - actual) / max(1.0, abs(actual)))
        act_diff += q * (c["mark"] * S1[u] - a["mark"] * S0[u]) - p["actual"]  # Deribit marks x index
        b = q * g1["price"] * (r1 - r0)  # PnL from the change of basis S/F, not a Taylor term
        basis += b
        per_und.setdefault(u, [0.0, 0.0])[0] += b
        per_und[u][1] += abs(p["actual"])
        sum_abs += abs(p["actual"])
        worst.append((abs(p["residual"]), p["instrument"], q, p["actual"], p["residual"], b, dF / a["F"], ds))
    worst.sort(reverse=True)
    tot = rep["total"]
    out = dict(from_file=fa.name, to_file=fc.name, hours=(t1 - t0) / 3.6e6, positions=len(book),
               total={k: tot[k] for k in ["actual"] + TERMS + ["explained", "residual"]},
               by_underlying={u: {k: v[k] for k in ["actual"] + TERMS + ["explained", "residual"]}
                              for u, v in rep["by_underlying"].items()},
               sum_abs_position_pnl=sum_abs, residual_over_abs_actual=abs(tot["residual"]) / abs(tot["actual"]),
               residual_over_sum_abs=abs(tot["residual"]) / sum_abs, basis_pnl=basis,
               basis_by_underlying={u: v[0] for u, v in per_und.items()},
               sum_abs_by_underlying={u: v[1] for u, v in per_und.items()},
               max_term_diff=term_diff, actual_vs_deribit_marks=act_diff, errors=tot["errors"],
               index_move={u: S1[u] / S0[u] - 1 for u in S0},
               worst=[dict(zip(("abs", "instrument", "qty", "actual", "residual", "basis", "dF_rel", "dvol"), w))
                      for w in worst[:5]])
    return out


def main():
    a, data = parse_args(__doc__.split("\n")[0])
    d26 = data / "deribit-chain-2026"
    f2020 = data / "deribit-chain-2020" / "btc_options_20200514_flat.csv"
    files = [("2020", f2020)] * f2020.is_file() + [("2026", p) for p in sorted(d26.glob("deribit_options_snapshot_*.csv"))]
    if not files:
        print("validate_risk_deribit: no Deribit data under %s; skipped" % a.shared)
        return 0
    if not os.access(a.greekbook, os.X_OK):
        print("validate_risk_deribit: greekbook binary not found at %s (build it first)" % a.greekbook, file=sys.stderr)
        return 2

    report, failures = {"risk": {}}, []
    with tempfile.TemporaryDirectory(prefix="validate_risk_") as tmp:
        for kind, path in files:
            res = risk_check(a.greekbook, path, kind, tmp)
            report["risk"][path.name] = res
            print("\n%s  [%s chain]  rows %d, expired %d, valued %d, row errors %d"
                  % (path.name, kind, res["rows"], res["expired"], res["valued"], len(res["row_errors"])))
            for e in res["row_errors"][:5]:
                print("    row error: " + e)
            if res["row_errors"]:
                failures.append("%s: %d positions not valued" % (path.name, len(res["row_errors"])))
            print("    %-28s %6s %10s %10s %10s  %s" % ("metric", "n", "median", "p90", "max", "gate (median)"))
            for m, desc in METRICS:
                if m not in res["stats"]:
                    continue
                s, gate, verdict = res["stats"][m], GATES.get((kind, m)), ""
                if gate is not None:
                    ok = s["median"] <= gate
                    verdict = "<= %g %s" % (gate, "ok" if ok else "FAIL")
                    if not ok:
                        failures.append("%s: %s median %.3g > %g" % (path.name, m, s["median"], gate))
                print("    %-28s %6d %10s %10s %10s  %s" % (desc, s["n"], fmt(s["median"]), fmt(s["p90"]), fmt(s["max"]), verdict))
            cmax = max(res["consistency"].values())
            print("    recomputed here (Black-76 at F, mark IV, T): max diff %s (%s)  %s"
                  % (fmt(cmax), ", ".join("%s %s" % (k, fmt(v)) for k, v in res["consistency"].items()),
                     "ok" if cmax <= CONSISTENCY_TOL else "FAIL"))
            if cmax > CONSISTENCY_TOL:
                failures.append("%s: report differs from Black-76 recomputation by %.3g" % (path.name, cmax))
            if res["timing_effect"]:
                te, tr = res["timing_effect"], res["timing_removed"]
                print("    rows span %.1f s; valuing all at the latest timestamp moves (median / max): %s"
                      % (res["timestamp_spread_s"], ", ".join("%s %s / %s" % (m, fmt(te[m]["median"]), fmt(te[m]["max"])) for m in te)))
                print("    errors with that timing effect removed (median / max): %s"
                      % ", ".join("%s %s / %s" % (m, fmt(tr[m]["median"]), fmt(tr[m]["max"])) for m in tr))

        fa, fc = d26 / "deribit_options_snapshot_20260101T091835Z.csv", d26 / "deribit_options_snapshot_20260101T211918Z.csv"
        if fa.is_file() and fc.is_file():
            ex = explain_check(a.greekbook, fa, fc, tmp)
            report["explain"] = ex
            t = ex["total"]
            print("\nexplain %s -> %s (%.2f h), %d positions, index move %s" % (
                ex["from_file"], ex["to_file"], ex["hours"], ex["positions"],
                ", ".join("%s %+.3f%%" % (u, 100 * m) for u, m in ex["index_move"].items())))
            cols = ["actual"] + TERMS + ["explained", "residual"]
            print("    %-6s" % "USD" + "".join("%10s" % k for k in cols) + "%11s%10s" % ("sum|pos|", "basis"))
            for u, v in sorted(ex["by_underlying"].items()) + [("TOTAL", t)]:
                print("    %-6s" % u + "".join("%10.2f" % v[k] for k in cols) + "%11.2f%10.2f" % (
                    ex["sum_abs_by_underlying"].get(u, ex["sum_abs_position_pnl"]), ex["basis_by_underlying"].get(u, ex["basis_pnl"])))
            print("    |residual| / |actual| %.2f%%, / sum |position PnL| (%.2f) %.2f%%  (gate <= %g%%)" % (
                100 * ex["residual_over_abs_actual"], ex["sum_abs_position_pnl"], 100 * ex["residual_over_sum_abs"],
                100 * EXPLAIN_RESIDUAL_GATE))
            print("    basis (index/forward ratio) PnL in the residual %.2f; actual vs Deribit marks x index %+.2f"
                  % (ex["basis_pnl"], ex["actual_vs_deribit_marks"]))
            for w in ex["worst"]:
                print("    largest residual: %-22s qty %6g actual %9.2f residual %7.2f basis %6.2f dF/F %+.3f%% dvol %+.4f"
                      % (w["instrument"], w["qty"], w["actual"], w["residual"], w["basis"], 100 * w["dF_rel"], w["dvol"]))
            print("    terms recomputed here: max diff %s" % fmt(ex["max_term_diff"]))
            if ex["residual_over_sum_abs"] > EXPLAIN_RESIDUAL_GATE:
                failures.append("explain: |residual| %.1f%% of sum |position PnL|" % (100 * ex["residual_over_sum_abs"]))
            if ex["max_term_diff"] > 1e-6 or ex["errors"]:
                failures.append("explain: terms differ from the recomputation (%.3g) or %d row errors"
                                % (ex["max_term_diff"], ex["errors"]))
    report["gates"] = {"%s:%s" % k: v for k, v in GATES.items()}
    report["gates"]["explain_residual_over_sum_abs"] = EXPLAIN_RESIDUAL_GATE
    report["result"] = "FAIL" if failures else "PASS"
    if a.json:
        Path(a.json).write_text(json.dumps(report, indent=2))
    print("\nvalidate_risk_deribit: %s%s" % (report["result"], "" if not failures else " -- " + "; ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
