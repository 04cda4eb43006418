"""Suggestions for unmatched names (ingest/core/name_match.py): pack sizes in any unit, typos, abbreviations, the
distributor's aliases, chat filler words; and a name for a pack the brand does not make stays below a bulk accept.
The accuracy on the generator's chats is measured by `python -m bench review_suggestions`."""

from __future__ import annotations

import pytest

from ingest.core.name_match import SkuMatcher, outlet_suggestions, parse_name

SKUS = [
    ("S1", "Zing Aloo Bhujia 35 g"),
    ("S2", "Zing Aloo Bhujia 150 g"),
    ("S3", "Zing Aloo Bhujia 1 kg"),
    ("S4", "Crunchy Glucose Biscuit 250 g"),
    ("S5", "Crunchy Marie Biscuit 250 g"),
    ("S6", "Tazza Jeera Soda 250 ml"),
    ("S7", "Tazza Mango Drink 2.25 l"),
]


@pytest.mark.parametrize(
    ("text", "pack"),
    [
        ("ALOO BHUJJIA 1 KG", ("g", 1000.0)),
        ("aloo bhujia 1000gms", ("g", 1000.0)),
        ("Jeeera Soda 250ML", ("ml", 250.0)),
        ("mango drink 2.25 ltr", ("ml", 2250.0)),
        ("Mango Drink 2250 ml", ("ml", 2250.0)),
        ("Marie Biscuit", None),
    ],
)
def test_pack_sizes_are_read_in_one_unit(text: str, pack: tuple | None) -> None:
    assert parse_name(text).pack == pack


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("Aloo Bhuujia 35 g", "S1"),  # a typo, the brand left out: the pack decides among three Aloo Bhujia
        ("ALOO BHUJJIA 1000 GMS", "S3"),  # 1000 g is the 1 kg pack
        ("Gluc Biscuit 250 g", "S4"),  # an abbreviation
        ("marie bisc 250gm", "S5"),
        ("Jeeera Soda 250ml", "S6"),
        ("mango drnk 2.25 l", "S7"),
    ],
)
def test_the_meant_sku_comes_first(text: str, meant: str) -> None:
    found = SkuMatcher.build(SKUS).suggest(text)
    assert found[0][0] == meant
    assert len(found) == 1 or found[0][1] > found[1][1]  # first by a margin, not by a tie


def test_a_pack_the_brand_does_not_make_scores_below_a_bulk_accept() -> None:
    found = SkuMatcher.build(SKUS).suggest("Crunchy Glucose Biscuit 1 kg")
    assert found[0][0] == "S4" and found[0][1] <= 75  # every word right, the pack wrong
    assert SkuMatcher.build(SKUS).suggest("Kesar Rusk 300 g") == []  # nothing in common: no suggestion


def test_the_distributors_aliases_count_for_their_sku_only_for_that_distributor() -> None:
    matcher = SkuMatcher.build(SKUS, aliases=[("D001", "ZNG BHJ SML", "S1"), ("D001", "ZNG BHJ BIG", "S3")])
    assert matcher.suggest("zng bhj big", distributor_code="D001")[0] == ("S3", 100.0)
    elsewhere = matcher.suggest("zng bhj big", distributor_code="D002")
    assert not elsewhere or elsewhere[0][1] < 80


def test_outlets_are_matched_without_the_chats_filler_words() -> None:
    outlets = {"O1": "Ganesh Provision Store", "O2": "Shah Provision Store", "O3": "Sai Provisions"}
    found = outlet_suggestions("ganesh provision store ka order", outlets)
    assert found[0] == ("O1", 100.0) and found[1][1] < 90
