"""Great Expectations suites on each load: every family catches its fault, file- and row-level outcomes, storage,
the volume check against a distributor's history, and the Data Docs site."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from expectations.docs import build_data_docs
from expectations.runner import validate_load, volume_result
from ingest.core.lake import VALIDATIONS_DIR, VALIDATIONS_SCHEMA, Lake
from ingest.core.runner import ingest_inbox
from ingest.core.validation import LoadToValidate, LoadValidation
from ingest.distributor_sales.contract import SECONDARY_SALES
from ingest.masters.contract import MASTERS
from tests.conftest import SKUS, write_csv, write_rows

LOADED_AT = datetime(2026, 11, 22, 2, 0)
TODAY = date.today()


def _conformed(contract, rows: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.lit("L1").alias("_load_id"),
        pl.lit("f").alias("_source_file"),
        pl.int_range(2, len(rows) + 2).alias("_row_number"),
        pl.lit(LOADED_AT).alias("_loaded_at"),
    )
    return contract.conform(frame)


def _sale(**overrides: object) -> dict:
    row = {
        "distributor_code": "D001",
        "invoice_number": "B1",
        "invoice_date": date(2026, 8, 3),
        "line_type": "sale",
        "party_code": "C01",
        "party_name": "Sharma Kirana",
        "sku_code": "SKU0001",
        "quantity_units": 10,
        "quantity": 10.0,
        "free_units": 0,
        "rate": 8.0,
        "gross_amount": 80.0,
        "discount_amount": 0.0,
        "net_amount": 80.0,
    }
    return {**row, **overrides}


def _validate(kind: str, table: str, frame: pl.DataFrame, file_name: str = "sales.csv") -> LoadValidation:
    load = LoadToValidate("L1", f"{kind}/D001/{file_name}", kind, "D001", LOADED_AT, {table: frame}, frame.height)
    return validate_load(load)


def _row_reasons(verdict: LoadValidation, table: str = "secondary_sales") -> dict[int, str]:
    failed = verdict.row_failures.get(table)
    return (
        {} if failed is None else dict(zip(failed["_position"].to_list(), failed["reason_code"].to_list(), strict=True))
    )


def _failed(verdict: LoadValidation) -> set[str]:
    return {r["expectation"] for r in verdict.results if not r["success"]}


def test_clean_sales_pass_every_expectation():
    verdict = _validate("distributor_sales", "secondary_sales", _conformed(SECONDARY_SALES, [_sale(), _sale()]))
    assert not verdict.rejected and not verdict.row_failures
    assert verdict.results and all(r["success"] for r in verdict.results)


@pytest.mark.parametrize(
    ("bad", "code", "expectation"),
    [
        ({"invoice_date": date(2026, 12, 1)}, "future_date", "invoice_date_not_in_future"),
        ({"invoice_date": date(2026, 8, 20)}, "date_outside_period", "invoice_date_in_file_period"),
        ({"gross_amount": 95.0}, "amount_mismatch", "amount_matches_quantity_x_rate"),
        ({"gross_amount": None, "net_amount": 120.0}, "amount_mismatch", "amount_matches_quantity_x_rate"),
        (
            {"quantity_units": -5, "quantity": -5.0, "gross_amount": -40.0, "net_amount": 40.0},
            "negative_quantity",
            "quantity_units_within_range",
        ),
        ({"net_amount": -80.0}, "bad_amount", "net_amount_within_range"),
    ],
)
def test_row_level_faults_are_caught(bad: dict, code: str, expectation: str):
    frame = _conformed(SECONDARY_SALES, [_sale(), _sale(invoice_number="B2", **bad)])
    verdict = _validate("distributor_sales", "secondary_sales", frame, "sales_2026-08-01_2026-08-07.csv")
    assert not verdict.rejected
    assert _row_reasons(verdict) == {1: code}
    assert expectation in _failed(verdict)


def test_amount_within_tolerance_passes():
    rows = [
        _sale(gross_amount=80.5),
        _sale(invoice_number="B2", quantity_units=1000, quantity=1000.0, rate=10.0, gross_amount=10090.0),
    ]
    verdict = _validate("distributor_sales", "secondary_sales", _conformed(SECONDARY_SALES, rows))
    assert not verdict.row_failures


def test_duplicate_invoice_numbers_with_another_party_or_date_are_suspicious():
    rows = [
        _sale(),
        _sale(sku_code="SKU0002"),  # a second line of the same invoice: fine
        _sale(invoice_number="B2"),
        _sale(invoice_number="B2", party_code="C02", party_name="Gupta Stores"),
        _sale(invoice_number="B3"),
        _sale(invoice_number="B3", invoice_date=date(2026, 8, 4)),
    ]
    verdict = _validate("distributor_sales", "secondary_sales", _conformed(SECONDARY_SALES, rows))
    assert _row_reasons(verdict) == {
        2: "duplicate_invoice",
        3: "duplicate_invoice",
        4: "duplicate_invoice",
        5: "duplicate_invoice",
    }
    reasons = verdict.row_failures["secondary_sales"]["reason"].to_list()
    assert "invoice 'B2' appears with 2 different party_code/party_name/invoice_date" in reasons[0]


def test_master_identity_checks_quarantine_structural_faults_and_warn_on_contacts():
    """A malformed GSTIN or GPS outside India quarantines the outlet row; a phone that is not a mobile warns."""
    outlet = {
        "outlet_code": "O1",
        "outlet_name": "Sharma Kirana",
        "distributor_code": "D001",
        "latitude": 18.5,
        "longitude": 73.8,
        "gstin": "27AAPFU0939F1ZV",
        "phone": "+919876543210",
    }
    bad_gstin = {**outlet, "outlet_code": "O2", "gstin": "27AAPFU0939F1ZX"}
    far = {**outlet, "outlet_code": "O4", "latitude": 51.5, "longitude": -0.1}
    bad_phone = {**outlet, "outlet_code": "O3", "phone": "5123456789"}
    rows = [outlet, bad_gstin, bad_phone, far]
    verdict = _validate("masters", "masters_outlets", _conformed(MASTERS["outlets"], rows))
    assert not verdict.rejected
    assert _failed(verdict) == {
        "gstin_checksum_valid",
        "latitude_inside_india",
        "longitude_inside_india",
        "phone_indian_mobile",
    }
    failures = verdict.row_failures["masters_outlets"]
    codes = [rows[position]["outlet_code"] for position in failures["_position"]]
    assert sorted(zip(codes, failures["reason_code"], strict=True)) == [("O2", "bad_gstin"), ("O4", "bad_gps")]
    severity = {r["expectation"]: r["severity"] for r in verdict.results}
    assert severity["gstin_checksum_valid"] == "row" and severity["phone_indian_mobile"] == "warning"


def test_bad_ean_is_caught_and_duplicate_master_keys_reject_the_file():
    skus = [{**s, "units_per_case": int(s["units_per_case"]), "mrp": float(s["mrp"])} for s in SKUS]
    skus[0]["ean"], skus[1]["ean"] = "8901234567890", "8901234567906"  # valid, as conftest's
    assert not _failed(_validate("masters", "masters_skus", _conformed(MASTERS["skus"], skus), "skus.csv"))
    skus[1]["ean"] = "8901234567901"  # wrong check digit
    verdict = _validate("masters", "masters_skus", _conformed(MASTERS["skus"], skus), "skus.csv")
    assert _failed(verdict) == {"ean_check_digit_valid"} and not verdict.rejected
    duplicated = _conformed(MASTERS["skus"], [*skus[:1], {**skus[1], "sku_code": skus[0]["sku_code"]}])
    verdict = _validate("masters", "masters_skus", duplicated, "skus.csv")
    assert verdict.rejected and "sku_code_unique" in verdict.rejection_message()


def test_pincode_checked_where_the_column_exists():
    frame = _conformed(
        MASTERS["distributors"], [{"distributor_code": "D001", "distributor_name": "A", "tier": "distributor"}]
    )
    assert "pincode_valid" not in {
        r["expectation"] for r in _validate("masters", "masters_distributors", frame).results
    }
    with_pin = frame.with_columns(pl.lit("012345").alias("pincode"))
    assert "pincode_valid" in _failed(_validate("masters", "masters_distributors", with_pin))


def _history(rows_per_day: list[float], days: int = 7) -> pl.DataFrame:
    starts = [date(2026, 7, 1) + timedelta(days=7 * i) for i in range(len(rows_per_day))]
    return pl.DataFrame(
        {
            "period_start": starts,
            "period_end": [s + timedelta(days=days - 1) for s in starts],
            "rows_read": [int(r * days) for r in rows_per_day],
        }
    )


@pytest.mark.parametrize(
    ("rows_read", "flagged"), [(490, True), (665, False), (735, False), (840, False), (1000, True)]
)  # +20% is ordinary business (expectations/volume.py: 30%), -30% and +43% are not
def test_volume_against_the_distributors_history(rows_read: int, flagged: bool):
    load = LoadToValidate(
        "L9",
        "distributor_sales/D001/s.csv",
        "distributor_sales",
        "D001",
        LOADED_AT,
        {},
        rows_read,
        (date(2026, 9, 1), date(2026, 9, 7)),
    )
    result = volume_result(load, _history([100, 98, 102, 100, 101]))
    assert result is not None and result["severity"] == "warning"
    assert result["success"] is not flagged
    assert volume_result(load, _history([100, 100])) is None  # too little history to judge


# --- through the nightly path ---------------------------------------------------------------------------------


def _sales_file(inbox: Path, name: str, lines: list[list[object]]) -> Path:
    header = ["Bill No", "Bill Date", "Party Code", "Party Name", "Item Code", "Qty", "Rate", "Net Amt"]
    return write_rows(inbox / "distributor_sales" / "D001" / name, [header, *lines])


def test_row_level_failures_are_quarantined_and_stored(inbox: Path, lake: Lake, masters):
    day = (TODAY - timedelta(days=10)).strftime("%d-%m-%Y")
    future = (TODAY + timedelta(days=30)).strftime("%d-%m-%Y")
    _sales_file(
        inbox,
        "sales.csv",
        [
            ["B1", day, "C01", "Sharma Kirana", "PG100", "10", "8", "80"],
            ["B2", future, "C01", "Sharma Kirana", "PG100", "10", "8", "80"],
            ["B3", day, "C01", "Sharma Kirana", "PG100", "10", "8", "300"],
            ["B4", day, "C01", "Sharma Kirana", "PG100", "5", "8", "40"],
            ["B4", day, "C09", "Gupta Stores", "PG100", "6", "8", "48"],
            ["B5", day, "C01", "Sharma Kirana", "PG100", "-3", "8", "24"],
        ],
    )
    ingest_inbox(inbox, lake, kinds=["distributor_sales"])
    row = lake.ledger().filter(pl.col("source_kind") == "distributor_sales").row(0, named=True)
    assert row["status"] == "loaded"
    assert row["rows_read"] == row["rows_loaded"] + row["rows_quarantined"] + row["rows_deduplicated"]
    assert row["rows_loaded"] == 1
    assert row["period_start"] == row["period_end"] == TODAY - timedelta(days=10)  # the future row no longer counts
    quarantine = lake.read_table("_quarantine", [row["load_id"]])
    codes = dict(zip(quarantine["_row_number"].to_list(), quarantine["reason_code"].to_list(), strict=True))
    assert codes == {
        3: "future_date",
        4: "amount_mismatch",
        5: "duplicate_invoice",
        6: "duplicate_invoice",
        7: "negative_quantity",
    }
    assert all(quarantine["reason"].is_not_null()) and all(quarantine["raw_values"].is_not_null())
    validations = lake.read_table(VALIDATIONS_DIR, [row["load_id"]])
    assert validations.columns == list(VALIDATIONS_SCHEMA)
    assert set(validations["load_id"]) == {row["load_id"]} and validations.height >= 8
    assert lake.read_table("secondary_sales", [row["load_id"]])["invoice_number"].to_list() == ["B1"]


def test_file_level_failure_is_a_failed_ledger_row_and_the_rest_loads(tmp_path: Path, lake: Lake):
    inbox = tmp_path / "inbox2"
    write_csv(inbox / "masters" / "BRAND" / "skus.csv", [*SKUS, {**SKUS[1], "sku_name": "Another name"}])
    write_csv(
        inbox / "masters" / "BRAND" / "distributors.csv",
        [{"distributor_code": "D001", "distributor_name": "A", "tier": "distributor"}],
    )
    outcomes = ingest_inbox(inbox, lake)
    assert sorted(o.status for o in outcomes) == ["failed", "loaded"]
    ledger = lake.ledger()
    failed = ledger.filter(pl.col("status") == "failed").row(0, named=True)
    assert failed["file_name"].endswith("skus.csv") and failed["error_code"] == "expectations_failed"
    assert "sku_code_unique" in failed["error"]
    assert not (lake.root / "masters_skus" / f"{failed['load_id']}.parquet").exists()
    stored = lake.read_table(VALIDATIONS_DIR, [failed["load_id"]])
    file_level = stored.filter(pl.col("severity") == "file")
    assert file_level.filter(~pl.col("success"))["expectation"].to_list() == ["sku_code_unique"]
    assert ledger.filter(pl.col("status") == "loaded")["file_name"].to_list() == ["masters/BRAND/distributors.csv"]


def test_orphan_validations_are_removed_and_schema_file_exists(lake: Lake, masters):
    assert (lake.root / VALIDATIONS_DIR / "_schema.parquet").exists()
    orphan = lake.root / VALIDATIONS_DIR / "L20990101T000000000000-deadbeef.parquet"
    pl.DataFrame(schema=VALIDATIONS_SCHEMA).write_parquet(orphan)
    assert orphan in lake.remove_orphans()


def test_data_docs_site_is_written(tmp_path: Path, inbox: Path, lake: Lake, masters):
    _sales_file(
        inbox,
        "sales.csv",
        [["B1", (TODAY - timedelta(days=3)).strftime("%d-%m-%Y"), "C01", "S", "PG100", "1", "8", "8"]],
    )
    ingest_inbox(inbox, lake)
    index = build_data_docs(tmp_path, lake.root)
    assert index == tmp_path / "quality" / "data_docs" / "index.html"
    text = index.read_text()
    assert "masters.masters_skus" in text and "distributor_sales.secondary_sales" in text
    assert (index.parent / "suite_distributor_sales.secondary_sales.html").exists()
