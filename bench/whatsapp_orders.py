"""Order lines out of generated WhatsApp order groups: precision and recall against the generator's truth.

A line counts as right when chat, message (its first line), SKU, quantity in pieces and status (open / cancelled /
corrected) all match. Baseline, in the same run: the same extraction with exact alias / master-name matching only
(no rapidfuzz). Two seeds of the default network (a few thousand chat lines each), so the result is no one-seed
accident. Targets: precision and recall >= 0.97 for ours.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

import polars as pl

from expectations.runner import GE_VALIDATOR
from generator.config import NetworkConfig
from generator.files import write_delivered
from generator.masters import build_network, master_files
from generator.problems import plan_problems
from generator.whatsapp import write_whatsapp
from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.runner import ingest_inbox
from ingest.core.source import ReadContext
from ingest.whatsapp.parser import chat_name, parse_chat_file
from ingest.whatsapp.reader import order_lines, to_rows

SEEDS = tuple(int(s) for s in os.environ.get("BENCH_WHATSAPP_ORDER_SEEDS", "42,11").split(","))
TARGET = 0.97
KEY = ["chat_file", "message_line", "sku_code", "quantity_units", "status"]


def generate_chats(root: Path, config: NetworkConfig) -> tuple[pl.DataFrame, list[str]]:
    """The masters (the chat-senders master included) and the chat exports of a network under `root/inbox`;
    returns the truth and every chat file (the casual one with no order in it included)."""
    network = build_network(config)
    masters_at = datetime.combine(config.start - timedelta(days=1), clock(0, 30))
    for name, data in master_files(network).items():
        write_delivered(root / "inbox" / "masters" / "BRAND" / name, data, masters_at)
    chats = write_whatsapp(network, plan_problems(network), root / "inbox")
    write_delivered(root / "inbox" / "masters" / "BRAND" / "chat_senders.csv", chats.senders, masters_at)
    return chats.truth, chats.files


def load_masters(root: Path) -> MasterData:
    lake = Lake(root / "raw")
    ingest_inbox(root / "inbox", lake, kinds=["masters"], validator=GE_VALIDATOR)
    return MasterData.from_lake(lake)


def extract(root: Path, files: list[str], masters: MasterData, fuzzy: bool) -> pl.DataFrame:
    """Order lines of every chat file, keyed like the truth."""
    frames = []
    for name in files:
        ctx = ReadContext(name, name.split("/")[1], masters)
        messages = parse_chat_file(root / "inbox" / name)
        rows = to_rows(messages, ctx.distributor_code, chat_name(name)).filter(pl.col("message_ts").is_not_null())
        lines = order_lines(messages, rows, ctx, chat_name(name), fuzzy=fuzzy)
        frames.append(lines.with_columns(pl.lit(name).alias("chat_file")))
    return keyed(pl.concat(frames))


def keyed(lines: pl.DataFrame) -> pl.DataFrame:
    """Extracted lines with the truth's key columns (`chat_file` must be there already)."""
    return lines.select(
        "chat_file", pl.col("_row_number").cast(pl.Int32).alias("message_line"), "sku_code", "quantity_units", "status"
    )


def precision_recall(found: pl.DataFrame, truth: pl.DataFrame) -> tuple[float, float]:
    """Each truth line matches at most one found line (and the other way round)."""
    numbered = [pl.int_range(pl.len()).over(KEY).alias("_n")]
    matched = found.with_columns(numbered).join(truth.select(KEY).with_columns(numbered), on=[*KEY, "_n"]).height
    precision = matched / found.height if found.height else 0.0
    recall = matched / truth.height if truth.height else 0.0
    return precision, recall


def main() -> None:
    print(f"{'seed':>6}{'lines':>8}{'ours P':>9}{'ours R':>9}{'exact P':>10}{'exact R':>10}{'seconds':>9}")
    worst = 1.0
    for seed in SEEDS:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            truth, files = generate_chats(root, NetworkConfig(seed=seed))
            masters = load_masters(root)
            started = time.perf_counter()
            ours = precision_recall(extract(root, files, masters, fuzzy=True), truth)
            seconds = time.perf_counter() - started
            exact = precision_recall(extract(root, files, masters, fuzzy=False), truth)
        worst = min(worst, *ours)
        print(
            f"{seed:>6}{truth.height:>8}{ours[0]:>9.4f}{ours[1]:>9.4f}{exact[0]:>10.4f}{exact[1]:>10.4f}{seconds:>9.2f}"
        )
    print(f"target: precision and recall >= {TARGET} for ours on every seed: {'met' if worst >= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
