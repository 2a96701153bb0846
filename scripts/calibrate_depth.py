#!/usr/bin/env python3
"""Fits order-book depth profiles for the liquidation simulator from raw L2 websocket captures.

Reads the cryptofeed captures in ../shared/data/l2-raw-ws-captures/ (lines "<recv_unix_s>: <json>"):
  BYBIT.ws.26.0.txt  orderBookL2_25.<SYMBOL> snapshot + delete/update/insert deltas by level id
  DYDX.ws.1.0.txt    v3_orderbook: subscribed snapshot with per-level offsets, then [price, size] updates
  OKX.ws.1.0.txt     v5 books: snapshot + updates [price, size, _, orders] with CRC32 checksums (verified)
rebuilds each book, samples it once per second of capture time, measures the cumulative USD
notional resting within d bps of the mid on each side for a grid of d, averages over the samples and
writes examples/depth/<venue>-<market>.json in the format of docs/liquidation.md:
  {"kind": "depth", "bid": [[bps, cumulative_usd], ...], "ask": [...], metadata...}
The first level of each side is [average half-spread, 0]. A grid distance is kept only where at least
90% of the samples show book out to it (Bybit sends 25 levels a side; deeper depth is unknown).

Only the fitted profile is written; the capture data stays outside the repository.
Python 3 standard library only.

Usage: scripts/calibrate_depth.py [--data DIR] [--out DIR]
"""
import argparse
import datetime
import json
import os
import sys
import zlib

GRID_BPS = [0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200, 300, 500, 750,
            1000]
MIN_COVERAGE = 0.9
SOURCE = ("bmoscon/cryptofeed sample capture {file} (licence XFree86 1.1), via ../shared/data/l2-raw-ws-captures; "
          "fitted by scripts/calibrate_depth.py")

# Markets to fit: (capture file, venue, market, notional of one unit of size in USD as f(price, size)).
#   Bybit inverse perpetuals: size = contracts of 1 USD.
#   dYdX v3 and OKX spot: size in coin -> size x price.
#   OKX coin-margined futures/swaps: contracts of 100 USD (BTC) or 10 USD (other coins): OKX contract
#   specifications (not in the capture; inference from OKX's published ctVal).
MARKETS = [
    ("BYBIT.ws.26.0.txt", "bybit", "BTCUSD", lambda px, sz: sz, "USD (inverse contracts of 1 USD)"),
    ("DYDX.ws.1.0.txt", "dydx", "ETH-USD", lambda px, sz: sz * px, "ETH x price"),
    ("OKX.ws.1.0.txt", "okx", "BTC-USDT", lambda px, sz: sz * px, "BTC x price"),
    ("OKX.ws.1.0.txt", "okx", "BTC-USD-220527", lambda px, sz: sz * 100.0, "contracts of 100 USD (OKX ctVal)"),
    ("OKX.ws.1.0.txt", "okx", "UNI-USD-SWAP", lambda px, sz: sz * 10.0, "contracts of 10 USD (OKX ctVal)"),
]


