"""Helpers for tests that run the whole pipeline on a tiny generated network."""

import json
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from generator import NetworkConfig, generate
from ingest.core.files import sha256_of
from orchestration.pipeline import run_nightly
from sellthrough.config import DBT_PROJECT_DIR, REPO_ROOT, Settings

# dbt with the Spark adapter, installed apart from the project's venv by `make test` (Makefile: SPARK_VENV)
SPARK_DBT = Path(os.environ.get("SELLTHROUGH_SPARK_DBT", REPO_ROOT / ".venv-spark" / "bin" / "dbt"))
TINY = NetworkConfig(seed=7, distributors=6, outlets=60, skus=12, days=62, start=date(2026, 7, 1))
MARTS = (
    "fct_secondary_sales",
    "fct_primary_sales",
    "fct_distributor_stock_reconciliation",
    "fct_distributor_stock_daily",
    "fct_scheme_redemption",
    "ops.fct_quarantined_rows",
    "dim_sku",
    "dim_distributor",
    "dim_outlet",
    "kpi_geo_performance",
    "kpi_distribution",
    "kpi_effective_coverage",
    "kpi_distributor_stock_health",
    "kpi_non_performing_outlets",
    "intermediate.int_distributor_stock__daily_movements",
)


def planted_problems(data_dir: Path) -> dict[str, list[dict]]:
    """The generator's truth/problems.json, grouped by problem."""
    grouped: dict[str, list[dict]] = {}
    for problem in json.loads((data_dir / "truth" / "problems.json").read_text()):
        grouped.setdefault(problem["problem"], []).append(problem)
    return grouped


def overstocked_distributors(problems: dict[str, list[dict]], cover_days: float = 45) -> dict[str, float]:
    """Distributor -> days of cover at the end, for every distributor the truth says is overstocked: the planted
    overstock, and a distributor stuffed by primary (issue 17) once its pushed stock passes `cover_days`."""
    (planted,) = problems["overstock"]
    stuffed = [p for p in problems.get("primary_stuffing", []) if p["closing_cover_days_at_end"] > cover_days]
    return {p["distributor_code"]: p["closing_cover_days_at_end"] for p in [planted, *stuffed]}


def published_path(data_dir: Path) -> Path:
    return data_dir / "published" / "sellthrough.duckdb"


def fingerprint(database: Path, marts: tuple[str, ...] = MARTS) -> dict[str, tuple]:
    """Row count and an order-independent hash of every mart's content. Load ids, surrogate keys derived
    from them and load times differ from run to run and are left out."""
    out = {}
    with duckdb.connect(str(database), read_only=True) as con:
        for mart in marts:
            empty = con.sql(f"select * from {mart} limit 0")
            types = dict(zip(empty.columns, map(str, empty.dtypes), strict=True))
            columns = [
                c
                for c in empty.columns
                if not c.startswith("_") and not c.endswith("_key") and c not in {"load_id", "received_at"}
            ]
            # sums of doubles differ in their last bits with the order they were added in: compare to 4 places
            select = ", ".join(f'round("{c}", 4)' if types[c] == "DOUBLE" else f'"{c}"' for c in columns)
            out[mart] = con.execute(f"select count(*), sum(hash(row({select}))) from {mart}").fetchone()
    return out


def generate_and_run(data_dir: Path) -> Path:
    generate(data_dir, TINY)
    outcome = run_nightly(data_dir)
    assert outcome.success, f"nightly run failed at {outcome.failed_steps}"
    return data_dir


def copy_network(source: Path, target: Path) -> Path:
    """A private copy of a generated (and maybe loaded) network for a test that changes it."""
    shutil.copytree(source, target, symlinks=False)
    return target


def last_received(inbox: Path, kind: str) -> Path:
    """The kind's file received last (its arrival time, then its name) among those whose bytes no other file has:
    a real new load, not a duplicate the ingest skips."""
    files = [p for p in (inbox / kind).rglob("*") if p.is_file() and not p.name.startswith(".")]
    counts = Counter(sha256_of(p) for p in files)
    unique = [p for p in files if counts[sha256_of(p)] == 1]
    return max(unique, key=lambda p: (p.stat().st_mtime, p.name))


def hold_back(data_dir: Path, kinds: Sequence[str]) -> list[Path]:
    """Moves each kind's last received file out of the inbox (to `held/`), for a first night without them; returns
    their paths relative to the inbox (deliver_held puts them back)."""
    inbox = data_dir / "inbox"
    held = [last_received(inbox, kind).relative_to(inbox) for kind in kinds]
    for relative in held:
        target = data_dir / "held" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(inbox / relative, target)
    return held


