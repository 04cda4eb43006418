"""Hostile files (issue 18): each is rejected with a clear reason, and the peak memory of its rejection is measured.

Every file is built here (nothing downloaded) and read in a fresh child process through the nightly path
(`ingest_inbox` on an inbox holding the file, with a two-SKU master already in the lake), so the child's peak RSS
is the whole cost of refusing it. Baseline, in the same run: the same child on a night with nothing new (the fixed
cost of Python, Polars and the ingest machinery); for reference, the child loading a small honest sales CSV (which
also imports Great Expectations for its suite). Printed per file: the rejection, peak RSS, the ratio to the
baseline, and whether it is under the 256 MB target.

Files: an xlsx whose sheet inflates to 1 GB while its headers declare 4 KB (sizes faked in the local header and
the central directory, CRC of the declared bytes); a 1 GB zip of zeros declaring its size honestly; a text file
that is one 200 MB line (no newline); a CSV whose first quote never closes (200 MB); a CSV of 200,000 columns;
a text file larger than the text cap (`SELLTHROUGH_MAX_TEXT_BYTES`, set low for the run).

Run: `python -m bench hostile_files [--inflate-mb 1024]`. The builders are also used by tests/reliability.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

TARGET_MB = 256
MB = 1024 * 1024


# --- builders -------------------------------------------------------------------------------------------------------
def deflate_zeros(size: int) -> bytes:
    """Raw deflate of `size` zero bytes, built 1 MB at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = bytes(MB)
    parts = [packer.compress(block) for _ in range(size // MB)]
    parts.append(packer.compress(bytes(size % MB)))
    parts.append(packer.flush())
    return b"".join(parts)


def write_zip(path: Path, entries: list[tuple[str, bytes, int, int, int]]) -> Path:
    """A zip written by hand: (name, stored bytes, method, declared size, declared CRC) per entry, so the sizes
    and CRC in both the local headers and the central directory can say anything."""
    body, directory = bytearray(), bytearray()
    for name, data, method, declared, crc in entries:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), declared,
                            len(encoded), 0)  # fmt: skip
        body += encoded + data
        directory += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data),
                                 declared, len(encoded), 0, 0, 0, 0, 0, offset)  # fmt: skip
        directory += encoded
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(body) + bytes(directory) + end)
    return path


def _stored(name: str, text: str) -> tuple[str, bytes, int, int, int]:
    data = text.encode()
    return name, data, 0, len(data), zlib.crc32(data)


def write_lying_xlsx(path: Path, inflated: int = 1024 * MB, declared: int = 4096) -> Path:
    """An xlsx whose sheet inflates to `inflated` bytes while every header says `declared`."""
    sheet = deflate_zeros(inflated)
    return write_zip(
        path,
        [
            _stored("[Content_Types].xml", "<Types/>"),
            _stored("xl/workbook.xml", "<workbook/>"),
            ("xl/worksheets/sheet1.xml", sheet, 8, declared, zlib.crc32(bytes(declared))),
        ],
    )


def write_honest_bomb(path: Path, inflated: int = 1024 * MB) -> Path:
    """A zip of one entry of zeros that declares its true size (refused on the declared ratio)."""
    data = deflate_zeros(inflated)
    crc = 0
    block = bytes(MB)
    for _ in range(inflated // MB):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(bytes(inflated % MB), crc)
    return write_zip(path, [("zeros.txt", data, 8, inflated, crc)])


def write_repeated(path: Path, head: bytes, unit: bytes, size: int) -> Path:
    """`head` then `unit` repeated to about `size` bytes, written 1 MB at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    block = unit * max(1, MB // len(unit))
    with path.open("wb") as handle:
        handle.write(head)
        written = len(head)
        while written < size:
            handle.write(block)
            written += len(block)
    return path


def write_one_line(path: Path, size: int = 200 * MB) -> Path:
    """A 'CSV' that is one line of `size` bytes: a header-looking start, then no newline ever."""
    return write_repeated(path, b"Bill No,Bill Date,Item,Qty,", b"x" * 1024, size)


def write_unclosed_quote(path: Path, size: int = 200 * MB) -> Path:
    """A CSV whose second line opens a quote that never closes: one field of `size` bytes across lines."""
    return write_repeated(path, b'Bill No,Bill Date,Item,Qty\nB1,01-08-2026,"', b"SKU0001,3\n" * 100, size)


def write_wide(path: Path, columns: int = 200_000) -> Path:
    """A CSV whose header and line have `columns` columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ",".join(["Bill No", "Bill Date", "Item", "Qty", *(f"x{i}" for i in range(columns))])
    line = ",".join(["B1", "01-08-2026", "SKU0001", "3", *("1" for _ in range(columns))])
    path.write_text(header + "\n" + line + "\n")
    return path


def write_honest_csv(path: Path, lines: int = 100) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [f"B{i},01-08-2026,Shop {i % 7},SKU000{1 + i % 2},{1 + i % 9},10.00" for i in range(lines)]
    path.write_text("Bill No,Bill Date,Party Name,Item,Qty,Amount\n" + "\n".join(rows) + "\n")
    return path


# --- measurement ----------------------------------------------------------------------------------------------------
CHILD = """
import json, sys
from pathlib import Path
from ingest.core.lake import Lake
from expectations.runner import GE_VALIDATOR
from ingest.core.runner import ingest_inbox
inbox, lake = Path(sys.argv[1]), Lake(Path(sys.argv[2]))
outcomes = ingest_inbox(inbox, lake, validator=GE_VALIDATOR)
print(json.dumps([o.as_dict() for o in outcomes if o.kind != "masters" and o.status != "duplicate"]))
"""


def measure(inbox: Path, lake: Path, env: dict[str, str]) -> tuple[float, float, list[dict]]:
    """(peak RSS in MB, seconds, outcomes) of a child process ingesting `inbox`."""
    import json

    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(inbox), str(lake)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
        text=True,
    )
    output = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"child failed ({status}) on {inbox}")
    return usage.ru_maxrss / 1024, seconds, json.loads(output.strip().splitlines()[-1])


