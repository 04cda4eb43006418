"""Large and hostile files (issue 18, 2 and 3): zip entries are inflated under a byte cap whatever they declare;
text is read streaming under caps; a large CSV loads in chunks with the same outcome as a whole read. Memory is
measured by `python -m bench csv_memory` and `python -m bench hostile_files`, not here."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from bench.hostile_files import (
    write_honest_bomb,
    write_lying_xlsx,
    write_masters,
    write_one_line,
    write_unclosed_quote,
    write_wide,
)
from ingest.core import chunked
from ingest.core.errors import FileRejected
from ingest.core.files import check_zip, sniff_format
from ingest.core.lake import Lake
from ingest.core.runner import ingest_inbox
from tests.reliability.conftest import assert_ledger_identity, assert_rows_in_lake

MB = 1024 * 1024
SALES = "distributor_sales"


def ingest_one(inbox: Path, lake: Lake) -> dict:
    [outcome] = [o.as_dict() for o in ingest_inbox(inbox, lake) if o.kind != "masters"]
    return outcome


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    write_masters(tmp_path / "inbox")
    return tmp_path / "inbox"


def test_an_xlsx_whose_headers_lie_about_its_size_is_refused(inbox: Path, tmp_path: Path) -> None:
    """The issue's bomb: the sheet's sizes (local header and central directory) say 4 KB, its CRC is that of
    4 KB of zeros, and it inflates to 64 MB. The declared sizes pass every declared-size check."""
    path = write_lying_xlsx(inbox / SALES / "D001" / "sales.xlsx", inflated=16 * MB)
    with pytest.raises(FileRejected) as refused:
        check_zip(path)
    assert refused.value.code == "zip_bomb" and "sheet1.xml" in refused.value.message
    lake = Lake(tmp_path / "raw")
    outcome = ingest_one(inbox, lake)
    assert outcome["status"] == "failed" and "zip_bomb" in outcome["error"]
    assert_ledger_identity(lake)


def test_an_entry_holding_more_than_it_declares_is_refused_even_at_a_plausible_ratio(tmp_path: Path) -> None:
    """Declared 4 KB, holds 40 KB of ordinary text (ratio far under the cap): still refused, parsers trust sizes."""
    from bench.hostile_files import write_zip

    text = ("<row>" + "x" * 95 + "</row>\n") * 400
    packer = __import__("zlib").compressobj(6, 8, -15)
    data = packer.compress(text.encode()) + packer.flush()
    path = write_zip(tmp_path / "x.xlsx", [("xl/worksheets/sheet1.xml", data, 8, 4096, 0)])
    with pytest.raises(FileRejected) as refused:
        check_zip(path)
    assert "declares 4,096 bytes but holds" in refused.value.message


def test_an_honest_bomb_and_a_corrupt_zip_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRejected) as bomb:
        check_zip(write_honest_bomb(tmp_path / "b.zip", inflated=16 * MB))
    assert bomb.value.code == "zip_bomb"
    broken = tmp_path / "c.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(FileRejected) as corrupt:
        sniff_format(broken)
    assert corrupt.value.code == "corrupt_file"


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda p: write_one_line(p, 3 * MB), "line_too_long"),
        (lambda p: write_unclosed_quote(p, 3 * MB), "corrupt_file"),
        (lambda p: write_wide(p, 5_000), "too_many_columns"),
    ],
    ids=["one-line", "unclosed-quote", "wide"],
)
def test_hostile_text_is_refused_with_a_reason(inbox: Path, tmp_path: Path, build, code: str, monkeypatch) -> None:
    monkeypatch.setenv("SELLTHROUGH_MAX_LINE_CHARS", str(1 * MB))
    build(inbox / SALES / "D001" / "sales.csv")
    lake = Lake(tmp_path / "raw")
    outcome = ingest_one(inbox, lake)
    assert outcome["status"] == "failed" and f"[{code}]" in outcome["error"] and "sales.csv" in outcome["error"]
    assert_ledger_identity(lake)


def test_text_over_the_size_cap_is_refused_before_reading(inbox: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SELLTHROUGH_MAX_TEXT_BYTES", "1000")
    path = inbox / SALES / "D001" / "sales.csv"
    path.parent.mkdir(parents=True)
    path.write_text("Bill No,Bill Date,Item,Qty\n" + "B1,01-08-2026,SKU0001,3\n" * 100)
    outcome = ingest_one(inbox, Lake(tmp_path / "raw"))
    assert outcome["status"] == "failed" and "[file_too_large]" in outcome["error"]
    assert "SELLTHROUGH_MAX_TEXT_BYTES" in outcome["error"]


def test_a_utf16_csv_without_bom_is_read_as_text(inbox: Path, tmp_path: Path) -> None:
    path = inbox / SALES / "D001" / "sales.csv"
    path.parent.mkdir(parents=True)
    body = "Bill No,Bill Date,Party Name,Item,Qty,Amount\nB1,01-08-2026,Shop,SKU0001,3,30.00\n"
    path.write_bytes(body.encode("utf-16-le"))
    assert sniff_format(path) == "text"
    outcome = ingest_one(inbox, Lake(tmp_path / "raw"))
    assert (outcome["status"], outcome["rows_loaded"]) == ("loaded", 1)


def register(path: Path) -> Path:
    """A register with title rows, blank and total rows, a month-first date proved only late in the file,
    repeats of earlier lines far below them, and an unknown item."""
    lines = ["ABC Distributors", "Sales Register", "", "Bill No,Bill Date,Party Name,Item Code,Qty,Amount"]
    for i in range(3000):
        bill = i // 3
        day = 1 + bill % 12 if bill < 960 else 13 + bill % 15  # month-first evidence only in the last rows
        lines.append(f"B{bill},08/{day:02d}/2026,Shop {bill % 50},SKU000{1 + i % 2},{1 + i % 3},{(1 + i % 3) * 10}.00")
        if i % 997 == 0:
            lines.append(",,,,,")
        if i % 1100 == 7:
            lines.append(lines[6])
        if i % 1400 == 5:
            lines.append("Total,,,,,999")
        if i % 1300 == 3:
            lines.append(f"B{bill},08/{day:02d}/2026,Shop {bill % 50},NOPE,1,10.00")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_large_csv_loads_in_chunks_exactly_as_a_whole_read(tmp_path: Path, monkeypatch) -> None:
    loads = {}
    for mode in ("whole", "chunked"):
        inbox = tmp_path / mode / "inbox"
        write_masters(inbox)
        register(inbox / SALES / "D001" / "register.csv")
        if mode == "chunked":
            monkeypatch.setenv("SELLTHROUGH_CHUNK_BYTES", "1000")
            monkeypatch.setattr(chunked, "CHUNK_ROWS", 500)  # seven chunks
        lake = Lake(tmp_path / mode / "raw")
        outcome = ingest_one(inbox, lake)
        ledger = assert_ledger_identity(lake).filter(pl.col("load_id") == outcome["load_id"]).row(0, named=True)
        assert_rows_in_lake(lake, ledger)
        rows = pl.read_parquet(lake.table_dir("secondary_sales") / f"{outcome['load_id']}.parquet")
        quarantine = pl.read_parquet(lake.table_dir("_quarantine") / f"{outcome['load_id']}.parquet")
        results = pl.read_parquet(lake.table_dir("_validations") / f"{outcome['load_id']}.parquet")
        loads[mode] = (ledger, rows, quarantine, results)
        assert not (lake.root / chunked.SCRATCH).exists()
    (whole, chunks) = loads["whole"], loads["chunked"]
    counts = ("rows_read", "rows_loaded", "rows_quarantined", "rows_deduplicated", "rows_skipped", "period_start")
    assert {c: chunks[0][c] for c in counts} == {c: whole[0][c] for c in counts}
    # the planted repeats are loaded (identical lines are two sales, in a whole read and across chunks); NOPE x3
    assert (whole[0]["rows_deduplicated"], whole[0]["rows_quarantined"]) == (0, 3)
    assert whole[0]["rows_loaded"] == 3000 + 3
    assert chunks[0]["period_end"].day == 27  # 08/27/2026: month-first decided on the whole file
    drop = ("_load_id", "_loaded_at")
    assert chunks[1].drop(drop).sort("_row_number").equals(whole[1].drop(drop).sort("_row_number"))
    assert chunks[2].drop(drop).sort("_row_number").equals(whole[2].drop(drop).sort("_row_number"))
    result_columns = ["expectation", "success", "unexpected_count", "element_count", "observed_value"]
    assert (
        chunks[3].select(result_columns).sort("expectation").equals(whole[3].select(result_columns).sort("expectation"))
    )


def test_a_chunked_file_failing_a_file_level_expectation_is_rejected_whole(tmp_path: Path, monkeypatch) -> None:
    inbox = tmp_path / "inbox"
    write_masters(inbox)
    path = register(inbox / SALES / "D001" / "register.csv")
    path.write_text(path.read_text().replace("08/01/2026", "08/01/2099", 1))  # a date in the future, first chunk
    monkeypatch.setenv("SELLTHROUGH_CHUNK_BYTES", "1000")
    monkeypatch.setattr(chunked, "CHUNK_ROWS", 500)
    lake = Lake(tmp_path / "raw")
    outcome = ingest_one(inbox, lake)
    if outcome["status"] == "failed":  # a future date is a row-level check in some suites: then it is quarantined
        assert not list(lake.table_dir("secondary_sales").glob("L*.parquet*"))
    assert_ledger_identity(lake)
    shutil.rmtree(inbox)


def test_a_utf16_chat_without_bom_is_read_not_called_binary(tmp_path: Path) -> None:
    from ingest.whatsapp.parser import parse_chat_file

    chat = tmp_path / "WhatsApp Chat with D001 Orders.txt"
    lines = "12/08/2026, 10:15 - Ravi Rep: 2 box Glucose 100g for Shree Stores\n12/08/2026, 10:16 - Ravi Rep: thanks\n"
    chat.write_bytes(lines.encode("utf-16-le"))
    messages = parse_chat_file(chat)
    assert messages.height == 2 and messages["author"].to_list() == ["Ravi Rep", "Ravi Rep"]
