"""Master rows a brand gets wrong, and an outlet that moves: for master validation and outlet history (SCD2).

- planted invalid rows, each to be quarantined whole with its reason: a SKU whose EAN fails its check digit, an
  outlet with a malformed GSTIN, one with GPS outside India, one on a beat of another distributor;
- a second outlets snapshot mid-period (`outlets_<date>.csv`) in which one outlet has moved to another beat of
  its distributor (the history must keep both).
Truth: `truth/master_faults.json` and `truth/outlet_moves.json`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date, timedelta

from generator.field_app import field_app_distributors
from generator.masters import MASTER_COLUMNS, Network, master_rows, outlet_row

LONDON = (51.507400, -0.127800)


@dataclass
class MasterFiles:
    files: dict[str, bytes]  # name -> bytes, delivered with the first masters
    moved_outlets: dict[str, bytes]  # the mid-period outlets snapshot
    moved_at: date
    faults: list[dict]
    moves: list[dict]


def _csv(entity: str, rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MASTER_COLUMNS[entity])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _broken_gstin(gstin: str) -> str:
    last = gstin[-1]
    return gstin[:-1] + ("A" if last != "A" else "B")


def build_master_files(network: Network) -> MasterFiles:
    rows = master_rows(network)
    faults: list[dict] = []
    sku = network.skus[0]
    bad_ean = sku.ean[:-1] + str((int(sku.ean[-1]) + 1) % 10)
    rows["skus"].append(("SKU9901", "Trial Pack (withdrawn)", sku.brand, sku.category, sku.pack, 12, "10.00", bad_ean))
    faults.append({"entity": "skus", "key": "SKU9901", "fault": "bad_ean", "value": bad_ean})

    base = next(o for o in network.outlets if o.channel == "GT" and o.gstin and o.twin_of is None)
    bad_gstin = replace(base, code="OUT99901", party_code="P99901", name="Planted Bad GSTIN Stores", phone="9000000001")
    bad_gstin.gstin = _broken_gstin(base.gstin or "")
    far = replace(base, code="OUT99902", party_code="P99902", name="Planted Far Away Mart", phone="9000000002")
    far.latitude, far.longitude, far.gstin = *LONDON, None
    planted = [(bad_gstin, "bad_gstin", bad_gstin.gstin), (far, "bad_gps", f"{LONDON[0]}, {LONDON[1]}")]
    other_beat = next((b for b in network.beats if b.distributor_code != base.distributor_code), None)
    if other_beat is not None:
        stray = replace(
            base, code="OUT99903", party_code="P99903", name="Planted Wrong Beat Traders", phone="9000000003"
        )
        stray.beat_code, stray.gstin = other_beat.code, None
        planted.append((stray, "broken_hierarchy", other_beat.code))
    for outlet, fault, value in planted:
        rows["outlets"].append(outlet_row(outlet))
        faults.append({"entity": "outlets", "key": outlet.code, "fault": fault, "value": value})

    files = {f"{entity}.csv": _csv(entity, entity_rows) for entity, entity_rows in rows.items()}
    moved_at = network.config.start + timedelta(days=network.config.days // 2)
    moves = []
    mover_rows = [outlet_row(o) for o in network.outlets]
    # The move is a master fact only: the simulation keeps calling on the outlet from its first beat. So it is
    # planted at a distributor whose field app does not record beat-level visits (whose truth would contradict it).
    field_app = {d.code for d in field_app_distributors(network)}
    for index, outlet in enumerate(network.outlets):
        if outlet.distributor_code in field_app:
            continue
        others = [
            b for b in network.beats if b.distributor_code == outlet.distributor_code and b.code != outlet.beat_code
        ]
        if outlet.channel == "GT" and outlet.twin_of is None and outlet.twin_code is None and others:
            moved = replace(outlet, beat_code=others[0].code)
            mover_rows[index] = outlet_row(moved)
            moves.append(
                {"outlet_code": outlet.code, "from_beat": outlet.beat_code, "to_beat": moved.beat_code, "on": moved_at}
            )
            break
    return MasterFiles(
        files, {f"outlets_{moved_at.isoformat()}.csv": _csv("outlets", mover_rows)}, moved_at, faults, moves
    )
