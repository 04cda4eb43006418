"""Cell text to values: Indian numbers and every date form distributors send."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from ingest.core.values import decide_day_first, name_key, parse_date, parse_integer, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05-11-2026", date(2026, 11, 5)),
        ("5/11/26", date(2026, 11, 5)),
        ("3-Nov-26", date(2026, 11, 3)),
        ("05.11.2026", date(2026, 11, 5)),
        ("2026-11-05 00:00:00", date(2026, 11, 5)),
        ("46331", date(2026, 11, 5)),
        ("03 November 2026", date(2026, 11, 3)),
        ("31-13-2026", None),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_date_day_first(text: str, expected: date | None) -> None:
    got = pl.DataFrame({"d": [text]}).select(parse_date(pl.col("d")).alias("d"))["d"][0]
    assert got == expected


def test_month_first_only_on_the_files_own_evidence() -> None:
    assert decide_day_first(pl.Series(["05/11/26", "25/11/26"])) is True
    assert decide_day_first(pl.Series(["05/11/26", "11/25/26"])) is False
    assert decide_day_first(pl.Series(["05/11/26", "06/11/26"])) is True  # ambiguous: Indian default
    got = pl.DataFrame({"d": ["11/25/26"]}).select(parse_date(pl.col("d"), day_first=False).alias("d"))["d"][0]
    assert got == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("₹1,23,456.00", 123456.0),
        ("Rs. 1,234.50", 1234.5),
        (" 1,250.00 ", 1250.0),
        ("(12.50)", -12.5),
        ("INR 5", 5.0),
        ("1O", None),
        ("1\u00a0250", 1250.0),
    ],
)
def test_parse_number(text: str, expected: float | None) -> None:
    assert pl.DataFrame({"n": [text]}).select(parse_number(pl.col("n")).alias("n"))["n"][0] == expected


def test_quantities_must_be_whole() -> None:
    got = pl.DataFrame({"n": ["12", "12.0", "12.5", "x"]}).select(parse_integer(pl.col("n")).alias("n"))["n"].to_list()
    assert got == [12, 12, None, None]


def test_keys_ignore_case_space_and_punctuation() -> None:
    got = pl.DataFrame({"k": ["Crunchy  Glucose-100 G", "CRUNCHY GLUCOSE 100G"]}).select(
        name_key(pl.col("k")).alias("k")
    )
    assert got["k"][0] == got["k"][1] == "crunchyglucose100g"
