"""Alerts from every run path, the schedule on by default, and the published file analysts copy around
(issue 18, 5, 7 and 8)."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from dagster import (
    AssetSelection,
    DagsterEventType,
    DagsterInstance,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    Failure,
    asset,
    build_run_status_sensor_context,
    define_asset_job,
    in_process_executor,
)

from orchestration.definitions import defs
from orchestration.pipeline import ALERTED_BY_CALLER
from sellthrough.publish import check_self_contained, connect_published
from tests.pipeline_helpers import published_path


def test_the_nightly_schedule_the_sensor_and_the_alerts_are_on_by_default() -> None:
    assert defs.get_schedule_def("nightly_0200_ist").default_status == DefaultScheduleStatus.RUNNING
    for name in ("inbox_arrivals", "alert_on_run_failure"):
        assert defs.get_sensor_def(name).default_status == DefaultSensorStatus.RUNNING
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "DAGSTER_HOME ?= $(CURDIR)/data/dagster" in makefile  # the schedule's state survives a restart


@asset
def boom() -> None:
    raise Failure(description="the lake's disk is full")


def failed_run(tags: dict[str, str]):
    jobs = Definitions(
        assets=[boom], jobs=[define_asset_job("j", AssetSelection.all(), executor_def=in_process_executor)]
    )
    instance = DagsterInstance.ephemeral()
    result = jobs.resolve_job_def("j").execute_in_process(instance=instance, raise_on_error=False, tags=tags)
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(
        sensor_name="alert_on_run_failure",
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        dagster_event=failure,
    )
    return result.run_id, context.for_run_failure()


def test_a_scheduled_or_sensor_run_that_fails_alerts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SELLTHROUGH_DATA_DIR", str(tmp_path))
    sensor = defs.get_sensor_def("alert_on_run_failure")

    run_id, context = failed_run({"dagster/schedule_name": "nightly_0200_ist"})
    sensor(context)
    alert = json.loads((tmp_path / "alerts" / f"{run_id}.json").read_text())
    assert alert["failed_steps"] == ["boom"] and "the lake's disk is full" in alert["message"]
    assert alert["details"] and "Failure" in alert["details"][0]

    run_id, context = failed_run({ALERTED_BY_CALLER: "pipeline"})  # `sellthrough run` recorded its own alert
    sensor(context)
    assert not (tmp_path / "alerts" / f"{run_id}.json").exists()


def test_the_published_file_answers_without_file_access_wherever_it_is_copied(
    tiny_network: Path, tmp_path: Path
) -> None:
    published = published_path(tiny_network)
    assert stat.S_IMODE(published.stat().st_mode) == 0o444
    elsewhere = tmp_path / "laptop" / "sales_copy.duckdb"  # another folder, another name
    elsewhere.parent.mkdir()
    shutil.copyfile(published, elsewhere)
    check_self_contained(elsewhere)  # every table and view binds with external access off
    with connect_published(elsewhere) as con:
        views = con.execute("select schema_name, view_name, sql from duckdb_views() where not internal").fetchall()
        assert all("read_parquet" not in sql and "read_csv" not in sql for _, _, sql in views)
        rows = con.execute("select count(*) from intermediate.int_secondary_sales__current").fetchone()[0]
        assert rows == con.execute("select count(*) from main.fct_secondary_sales").fetchone()[0] > 0
        staging = {
            r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'staging'").fetchall()
        }
        assert {"stg_masters__outlets", "stg_reviews__decisions", "stg_outlet_master__clusters"} <= staging
