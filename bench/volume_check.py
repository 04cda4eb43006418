"""The file volume check on generated networks: how many files it flags that nothing is wrong with (false
alarms), and whether it flags every planted volume problem (a cut-off export, re-sent complete hours later:
truth/file_faults.json, fault `truncated_file`).

A network (default size) is generated and its masters and volume-checked kinds (distributor sales, Tally, primary
sales) loaded through the nightly ingest, which runs the check on every file as it arrives. Ours: the results the
ingest stored (`expectations/volume.py`: like files, the same weekday or the same number of days, log scale).
Baseline, in the same run: the previous rule replayed on the same ledger in the same order (rows per day of the
reader's period more than 15% off the median of every earlier file of the distributor). A rate is false alarms /
files judged (a file with too few like files before it is not judged). Target: under 5%, every planted problem
flagged. Two seeds (42 is the demo's network).

Run: `python -m bench volume_check [--seeds 42,11]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from expectations.runner import GE_VALIDATOR
from generator import NetworkConfig, generate
from ingest.core.lake import VALIDATIONS_DIR, Lake
from ingest.core.runner import ingest_inbox

KINDS = ["masters", "distributor_sales", "tally_daybook", "primary_sales"]
CHECKED = KINDS[1:]
TARGET = 0.05
OLD_TOLERANCE, OLD_MIN_HISTORY = 0.15, 3


@dataclass(frozen=True)
class Rate:
    judged: int
    flagged: set[str]
    planted: set[str]

    @property
    def false_alarms(self) -> set[str]:
        return self.flagged - self.planted

    @property
    def rate(self) -> float:
        return len(self.false_alarms) / self.judged if self.judged else 0.0

    def line(self, label: str) -> str:
        caught = len(self.planted & self.flagged)
        return (
            f"  {label}: {len(self.flagged)} of {self.judged} files judged flagged; false alarms "
            f"{len(self.false_alarms)} ({self.rate:.1%}); planted volume problems flagged {caught} of "
            f"{len(self.planted)}"
        )


def previous_rule(ledger: pl.DataFrame, planted: set[str]) -> Rate:
    """The check before issue 21, replayed file by file in the order the ledger committed them."""
    judged, flagged = 0, set()
    seen: dict[tuple[str, str], list[float]] = {}
    for row in ledger.sort("loaded_at", "load_id").iter_rows(named=True):
        if row["period_start"] is None:
            continue
        per_day = row["rows_read"] / ((row["period_end"] - row["period_start"]).days + 1)
        past = seen.setdefault((row["source_kind"], row["distributor_code"]), [])
        if len(past) >= OLD_MIN_HISTORY:
            judged += 1
            if abs(per_day / statistics.median(past) - 1) > OLD_TOLERANCE:
                flagged.add(row["file_name"])
        if row["rows_read"] > 0:
            past.append(per_day)
    return Rate(judged, flagged, planted)


def run_seed(seed: int) -> tuple[Rate, Rate]:
    with tempfile.TemporaryDirectory(prefix="bench_volume_") as folder:
        root = Path(folder)
        generate(root, NetworkConfig(seed=seed))
        started = time.monotonic()
        lake = Lake(root / "raw")
        ingest_inbox(root / "inbox", lake, kinds=KINDS, validator=GE_VALIDATOR)
        seconds = time.monotonic() - started
        faults = json.loads((root / "truth" / "file_faults.json").read_text())
        planted = {f["file"] for f in faults if f["fault"] == "truncated_file"}
        ledger = lake.ledger().filter(pl.col("source_kind").is_in(CHECKED) & (pl.col("status") == "loaded"))
        results = lake.read_table(VALIDATIONS_DIR, ledger["load_id"].to_list())
        volume = results.filter(pl.col("suite").str.ends_with(".volume"))
        ours = Rate(volume.height, set(volume.filter(~pl.col("success"))["file_name"]), planted)
        base = previous_rule(ledger, planted)
    print(
        f"seed {seed}: {ledger.height} files of {', '.join(CHECKED)} loaded in {seconds:.0f} s; planted: "
        f"{', '.join(sorted(planted)) or 'none'}"
    )
    print(base.line("baseline (15% off the median of all earlier files)"))
    print(ours.line("ours (like files, log scale)                      "))
    ratio = base.rate / ours.rate if ours.rate else float("inf")
    print(
        f"  false-alarm rate baseline / ours: {ratio:.1f}x; ours as a share of all files: "
        f"{len(ours.false_alarms) / ledger.height:.1%}"
    )
    if ours.false_alarms:
        print("  ours' false alarms: " + "; ".join(sorted(ours.false_alarms)))
    return base, ours


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench volume_check")
    parser.add_argument("--seeds", default="42,11", help="network seeds, comma-separated (42: the demo's)")
    args = parser.parse_args(argv if argv is not None else [])  # `python -m bench NAME` passes no options
    results = [run_seed(int(seed)) for seed in args.seeds.split(",")]
    worst = max(ours.rate for _, ours in results)
    missed = sum(len(ours.planted - ours.flagged) for _, ours in results)
    met = worst < TARGET and missed == 0
    print(
        f"volume_check: worst false-alarm rate {worst:.1%} (target < {TARGET:.0%}), planted missed {missed}: "
        f"{'MET' if met else 'NOT MET'}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
