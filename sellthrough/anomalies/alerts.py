"""New sales anomalies go out through the channel failed runs use (sellthrough/alerts.py): a JSON file under
data/alerts/, a log line, and the webhook when SELLTHROUGH_ALERT_WEBHOOK is set.

Each anomaly is alerted once: the ids already sent are kept in data/alerts/anomalies_alerted.json, so a night
that finds nothing new sends nothing. Read from the published file, after publish (never the file dbt writes)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb

from sellthrough.alerts import Alert, record_alert
from sellthrough.config import Settings

log = logging.getLogger("sellthrough.anomalies")
SENT_FILE = "anomalies_alerted.json"
LISTED = 20  # anomalies named in the paragraph (all are in details)


def alert_new_anomalies(settings: Settings, run_id: str, job_name: str) -> Path | None:
    """Record one alert for the anomalies in the published fct_sales_anomalies not alerted before; returns the
    alert file, or None when there is nothing new (or no published mart yet)."""
    rows = _anomalies(settings.published_path)
    sent_path = settings.alerts_dir / SENT_FILE
    sent = set(json.loads(sent_path.read_text(encoding="utf-8"))) if sent_path.is_file() else set()
    new = [row for row in rows if row["anomaly_id"] not in sent]
    if not new:
        return None
    lines = [_line(row) for row in new]
    message = f"{len(new)} new sales anomal{'y' if len(new) == 1 else 'ies'}: " + "; ".join(lines[:LISTED])
    if len(new) > LISTED:
        message += f"; and {len(new) - LISTED} more (fct_sales_anomalies)"
    alert = Alert.now(f"anomalies-{run_id}", job_name, [], message + ".", details=lines)
    path = record_alert(alert, settings.alerts_dir, kind="sales_anomalies")
    tmp = sent_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(sorted(sent | {row["anomaly_id"] for row in new})), encoding="utf-8")
    tmp.replace(sent_path)
    return path


def _anomalies(published: Path) -> list[dict]:
    """The published anomalies, newest first. The file is attached to a fresh in-memory database (as the dashboard
    does): a connection this process already holds on the path would be another night's file, or another
    configuration's. A file that cannot be read gives none (logged): an alert never fails the night."""
    if not published.is_file():
        return []
    con = duckdb.connect(":memory:")
    try:
        con.execute("attach ? as night (read_only)", [str(published)])
        if not con.execute(
            "select count(*) from duckdb_tables() where database_name = 'night' and table_name = 'fct_sales_anomalies'"
        ).fetchall()[0][0]:
            return []
        cursor = con.execute(
            "select anomaly_id, level, series_key, kind, start_date, size_units, size_pct "
            "from night.main.fct_sales_anomalies order by start_date desc, abs(size_units) desc"
        )
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    except duckdb.Error as exc:
        log.error("sales anomaly alerts: cannot read %s: %s", published, exc)
        return []
    finally:
        con.close()


def _line(row: dict) -> str:
    pct = f" ({row['size_pct']:+.0f}%)" if row["size_pct"] is not None else ""
    return (
        f"{row['kind'].replace('_', ' ')} in {row['level'].replace('_', ' ')} {row['series_key']} from "
        f"{row['start_date']}: {row['size_units']:+,.0f} units{pct}"
    )
