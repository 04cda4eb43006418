"""Rows per second reading a 200,000-line distributor spreadsheet: our reader against pandas `read_excel`
(openpyxl) and against a bare Polars calamine read of the same file, in one run, printed as ratios.

Targets (issue 3): at least 8x pandas, and within 1.5x of the bare read.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import polars as pl

from ingest.core.masters import MasterData
from ingest.core.runner import read_file
from ingest.core.source import ReadContext
from ingest.registry import source_kinds

LINES = int(os.environ.get("BENCH_READER_LINES", "200000"))
HEADER = [
    "Bill No",
    "Bill Date",
    "Vch Type",
    "Party Code",
    "Party Name",
    "Item Code",
    "Item Name",
    "Qty",
    "Free",
    "Rate",
    "Amount",
    "Disc",
    "Net Amt",
    "Salesman",
    "Beat",
]


def write_workbook(path: Path, lines: int) -> None:
    rng = random.Random(1)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sales")
    sheet.append(["M/s Benchmark Agencies"])
    sheet.append(["Sales Register"])
    sheet.append([])
    sheet.append(HEADER)
    start = date(2026, 4, 1)
    for i in range(lines):
        qty = rng.randint(1, 96)
        rate = round(rng.uniform(5, 80), 2)
        sheet.append(
            [
                f"B{i // 5:07d}",
                start + timedelta(days=i // 2000),
                "Sales",
                f"C{i % 900:04d}",
                f"Outlet {i % 900}",
                f"SKU{i % 30 + 1:04d}",
                None,
                qty,
                0,
                rate,
                round(qty * rate, 2),
                0,
                round(qty * rate, 2),
                f"Rep {i % 7}",
                f"Beat {i % 40}",
            ]
        )
    workbook.save(path)


def masters() -> MasterData:
    skus = pl.DataFrame(
        {
            "sku_code": [f"SKU{i:04d}" for i in range(1, 31)],
            "sku_name": [f"Product {i}" for i in range(1, 31)],
            "units_per_case": [24] * 30,
            "ean": [None] * 30,
        },
        schema={"sku_code": pl.String, "sku_name": pl.String, "units_per_case": pl.Int64, "ean": pl.String},
    )
    return MasterData(skus=skus)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(2):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    import pandas as pd

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sales.xlsx"
        print(f"writing a {LINES:,}-line workbook ...", flush=True)
        write_workbook(path, LINES)
        kind = source_kinds()["distributor_sales"]
        ctx = ReadContext("bench/sales.xlsx", "D001", masters())
        ours, result = timed(lambda: read_file(path, kind, ctx))
        assert result.rows_loaded == LINES, result.rows_loaded  # type: ignore[attr-defined]
        bare, frame = timed(lambda: pl.read_excel(path, engine="calamine", read_options={"header_row": 3}))
        started = time.perf_counter()
        pandas_frame = pd.read_excel(path, engine="openpyxl", header=3)
        pandas_s = time.perf_counter() - started
        assert len(pandas_frame) == LINES and frame.height == LINES  # type: ignore[attr-defined]
    print(f"{'reader':<28}{'seconds':>9}{'rows/s':>12}")
    for name, seconds in (
        ("sellthrough (full parse)", ours),
        ("polars calamine (bare)", bare),
        ("pandas read_excel openpyxl", pandas_s),
    ):
        print(f"{name:<28}{seconds:>9.2f}{LINES / seconds:>12,.0f}")
    print(f"speed-up over pandas: {pandas_s / ours:.1f}x (target >= 8x)")
    print(f"cost against the bare read: {ours / bare:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
