"""The sample-network generator: deterministic bytes, valid masters, exact stock identity, every planted problem
and fault present, and files that the ingest reads back into exactly the truth."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import yaml
from stdnum import ean
from stdnum.in_ import gstin

from generator import NetworkConfig, generate
from generator.config import LAYOUTS

TINY = NetworkConfig(seed=7, distributors=6, outlets=60, skus=12, days=62, start=date(2026, 7, 1))
PROBLEMS = {"overstock", "scheme_overclaim", "duplicate_outlet", "stock_discrepancy", "sales_dip", "dead_outlet"}
PROBLEMS |= {"over_achiever", "gamed_orders", "negative_roi_scheme", "primary_stuffing"}  # issue 17
PROBLEMS |= {"planted_stockout"}  # issue 16: a distributor x SKU the brand rations at the end
FILE_FAULTS = {
    "duplicate_file",
    "resent_corrected",
    "truncated_file",
    "late_file",
    "malformed_rows",
    "unknown_sku",
    "total_rows",
    "text_dates",
    "indian_amounts",
    "repeated_lines",
    "headerless_layout",
    "devanagari_headers",
}
TRUTH_FILES = (
    "secondary_lines.parquet",
    "primary_lines.parquet",
    "stock_truth.parquet",
    "daily_stock.parquet",
    "problems.json",
    "file_faults.json",
    "manifest.json",
    "whatsapp_orders.parquet",
    "sfa_orders.parquet",
    "sfa_visits.parquet",
    "sfa_flagged_visits.parquet",
    "pos_sales.parquet",
    "retailer_shelf_outs.parquet",
    "retailer_stock.parquet",
    "retailer_understocked.json",
    "sales_anomalies.parquet",
    "pos_faults.json",
    "master_faults.json",
    "outlet_moves.json",
    "target_achievement.parquet",
    "rep_incentives.parquet",
    "retailer_incentives.parquet",
    "scheme_roi.parquet",
    "primary_secondary.parquet",
    "tally_files.json",
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[tuple[str, int, int]]]:
    data_dir = tmp_path_factory.mktemp("network")
    calls: list[tuple[str, int, int]] = []
    summary = generate(data_dir, TINY, progress=lambda step, done, total: calls.append((step, done, total)))
    return data_dir, summary, calls


@pytest.fixture(scope="module")
def data_dir(generated: tuple[Path, dict, list]) -> Path:
    return generated[0]


def _fingerprint(root: Path) -> dict[str, tuple[str, int]]:
    """relative path -> (sha256, mtime in whole seconds)"""
    return {
        path.relative_to(root).as_posix(): (hashlib.sha256(path.read_bytes()).hexdigest(), int(path.stat().st_mtime))
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _json(data_dir: Path, name: str) -> list[dict]:
    return json.loads((data_dir / "truth" / name).read_text(encoding="utf-8"))


def test_same_seed_gives_identical_files_and_truth(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "inbox" / "stale").mkdir(parents=True)
    (tmp_path / "inbox" / "stale" / "old.csv").write_text("left from an earlier run")
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "old.json").write_text("{}")
    generate(tmp_path, TINY)
    assert _fingerprint(tmp_path / "inbox") == _fingerprint(data_dir / "inbox")
    first, second = _fingerprint(data_dir / "truth"), _fingerprint(tmp_path / "truth")
    assert {k: v[0] for k, v in first.items()} == {k: v[0] for k, v in second.items()}
    assert sorted(second) == sorted(TRUTH_FILES)


def test_another_seed_gives_another_network(data_dir: Path, tmp_path: Path) -> None:
    generate(tmp_path, NetworkConfig(seed=8, distributors=6, outlets=60, skus=12, days=62))
    ours = (data_dir / "inbox" / "masters" / "BRAND" / "outlets.csv").read_bytes()
    theirs = (tmp_path / "inbox" / "masters" / "BRAND" / "outlets.csv").read_bytes()
    assert ours != theirs


def test_summary_and_progress(generated: tuple[Path, dict, list[tuple[str, int, int]]]) -> None:
    data_dir, summary, calls = generated
    manifest = json.loads((data_dir / "truth" / "manifest.json").read_text())
    assert summary["files"]["distributor_sales"] == len(list((data_dir / "inbox" / "distributor_sales").rglob("*.*")))
    assert summary["files"]["tally_daybook"] == len(list((data_dir / "inbox" / "tally_daybook").rglob("*.*"))) > 0
    assert summary["secondary_lines"] == pl.read_parquet(data_dir / "truth" / "secondary_lines.parquet").height
    assert summary["planted_problems"] == len(_json(data_dir, "problems.json"))
    assert manifest["seed"] == TINY.seed and manifest["start"] == "2026-07-01" and manifest["end"] == "2026-08-31"
    assert calls and all(0 <= done <= total for _, done, total in calls)
    assert calls[-1][1] == calls[-1][2]


def test_master_files_have_the_contract_columns(data_dir: Path) -> None:
    from ingest.masters.contract import MASTERS, file_columns
    from ingest.masters.reader import master_entity

    folder = data_dir / "inbox" / "masters" / "BRAND"
    files = sorted(folder.iterdir())
    assert sorted({master_entity(p.name) for p in files}) == sorted(MASTERS)
    assert [p.name for p in files if p.stem not in MASTERS] == [f"outlets_{TINY.start + timedelta(days=31)}.csv"]
    for path in files:
        rows = _csv(path)
        assert rows, path.name
        assert tuple(rows[0]) == file_columns(master_entity(path.name)), path.name


def _planted(data_dir: Path, entity: str) -> dict[str, str]:
    """key -> fault of the invalid master rows the generator plants (to be quarantined)."""
    return {f["key"]: f["fault"] for f in _json(data_dir, "master_faults.json") if f["entity"] == entity}


def test_skus_have_valid_eans_and_unique_names(data_dir: Path) -> None:
    rows = _csv(data_dir / "inbox" / "masters" / "BRAND" / "skus.csv")
    planted = _planted(data_dir, "skus")
    skus = [s for s in rows if s["sku_code"] not in planted]
    assert len(skus) == TINY.skus and planted == {"SKU9901": "bad_ean"}
    assert all(ean.is_valid(s["ean"]) and len(s["ean"]) == 13 for s in skus)
    assert not any(ean.is_valid(s["ean"]) for s in rows if s["sku_code"] in planted)
    assert len({s["sku_name"].lower() for s in skus}) == len(skus)
    assert {s["units_per_case"] for s in skus} <= {"24", "48", "96", "120"}
    assert len({s["brand"] for s in skus}) >= 2


def test_outlets_have_valid_gstins_phones_and_gps(data_dir: Path) -> None:
    masters = data_dir / "inbox" / "masters" / "BRAND"
    planted = _planted(data_dir, "outlets")
    rows = _csv(masters / "outlets.csv")
    outlets = [o for o in rows if o["outlet_code"] not in planted]
    distributors = {d["distributor_code"]: d for d in _csv(masters / "distributors.csv")}
    beats = {b["beat_code"]: b for b in _csv(masters / "beats.csv")}
    bad = {o["outlet_code"]: o for o in rows if o["outlet_code"] in planted}
    assert sorted(planted.values()) == ["bad_gps", "bad_gstin", "broken_hierarchy"]
    for code, fault in planted.items():
        outlet = bad[code]
        if fault == "bad_gstin":
            assert outlet["gstin"] and not gstin.is_valid(outlet["gstin"])
        elif fault == "bad_gps":
            assert not 6 < float(outlet["latitude"]) < 37.6 or not 68 < float(outlet["longitude"]) < 97.5
        else:
            assert beats[outlet["beat_code"]]["distributor_code"] != outlet["distributor_code"]
    with_gstin = [o for o in outlets if o["gstin"]]
    assert all(gstin.is_valid(o["gstin"]) for o in with_gstin)
    assert 0.4 < len(with_gstin) / len(outlets) < 0.85
    assert all(len(o["phone"]) == 10 and o["phone"][0] in "6789" and o["phone"].isdigit() for o in outlets)
    assert all(o["town"] == distributors[o["distributor_code"]]["town"] for o in outlets)
    assert all(abs(float(o["latitude"]) - float(outlets[0]["latitude"])) < 30 for o in outlets)
    party_codes = [(o["distributor_code"], o["party_code"]) for o in outlets]
    assert len(set(party_codes)) == len(party_codes)
    assert all(beats[o["beat_code"]]["distributor_code"] == o["distributor_code"] for o in outlets)
    assert all(int(b["visit_weekday"]) in range(6) for b in beats.values())


def test_distributor_tiers_and_cadence(data_dir: Path) -> None:
    distributors = _csv(data_dir / "inbox" / "masters" / "BRAND" / "distributors.csv")
    codes = {d["distributor_code"] for d in distributors}
    subs = [d for d in distributors if d["tier"] == "sub_distributor"]
    assert subs and all(d["parent_distributor_code"] in codes for d in subs)
    assert all(d["parent_distributor_code"] == "" for d in distributors if d["tier"] != "sub_distributor")
    assert {d["tier"] for d in distributors} == {"super_stockist", "distributor", "sub_distributor"}
    cadences = [d["sales_file_cadence"] for d in distributors]
    assert "daily" in cadences and cadences.count("weekly") > cadences.count("daily")


def test_six_distributors_cover_the_six_layouts(data_dir: Path) -> None:
    manifest = json.loads((data_dir / "truth" / "manifest.json").read_text())
    assert sorted(manifest["layouts"].values()) == sorted(LAYOUTS)
    sales = data_dir / "inbox" / "distributor_sales"
    code_of = {layout: code for code, layout in manifest["layouts"].items()}
    # a layout's first file, of its own shape (some weeks' files take another: see the next test)
    own = {"multisheet_xlsx": ".xlsx", "hinglish_tsv": ".txt"}
    head = {
        layout: next(p for p in sorted((sales / code).iterdir()) if p.suffix == own.get(layout, p.suffix)).read_bytes()[
            :16
        ]
        for layout, code in code_of.items()
    }
    by_layout = head
    assert by_layout["marg_xlsx"].startswith(b"PK") and by_layout["multisheet_xlsx"].startswith(b"PK")
    assert by_layout["legacy_xls"].startswith(b"\xd0\xcf\x11\xe0")
    assert by_layout["busy_csv"].startswith(b"\xef\xbb\xbfVoucher")
    assert by_layout["hinglish_tsv"].startswith(b"\xff\xfeB\x00")
    tally = next(code for code, layout in manifest["layouts"].items() if layout == "tally_csv")
    text = next(p for p in sorted((sales / tally).iterdir())).read_bytes().decode("cp1252")
    assert "Voucher No;Voucher Date;Dukan;Maal;Peti;Pcs;Scheme Qty;Rate;Amount" in text and "Rs. " in text


def test_some_weeks_files_take_real_world_shapes(data_dir: Path) -> None:
    """The DMS distributor's quick CSV export has no header row (its layout, written where a deployment keeps its
    own, names the columns by position); the small biller's files use `Nag` and a `Kul Yog` total row, or
    Devanagari headers under a title row declaring the period and a `कुल योग` total row; bills repeat lines."""
    manifest = json.loads((data_dir / "truth" / "manifest.json").read_text())
    code_of = {layout: code for code, layout in manifest["layouts"].items()}
    sales = data_dir / "inbox" / "distributor_sales"
    quick = sorted((sales / code_of["multisheet_xlsx"]).glob("*.csv"))
    assert quick and sorted((sales / code_of["multisheet_xlsx"]).glob("*.xlsx"))
    lines = quick[0].read_text(encoding="utf-8").splitlines()
    assert "quick export" in lines[0] and not any(h in lines[1] for h in ("Invoice", "Date", "Qty"))
    layout = yaml.safe_load(
        (data_dir / "config" / "layouts" / "distributor_sales" / f"{code_of['multisheet_xlsx']}.yml").read_text()
    )
    assert layout["csv"]["header"] is False and layout["csv"]["columns"]["invoice_number"] == 2
    texts = [p.read_bytes().decode("utf-16") for p in sorted((sales / code_of["hinglish_tsv"]).glob("*.txt"))]
    devanagari = [t for t in texts if "बिल नंबर" in t]
    assert devanagari and all("कुल योग" in t and " से " in t.splitlines()[0] for t in devanagari)
    assert any("\tNag\t" in t and "Kul Yog" in t for t in texts) and any("\tMatra\t" in t for t in texts)
    faults = _json(data_dir, "file_faults.json")
    assert sum(f["rows"] for f in faults if f["fault"] == "repeated_lines") >= 10


def test_sku_aliases_are_unambiguous(data_dir: Path) -> None:
    aliases = _csv(data_dir / "inbox" / "masters" / "BRAND" / "sku_aliases.csv")
    assert aliases
    keys = [(a["distributor_code"], "".join(c for c in a["alias"].lower() if c.isalnum())) for a in aliases]
    assert len(set(keys)) == len(keys)


def test_daily_stock_identity_holds(data_dir: Path) -> None:
    daily = pl.read_parquet(data_dir / "truth" / "daily_stock.parquet")
    assert daily.height == TINY.distributors * TINY.skus * TINY.days
    broken = daily.filter(
        pl.col("closing")
        != pl.col("opening")
        + pl.col("receipts")
        - pl.col("sales")
        + pl.col("market_returns")
        - pl.col("returns_to_brand")
    )
    assert broken.height == 0
    assert daily.select(pl.min_horizontal(pl.all().exclude("distributor_code", "sku_code", "date")).min()).item() >= 0
    chained = daily.sort("distributor_code", "sku_code", "date").with_columns(
        previous=pl.col("closing").shift(1).over("distributor_code", "sku_code")
    )
    assert chained.filter(pl.col("previous").is_not_null() & (pl.col("previous") != pl.col("opening"))).height == 0


def test_stock_truth_matches_daily_and_only_planted_closings_differ(data_dir: Path) -> None:
    stock = pl.read_parquet(data_dir / "truth" / "stock_truth.parquet")
    assert stock.height == TINY.distributors * TINY.skus * 2  # July and August are the full months
    identity = pl.col("opening_units") + pl.col("receipts_units") - pl.col("sales_units") - pl.col("returns_units")
    assert stock.filter(identity != pl.col("closing_units_true")).height == 0
    off = stock.filter(pl.col("closing_units_reported") != pl.col("closing_units_true"))
    planted = [p for p in _json(data_dir, "problems.json") if p["problem"] == "stock_discrepancy"]
    assert off.height == len(planted) >= 4
    ratio = (off["closing_units_reported"] / off["closing_units_true"] - 1).abs()
    assert ratio.min() >= 0.09 and ratio.max() <= 0.41
    assert (off["closing_units_reported"] > off["closing_units_true"]).any()
    assert (off["closing_units_reported"] < off["closing_units_true"]).any()


def test_every_planted_problem_is_present(data_dir: Path) -> None:
    problems = _json(data_dir, "problems.json")
    assert {p["problem"] for p in problems} == PROBLEMS
    outlets = {o["outlet_code"]: o for o in _csv(data_dir / "inbox" / "masters" / "BRAND" / "outlets.csv")}
    for pair in (p for p in problems if p["problem"] == "duplicate_outlet"):
        first, second = (outlets[c] for c in pair["outlet_codes"])
        assert first["phone"] == second["phone"] and first["beat_code"] == second["beat_code"]
        assert first["outlet_name"] != second["outlet_name"] and first["party_code"] != second["party_code"]
    lines = pl.read_parquet(data_dir / "truth" / "secondary_lines.parquet").filter(pl.col("expected") == "loaded")
    for dead in (p for p in problems if p["problem"] == "dead_outlet"):
        stops = date.fromisoformat(dead["stops_from"])
        assert lines.filter(
            (pl.col("outlet_code") == dead["outlet_code"]) & (pl.col("invoice_date") >= stops)
        ).is_empty()
    dip = next(p for p in problems if p["problem"] == "sales_dip")
    assert 30 <= dip["observed_drop_pct"] <= 70
    claim = next(p for p in problems if p["problem"] == "scheme_overclaim")
    assert claim["claims"] and all(1.45 <= c["ratio"] <= 3.05 for c in claim["claims"])
    overstock = next(p for p in problems if p["problem"] == "overstock")
    assert overstock["target_cover_days"] == 90
    rationed = next(p for p in problems if p["problem"] == "planted_stockout")
    assert 0 <= rationed["cover_days_at_end"] < 7 and rationed["daily_demand_units"] > 0


def test_every_file_fault_is_present_and_real(data_dir: Path) -> None:
    faults = _json(data_dir, "file_faults.json")
    inbox = data_dir / "inbox"
    assert {f["fault"] for f in faults} == FILE_FAULTS
    assert all((inbox / f["file"]).is_file() for f in faults)
    for copy in (f for f in faults if f["fault"] == "duplicate_file"):
        assert (inbox / copy["file"]).read_bytes() == (inbox / copy["duplicate_of"]).read_bytes()
    resent = next(f for f in faults if f["fault"] == "resent_corrected")
    assert (inbox / resent["file"]).stat().st_mtime > (inbox / resent["replaces"]).stat().st_mtime
    assert resent["rows"] and all(r["quantity_first_sent"] != r["quantity_corrected"] for r in resent["rows"])
    late = next(f for f in faults if f["fault"] == "late_file")
    received = datetime.fromtimestamp((inbox / late["file"]).stat().st_mtime, tz=UTC).date()
    assert received - date.fromisoformat(late["period_end"]) >= timedelta(days=21)
    malformed = [r for f in faults if f["fault"] == "malformed_rows" for r in f["rows"]]
    assert {r["problem"] for r in malformed} == {"bad_quantity", "bad_date", "missing_item"}
    for cut in (f for f in faults if f["fault"] == "truncated_file"):  # a cut-off export, re-sent complete
        assert cut["rows_sent"] < 0.5 * cut["rows_complete"] and cut["rows_complete"] >= 20
        assert (inbox / cut["resent_complete"]).stat().st_mtime > (inbox / cut["file"]).stat().st_mtime
        assert (inbox / cut["file"]).stat().st_size < (inbox / cut["resent_complete"]).stat().st_size


def test_truth_lines_point_at_real_files_and_planted_rows(data_dir: Path) -> None:
    lines = pl.read_parquet(data_dir / "truth" / "secondary_lines.parquet")
    assert all((data_dir / "inbox" / name).is_file() for name in lines["file_name"].unique().to_list())
    faults = _json(data_dir, "file_faults.json")
    superseded = {f["replaces"] for f in faults if f["fault"] == "resent_corrected"}
    superseded |= {f["file"] for f in faults if f["fault"] == "truncated_file"}
    copies = {f["file"] for f in faults if f["fault"] == "duplicate_file"}
    assert not (set(lines["file_name"].to_list()) & (superseded | copies))
    quarantined = lines.filter(pl.col("expected") == "quarantined")
    planted = sum(len(f["rows"]) for f in faults if f["fault"] in ("malformed_rows", "unknown_sku"))
    assert quarantined.filter(pl.col("fault") != "cancelled_document").height == planted
    manifest = json.loads((data_dir / "truth" / "manifest.json").read_text())
    busy = [code for code, layout in manifest["layouts"].items() if layout == "busy_csv"]
    busy_files = lines.filter(pl.col("distributor_code").is_in(busy))
    cancelled_files = busy_files.filter(pl.col("fault") == "cancelled_document")["file_name"].unique()
    assert busy_files.height and cancelled_files.len() == busy_files["file_name"].n_unique()  # a few in every file
    assert (
        lines.filter(pl.col("expected") == "loaded")["fault"].null_count()
        == lines.filter(pl.col("expected") == "loaded").height
    )
    assert (lines["quantity_units"] > 0).all() and (lines["net_amount"] > 0).all()
    assert set(lines["line_type"].unique().to_list()) == {"sale", "return"}
    per_invoice = lines.group_by("distributor_code", "invoice_number").agg(
        pl.col("invoice_date").n_unique(), pl.col("outlet_code").n_unique()
    )
    assert (per_invoice["invoice_date"] == 1).all() and (per_invoice["outlet_code"] == 1).all()


def test_files_arrive_in_delivery_order(data_dir: Path) -> None:
    faults = _json(data_dir, "file_faults.json")
    odd = {f["file"] for f in faults if f["fault"] in ("late_file", "duplicate_file", "resent_corrected")}
    sales = data_dir / "inbox" / "distributor_sales"
    for folder in sorted(sales.iterdir()):
        # file names sort by period
        files = [p for p in sorted(folder.iterdir()) if f"distributor_sales/{folder.name}/{p.name}" not in odd]
        mtimes = [p.stat().st_mtime for p in files]
        assert mtimes == sorted(mtimes), folder.name
    masters = data_dir / "inbox" / "masters" / "BRAND" / "skus.csv"
    first_sales = min(p.stat().st_mtime for p in sales.rglob("*.*"))
    assert masters.stat().st_mtime < first_sales


def test_primary_sales_and_claims_files(data_dir: Path) -> None:
    primary = sorted((data_dir / "inbox" / "primary_sales" / "BRAND").iterdir())
    assert [p.name for p in primary] == ["primary_2026-07.csv", "primary_2026-08.csv"]
    rows = [r for p in primary for r in _csv(p)]
    truth = pl.read_parquet(data_dir / "truth" / "primary_lines.parquet")
    assert len(rows) == truth.height
    assert {r["Document Type"] for r in rows} == {"INV", "CRN"}
    assert all(r["Delivery Date"] > r["Document Date"] for r in rows if r["Document Type"] == "INV")
    statements = sorted((data_dir / "inbox" / "stock_statement").rglob("*.xlsx"))
    assert len(statements) == TINY.distributors * 2
    claims = sorted((data_dir / "inbox" / "scheme_claims").rglob("claims_*.csv"))
    assert claims and list(_csv(claims[0])[0]) == ["Scheme Code", "Party Code", "Claimed Amount"]


def test_ingest_reads_the_files_back_into_the_truth(data_dir: Path, tmp_path: Path) -> None:
    """Every layout is readable: what ingest loads is exactly the truth's loaded lines, and what it quarantines
    is exactly the truth's quarantined lines (the e2e test checks the same through dbt)."""
    from ingest.core.lake import Lake
    from ingest.core.runner import ingest_inbox

    lake = Lake(tmp_path / "raw")
    kinds = ["masters", "distributor_sales", "tally_daybook", "stock_statement"]
    outcomes = ingest_inbox(data_dir / "inbox", lake, kinds=kinds)
    assert [o.file_name for o in outcomes if o.status == "failed"] == []
    faults = _json(data_dir, "file_faults.json")
    superseded = [f["replaces"] for f in faults if f["fault"] == "resent_corrected"]
    superseded += [f["file"] for f in faults if f["fault"] == "truncated_file"]  # re-sent complete
    ledger = lake.ledger().filter(pl.col("status") == "loaded")

    def table(name: str) -> pl.DataFrame:
        return lake.read_table(name, ledger.filter(pl.col("table_name") == name)["load_id"].to_list())

    columns = ["distributor_code", "invoice_number", "invoice_date", "line_type", "sku_code", "quantity_units"]
    files = table("secondary_sales").filter(~pl.col("_source_file").is_in(superseded))
    vouchers = table("tally_voucher_lines").filter(pl.col("line_type").is_in(["sale", "return"]))
    tally = vouchers.rename(
        {"voucher_number": "invoice_number", "voucher_date": "invoice_date", "amount": "net_amount"}
    )
    truth = pl.read_parquet(data_dir / "truth" / "secondary_lines.parquet")
    expected = truth.filter(pl.col("expected") == "loaded").select(*columns, "free_units", "net_amount")
    got = pl.concat([f.select(*columns, "free_units", "net_amount") for f in (files, tally)])
    assert tally.height > 0 and expected.sort(columns).equals(got.sort(columns))

    quarantine = pl.read_parquet(tmp_path / "raw" / "_quarantine" / "*.parquet").filter(
        pl.col("source_kind").is_in(["distributor_sales", "tally_daybook"])
    )
    assert quarantine.height == truth.filter(pl.col("expected") == "quarantined").height
    planted = {
        (f["file"], r["row"]): r["expected_reason_code"]
        for f in faults
        if f["fault"] in ("malformed_rows", "unknown_sku")
        for r in f["rows"]
    }
    found = {
        (row["_source_file"], row["_row_number"]): row["reason_code"]
        for row in quarantine.filter(pl.col("reason_code") != "cancelled_document").iter_rows(named=True)
    }
    assert found == planted

    statements = table("stock_statement")
    stock = pl.read_parquet(data_dir / "truth" / "stock_truth.parquet")
    joined = stock.join(statements, on=["distributor_code", "sku_code", "period_start"], how="left")
    assert joined.filter(pl.col("closing_units") != pl.col("closing_units_reported")).height == 0
    assert joined["closing_units"].null_count() == 0


