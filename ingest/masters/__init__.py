"""The brand's masters: SKUs, distributors, outlets, reps, beats, schemes and SKU aliases."""

from ingest.core.source import SourceKind
from ingest.masters.contract import MASTERS
from ingest.masters.hierarchy import entity_rank
from ingest.masters.reader import master_entity, read

SOURCE = SourceKind(
    name="masters",
    description="Brand master snapshots (CSV, xlsx) to raw/masters_*",
    contracts={c.table: c for c in MASTERS.values()},
    read=read,
    suite="expectations.suites.masters",
    load_order=0,
    file_rank=lambda name: entity_rank(master_entity(name)),
)
