"""Peak memory loading a large sales CSV through the nightly path (issue 18: 5M rows / ~350 MB took 5.6 GB).

Setup (untimed): a distributor sales register of `--lines` lines (default 5,000,000, about 70 bytes a line: bill
number, date, party code and name, item code, quantity, rate, amount) and a two-SKU master, written streaming.
Measured, each in a fresh child process (peak RSS from the kernel, `wait4`):
- baseline: Polars reading the same file eagerly into memory, every cell as text (`pl.read_csv`, no schema
  inference): the cost of merely holding the file as a frame;
- ingest: `ingest_inbox` on the inbox, exactly the nightly load (sniff, caps, chunked grid, header detection,
  parsing, SKU mapping, Great Expectations suite, lake write, ledger), with the rows loaded checked.
Printed: both peaks, the ratio ingest / baseline, seconds and rows per second, and the target (under 1 GB).

Run: `python -m bench csv_memory [--lines 5000000] [--keep DIR]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.hostile_files import MB, write_masters

TARGET_MB = 1024
HEADER = "Bill No,Bill Date,Party Code,Party Name,Item Code,Qty,Rate,Amount\n"

BASELINE = """
import sys
import polars as pl
frame = pl.read_csv(sys.argv[1], infer_schema=False)
print(frame.height)
"""

INGEST = """
import json, sys
from pathlib import Path
from ingest.core.lake import Lake
from expectations.runner import GE_VALIDATOR
from ingest.core.runner import ingest_inbox
outcomes = ingest_inbox(Path(sys.argv[1]), Lake(Path(sys.argv[2])), validator=GE_VALIDATOR)
print(json.dumps([o.as_dict() for o in outcomes if o.kind != "masters"]))
"""


def write_sales_csv(path: Path, lines: int, seed: int = 1) -> Path:
    """A register of `lines` lines, written 100,000 lines at a time."""
    rng = random.Random(seed)
    start = date(2026, 4, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        handle.write(HEADER)
        for first in range(0, lines, 100_000):
            block = []
            for i in range(first, min(first + 100_000, lines)):
                bill, qty = i // 4, 1 + (i % 4) * 24 + rng.randint(0, 23)  # lines of a bill never repeat
                rate = rng.choice((10.0, 40.0, 12.5))
                day = start + timedelta(days=bill * 4 * 120 // lines)
                block.append(
                    f"B{bill:08d},{day:%d-%m-%Y},C{bill % 900:04d},Outlet {bill % 900},SKU000{1 + i % 2},"
                    f"{qty},{rate:.2f},{qty * rate:.2f}\n"
                )
            handle.write("".join(block))
    return path


def child(code: str, *args: str) -> tuple[float, float, str]:
    """(peak RSS MB, seconds, stdout) of `python -c code args` in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"child process failed with status {status}")
    return usage.ru_maxrss / 1024, time.perf_counter() - started, output


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench csv_memory")
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="write the data here and keep it")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv if argv is not None else [])
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-csv-memory-"))
    try:
        inbox = root / "inbox"
        write_masters(inbox)
        csv_path = write_sales_csv(inbox / "distributor_sales" / "D001" / "register.csv", args.lines)
        size_mb = csv_path.stat().st_size / MB
        print(f"setup: {args.lines:,} lines, {size_mb:.0f} MB -> {csv_path}", flush=True)

        base_peak, base_seconds, base_out = child(BASELINE, str(csv_path))
        print(f"baseline  pl.read_csv (all text): peak RSS {base_peak:7.0f} MB  {base_seconds:6.1f} s  "
              f"({int(base_out.strip()):,} rows)", flush=True)  # fmt: skip

        shutil.rmtree(root / "raw", ignore_errors=True)
        peak, seconds, out = child(INGEST, str(inbox), str(root / "raw"))
        [outcome] = json.loads(out.strip().splitlines()[-1])
        if outcome["status"] != "loaded" or outcome["rows_loaded"] != args.lines:
            raise SystemExit(f"the register did not load whole: {outcome}")
        print(
            f"ingest    nightly load:           peak RSS {peak:7.0f} MB  {seconds:6.1f} s  "
            f"({outcome['rows_loaded']:,} rows loaded, {outcome['rows_loaded'] / seconds:,.0f} rows/s)"
        )
        print(
            f"ratio ingest / baseline: {peak / base_peak:.2f}x;  ingest peak {peak:.0f} MB is "
            f"{'under' if peak < TARGET_MB else 'OVER'} the {TARGET_MB} MB target ({peak / size_mb:.1f}x the file)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