def test_one_outlet_moves_beat_in_the_mid_period_snapshot(data_dir: Path) -> None:
    masters = data_dir / "inbox" / "masters" / "BRAND"
    [move] = _json(data_dir, "outlet_moves.json")
    planted = _planted(data_dir, "outlets")
    before = {o["outlet_code"]: o for o in _csv(masters / "outlets.csv") if o["outlet_code"] not in planted}
    later = masters / f"outlets_{move['on']}.csv"
    after = {o["outlet_code"]: o for o in _csv(later)}
    assert after.keys() == before.keys()
    changed = {code for code in before if before[code] != after[code]}
    assert changed == {move["outlet_code"]}
    assert (before[move["outlet_code"]]["beat_code"], after[move["outlet_code"]]["beat_code"]) == (
        move["from_beat"],
        move["to_beat"],
    )
    beats = {b["beat_code"]: b["distributor_code"] for b in _csv(masters / "beats.csv")}
    assert beats[move["to_beat"]] == after[move["outlet_code"]]["distributor_code"]
    assert datetime.fromtimestamp(later.stat().st_mtime, UTC).date().isoformat() == move["on"]


def test_tally_daybooks_are_real_shaped(data_dir: Path) -> None:
    """The generator's Tally Day Books carry what real ones do: UTF-16 with a BOM and CRLF, `&#4;` references,
    custom voucher types behind RESERVEDNAME and PARENT, a number shared by two voucher types, KG with decimals,
    Box and Pair units, a line over a crore; and Tally's Excel Day Book with title rows and continuation rows."""
    from openpyxl import load_workbook

    files = _json(data_dir, "tally_files.json")
    xml = [data_dir / "inbox" / f["file"] for f in files if f["format"] == "xml"]
    xlsx = [data_dir / "inbox" / f["file"] for f in files if f["format"] == "xlsx"]
    assert xml and xlsx
    raw = xml[0].read_bytes()
    assert raw.startswith(b"\xff\xfe") and b"\r\x00\n\x00" in raw
    text = "".join(p.read_bytes().decode("utf-16") for p in xml)
    assert "&#4; Not Applicable" in text and "<UDF:VCHNARRATION" in text
    assert '<VOUCHERTYPE NAME="GST Sale Invoice" RESERVEDNAME="Sales">' in text
    assert "<PARENT>GST Sale Invoice</PARENT>" in text and "<VOUCHERTYPENAME>Van Sale</VOUCHERTYPENAME>" in text
    assert re.search(r"<BILLEDQTY> \d+\.\d{3} KG</BILLEDQTY>", text) and " Box</BILLEDQTY>" in text
    assert " Pair</BILLEDQTY>" in text
    assert any(f["shared_numbers"] for f in files)
    assert [c["amount"] > 10_000_000 for f in files for c in f["over_a_crore"]] == [True]
    sheet = load_workbook(xlsx[0]).active
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == ["A1:C1", "A2:C2", "A3:C3", "A4:C4"]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert rows[0][:8] == ("Date", "Particulars", None, None, None, None, "Vch Type", "Vch No.")
    continuation = [r for r in rows[1:] if not r[6] and r[1] and isinstance(r[4], float | int) and r[5] is None]
    assert continuation and all(r[0] in (None, "") and r[7] in (None, "") for r in continuation)
