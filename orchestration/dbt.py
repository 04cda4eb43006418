"""dbt models as Dagster assets, through dagster-dbt. dbt tests become asset checks (blocking on failure)."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from dagster import AssetCheckSpec, AssetExecutionContext, AssetKey, AssetSpec, Failure
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging.version import Version

from ingest.core.failpoints import failpoint
from ingest.core.locks import exclusive_lock, wait_for_duckdb_writer
from orchestration.publish_gate import hold_back_and_publish
from orchestration.resources import SellthroughResource
from sellthrough.build_report import REPORTS_DIR, BuildReport, from_dbt_run
from sellthrough.config import DBT_PROJECT_DIR, DBT_TARGET_DIR, Settings
from sellthrough.test_windows import ENV_VAR as TEST_WINDOW_ENV
from sellthrough.test_windows import dbt_test_window
from sellthrough.warehouse import recover_corrupt_warehouse

WAREHOUSE_LOCK_WAIT_SECONDS = 1800  # a scheduled run and a sensor run meet: the second waits
RUN_TARGETS_KEPT = 7  # dagster-dbt gives every invocation its own target folder (~18 MB): the last week's stay
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
NIGHTLY_EXCLUDES = ["--exclude-resource-type", "unit_test"]
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=DBT_TARGET_DIR)


def prune_run_targets(target_dir: Path, prefix: str, keep: int = RUN_TARGETS_KEPT) -> list[Path]:
    """Remove all but the `keep` newest per-invocation target folders (`<prefix>-<run id>-<hash>`, written by
    dagster-dbt: compiled SQL, manifest, run_results, logs of one run) and return what went. Without this a
    nightly job leaves ~18 MB a night under dbt_project/target. Other folders there are never touched."""
    runs = sorted(
        (p for p in target_dir.glob(f"{prefix}-*") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    return runs[keep:]


def keep_partial_parse(run_target: Path, project_target: Path) -> bool:
    """Copy the run's partial_parse.msgpack to the project's target folder, where dagster-dbt takes it for the next
    invocation. The one `make setup` parsed was made under another profile (the deployment's paths), so dbt parsed
    the whole project again on every run (4-5 s at demo scale, bench/README.md freshness); dbt checks the file
    (project files, profile, variables) and parses again when it does not fit, so a stale copy costs only that."""
    source = run_target / PARTIAL_PARSE_FILE
    if not source.exists():
        return False
    staging = project_target / f".{PARTIAL_PARSE_FILE}.{os.getpid()}.tmp"
    shutil.copyfile(source, staging)
    os.replace(staging, project_target / PARTIAL_PARSE_FILE)
    return True


def _project_files() -> list[Path]:
    roots = [DBT_PROJECT_DIR / "dbt_project" / d for d in ("models", "macros", "seeds", "snapshots", "tests")]
    files = [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]
    return [*files, DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]


def ensure_manifest() -> Path:
    """The manifest is built by `make setup`; it is rebuilt here when missing or older than any project file
    (a stale manifest would not know the nodes `dbt build` reports)."""
    manifest = DBT_PROJECT.manifest_path
    if manifest.exists():
        built = manifest.stat().st_mtime
        if all(p.stat().st_mtime <= built for p in _project_files()):
            return manifest
    env = {**os.environ, **Settings.from_env().dbt_env()}
    subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(DBT_TARGET_DIR),
            "--quiet",
        ],
        check=True,
        env=env,
    )
    return manifest


class SellthroughDbtTranslator(DagsterDbtTranslator):
    """Sources map to the Python assets' keys (`raw/<table>`, `derived/<table>`); models group by layer folder, KPIs
    (`kpi_*`, in their domain's marts folder) in analytics."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            layer = "derived" if dbt_resource_props.get("source_name") == "derived" else "raw"
            return AssetKey([layer, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_asset_check_spec(
        self, asset_spec: AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetCheckSpec | None:
        """dbt tests as asset checks that do not block in Dagster: a failed test holds back, in the publish, only
        the models it touches (orchestration/publish_gate.py), instead of stopping every step after dbt."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        return spec._replace(blocking=False) if spec is not None else None

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("name", "").startswith("kpi_"):  # KPIs sit in their domain's marts folder
            return "analytics"
        for layer in ("staging", "intermediate", "marts"):
            if layer in fqn:
                return layer
        return "analytics"


TRANSLATOR = SellthroughDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=ensure_manifest(), dagster_dbt_translator=TRANSLATOR)
def sellthrough_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, sellthrough: SellthroughResource
) -> Iterator[Any]:
    """`dbt build`: every model and its data tests, in dependency order; a failing test stops what is below it.
    The unit tests (formulas on hand-written rows) are left to CI."""
    settings = sellthrough.export_env()
    failpoint("nightly.before_dbt")
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(settings.warehouse_lock_path, timeout_seconds=WAREHOUSE_LOCK_WAIT_SECONDS):
        recovered = recover_corrupt_warehouse(settings.warehouse_path, settings.published_path)
        if recovered:
            context.log.warning(recovered)
        # a dbt orphaned by a killed run may still hold DuckDB's own file lock: wait for it to finish
        wait_for_duckdb_writer(settings.warehouse_path, timeout_seconds=WAREHOUSE_LOCK_WAIT_SECONDS)
        pruned = prune_run_targets(DBT_TARGET_DIR, prefix=context.op_execution_context.op.name)
        if pruned:
            context.log.info(f"removed {len(pruned)} old dbt run folders under {DBT_TARGET_DIR}")
        command = ["build", "--full-refresh"] if sellthrough.full_refresh else ["build"]
        # unit tests check the SQL on fixed, hand-written rows: they run in CI (tests/test_dbt_unit_tests.py), not
        # every night against the same code (dbt's own advice; each costs a second or two per build)
        command += NIGHTLY_EXCLUDES
        # data tests on incremental models read the rows built since the published version (the whole table on
        # the weekly full test run, a first night, a held-back model): macros/testing/test_window.sql
        window = dbt_test_window(settings.published_path, full_tests=sellthrough.tests_whole_tables())
        os.environ[TEST_WINDOW_ENV] = window
        if not window:
            context.log.info("dbt tests read whole tables tonight")
        # a failed test or model does not raise here: the report below holds back only what it touches
        try:
            invocation = dbt.cli(command, context=context, raise_on_error=False)
            for done, event in enumerate(invocation.stream(), start=1):
                if done == 20:
                    failpoint("dbt.during_build")
                yield event
        finally:  # dbt has its copy; nothing else this process starts (a hand-run dbt, a test) may inherit it
            os.environ.pop(TEST_WINDOW_ENV, None)
        keep_partial_parse(invocation.target_path, DBT_TARGET_DIR)
        run_id = context.run.run_id
        report = _build_report(invocation, settings, run_id)
        if not report.ok:
            from expectations.marts import mart_run_id

            hold_back_and_publish(
                settings,
                report,
                mart_run_id=mart_run_id(run_id),
                full_tests=sellthrough.tests_whole_tables(),
                delta=not sellthrough.tests_whole_tables(),
                log=context.log.error,
            )
            raise Failure(description=report.paragraph(), metadata={"report": str(report_path(settings, run_id))})


def report_path(settings: Settings, run_id: str) -> Path:
    return settings.data_dir / REPORTS_DIR / f"{run_id}.json"


def _build_report(invocation: DbtCliInvocation, settings: Settings, run_id: str) -> BuildReport:
    """What the build failed and which files caused it (sellthrough/build_report.py). A dbt that wrote no
    results (it could not parse or connect) fails the step as it is, nothing being publishable."""
    try:
        run_results = invocation.get_artifact("run_results.json")
        manifest = invocation.get_artifact("manifest.json")
    except (OSError, ValueError) as missing:
        raise Failure(description=f"dbt build ended without results ({missing}); nothing was published") from None
    report = from_dbt_run(run_id, run_results, manifest, settings.warehouse_path, settings.published_path)
    report.write(settings.data_dir)
    return report


class SellthroughDbtCli(DbtCliResource):
    """dagster-dbt's dbt resource without two costs it pays before every `dbt build` that Sellthrough has no use
    for (about 3 s of each sensor run at demo scale, more in a fresh run worker; bench/README.md "Session 18"):
    - the version of the dbt executable, which dagster-dbt asks `dbt --version` for in a new process (2.7 s of dbt's
      imports): the executable is this environment's (DBT_EXECUTABLE), so its version is the installed dbt-core's;
    - a handle to the dbt adapter in this process (loading the profile and project, importing the adapter), used only
      to fetch row counts and column metadata after each model, which the nightly does not ask for.
    Both are dagster-dbt internals of the pinned release (constraints.txt): tests/test_dbt_resource.py fails when an
    upgrade renames them, and checks the version against the executable's."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def dbt_resource() -> DbtCliResource:
    # the dbt next to this interpreter: the venv's, whether or not the venv is on PATH
    return SellthroughDbtCli(
        project_dir=DBT_PROJECT,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(DBT_EXECUTABLE),
    )
