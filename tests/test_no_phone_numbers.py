"""No raw phone number reaches the warehouse, its published copy or any export (issue 4).

What is scanned for, precisely:
1. the phone numbers the generator wrote as WhatsApp authors (read from the generated chats themselves), in any
   spelling (as written, `+91` digits, bare ten digits), as substrings of every text value. Chat authors are
   personal numbers: the pipeline keeps only a keyed hash (author_key) and a masked form (`+91 ••••• •3210`).
2. anything shaped like an Indian mobile (`+91`/`91`/`0` prefix optional, spaces or dashes anywhere) in every
   text value, outside columns that are numeric document identifiers by contract (ERP doc numbers such as
   `9000105664` are ten digits starting with 9: scan 1 still covers those columns).
Every schema of each database file is scanned (staging, intermediate, main, ops, snapshots and any other), with no
exception: the brand master's contact numbers (`phone` of outlets and reps) stay in the raw lake; the warehouse
carries them masked to their last four digits (`phone_masked`), and the published file, which analysts copy around,
holds no raw number at all. The raw inbox, the raw lake and the generator's truth are inputs, not outputs, and are
not scanned.
"""

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.whatsapp.authors import is_phone
from ingest.whatsapp.parser import parse_chat, read_chat_text
from tests.pipeline_helpers import published_path

pytestmark = pytest.mark.e2e

MOBILE = re.compile(r"(?<![\w.+])(?:(?:\+91|91|0)[\s\-]*)?[6-9](?:[\s\-]*\d){9}(?![\w]|\.\d)")
# numeric document identifiers by contract (scan 2 would take their ten-digit values for mobiles)
DOCUMENT_ID_COLUMNS = {"doc_number", "document_number", "invoice_number", "file_sha256"}
SYSTEM_SCHEMAS = ("information_schema", "pg_catalog")
SKIPPED_DIRS = {"inbox", "raw", "truth"}


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def chat_author_phones(data_dir: Path, pattern: str = "*.txt") -> set[str]:
    """Every phone number written as a chat author in the generated WhatsApp exports (`pattern`), as written."""
    found: set[str] = set()
    for chat in sorted((data_dir / "inbox" / "whatsapp").rglob(pattern)):
        authors = parse_chat(read_chat_text(chat))["author"].drop_nulls().unique().to_list()
        found.update(a for a in authors if is_phone(a))
    return found


def master_phones(data_dir: Path) -> set[str]:
    out: set[str] = set()
    for entity in ("outlets", "reps"):
        with (data_dir / "inbox" / "masters" / "BRAND" / f"{entity}.csv").open(newline="") as handle:
            out.update(_digits(row["phone"])[-10:] for row in csv.DictReader(handle) if row.get("phone"))
    return out


def _needles(authors: set[str]) -> set[str]:
    """Spellings of each author number to look for: as written, and its last ten digits."""
    return {a.strip("\u202a\u202c") for a in authors} | {_digits(a)[-10:] for a in authors}


def _leaks(value: str, needles: set[str], *, pattern: bool) -> list[str]:
    squeezed = _digits(value)
    found = [n for n in needles if n in value or (n.isdigit() and n in squeezed)]
    if pattern:
        found += [m.group(0) for m in MOBILE.finditer(value)]
    return found


def _text_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[str]]:
    """(schema, table) -> its text-like columns (lists, structs, maps and JSON are scanned as text), in every
    schema of the file."""
    rows = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema not in (?, ?) and (data_type = 'VARCHAR' "
        "or data_type like '%[]' or data_type like 'STRUCT%' or data_type like 'MAP%' or data_type = 'JSON') "
        "order by all",
        list(SYSTEM_SCHEMAS),
    ).fetchall()
    tables: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        tables.setdefault((schema, table), []).append(column)
    return tables


def scan_database(path: Path, needles: set[str]) -> list[str]:
    problems = []
    with duckdb.connect(str(path), read_only=True) as con:
        for (schema, table), columns in _text_columns(con).items():
            # one read per table or view
            relation = con.table(f'"{schema}"."{table}"')
            frame = relation.select(*[duckdb.ColumnExpression(c).cast("VARCHAR").alias(c) for c in columns]).pl()
            for column in columns:
                values = frame[column].drop_nulls().unique().to_list()
                problems += _column_problems(f"{path.name}:{schema}.{table}.{column}", values, needles)
    return problems


def _column_problems(where: str, values: list[str], needles: set[str]) -> list[str]:
    column = where.rsplit(".", 1)[1]
    pattern = column not in DOCUMENT_ID_COLUMNS
    hits = [f"{where}: {hit!r} in {v[:80]!r}" for v in values for hit in _leaks(v, needles, pattern=pattern)]
    return hits[:3]


