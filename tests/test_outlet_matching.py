"""Outlet de-duplication (`sellthrough.outlets`): rules, overrides, stable ids, golden records, flags."""

from __future__ import annotations

import json
import random
from itertools import combinations
from pathlib import Path

import polars as pl
import pytest

from generator import NetworkConfig, generate
from generator.masters import make_gstin
from sellthrough.outlets import OutletMatchResult, match_outlets
from sellthrough.outlets.blocking import candidate_pairs
from sellthrough.outlets.normalise import name_key, normalise_outlets, phone_key, plain_name
from sellthrough.outlets.validation import flag_outlets

PUNE = (18.5204, 73.8567)
METRE_LAT = 1 / 111_195  # degrees of latitude per metre
GSTIN_A = make_gstin(random.Random(1), "27", "S", "P")
GSTIN_B = make_gstin(random.Random(2), "27", "G", "P")


def outlet(
    code: str,
    name: str,
    north_m: float = 0.0,
    phone: str | None = None,
    gstin: str | None = None,
    beat: str = "D001-B01",
) -> dict:
    return {
        "outlet_code": code,
        "outlet_name": name,
        "distributor_code": "D001",
        "party_code": f"C{code[-3:]}",
        "channel": "GT",
        "outlet_class": "B",
        "beat_code": beat,
        "town": "Pune",
        "state": "Maharashtra",
        "latitude": PUNE[0] + north_m * METRE_LAT,
        "longitude": PUNE[1],
        "gstin": gstin,
        "phone": phone,
    }


def frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema_overrides={"gstin": pl.String, "phone": pl.String})


def ids(result: OutletMatchResult) -> dict[str, str]:
    return dict(result.clusters.select("outlet_code", "master_outlet_id").iter_rows())


def pair(result: OutletMatchResult, a: str, b: str) -> dict:
    rows = result.pairs.filter((pl.col("outlet_code_a") == min(a, b)) & (pl.col("outlet_code_b") == max(a, b)))
    assert rows.height == 1, f"pair {a}-{b} not in the audit"
    return rows.row(0, named=True)


def overrides(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"outlet_code_a": a, "outlet_code_b": b, "decision": d, "reason": "field visit", "decided_by": "asha"}
            for a, b, d in rows
        ]
    )


def test_names_phones_normalise() -> None:
    assert (
        name_key("Sharma Kirana Store") == name_key("M/s Sharma Kirana") == name_key("M/S. SHARMA KIRANA") == "sharma"
    )
    assert name_key("Shri Laxmi General Stores") == name_key("Messrs Laxmi & Sons") == "laxmi"
    assert name_key("Gupta Bros") == name_key("Gupta Brothers Agency") == "gupta"
    assert plain_name("Sharma Kirana Store (MG Road)") == "sharma kirana store"
    assert plain_name("SHARMA KIRANA & SONS") == "sharma kirana"
    assert name_key("General Store") == "general store"  # nothing left: keep the plain name
    assert phone_key("+91 98765-43210") == phone_key(9876543210) == "9876543210"
    assert phone_key("12345") is None and phone_key("0000000000") is None
    keyed = normalise_outlets(frame(outlet("OUT001", "x", gstin=" 27abcde1234f1z5 ")))
    assert keyed["gstin_key"].to_list() == ["27ABCDE1234F1Z5"]


def test_twin_under_a_variant_name_merges() -> None:
    result = match_outlets(
        frame(
            outlet("OUT001", "Sharma Kirana Store", 0, "9876543210"),
            outlet("OUT002", "M/s Sharma Kirana", 25, "9876543210"),
        )
    )
    assert ids(result) == {"OUT001": "OUT001", "OUT002": "OUT001"}
    audit = pair(result, "OUT001", "OUT002")
    assert (audit["rule"], audit["decision"], audit["source"]) == ("phone_equal_name", "merge", "rule")
    assert audit["features"]["phone_equal"] is True and audit["features"]["name_token_set"] == 100


def test_twin_without_phone_merges_on_name_and_gps() -> None:
    result = match_outlets(
        frame(outlet("OUT001", "Sharma Kirana Store", 0, "9876543210"), outlet("OUT002", "SHARMA KIRANA & SONS", 40))
    )
    assert ids(result)["OUT002"] == "OUT001"
    assert pair(result, "OUT001", "OUT002")["rule"] == "name_near"


def test_neighbours_with_different_names_stay_apart() -> None:
    result = match_outlets(
        frame(
            outlet("OUT001", "Sharma Kirana Store", 0, "9876543210"),
            outlet("OUT002", "Gupta Traders", 10, "9123456780"),
            outlet("OUT003", "Sharma Traders", 20),  # same key "sharma", other shop words, no phone
            outlet("OUT004", "Sharma Kirana Store (MG Road)", 30, "9988776655"),  # same name, other phone
        )
    )
    assert len(set(ids(result).values())) == 4
    assert pair(result, "OUT001", "OUT002")["rule"] == "near_name_differs"
    assert pair(result, "OUT001", "OUT003")["rule"] == "near_name_differs"
    assert pair(result, "OUT001", "OUT004")["rule"] == "name_near_phone_differs"
    assert result.pairs.filter(pl.col("decision") == "merge").height == 0