def write_masters(inbox: Path) -> None:
    folder = inbox / "masters" / "BRAND"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "skus.csv").write_text(
        "sku_code,sku_name,brand,category,pack_size,units_per_case,mrp,ean\n"
        "SKU0001,Glucose Biscuit 100 g,Crunchy,Biscuits,100 g,48,10,8901234567890\n"
        "SKU0002,Masala Namkeen 200 g,Zing,Snacks,200 g,24,40,8901234567906\n"
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench hostile_files")
    parser.add_argument("--inflate-mb", type=int, default=1024, help="what the zip bombs inflate to (MB)")
    parser.add_argument("--text-mb", type=int, default=200, help="size of the hostile text files (MB)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv if argv is not None else [])
    text_cap = 64 * MB
    cases: list[tuple[str, str, Callable[[Path], Path], dict[str, str]]] = [
        ("xlsx, sizes faked", "sales.xlsx", lambda p: write_lying_xlsx(p, args.inflate_mb * MB), {}),
        ("zip bomb, sizes honest", "sales.xlsx", lambda p: write_honest_bomb(p, args.inflate_mb * MB), {}),
        ("one line, no newline", "sales.csv", lambda p: write_one_line(p, args.text_mb * MB), {}),
        ("quote never closed", "sales.csv", lambda p: write_unclosed_quote(p, args.text_mb * MB), {}),
        ("200,000 columns", "sales.csv", write_wide, {}),
        (
            "text over the size cap",
            "sales.csv",
            lambda p: write_repeated(p, b"Bill No,Bill Date,Item,Qty\n", b"B1,01-08-2026,SKU0001,3\n", 2 * text_cap),
            {"SELLTHROUGH_MAX_TEXT_BYTES": str(text_cap)},
        ),
    ]
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as scratch:
        root = Path(scratch)
        template = root / "template"
        write_masters(template / "inbox")
        measure(template / "inbox", template / "raw", {})  # setup: the masters are in the lake before any case

        def fresh(name: str) -> tuple[Path, Path]:
            shutil.copytree(template, root / name)
            return root / name / "inbox", root / name / "raw"

        inbox, lake = fresh("baseline")
        baseline, seconds, _ = measure(inbox, lake, {})
        print(f"baseline: a night with nothing new (the ingest machinery's fixed cost): peak RSS {baseline:.0f} MB, "
              f"{seconds:.1f} s")  # fmt: skip
        inbox, lake = fresh("honest")
        write_honest_csv(inbox / "distributor_sales" / "D001" / "honest.csv")
        honest, seconds, outcomes = measure(inbox, lake, {})
        print(f"reference: an honest 100-line CSV loaded (expectation suite included): peak RSS {honest:.0f} MB, "
              f"{seconds:.1f} s ({outcomes[0]['status']})")  # fmt: skip
        worst = 0.0
        for index, (title, name, build, env) in enumerate(cases):
            inbox, lake = fresh(f"case{index}")
            path = build(inbox / "distributor_sales" / "D001" / name)
            size = path.stat().st_size
            peak, seconds, outcomes = measure(inbox, lake, env)
            worst = max(worst, peak)
            outcome = outcomes[0]
            verdict = f"{outcome['status']}: {outcome['error'] or ''}"[:150]
            print(
                f"{title:<24} {size / MB:7.1f} MB file  peak RSS {peak:5.0f} MB  ratio {peak / baseline:4.2f}x  "
                f"{seconds:5.1f} s  {'under' if peak < TARGET_MB else 'OVER'} {TARGET_MB} MB  | {verdict}",
                flush=True,
            )
            path.unlink()
        print(f"worst peak RSS {worst:.0f} MB (target: every hostile file refused under {TARGET_MB} MB)")


if __name__ == "__main__":
    main(sys.argv[1:])
