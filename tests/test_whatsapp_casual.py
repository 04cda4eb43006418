"""Casual chats through the nightly path: ordinary talk full of numbers (written here by
`generator/casual_chat.py`, every export style, the old month-name ones included) and the shared
corpus's real chats when this machine has them. Every chat is registered as an order group (the gate open, so only
the text rules stand between a number and an order line), next to a registered control chat of plain orders and
one chat in no master. Nothing may come out as an order line, and every message is accounted for in the ledger.
The full-size measurement (order lines per 10,000 messages) is `python -m bench whatsapp_casual`."""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl
import pytest

from bench.whatsapp_casual import (
    CONTROL,
    CORPUS,
    DISTRIBUTOR,
    copy_corpus,
    load,
    write_casual_chats,
    write_control_chat,
    write_masters,
)
from generator.casual_chat import CASUAL_STYLES
from generator.config import NetworkConfig
from ingest.whatsapp.parser import parse_chat_file

CONFIG = NetworkConfig(seed=42, distributors=2, outlets=20, days=28)
UNREGISTERED = "Casual unregistered"


@pytest.fixture(scope="module")
def casual(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("casual_chats")
    inbox = root / "inbox"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SELLTHROUGH_HASH_KEY", "test-key")
        names = write_casual_chats(inbox, chats=2 * len(CASUAL_STYLES), messages=100, seed=3)
        moved = inbox / "whatsapp" / DISTRIBUTOR / f"WhatsApp Chat with {names[-1]}.txt"
        moved.rename(moved.with_name(f"WhatsApp Chat with {UNREGISTERED}.txt"))  # in no master: as sent
        corpus = copy_corpus(inbox) if CORPUS.exists() else []
        control = write_control_chat(inbox, CONFIG)
        write_masters(inbox, [*names[:-1], *corpus, CONTROL], CONFIG)
        ledger, messages, lines = load(root)
    return {"inbox": inbox, "ledger": ledger, "messages": messages, "lines": lines, "control": control}


def test_casual_chats_give_no_order_line_and_every_message_is_in_the_ledger(casual: dict) -> None:
    ledger, messages, lines = casual["ledger"], casual["messages"], casual["lines"]
    assert ledger.height >= 2 * len(CASUAL_STYLES) + 1 and (ledger["status"] == "loaded").all()
    assert (
        ledger["rows_read"] == ledger["rows_loaded"] + ledger["rows_quarantined"] + ledger["rows_deduplicated"]
    ).all()
    for row in ledger.iter_rows(named=True):  # every message of the file, read by the parser on its own
        path = casual["inbox"] / row["file_name"]
        assert row["rows_read"] == row["rows_loaded"] == parse_chat_file(path).height, row["file_name"]
    ordinary = messages.filter(~pl.col("is_system") & ~pl.col("is_media") & (pl.col("chat_name") != CONTROL))
    assert ordinary.height > 1_000
    assert ordinary["text"].str.contains(r"\d").mean() > 0.6  # type: ignore[operator]
    found = lines.filter(pl.col("chat_name") != CONTROL)
    assert found.height == 0, found.select("chat_name", "raw_text").rows()[:5]
    # the gate was open: the registered control chat's plain orders are all read
    assert lines.filter(pl.col("chat_name") == CONTROL).height == casual["control"]


def test_old_styles_edited_markers_and_inferred_years(casual: dict) -> None:
    messages = casual["messages"]
    casual_chats = messages.filter(pl.col("chat_name").str.starts_with("Casual"))
    by_style = {style: casual_chats.filter(pl.col("chat_name").str.ends_with(style)) for style in CASUAL_STYLES}
    for style, frame in by_style.items():
        assert frame.height > 20, style
        assert frame["message_ts"].dt.year().unique().to_list() == [2025], style  # the export's year
        assert frame["year_inferred"].all() == (style in ("old_month_day", "old_day_month")), style
    assert messages["is_edited"].sum() > 20
    assert not messages["text"].str.contains("This message was edited").any()


UPSTREAM = {"_ios.txt": 23, "_android.txt": 60, "_ios_media.txt": 25, "english_android_media.txt": 60}


def _upstream_count(names: list[str]) -> int | None:
    """The message count the upstream tests expect of a file known by these names (byte-identical copies)."""
    for name in names:
        if name.startswith("test_") and name.endswith("hrs.txt"):
            return 9  # chat_miner: its 6 messages, plus 3 system and deleted lines
        suffix = next((s for s in UPSTREAM if name.endswith(s)), None)
        if suffix is not None:
            return UPSTREAM[suffix]
    return None


def test_real_corpus_chats_load_with_their_upstream_counts(casual: dict) -> None:
    if not CORPUS.exists():
        pytest.skip(f"the shared corpus ({CORPUS}) is not on this machine")
    names: dict[str, list[str]] = {}  # a file's sha256 -> its names (the corpus holds a few byte-identical copies)
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in (".txt", ".zip"):
            names.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), []).append(path.name)
    ledger = casual["ledger"].filter(pl.col("file_name").str.contains("/corpus "))
    assert set(ledger["file_sha256"]) == set(names)  # every distinct file loaded (a copy is the same file)
    checked = 0
    for row in ledger.iter_rows(named=True):
        expected = _upstream_count(names[row["file_sha256"]])
        if expected is not None:
            assert row["rows_read"] == row["rows_loaded"] == expected, names[row["file_sha256"]]
            checked += 1
    assert checked >= 20
    assert casual["lines"].filter(pl.col("chat_name").str.contains("corpus")).height == 0
    assert date(2022, 3, 18) in casual["messages"]["message_ts"].dt.date().to_list()