def test_phone_equality_needs_a_similar_name() -> None:
    result = match_outlets(
        frame(
            outlet("OUT001", "Laxmi General Stores", 0, "9876543210", beat="D001-B01"),
            outlet("OUT002", "Shri Laxmi Stores", 2000, "09876543210", beat="D001-B07"),
            outlet("OUT003", "Balaji Traders", 0, "8800112233", beat="D001-B02"),
            outlet("OUT004", "Ganesh Provisions", 3000, "8800112233", beat="D001-B09"),
        )
    )
    assert ids(result)["OUT002"] == "OUT001"
    assert pair(result, "OUT001", "OUT002")["rule"] == "phone_equal_name"
    assert ids(result)["OUT004"] == "OUT004"
    assert pair(result, "OUT003", "OUT004")["rule"] == "phone_equal_name_differs"


def test_gstin_equality_merges_and_different_gstins_do_not() -> None:
    result = match_outlets(
        frame(
            outlet("OUT001", "Rao Enterprises", 0, "9876543210", GSTIN_A, beat="D001-B01"),
            outlet("OUT002", "Venkat Retail", 200, "9123456780", GSTIN_A.lower(), beat="D001-B05"),
            outlet("OUT003", "Rao Enterprises", 60, "9876543210", GSTIN_B, beat="D001-B01"),
        )
    )
    assert ids(result)["OUT002"] == "OUT001"
    assert pair(result, "OUT001", "OUT002")["rule"] == "gstin_equal"
    assert ids(result)["OUT003"] == "OUT003"
    assert pair(result, "OUT001", "OUT003")["rule"] == "gstin_differs"


def test_ids_stable_across_a_rerun_with_a_new_outlet() -> None:
    first_rows = [
        outlet("OUT002", "Sharma Kirana Store", 0, "9876543210"),
        outlet("OUT005", "M/s Sharma Kirana", 20, "9876543210"),
        outlet("OUT003", "Gupta Traders", 500, "9123456780"),
    ]
    first = match_outlets(frame(*first_rows))
    assert ids(first) == {"OUT002": "OUT002", "OUT003": "OUT003", "OUT005": "OUT002"}
    # a new record of Gupta's shop that sorts before it, and a brand-new shop
    second = match_outlets(
        frame(
            *first_rows,
            outlet("OUT001", "Shri Gupta Traders", 510, "9123456780"),
            outlet("OUT009", "Balaji Provisions", 3000, "8800112233"),
        ),
        previous=first.clusters,
    )
    assert ids(second) == {
        "OUT001": "OUT003",  # joins an existing cluster: keeps the cluster's id, not its own earlier code
        "OUT002": "OUT002",
        "OUT003": "OUT003",
        "OUT005": "OUT002",
        "OUT009": "OUT009",
    }
    assert second.id_changes.height == 0
    again = match_outlets(frame(*first_rows), previous=second.clusters)
    assert ids(again) == ids(first)


def test_split_override_keeps_twins_apart_across_runs() -> None:
    rows = frame(
        outlet("OUT001", "Sharma Kirana Store", 0, "9876543210"),
        outlet("OUT002", "M/s Sharma Kirana", 25, "9876543210"),
    )
    split = overrides(("OUT002", "OUT001", "split"))
    first = match_outlets(rows, overrides=split)
    assert ids(first) == {"OUT001": "OUT001", "OUT002": "OUT002"}
    audit = pair(first, "OUT001", "OUT002")
    assert (audit["rule"], audit["decision"], audit["source"]) == ("override", "split", "override")
    assert (audit["engine_rule"], audit["engine_decision"]) == ("phone_equal_name", "merge")
    assert (audit["reason"], audit["decided_by"]) == ("field visit", "asha")
    second = match_outlets(rows, previous=first.clusters, overrides=split)
    assert ids(second) == ids(first)


def test_split_override_beats_a_chain_of_rule_merges() -> None:
    result = match_outlets(
        frame(
            outlet("OUT001", "Sharma Kirana Store", 0, "9876543210"),
            outlet("OUT002", "M/s Sharma Kirana", 20, "9876543210"),
            outlet("OUT003", "Shri Sharma Kirana Store", 40, "9876543210"),
        ),
        overrides=overrides(("OUT001", "OUT003", "split")),
    )
    assert ids(result)["OUT001"] != ids(result)["OUT003"]
    blocked = result.pairs.filter(pl.col("note").str.contains("kept apart by a split"))
    assert blocked.height == 1 and blocked["decision"].to_list() == ["no_merge"]


