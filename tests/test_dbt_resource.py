"""The dbt resource's shortcuts (orchestration/dbt.py SellthroughDbtCli) stay true to what they replace."""

from __future__ import annotations

import re
import subprocess

from dagster_dbt import DbtCliResource

from orchestration.dbt import DBT_EXECUTABLE, SellthroughDbtCli, dbt_resource


def test_the_dbt_version_without_a_process_is_the_executables() -> None:
    printed = subprocess.run([str(DBT_EXECUTABLE), "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+\.\d+\.\d+)", printed)
    assert match is not None, printed
    resource = dbt_resource()
    assert isinstance(resource, SellthroughDbtCli)
    assert str(resource._cli_version) == match.group(1)


def test_the_overridden_internals_still_exist_in_dagster_dbt() -> None:
    """An upgrade that renames them would leave the overrides unused (the costs back, nothing failing): fail here."""
    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource), f"dagster-dbt no longer has DbtCliResource.{name}"
        assert name in vars(SellthroughDbtCli)
    assert dbt_resource()._initialize_dbt_core_adapter(["build"]) is None