def _file_texts(path: Path) -> Iterator[str]:
    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
        for column, dtype in frame.schema.items():
            if dtype == pl.String or isinstance(dtype, pl.List | pl.Struct):
                series = frame[column] if dtype == pl.String else frame[column].cast(pl.String, strict=False)
                yield from (v for v in series.drop_nulls().unique().to_list() if v)
    else:
        yield path.read_text(encoding="utf-8", errors="replace")


def scan_exports(data_dir: Path, needles: set[str]) -> list[str]:
    """Every CSV, parquet, JSON, HTML and text file under data/ except the inputs (inbox, raw lake, truth)."""
    problems = []
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if relative.parts[0] in SKIPPED_DIRS or path.suffix not in {".parquet", ".csv", ".json", ".html", ".txt"}:
            continue
        for text in _file_texts(path):
            problems += [f"{relative}: {hit!r}" for hit in _leaks(text, needles, pattern=True)]
    return problems


def test_no_chat_author_phone_or_mobile_number_reaches_any_output(tiny_network: Path) -> None:
    authors = chat_author_phones(tiny_network)
    assert len(authors) >= 5  # the scan below cannot pass for want of numbers to look for
    needles = _needles(authors)
    masters = master_phones(tiny_network)
    # the order chats' authors are outlets and reps of the master; the casual family chat's are strangers
    strangers = chat_author_phones(tiny_network, "* Family.txt")
    assert strangers and {_digits(a)[-10:] for a in authors - strangers} <= masters

    # the master's own numbers (any spelling, some of them not mobiles) are needles too: none is in any schema
    needles |= {m for m in masters if len(m) >= 8}
    with duckdb.connect(str(published_path(tiny_network)), read_only=True) as con:
        scanned = {schema for schema, _ in _text_columns(con)}
    assert {"main", "ops"} <= scanned  # the quarantine's raw values sit in ops.fct_quarantined_rows
    problems = scan_database(tiny_network / "warehouse" / "sellthrough.duckdb", needles)
    problems += scan_database(published_path(tiny_network), needles)
    problems += scan_exports(tiny_network, needles)

    assert problems == []


def test_the_scan_finds_a_planted_leak(tiny_network: Path, tmp_path: Path) -> None:
    """The scanners are not blind: a raw author number and a dashed mobile planted in an export are found."""
    authors = sorted(chat_author_phones(tiny_network))
    export = tmp_path / "data" / "quality" / "export.csv"
    export.parent.mkdir(parents=True)
    export.write_text(f"note\nordered by {authors[0]}\ncall 98765-43210 tomorrow\nqty 12.5 at 1200000\n")
    problems = scan_exports(tmp_path / "data", _needles(set(authors)))
    assert any(authors[0].strip("\u202a\u202c") in p for p in problems)
    assert any("98765-43210" in p for p in problems)
    assert not any("1200000" in p for p in problems)


def test_the_database_scan_finds_planted_leaks(tmp_path: Path) -> None:
    """Not blind either: an author number in another column, a mobile in JSON text and raw master phones in a
    snapshot schema are all reported; an ERP document number and a masked phone are not."""
    database = tmp_path / "planted.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema snapshots")
        con.execute("create table snapshots.snp_masters__outlets (outlet_code varchar, phone varchar, masked varchar)")
        con.execute(
            "insert into snapshots.snp_masters__outlets values ('O1', '9123456789', '••••••6789'), "
            "('O2', '080 2345 6789', null)"
        )
        con.execute("create table main.fct_orders (doc_number varchar, author varchar, raw_values json)")
        con.execute(
            "insert into main.fct_orders values ('9000105664', '+91 91234 56789', null), "
            """('9000105665', 'masked', '{"note": "call +91-70000-12345"}')"""
        )
    problems = scan_database(database, _needles({"+91 91234 56789"}) | {"9123456789", "8023456789"})
    assert any("fct_orders.author" in p for p in problems)
    assert any("fct_orders.raw_values" in p and "70000-12345" in p for p in problems)
    assert any("snp_masters__outlets.phone" in p and "9123456789" in p for p in problems)
    assert any("snp_masters__outlets.phone" in p and "080 2345 6789" in p for p in problems)  # a landline master phone
    assert not any("doc_number" in p or ".masked" in p for p in problems)
    assert {p.split(": ")[0] for p in problems} == {
        "planted.duckdb:main.fct_orders.author",
        "planted.duckdb:main.fct_orders.raw_values",
        "planted.duckdb:snapshots.snp_masters__outlets.phone",
    }