def test_merge_override_joins_two_outlets() -> None:
    rows = frame(
        outlet("OUT001", "Balaji Provisions", 0, "9876543210", beat="D001-B01"),
        outlet("OUT002", "New Balaji Super Bazaar", 5000, "9123456780", beat="D001-B08"),
    )
    assert candidate_pairs(normalise_outlets(rows)).pairs.height == 0
    result = match_outlets(rows, overrides=overrides(("OUT001", "OUT002", "merge")))
    assert ids(result) == {"OUT001": "OUT001", "OUT002": "OUT001"}
    audit = pair(result, "OUT001", "OUT002")
    assert (audit["rule"], audit["decision"], audit["source"]) == ("override", "merge", "override")
    assert audit["engine_decision"] == "no_merge"


def test_override_with_an_unknown_code_is_kept_but_not_applied() -> None:
    rows = frame(outlet("OUT001", "Balaji Provisions", 0, "9876543210"))
    result = match_outlets(rows, overrides=overrides(("OUT001", "OUT999", "merge")))
    assert ids(result) == {"OUT001": "OUT001"}
    assert "not in the master" in pair(result, "OUT001", "OUT999")["note"]
    with pytest.raises(ValueError, match="merge or split"):
        match_outlets(rows, overrides=overrides(("OUT001", "OUT002", "maybe")))


def test_every_pair_is_auditable() -> None:
    result = match_outlets(
        frame(
            outlet("OUT001", "Sharma Kirana Store", 0, "9876543210"),
            outlet("OUT002", "M/s Sharma Kirana", 25, "9876543210"),
            outlet("OUT003", "Gupta Traders", 10, "9123456780"),
        ),
        overrides=overrides(("OUT002", "OUT003", "split")),
    )
    pairs = result.pairs
    assert pairs.height == 3
    assert pairs["rule"].null_count() == 0 and pairs["score"].null_count() == 0
    assert set(pairs["source"]) == {"rule", "override"}
    assert set(pairs["decision"]) <= {"merge", "no_merge", "split"}
    fields = {f.name for f in pairs.schema["features"].fields}  # type: ignore[attr-defined]
    assert {"name_token_set", "name_ratio", "distance_m", "phone_equal", "gstin_equal"} <= fields


def test_golden_record_is_the_most_complete_member() -> None:
    result = match_outlets(
        frame(
            outlet("OUT001", "Sharma Kirana Store", 0, "9876543210"),
            outlet("OUT002", "M/s Sharma Kirana", 25, "9876543210", GSTIN_A),
        )
    )
    golden = result.golden.row(0, named=True)
    assert (golden["master_outlet_id"], golden["golden_outlet_code"]) == ("OUT001", "OUT002")
    assert golden["gstin"] == GSTIN_A and golden["members"] == 2 and golden["member_codes"] == ["OUT001", "OUT002"]
    assert result.clusters.filter(pl.col("is_golden"))["outlet_code"].to_list() == ["OUT002"]


def test_retailer_flags() -> None:
    rows = frame(
        outlet("OUT001", "Good Shop", 0, "9876543210", GSTIN_A),
        outlet("OUT002", "Bad Gstin", 0, "9876543210", GSTIN_A[:-1] + ("A" if GSTIN_A[-1] != "A" else "B")),
        outlet("OUT003", "Landline", 0, "0201234567"),
        {**outlet("OUT004", "Null Island", 0, "9876543210"), "latitude": 0.0, "longitude": 0.0},
        {**outlet("OUT005", "London", 0, "+91 98765 43210"), "latitude": 51.5, "longitude": -0.12},
    )
    flags = flag_outlets(normalise_outlets(rows)).sort("outlet_code")
    assert flags["gstin_invalid"].to_list() == [False, True, False, False, False]
    assert flags["phone_invalid"].to_list() == [False, False, True, False, False]
    assert flags["gps_impossible"].to_list() == [False, False, False, True, True]
    # impossible GPS stays out of the geo block: two shops at (0, 0) are not neighbours
    assert match_outlets(rows).flags.height == 5


def test_every_planted_duplicate_is_found_in_a_generated_network(tmp_path: Path) -> None:
    generate(tmp_path, NetworkConfig(seed=7, distributors=6, outlets=60, skus=12, days=62))
    outlets = pl.read_csv(tmp_path / "inbox" / "masters" / "BRAND" / "outlets.csv", infer_schema_length=0)
    problems = json.loads((tmp_path / "truth" / "problems.json").read_text())
    planted = {tuple(sorted(p["outlet_codes"])) for p in problems if p["problem"] == "duplicate_outlet"}
    assert planted
    result = match_outlets(outlets)
    assigned = ids(result)
    for a, b in planted:
        assert assigned[a] == assigned[b], f"planted duplicate {a}/{b} not merged"
    members = result.clusters.group_by("master_outlet_id").agg(pl.col("outlet_code").sort())
    predicted = {p for codes in members["outlet_code"].to_list() for p in combinations(codes, 2)}
    assert predicted == planted
    assert result.stats["candidate_pairs"] < result.stats["cross_product_pairs"] / 4
