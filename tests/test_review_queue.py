"""The review queue on real files: an unmatched distributor item is listed with its count and suggestions, a
person confirms it through the CLI, the decision lands in data/reviews/sku_aliases.csv, and the next file of that
distributor with the same name loads. Outlet aliases for chats; ignore; refusals."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.reviews import ReviewStore
from ingest.core.runner import ingest_inbox
from ingest.core.values import name_key
from ingest.whatsapp.orders import Catalogue
from sellthrough.cli import app
from sellthrough.review_queue import quarantine_subjects, review_queue
from tests.conftest import write_rows

SALES = "distributor_sales"
HEADER = ["Bill No", "Bill Date", "Party Name", "Item Name", "Qty", "Net Amt"]
ODD_NAME = "CRNCHY GLUCO BISC 100G"


def _sales_file(inbox: Path, distributor: str, name: str, day: str, bills: list[str]) -> Path:
    rows = [HEADER]
    for bill in bills:
        rows.append([bill, day, "Sharma Kirana", ODD_NAME, "12", "120"])
        rows.append([bill, day, "Sharma Kirana", "Masala Namkeen 200 g", "2", "80"])
    return write_rows(inbox / SALES / distributor / name, rows)


def _loaded(lake: Lake, file_name: str) -> pl.DataFrame:
    ledger = lake.ledger().filter(pl.col("file_name").str.ends_with(file_name))
    return lake.read_table("secondary_sales", ledger["load_id"].to_list())


def _invoke(*args: str) -> object:
    result = CliRunner().invoke(app, list(args))
    return result


@pytest.fixture()
def first_load(tmp_path: Path, inbox: Path, lake: Lake) -> Path:
    ingest_inbox(inbox, lake, kinds=["masters"])
    _sales_file(inbox, "D001", "sales_2026-11-02.csv", "02-11-2026", ["B1", "B2", "B3"])
    _sales_file(inbox, "D002", "sales_2026-11-02.csv", "02-11-2026", ["B9"])
    outcomes = ingest_inbox(inbox, lake, kinds=[SALES])
    assert [(o.status, o.rows_loaded, o.rows_quarantined) for o in outcomes] == [("loaded", 3, 3), ("loaded", 1, 1)]
    return tmp_path


def test_unmatched_names_are_listed_once_per_distributor_with_count_and_suggestions(first_load: Path) -> None:
    lake = Lake(first_load / "raw")
    items = review_queue(lake)
    assert [(i.review_kind, i.distributor_code, i.name, i.occurrences, i.files) for i in items] == [
        ("sku", "D001", ODD_NAME, 3, 1),
        ("sku", "D002", ODD_NAME, 1, 1),
    ]
    best, *others = items[0].suggestions  # two SKUs in the master: the other shares no word or pack with the name
    assert best["code"] == "SKU0001" and best["score"] >= 80 and all(o["score"] < best["score"] for o in others)
    assert ODD_NAME in items[0].example_raw and items[0].status == "pending"
    assert [i.distributor_code for i in review_queue(lake, distributor="D002")] == ["D002"]
    assert review_queue(lake, kind="outlet") == []

    result = _invoke("review", "list", "--json", "--data-dir", str(first_load))
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [(i["distributor_code"], i["occurrences"]) for i in listed] == [("D001", 3), ("D002", 1)]
    assert listed[0]["suggestions"][0]["code"] == "SKU0001"


def test_a_confirmed_alias_loads_every_later_file_of_that_distributor_only(first_load: Path, inbox: Path) -> None:
    lake = Lake(first_load / "raw")
    result = _invoke(
        "review", "confirm", "--distributor", "D001", "--name", ODD_NAME, "--sku", "SKU0001", "--by", "asha",
        "--data-dir", str(first_load),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with (first_load / "reviews" / "sku_aliases.csv").open(newline="") as handle:
        [decision] = list(csv.DictReader(handle))
    assert decision["distributor_code"] == "D001" and decision["alias"] == ODD_NAME
    assert decision["sku_code"] == "SKU0001" and decision["decided_by"] == "asha" and decision["decided_at"]

    _sales_file(inbox, "D001", "sales_2026-11-03.csv", "03-11-2026", ["B4", "B5"])
    _sales_file(inbox, "D002", "sales_2026-11-03.csv", "03-11-2026", ["B10"])
    outcomes = {o.distributor_code: o for o in ingest_inbox(inbox, lake, kinds=[SALES])}
    assert (outcomes["D001"].rows_loaded, outcomes["D001"].rows_quarantined) == (4, 0)
    assert (outcomes["D002"].rows_loaded, outcomes["D002"].rows_quarantined) == (1, 1)  # D001's word is D001's
    rows = _loaded(lake, "D001/sales_2026-11-03.csv").filter(pl.col("item_raw") == ODD_NAME)
    assert rows["sku_code"].to_list() == ["SKU0001", "SKU0001"]
    assert rows["quantity_units"].to_list() == [12, 12]

    pending = review_queue(lake)
    assert [(i.distributor_code, i.occurrences) for i in pending] == [("D002", 2)]
    decided = review_queue(lake, include_decided=True)
    assert [(i.distributor_code, i.status, i.resolved_to) for i in decided] == [
        ("D002", "pending", None),
        ("D001", "resolved", "SKU0001"),
    ]


def test_confirm_refuses_an_unknown_sku_and_ignore_takes_a_name_off_the_queue(first_load: Path) -> None:
    data = str(first_load)
    refused = _invoke(
        "review", "confirm", "--distributor", "D001", "--name", ODD_NAME, "--sku", "SKU9", "--data-dir", data
    )  # fmt: skip
    assert refused.exit_code == 2 and "not in the SKU master" in refused.output
    assert ReviewStore(first_load / "reviews").sku_aliases().height == 0  # the ingest made it, empty

    ignored = _invoke(
        "review", "ignore", "--distributor", "D002", "--name", ODD_NAME.lower(), "--note", "sample, not stock",
        "--data-dir", data,
    )  # fmt: skip
    assert ignored.exit_code == 0, ignored.output
    lake = Lake(first_load / "raw")
    assert [i.distributor_code for i in review_queue(lake)] == ["D001"]
    assert [i.status for i in review_queue(lake, include_decided=True)] == ["pending", "ignored"]


def test_decisions_are_upserted_atomically_by_name_key(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "reviews")
    store.confirm_sku("D001", "Gluco  Crunch", "SKU0002", "a")
    store.confirm_sku("D001", "gluco-crunch", "SKU0001", "b")  # the same name, decided again
    store.confirm_sku("D002", "Gluco Crunch", "SKU0002", "a")
    frame = store.sku_aliases()
    assert frame.select("distributor_code", "alias", "sku_code").rows() == [
        ("D001", "gluco-crunch", "SKU0001"),
        ("D002", "Gluco Crunch", "SKU0002"),
    ]
    assert not list((tmp_path / "reviews").glob("*.tmp"))
    with pytest.raises(ValueError, match="letter or digit"):
        store.confirm_sku("D001", " -- ", "SKU0001", "a")
    assert name_key("Gluco  Crunch 100-G") == "glucocrunch100g"


def test_quarantined_unknown_items_carry_subject_and_suggestions_beside_the_sentence(first_load: Path) -> None:
    lake = Lake(first_load / "raw")
    quarantine = lake.read_table("_quarantine", lake.ledger()["load_id"].to_list())
    assert quarantine["reason_code"].unique().to_list() == ["unknown_sku"]
    assert set(quarantine["subject"]) == {ODD_NAME} and set(quarantine["subject_kind"]) == {"sku"}
    row = quarantine.filter(pl.col("distributor_code") == "D001").row(0, named=True)
    best = row["suggestions"][0]
    assert best["code"] == "SKU0001" and best["score"] >= 80
    # the sentence is written from the same fields, for the person reading it
    assert row["reason"].startswith(f"unknown SKU '{ODD_NAME}': add an alias for distributor D001 (closest: ")
    assert f"{best['code']} {best['name']} ({best['score']:.0f})" in row["reason"]


def test_quarantine_files_written_before_the_subject_fields_still_feed_the_queue(first_load: Path) -> None:
    lake = Lake(first_load / "raw")
    before = [(i.distributor_code, i.name, i.occurrences) for i in review_queue(lake)]
    old_columns = ["_load_id", "_source_file", "_sheet", "_row_number", "_loaded_at", "source_kind"]
    old_columns += ["distributor_code", "reason_code", "reason", "raw_values"]
    files = [p for p in (first_load / "raw" / "_quarantine").glob("*.parquet") if p.name != "_schema.parquet"]
    for path in [*files, first_load / "raw" / "_quarantine" / "_schema.parquet"]:
        pl.read_parquet(path).select(old_columns).write_parquet(path)  # as an older ingest wrote them
    assert "subject" not in lake.read_table("_quarantine", [p.stem for p in files]).columns
    assert before == [("D001", ODD_NAME, 3), ("D002", ODD_NAME, 1)]
    assert [(i.distributor_code, i.name, i.occurrences) for i in review_queue(lake)] == before
    legacy = quarantine_subjects(
        pl.DataFrame(
            {
                "reason_code": ["unknown_sku", "unknown_sku", "zero_quantity"],
                "reason": [
                    "unknown SKU 'Parle-G 1kg': add an alias for distributor D001 (closest: PG-1000 Parle-G 1 kg (86))",
                    "unknown SKU 'X': no SKU master is loaded yet: load masters/skus.csv first, then re-send this file",
                    "quantity is zero",
                ],
            }
        )
    )
    assert legacy.select("subject", "subject_kind").rows() == [("Parle-G 1kg", "sku"), (None, None), (None, None)]


def test_a_confirmed_outlet_alias_matches_chat_outlets_exactly(tmp_path: Path, masters: MasterData) -> None:
    outlets = pl.DataFrame(
        {
            "outlet_code": ["O1", "O2"],
            "outlet_name": ["Sharma Kirana Store", "Laxmi General Stores"],
            "distributor_code": ["D001", "D001"],
            "phone": ["9876543210", "9123456789"],
        }
    )
    before = Catalogue(MasterData(masters.skus, masters.aliases, outlets), "D001")
    code, score = before.match_outlet("Bablu bhai ki dukaan")
    assert code is None or score < 0.8
    store = ReviewStore(tmp_path / "reviews")
    store.confirm_outlet("D001", "Bablu bhai ki dukaan", "O2", "asha")
    after = Catalogue(MasterData(masters.skus, masters.aliases, outlets, store.outlet_aliases()), "D001")
    assert after.match_outlet("bablu bhai ki DUKAAN") == ("O2", 1.0)
    assert Catalogue(MasterData(masters.skus, masters.aliases, outlets, store.outlet_aliases()), "D002").match_outlet(
        "bablu bhai ki dukaan"
    ) == (None, 0.0)


# --- the queue at scale: compact list, bulk accept, a sheet to fill in, refusals ----------------------------------
FORMULA_NAME = "=GLUCO CRUNCH 100G+1"  # a name a spreadsheet would run as a formula if written as it is


def _pipe(*args: str) -> object:
    """The command as a pipe or cron sees it: no terminal, 40 columns."""
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "40"})


def test_the_compact_list_prints_one_whole_line_per_name_in_a_pipe(first_load: Path) -> None:
    result = _pipe("review", "list", "--data-dir", str(first_load))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Review queue: 2 pending"
    items = [line for line in lines if line.startswith("sku ")]
    assert len(items) == 2 and all(ODD_NAME in line and "…" not in line for line in items)
    assert all(re.search(r"SKU0001 (8\d|9\d|100)\b", line) for line in items)  # the top suggestion and its score
    assert len(items[0]) > 40  # the terminal's 40 columns do not cut a pipe's lines


def test_bulk_accept_is_a_dry_run_until_applied(first_load: Path, inbox: Path) -> None:
    data = str(first_load)
    dry = _pipe("review", "accept", "--min-score", "80", "--data-dir", data)
    assert dry.exit_code == 0, dry.output
    assert "2 names would accept" in dry.output and "nothing recorded" in dry.output
    assert ReviewStore(first_load / "reviews").sku_aliases().height == 0
    assert "no pending name" in _pipe("review", "accept", "--min-score", "100.1", "--data-dir", data).output

    applied = _pipe("review", "accept", "--min-score", "80", "--apply", "--by", "asha", "--data-dir", data)
    assert applied.exit_code == 0, applied.output
    recorded = ReviewStore(first_load / "reviews").sku_aliases()
    assert sorted(recorded.select("distributor_code", "alias", "sku_code", "decided_by").rows()) == [
        ("D001", ODD_NAME, "SKU0001", "asha"),
        ("D002", ODD_NAME, "SKU0001", "asha"),
    ]
    lake = Lake(first_load / "raw")
    assert review_queue(lake) == []
    _sales_file(inbox, "D002", "sales_2026-11-04.csv", "04-11-2026", ["B11"])
    [outcome] = [o for o in ingest_inbox(inbox, lake, kinds=[SALES]) if o.status == "loaded"]
    assert (outcome.rows_loaded, outcome.rows_quarantined) == (2, 0)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_filled_in_sheet_records_its_decisions_and_keeps_formula_names_inert(
    first_load: Path, inbox: Path, suffix: str
) -> None:
    lake = Lake(first_load / "raw")
    write_rows(
        inbox / SALES / "D001" / "sales_2026-11-05.csv",
        [HEADER, ["B20", "05-11-2026", "Sharma Kirana", FORMULA_NAME, "6", "60"]],
    )
    ingest_inbox(inbox, lake, kinds=[SALES])
    assert FORMULA_NAME in {i.name for i in review_queue(lake)}
    sheet = first_load / f"queue{suffix}"
    exported = _pipe("review", "export", str(sheet), "--data-dir", str(first_load))
    assert exported.exit_code == 0, exported.output

    if suffix == ".csv":
        text = sheet.read_text(encoding="utf-8")
        assert f"'{FORMULA_NAME}" in text  # a spreadsheet shows it as text
        rows = list(csv.DictReader(text.splitlines()))
        for row in rows:
            row["decision"] = {"D001": "1", "D002": "ignore"}[row["distributor_code"]]
            row["note"] = "sample, not stock" if row["distributor_code"] == "D002" else ""
        with sheet.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        workbook = load_workbook(sheet)
        sheet_rows = list(workbook.active.iter_rows())
        header = [c.value for c in sheet_rows[0]]
        formula_cell = next(
            r[header.index("name")] for r in sheet_rows[1:] if r[header.index("name")].value == FORMULA_NAME
        )
        assert formula_cell.data_type == "s" and formula_cell.quotePrefix  # a string, never a formula
        for row in sheet_rows[1:]:
            distributor = row[header.index("distributor_code")].value
            row[header.index("decision")].value = {"D001": 1, "D002": "ignore"}[distributor]  # Excel stores 1 as 1
            row[header.index("note")].value = "sample, not stock" if distributor == "D002" else None
        workbook.save(sheet)

    dry = _pipe("review", "import", str(sheet), "--dry-run", "--data-dir", str(first_load))
    assert dry.exit_code == 0, dry.output
    assert "3 decisions to record" in dry.output and ReviewStore(first_load / "reviews").sku_aliases().height == 0
    done = _pipe("review", "import", str(sheet), "--by", "ravi", "--data-dir", str(first_load))
    assert done.exit_code == 0, done.output
    store = ReviewStore(first_load / "reviews")
    assert sorted(store.sku_aliases().select("distributor_code", "alias", "sku_code").rows()) == [
        ("D001", FORMULA_NAME, "SKU0001"),  # back exactly as written: no apostrophe left on it
        ("D001", ODD_NAME, "SKU0001"),
    ]
    assert store.ignored().select("distributor_code", "name", "note").rows() == [
        ("D002", ODD_NAME, "sample, not stock")
    ]
    assert review_queue(lake) == []


def test_an_import_with_a_name_not_on_the_queue_records_nothing(first_load: Path) -> None:
    sheet = first_load / "filled.csv"
    write_rows(
        sheet,
        [
            ["review_kind", "distributor_code", "name", "suggestion_1", "decision", "note"],
            ["sku", "D001", ODD_NAME, "SKU0001 Crunchy Glucose Biscuit 100 g", "1", ""],
            ["sku", "D001", "Mystery Cola 2L", "", "SKU0002", ""],
            ["sku", "D002", ODD_NAME, "", "SKU9", ""],
        ],
    )
    result = _pipe("review", "import", str(sheet), "--data-dir", str(first_load))
    assert result.exit_code == 2
    assert "row 3: 'Mystery Cola 2L' is not on the review queue of D001 (sku names)" in result.output
    assert "row 4: 'SKU9' is not in the SKU master" in result.output and "nothing was recorded" in result.output
    assert ReviewStore(first_load / "reviews").sku_aliases().height == 0


def test_decisions_on_names_not_on_the_queue_are_refused(first_load: Path) -> None:
    data = str(first_load)
    confirm = _pipe("review", "confirm", "--distributor", "D001", "--name", "Mystery Cola", "--sku", "SKU0002",
                    "--data-dir", data)  # fmt: skip
    assert confirm.exit_code == 2 and "'Mystery Cola' is not on the review queue of D001 (sku names)" in confirm.output
    wrong_distributor = _pipe("review", "ignore", "--distributor", "D003", "--name", ODD_NAME, "--data-dir", data)
    assert wrong_distributor.exit_code == 2 and "review queue of D003" in wrong_distributor.output
    store = ReviewStore(first_load / "reviews")
    assert store.sku_aliases().height == 0 and store.ignored().height == 0
