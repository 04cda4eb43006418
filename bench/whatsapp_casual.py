"""False order lines in casual chats: order lines per 10,000 ordinary messages, through the nightly path.

Casual chats (`generator/casual_chat.py`: friends', family and society groups full of phone numbers,
masked numbers, money, dates, times, scores, addresses, OTPs, "2 cases of flu", food words that are also product
names, Hinglish; every export style, the old month-name ones included), plus the real chats of the shared corpus
when it is on this machine, are dropped into a distributor's inbox next to a brand's masters (the generator's
default network: its SKUs, aliases and outlets) and loaded by `ingest_inbox`, as the night loads them. None of
them holds an order.

Measured twice: **as they arrive** (the chats are not in the chat-senders master: no order context) and **with
the gate open** (every chat registered as an order group in `chat_senders.csv`, so only the text rules stand
between a number and an order line: the harder case, and the one the generator's order groups meet when casual
talk is mixed into them). Baseline in the same run: a plain reader that takes any message holding a number and a
word close to a product name (rapidfuzz WRatio >= 80 against the SKU names) as an order. Target: at most 1 order
line per 10,000 ordinary messages, gate open, on every set.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz, process

from expectations.runner import GE_VALIDATOR
from generator.casual_chat import CASUAL_STYLES, casual_chat
from generator.config import NetworkConfig
from generator.files import write_delivered
from generator.masters import build_network, master_files
from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.runner import ingest_inbox

TARGET_PER_10K = 1.0
DISTRIBUTOR = "D001"
CORPUS = Path("/work/shared/corpus/whatsapp")
NUMBER = re.compile(r"\d")


def write_masters(inbox: Path, chat_names: list[str], config: NetworkConfig) -> None:
    """The brand's masters, and a chat-senders master that registers `chat_names` as order groups of D001."""
    written = datetime(2026, 1, 1, 0, 30)
    for name, data in master_files(build_network(config)).items():
        write_delivered(inbox / "masters" / "BRAND" / name, data, written)
    if not chat_names:
        return
    senders = pl.DataFrame(
        {"distributor_code": DISTRIBUTOR, "sender": chat_names, "rep_code": None, "outlet_code": None},
        schema=dict.fromkeys(("distributor_code", "sender", "rep_code", "outlet_code"), pl.String),
    )
    write_delivered(inbox / "masters" / "BRAND" / "chat_senders.csv", senders.write_csv().encode(), written)


