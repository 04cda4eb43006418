"""What a person wants to see after a run, read from the published warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class RunSummary:
    files: dict[str, int]
    rows_loaded: int
    rows_quarantined: int
    quarantine_reasons: list[tuple[str, int]]
    largest_variances: list[tuple]
    marts: list[str]


def summarise(published: Path, top: int = 5) -> RunSummary:
    con = duckdb.connect(str(published), read_only=True)
    try:
        files = dict(
            con.execute(
                "select case when status = 'failed' then 'failed' when is_superseded then 'superseded' "
                "else 'loaded' end as s, count(*) from fct_file_loads group by 1"
            ).fetchall()
        )
        rows_loaded, rows_quarantined = con.execute(
            "select coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0) from fct_file_loads"
        ).fetchone()
        reasons = con.execute(
            "select reason_code, count(*) from fct_quarantined_rows group by 1 order by 2 desc"
        ).fetchall()
        variances = con.execute(
            "select distributor_code, sku_code, period_start, computed_closing_units, reported_closing_units, "
            "variance_units, round(variance_pct, 1) from fct_distributor_stock_reconciliation "
            "where not is_within_tolerance order by abs(variance_units) desc limit ?",
            [top],
        ).fetchall()
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_name like 'fct_%' "
                "or table_name like 'dim_%' order by 1"
            ).fetchall()
        ]
    finally:
        con.close()
    return RunSummary(files, int(rows_loaded), int(rows_quarantined), reasons, variances, marts)
