#!/usr/bin/env python3
"""Golden-file tests of full greekbook CLI runs.

Each case is a folder tests/cli/golden/<case>/ with:
  args          the command line after `greekbook` (one line; {dir} = the case folder, {tmp} = a
                scratch folder)
  stdin         optional: fed to standard input
  expected.out  expected standard output. Numbers are compared to 1e-10 relative or 1e-9 absolute
                (last-bit differences between SIMD targets, FMA or not, propagate into differences
                such as PnL residuals); everything else exactly. The unit tests check precision.
  expected.err  optional: expected standard error, exactly
  expected.rc   optional: expected exit status (default 0)
  files         optional: lines "PATH CONTENT|ABSENT" checked after the run ({tmp} expanded);
                a file listed with a content is created with that content before the run.
Usage: run_golden.py GREEKBOOK_BINARY GOLDEN_DIR [--update]
"""
import math
import re
import os
import shlex
import subprocess
import sys
import tempfile


def numeric_equal(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if math.isnan(x) or math.isnan(y):
        return False
    return abs(x - y) <= 1e-10 * max(abs(x), abs(y)) + 1e-9


NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def same_output(got, want):
    """Line by line: the text between numbers must match exactly, the numbers within tolerance."""
    gl, wl = got.splitlines(), want.splitlines()
    if len(gl) != len(wl):
        return False
    for g, w in zip(gl, wl):
        if NUMBER.sub("#", g) != NUMBER.sub("#", w):
            return False
        if not all(numeric_equal(a, b) for a, b in zip(NUMBER.findall(g), NUMBER.findall(w))):
            return False
    return True


def run_case(binary, case_dir, update):
    name = os.path.basename(case_dir)
    with tempfile.TemporaryDirectory() as tmp:
        expand = lambda s: s.replace("{dir}", case_dir).replace("{tmp}", tmp)
        args = shlex.split(expand(open(os.path.join(case_dir, "args")).read().strip()))
        checks = []
        files_path = os.path.join(case_dir, "files")
        if os.path.exists(files_path):
            for line in open(files_path):
                if line.strip():
                    path, content = line.rstrip("\n").split(" ", 1)
                    path = expand(path)
                    checks.append((path, content))
                    if content != "ABSENT":
                        with open(path, "w") as f:
                            f.write(content)
        stdin_path = os.path.join(case_dir, "stdin")
        stdin = open(stdin_path, "rb").read() if os.path.exists(stdin_path) else b""
        proc = subprocess.run([binary] + args, input=stdin, capture_output=True)
        out, err, rc = proc.stdout.decode(), proc.stderr.decode(), proc.returncode
        out = out.replace(tmp, "{tmp}").replace(case_dir, "{dir}")
        err = err.replace(tmp, "{tmp}").replace(case_dir, "{dir}")
        failures = []
        if update:
            open(os.path.join(case_dir, "expected.out"), "w").write(out)
            if err or os.path.exists(os.path.join(case_dir, "expected.err")):
                open(os.path.join(case_dir, "expected.err"), "w").write(err)
            open(os.path.join(case_dir, "expected.rc"), "w").write(f"{rc}\n")
            return []
        want_out = open(os.path.join(case_dir, "expected.out")).read()
        if not same_output(out, want_out):
            failures.append(f"stdout differs:\n--- got\n{out}--- want\n{want_out}")
        err_path = os.path.join(case_dir, "expected.err")
        if os.path.exists(err_path) and err != open(err_path).read():
            failures.append(f"stderr differs:\n--- got\n{err}--- want\n{open(err_path).read()}")
        rc_path = os.path.join(case_dir, "expected.rc")
        want_rc = int(open(rc_path).read()) if os.path.exists(rc_path) else 0
        if rc != want_rc:
            failures.append(f"exit status {rc}, want {want_rc}")
        for path, content in checks:
            exists = os.path.exists(path)
            if content == "ABSENT" and exists:
                failures.append(f"{path} exists, want absent")
            elif content != "ABSENT" and (not exists or open(path).read() != content):
                failures.append(f"{path} changed, want {content!r} kept")
        return [f"[{name}] {f}" for f in failures]


def main():
    binary, golden = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv
    cases = sorted(d for d in os.listdir(golden) if os.path.isdir(os.path.join(golden, d)))
    failures = []
    for case in cases:
        failures += run_case(binary, os.path.join(golden, case), update)
    for f in failures:
        print(f)
    failed = len({f.split("]")[0] for f in failures})
    print(f"golden: {len(cases) - failed} passed, {failed} failed")
    return 1 if failures or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