def write_casual_chats(inbox: Path, chats: int, messages: int, seed: int) -> list[str]:
    """`chats` casual exports of about `messages` messages each under inbox/whatsapp/D001; their chat names."""
    rng = random.Random(f"casual/{seed}")
    names = []
    for i in range(chats):
        style = CASUAL_STYLES[i % len(CASUAL_STYLES)]
        start = datetime(2025, rng.randint(1, 6), rng.randint(1, 28), 7, 0)
        name = f"Casual {i:04d} {style}"
        text = casual_chat(rng, rng.randint(messages // 2, messages * 3 // 2), style, start)
        exported = datetime(start.year, 12, 31, 21, 0)  # after the last message: a year-less export's evidence
        write_delivered(inbox / "whatsapp" / DISTRIBUTOR / f"WhatsApp Chat with {name}.txt", text.encode(), exported)
        names.append(name)
    return names


CONTROL = "Control Orders"


def write_control_chat(inbox: Path, config: NetworkConfig) -> int:
    """A registered chat of plain orders ("<n> cs <SKU name>"), so a figure of 0 cannot come from a gate that never
    opens; its lines are counted apart. Returns how many order lines it holds."""
    skus = build_network(config).skus
    start = datetime(2025, 3, 1, 9, 0)
    lines = [f"01/03/25, 09:{i:02d} - Ravi: {i % 5 + 1} cs {sku.name}" for i, sku in enumerate(skus[:40])]
    write_delivered(
        inbox / "whatsapp" / DISTRIBUTOR / f"WhatsApp Chat with {CONTROL}.txt", "\n".join(lines).encode(), start
    )
    return len(lines)


def copy_corpus(inbox: Path) -> list[str]:
    """The shared corpus's real chats (when present), into a temporary inbox outside the project."""
    from ingest.whatsapp.parser import chat_name

    names = []
    for i, path in enumerate(sorted(CORPUS.rglob("*"))):
        if path.suffix in (".txt", ".zip") and path.name != "LICENSE":
            target = inbox / "whatsapp" / DISTRIBUTOR / f"corpus {i:02d} {path.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            names.append(chat_name(target.name))
    return names


def load(root: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Ingest the inbox: (ledger rows of the chats, messages, order lines)."""
    lake = Lake(root / "raw")
    ingest_inbox(root / "inbox", lake, kinds=["masters", "whatsapp"], validator=GE_VALIDATOR)
    ledger = lake.ledger().filter(pl.col("source_kind") == "whatsapp")
    ids = ledger.filter(pl.col("status") == "loaded")["load_id"].to_list()
    return ledger, lake.read_table("whatsapp_messages", ids), lake.read_table("whatsapp_order_lines", ids)


def ordinary(messages: pl.DataFrame) -> pl.DataFrame:
    """Messages a person wrote (no system line, no media placeholder)."""
    return messages.filter(~pl.col("is_system") & ~pl.col("is_media"))


def plain_reader_lines(messages: pl.DataFrame, masters: MasterData) -> int:
    """The baseline: messages holding a number and a word close to a product name."""
    names = [re.sub(r"\s*\d[\d.]*\s*(g|kg|ml|l)$", "", n).lower() for n in masters.skus["sku_name"].to_list()]
    found = 0
    for text in ordinary(messages)["text"].to_list():
        if not NUMBER.search(text):
            continue
        words = re.sub(r"[^a-z ]", " ", text.lower())
        if words.strip() and process.extractOne(words, names, scorer=fuzz.WRatio, score_cutoff=80):
            found += 1
    return found


def measure(root: Path, names: list[str], register: bool, config: NetworkConfig) -> dict:
    control = write_control_chat(root / "inbox", config)
    write_masters(root / "inbox", [*names, CONTROL] if register else [], config)
    started = time.perf_counter()
    ledger, messages, lines = load(root)
    seconds = time.perf_counter() - started
    in_control = pl.col("chat_name") == CONTROL
    control_found = lines.filter(in_control).height
    messages, lines = messages.filter(~in_control), lines.filter(~in_control)
    ledger = ledger.filter(~pl.col("file_name").str.contains(CONTROL, literal=True))
    accounted = (ledger["rows_read"] == ledger["rows_loaded"] + ledger["rows_quarantined"]).all()
    return {
        "files": ledger.height,
        "failed": int((ledger["status"] != "loaded").sum()),
        "read": int(ledger["rows_read"].sum()),
        "ordinary": ordinary(messages).height,
        "lines": lines.height,
        "chats_with_lines": lines["chat_name"].n_unique() if lines.height else 0,
        "accounted": bool(accounted),
        "seconds": seconds,
        "messages": messages,
        "examples": lines.select("chat_name", "raw_text", "sku_code", "quantity_units").head(8),
        "control": (control_found, control),
    }


def run_set(label: str, fill, config: NetworkConfig) -> tuple[float, float]:
    """Both passes on one set of chats; (ours per 10k with the gate open, plain reader per 10k)."""
    results = {}
    for register in (False, True):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            names = fill(root / "inbox")
            results[register] = measure(root, names, register, config)
            if register:
                masters = MasterData.from_lake(Lake(root / "raw"))
                baseline = plain_reader_lines(results[register]["messages"], masters)
    shut, open_ = results[False], results[True]
    per = 10_000 / max(open_["ordinary"], 1)
    print(
        f"{label:<18}{open_['files']:>6}{open_['read']:>9,}{open_['ordinary']:>9,}"
        f"{shut['lines'] * 10_000 / max(shut['ordinary'], 1):>10.2f}{open_['lines'] * per:>10.2f}"
        f"{baseline * per:>10.1f}{(open_['lines'] / baseline if baseline else 0):>8.3f}"
        f"{open_['chats_with_lines']:>6}{open_['seconds']:>8.1f}"
    )
    found, control = open_["control"]
    print(
        f"  control chat (registered, plain orders): {found} of {control} order lines found with the gate open, "
        f"{shut['control'][0]} with it closed"
    )
    for result in (shut, open_):
        if result["failed"] or not result["accounted"]:
            print(f"  !! {result['failed']} files failed; rows accounted: {result['accounted']}")
    if open_["lines"]:
        print("  order lines found (gate open):")
        for row in open_["examples"].iter_rows():
            print(f"    {row}")
    return open_["lines"] * per, baseline * per


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench whatsapp_casual")
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--messages", type=int, default=160, help="about this many messages per casual chat")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv or [])
    config = NetworkConfig(seed=42)
    print("order lines per 10,000 ordinary messages (system lines and media placeholders excluded)")
    print(
        f"{'set':<18}{'files':>6}{'read':>9}{'ordinary':>9}{'as sent':>10}{'gate open':>10}"
        f"{'plain':>10}{'ratio':>8}{'chats':>6}{'sec':>8}"
    )
    worst = 0.0
    ours, _ = run_set(
        "casual (written)", lambda inbox: write_casual_chats(inbox, args.chats, args.messages, args.seed), config
    )
    worst = max(worst, ours)
    if CORPUS.exists():
        ours, _ = run_set("corpus (real)", copy_corpus, config)
        worst = max(worst, ours)
    else:
        print(f"corpus (real): {CORPUS} not on this machine, skipped")
    verdict = "met" if worst <= TARGET_PER_10K else "NOT met"
    print(f"target: <= {TARGET_PER_10K:g} order line per 10,000 ordinary messages with the gate open: {verdict}")


if __name__ == "__main__":
    main()
