"""Tally Day Book XML and Excel files the tests write, and how the tests read them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.runner import FileOutcome, ingest_inbox, read_file
from ingest.core.source import ReadContext, ReadResult
from ingest.registry import source_kinds

CORPUS = Path("/work/shared/corpus/tally")
TABLE = "tally_voucher_lines"


def corpus_file(relative: str) -> Path:
    """A real export of the shared corpus, or a skip when this machine has no corpus."""
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"corpus file {path} is absent (the real-world corpus is not on this machine)")
    return path


def stock_line(item: str, qty: str | None, rate: str | None, amount: str, billed: str | None = None) -> str:
    parts = [f"<STOCKITEMNAME>{item}</STOCKITEMNAME>", "<ISDEEMEDPOSITIVE>No</ISDEEMEDPOSITIVE>"]
    if rate is not None:
        parts.append(f"<RATE>{rate}</RATE>")
    parts.append(f"<AMOUNT>{amount}</AMOUNT>")
    if qty is not None:
        parts.append(f"<ACTUALQTY>{qty}</ACTUALQTY><BILLEDQTY>{billed or qty}</BILLEDQTY>")
    batch = f"<BATCHALLOCATIONS.LIST><AMOUNT>{amount}</AMOUNT></BATCHALLOCATIONS.LIST>"
    return f"<ALLINVENTORYENTRIES.LIST>{''.join(parts)}{batch}</ALLINVENTORYENTRIES.LIST>"


def ledger(name: str, amount: str) -> str:
    nested = f"<BILLALLOCATIONS.LIST><AMOUNT>{amount}</AMOUNT></BILLALLOCATIONS.LIST>"
    return f"<LEDGERENTRIES.LIST><LEDGERNAME>{name}</LEDGERNAME><AMOUNT>{amount}</AMOUNT>{nested}</LEDGERENTRIES.LIST>"


def voucher(
    number: str,
    lines: list[str],
    ledgers: list[str],
    *,
    vtype: str = "Sales",
    vchtype: str | None = None,
    party: str = "Sharma Traders",
    date: str = "20260105",
    cancelled: bool = False,
    optional: bool = False,
    guid: str | None = None,
) -> str:
    guid = guid or f"guid-{vtype}-{number}-{date}-{party}"
    return (
        f'<TALLYMESSAGE><VOUCHER REMOTEID="{guid}" VCHTYPE="{vchtype or vtype}" '
        f'ACTION="Create"><DATE>{date}</DATE><GUID>{guid}</GUID>'
        f"<VOUCHERTYPENAME>{vtype}</VOUCHERTYPENAME><PARTYLEDGERNAME>{party}</PARTYLEDGERNAME>"
        f"<VOUCHERNUMBER>{number}</VOUCHERNUMBER><ISCANCELLED>{'Yes' if cancelled else 'No'}</ISCANCELLED>"
        f"<ISOPTIONAL>{'Yes' if optional else 'No'}</ISOPTIONAL>"
        f"<ALLINVENTORYENTRIES.LIST>   </ALLINVENTORYENTRIES.LIST>{''.join(lines)}{''.join(ledgers)}"
        '<UDF:NOTE.LIST DESC="`Note`"><UDF:NOTE>x</UDF:NOTE></UDF:NOTE.LIST>'  # an unbound prefix, as Tally writes
        "</VOUCHER></TALLYMESSAGE>"
    )


def credit_note(number: str = "1", party: str = "Gupta Stores", qty: int = 2) -> str:
    """A retailer's return of `qty` PG100 (SKU0001) at 9.50: the stock debited (negative), the party credited."""
    amount = f"{qty * 9.5:.2f}"
    line = stock_line("PG100", f" {qty} Pcs", "9.50/Pcs", f"-{amount}")
    return voucher(number, [line], [ledger(party, amount)], vtype="Credit Note", party=party)


def envelope(*messages: str) -> str:
    return (
        "<ENVELOPE><HEADER><TALLYREQUEST>Import Data</TALLYREQUEST></HEADER><BODY><IMPORTDATA><REQUESTDATA>"
        f"{''.join(messages)}</REQUESTDATA></IMPORTDATA></BODY></ENVELOPE>"
    )


def sale(number: str = "S-1", item: str = "CRUNCHY GLUCOSE 100GM", **kwargs: object) -> str:
    """10 pieces at 9.50 = 95.00, plus 5% tax 4.75, party owes 99.75."""
    return voucher(
        number,
        [stock_line(item, " 10 Pcs", "9.50/Pcs", "95.00")],
        [ledger("Sharma Traders", "-99.75"), ledger("Output GST", "4.75")],
        **kwargs,  # type: ignore[arg-type]
    )


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "DayBook.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def read(path: Path, masters: MasterData, layouts: Path | None = None, distributor: str = "D001") -> ReadResult:
    ctx = ReadContext(f"tally_daybook/{distributor}/{path.name}", distributor, masters, layouts)
    return read_file(path, source_kinds()["tally_daybook"], ctx)


def reasons(result: ReadResult) -> dict[str, int]:
    return dict(Counter(result.quarantine["reason_code"].to_list()))


def nightly(inbox: Path, lake: Lake, files: dict[str, str | bytes], distributor: str = "D001") -> FileOutcome:
    """Drop Tally files into `inbox/tally_daybook/<distributor>/` and run the nightly load; the last outcome."""
    folder = inbox / "tally_daybook" / distributor
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data.encode("utf-16") if isinstance(data, str) else data)
    outcomes = [o for o in ingest_inbox(inbox, lake) if o.kind == "tally_daybook"]
    for outcome in outcomes:
        assert outcome.rows_read == outcome.rows_loaded + outcome.rows_quarantined + outcome.rows_deduplicated
    return outcomes[-1]


def loaded_lines(lake: Lake, outcome: FileOutcome) -> pl.DataFrame:
    return lake.read_table(TABLE, [outcome.load_id]).sort("_row_number")  # type: ignore[list-item]


def quarantined(lake: Lake, outcome: FileOutcome) -> pl.DataFrame:
    frame = pl.read_parquet(lake.root / "_quarantine" / "*.parquet")
    return frame.filter(pl.col("_load_id") == outcome.load_id).sort("_row_number")


def validations(lake: Lake, outcome: FileOutcome) -> dict[str, int]:
    """expectation -> unexpected rows, for the expectations that failed on the load (warnings included)."""
    frame = pl.read_parquet(lake.root / "_validations" / "*.parquet")
    failed = frame.filter((pl.col("load_id") == outcome.load_id) & ~pl.col("success"))
    return dict(zip(failed["expectation"], failed["unexpected_count"], strict=True))
