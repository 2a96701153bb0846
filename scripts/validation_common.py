"""Helpers shared by the validation scripts against ../shared data (standard library only)."""
import argparse
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository


def fnum(s):
    """Parse a float; None for empty or unparsable fields."""
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def iso_ms(s):
    """ISO 8601 with an offset -> integer milliseconds since the epoch."""
    return (datetime.fromisoformat(s) - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(milliseconds=1)


def stats(xs):
    """n, median, p90 and max of a list of numbers (None where empty)."""
    xs = sorted(xs)
    if not xs:
        return dict(n=0, median=None, p90=None, max=None)
    n = len(xs)
    med = xs[n // 2] if n % 2 else 0.5 * (xs[n // 2 - 1] + xs[n // 2])
    return dict(n=n, median=med, p90=xs[min(n - 1, int(0.9 * (n - 1) + 0.5))], max=xs[-1])


def rel(ours, theirs):
    return abs(ours / theirs - 1.0) if theirs else None


def fmt(x):
    return "-" if x is None else "%.3g" % x


def parse_args(description):
    """The common command line: --shared DIR, --greekbook BIN, --json FILE. Returns (args, data dir)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="shared data dir (default ../shared)")
    ap.add_argument("--greekbook", default=str(ROOT / "build/apps/greekbook/greekbook"), help="greekbook binary")
    ap.add_argument("--json", help="write the statistics as JSON to this file")
    a = ap.parse_args()
    data = Path(a.shared) / "data" if (Path(a.shared) / "data").is_dir() else Path(a.shared)
    return a, data
