"""Incremental models give the same marts as a full build: nights replayed in the order files arrived (late and
re-sent files included) end where one build of everything ends."""

from datetime import date
from pathlib import Path

import pytest

from sellthrough.pipeline import run_nightly
from tests.pipeline_helpers import copy_network, fingerprint, published_path

pytestmark = pytest.mark.e2e


def test_nightly_increments_equal_one_full_build(tiny_inbox: Path, tiny_network: Path, tmp_path: Path) -> None:
    data_dir = copy_network(tiny_inbox, tmp_path / "net")
    for night in (date(2026, 7, 20), date(2026, 8, 10), date(2026, 8, 24)):
        outcome = run_nightly(data_dir, run_date=night)
        assert outcome.success, (night, outcome.failed_steps)
    outcome = run_nightly(data_dir)  # the rest, late and re-sent files included
    assert outcome.success, outcome.failed_steps

    assert fingerprint(published_path(data_dir)) == fingerprint(published_path(tiny_network))