def deliver_held(data_dir: Path, held: Sequence[Path]) -> None:
    """The held-back files arrive (again): copied into the inbox with their arrival times."""
    for relative in held:
        shutil.copy2(data_dir / "held" / relative, data_dir / "inbox" / relative)


def run_dbt(
    data_dir: Path,
    warehouse: Path,
    work: Path,
    *args: str,
    project_dir: Path = DBT_PROJECT_DIR,
    extra_env: dict[str, str] | None = None,
    dbt_executable: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` on `warehouse` (a copy), reading `data_dir`'s lake, with target and log folders under `work`:
    the network's own warehouse and the project's manifest stay untouched. `project_dir`: a copy of the project
    (a scaffolded source kind's); `extra_env`: more environment (another profile target); `dbt_executable`:
    another install's dbt (SPARK_DBT) instead of the project's."""
    from orchestration.dbt import DBT_EXECUTABLE  # here: importing it parses dbt when the manifest is stale

    env = {
        **os.environ,
        **Settings.from_env(data_dir).dbt_env(),
        "SELLTHROUGH_DUCKDB_PATH": str(warehouse),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        **(extra_env or {}),
    }
    command = [str(dbt_executable or DBT_EXECUTABLE), *args, "--project-dir", str(project_dir)]
    command += ["--profiles-dir", str(project_dir), "--target-path", str(work / "target")]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def spark_table(warehouse: Path, schema: str, table: str) -> str:
    """A Spark table of the session method's warehouse folder, as DuckDB reads it (parquet files; a partitioned
    table's in a folder per partition, `<column>=<value>/`, whose value DuckDB reads as the column)."""
    folder = warehouse / f"{schema}.db" / table
    if spark_partition_columns(folder):
        assert any(folder.glob("*=*/*.parquet")), f"Spark wrote no parquet file for {schema}.{table} under {folder}"
        return f"read_parquet('{folder}/*=*/*.parquet', hive_partitioning = true)"
    assert any(folder.glob("*.parquet")), f"Spark wrote no parquet file for {schema}.{table} under {folder}"
    return f"read_parquet('{folder}/*.parquet')"


def spark_partition_columns(folder: Path) -> list[str]:
    """The partition columns of a Spark table's folder (one level: the project partitions by one column)."""
    return sorted({part.name.split("=", 1)[0] for part in folder.glob("*=*") if part.is_dir()})


def engine_differences(
    con: duckdb.DuckDBPyConnection, spark: str, duck: str, partition_columns: Sequence[str] = ()
) -> tuple[int, int, int, int]:
    """The same table built by two engines (`spark`, a parquet read, and `duck`, a DuckDB relation): rows of each,
    and rows in one and not the other (EXCEPT ALL both ways), doubles and decimals rounded to 4 places (a sum's
    last bits depend on the order it was added in), timestamps compared as instants. The Spark table's columns
    are DuckDB's, in its order but for `partition_columns` (spark_partition_columns), which Spark puts last."""
    columns = con.sql(f"select * from {duck} limit 0").columns
    spark_columns = con.sql(f"select * from {spark} limit 0").columns
    expected = [c for c in columns if c not in partition_columns] + list(partition_columns)
    assert spark_columns == expected, f"columns differ: Spark {spark_columns} vs DuckDB {columns}"
    types = dict(zip(columns, map(str, con.sql(f"select * from {duck} limit 0").dtypes), strict=True))

    def select(relation: str) -> str:
        items = [
            f'round("{c}"::double, 4) as "{c}"'
            if types[c] in {"DOUBLE", "FLOAT"} or types[c].startswith("DECIMAL")
            # both engines store the same instant; DuckDB reads Spark's as timestamptz
            else f'"{c}"::timestamp as "{c}"'
            if types[c].startswith("TIMESTAMP")
            else f'"{c}"'
            for c in columns
        ]
        return f"select {', '.join(items)} from {relation}"

    counts = con.execute(f"select (select count(*) from {spark}), (select count(*) from {duck})").fetchone()
    only_spark = con.execute(f"select count(*) from ({select(spark)} except all {select(duck)})").fetchone()[0]
    only_duck = con.execute(f"select count(*) from ({select(duck)} except all {select(spark)})").fetchone()[0]
    return counts[0], counts[1], only_spark, only_duck