def read_messages(path):
    """Yields (recv_time_s, message) for the received JSON lines of a capture."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if " <- " in line or "<->" in line:  # sent subscriptions and connection markers
                continue
            ts, sep, payload = line.partition(": ")
            if not sep:
                continue
            try:
                yield float(ts), json.loads(payload)
            except ValueError:
                continue


class Book:
    """Price -> size per side, with the best levels."""

    def __init__(self):
        self.bids, self.asks = {}, {}

    def set(self, side, price, size):
        levels = self.bids if side == "bid" else self.asks
        if size > 0:
            levels[price] = size
        else:
            levels.pop(price, None)

    def best(self):
        if not self.bids or not self.asks:
            return None
        return max(self.bids), min(self.asks)


def bybit_books(path, market):
    topic = "orderBookL2_25." + market
    book, ids = Book(), {}
    for ts, m in read_messages(path):
        if m.get("topic") != topic:
            continue
        data = m["data"]
        if m.get("type") == "snapshot":
            book, ids = Book(), {}
            rows, deletes = data, []
        else:
            rows, deletes = data.get("update", []) + data.get("insert", []), data.get("delete", [])
        for d in deletes:
            if d["id"] in ids:
                side, price = ids.pop(d["id"])
                book.set(side, price, 0)
        for r in rows:
            side = "bid" if r["side"] == "Buy" else "ask"
            if r["id"] in ids:
                price = ids[r["id"]][1]
            else:
                price = float(r["price"])
                ids[r["id"]] = (side, price)
            book.set(side, price, float(r["size"]))
        yield ts, book


def dydx_books(path, market):
    book, offsets = Book(), {}
    started = False
    for ts, m in read_messages(path):
        if m.get("channel") != "v3_orderbook" or m.get("id") != market:
            continue
        c = m["contents"]
        if m["type"] == "subscribed":
            book, offsets, started = Book(), {}, True
            for side, key in (("bid", "bids"), ("ask", "asks")):
                for lvl in c[key]:
                    price = float(lvl["price"])
                    offsets[(side, price)] = int(lvl["offset"])
                    book.set(side, price, float(lvl["size"]))
        elif started:
            off = int(c["offset"])
            for side, key in (("bid", "bids"), ("ask", "asks")):
                for price_s, size_s in c[key]:
                    price = float(price_s)
                    if off > offsets.get((side, price), -1):
                        offsets[(side, price)] = off
                        book.set(side, price, float(size_s))
        else:
            continue
        # Uncross: a level left behind by a missed removal is the one with the older offset.
        while book.best() and book.best()[0] >= book.best()[1]:
            bid, ask = book.best()
            if offsets.get(("bid", bid), 0) < offsets.get(("ask", ask), 0):
                book.set("bid", bid, 0)
            else:
                book.set("ask", ask, 0)
        yield ts, book


def okx_checksum(raw):
    """OKX v5 CRC32 over the first 25 levels, bid and ask interleaved as price:size strings."""
    bids = sorted(raw["bid"].items(), key=lambda kv: -kv[0])[:25]
    asks = sorted(raw["ask"].items(), key=lambda kv: kv[0])[:25]
    parts = []
    for i in range(max(len(bids), len(asks))):
        if i < len(bids):
            parts += [bids[i][1][0], bids[i][1][1]]
        if i < len(asks):
            parts += [asks[i][1][0], asks[i][1][1]]
    crc = zlib.crc32(":".join(parts).encode()) & 0xFFFFFFFF
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def okx_books(path, market, stats):
    book, raw = Book(), {"bid": {}, "ask": {}}
    for ts, m in read_messages(path):
        arg = m.get("arg", {})
        if arg.get("channel") != "books" or arg.get("instId") != market or "action" not in m:
            continue
        if m["action"] == "snapshot":
            book, raw = Book(), {"bid": {}, "ask": {}}
        for d in m["data"]:
            for side, key in (("bid", "bids"), ("ask", "asks")):
                for lvl in d[key]:
                    price, size = float(lvl[0]), float(lvl[1])
                    book.set(side, price, size)
                    if size > 0:
                        raw[side][price] = (lvl[0], lvl[1])
                    else:
                        raw[side].pop(price, None)
            if "checksum" in d:
                stats["checked"] += 1
                if okx_checksum(raw) != d["checksum"]:
                    stats["mismatch"] += 1
        yield ts, book


def sample(books, notional):
    """Per second of capture time: mid, half-spread (bps) and cumulative USD within each grid distance."""
    samples, last = [], None
    for ts, book in books:
        sec = int(ts)
        if last is not None and sec == last:
            continue
        best = book.best()
        if not best or best[0] >= best[1]:
            continue
        last = sec
        mid = 0.5 * (best[0] + best[1])
        s = {"t": ts, "mid": mid, "half_spread": (best[1] - best[0]) / mid * 1e4 / 2}
        for side, levels in (("bid", book.bids), ("ask", book.asks)):
            dist = sorted(((abs(p - mid) / mid * 1e4, notional(p, q)) for p, q in levels.items()))
            cum, total, k = [], 0.0, 0
            for g in GRID_BPS:
                while k < len(dist) and dist[k][0] <= g:
                    total += dist[k][1]
                    k += 1
                cum.append(total)
            s[side] = cum
            s[side + "_reach"] = dist[-1][0] if dist else 0.0
        samples.append(s)
    return samples


def fit(samples):
    n = len(samples)
    half = sum(s["half_spread"] for s in samples) / n
    out = {}
    for side in ("bid", "ask"):
        levels, prev = [[round(half, 4), 0.0]], 0.0
        reach = 0.0
        for i, g in enumerate(GRID_BPS):
            covered = [s[side][i] for s in samples if s[side + "_reach"] >= g]
            if len(covered) < MIN_COVERAGE * n:
                break
            reach = g
            avg = sum(covered) / len(covered)
            if g > half and avg > prev:
                levels.append([g, round(avg, 2)])
                prev = avg
        out[side] = levels
        out[side + "_reach"] = reach
    out["half_spread"] = half
    return out


def dump(doc):
    """JSON with one [bps, cumulative_usd] level per line."""
    lines = ["{"]
    items = list(doc.items())
    for i, (k, v) in enumerate(items):
        comma = "," if i + 1 < len(items) else ""
        if k in ("bid", "ask"):
            rows = ",\n".join(f"    {json.dumps(level)}" for level in v)
            lines.append(f'  "{k}": [\n{rows}\n  ]{comma}')
        else:
            lines.append(f"  {json.dumps(k)}: {json.dumps(v)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "l2-raw-ws-captures"))
    ap.add_argument("--out", default=os.path.join(here, "..", "examples", "depth"))
    args = ap.parse_args()
    if not os.path.isdir(args.data):
        print(f"no capture directory {args.data}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    for file, venue, market, notional, unit in MARKETS:
        path = os.path.join(args.data, file)
        stats = {"checked": 0, "mismatch": 0}
        if venue == "bybit":
            books = bybit_books(path, market)
        elif venue == "dydx":
            books = dydx_books(path, market)
        else:
            books = okx_books(path, market, stats)
        samples = sample(books, notional)
        if not samples:
            print(f"{venue}-{market}: no usable book", file=sys.stderr)
            return 1
        f = fit(samples)
        doc = {
            "kind": "depth",
            "venue": venue,
            "market": market,
            "source": SOURCE.format(file=file),
            "captured": f"{iso(samples[0]['t'])} .. {iso(samples[-1]['t'])}",
            "snapshots": len(samples),
            "mid_usd": round(sum(s["mid"] for s in samples) / len(samples), 6),
            "notional_unit": unit,
            "max_bps": {"bid": f["bid_reach"], "ask": f["ask_reach"]},
            "comment": "cumulative USD notional within bps of the mid, averaged over one sample per second; "
                       "first level = average half-spread",
            "bid": f["bid"],
            "ask": f["ask"],
        }
        out = os.path.join(args.out, f"{venue}-{market}.json")
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(dump(doc))
        check = f", OKX checksums {stats['checked'] - stats['mismatch']}/{stats['checked']} ok" if stats["checked"] else ""
        print(f"{out}: {len(samples)} samples, half-spread {f['half_spread']:.3f} bps, "
              f"depth to {f['bid_reach']}/{f['ask_reach']} bps, "
              f"bid depth {f['bid'][-1][1]:.0f} USD within {f['bid'][-1][0]} bps{check}")
        if stats["mismatch"]:
            print(f"  warning: {stats['mismatch']} OKX checksum mismatches", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
