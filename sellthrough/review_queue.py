"""The review queue: names the pipeline could not match, for a person to decide on.

Two sources feed it: rows quarantined as `unknown_sku` with an item to alias (their `subject`, subject_kind 'sku',
written by `MasterData.unknown_sku_check` in every reader), and WhatsApp order lines that need review because of
their SKU or their outlet. Each distinct (review kind, distributor, name) is one item, with its occurrence count,
an example raw text and suggestions (`ingest/core/name_match.py`). An item is `pending` until the current masters
resolve the name (a confirmed alias, or the brand's own alias table) or a person ignores it. Nothing is guessed: a
name leaves the queue only by a decision in `ingest/core/reviews.py`'s files (one by one, accepted in bulk above a
score, or imported from a filled-in sheet).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import polars as pl

from ingest.core.contract import SUBJECT_SCHEMA
from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.name_match import outlet_suggestions
from ingest.core.reviews import ReviewStore
from ingest.core.values import name_key

# Quarantine files written before the subject fields existed carry the item only in their sentence; for those
# rows alone (subject_kind null) it is read from there. The dbt twin: fct_review_queue's legacy_unknown_sku.
LEGACY_UNKNOWN_SKU = r"(?s)^unknown SKU '(.+)': add an alias for distributor "
ORDER_LINES = "whatsapp_order_lines"


@dataclass
class ReviewItem:
    review_kind: str  # sku | outlet
    distributor_code: str
    name: str
    occurrences: int
    files: int
    source_kinds: list[str]
    example_raw: str
    last_file: str
    status: str = "pending"  # pending | resolved | ignored
    resolved_to: str | None = None
    suggestions: list[dict] = field(default_factory=list)  # {code, name, score}
    key: str = ""  # name_key(name): how names are compared

    @property
    def identity(self) -> tuple[str, str, str]:
        return self.review_kind, self.distributor_code, self.key

    def as_dict(self) -> dict:
        return asdict(self)


def review_queue(
    lake: Lake,
    store: ReviewStore | None = None,
    *,
    distributor: str | None = None,
    kind: str | None = None,
    include_decided: bool = False,
) -> list[ReviewItem]:
    """Every review item of the lake's committed loads, pending ones first, most frequent first."""
    store = store or ReviewStore.beside(lake.root)
    masters = MasterData.from_lake(lake, store)
    occurrences = review_occurrences(lake)
    if distributor:
        occurrences = occurrences.filter(pl.col("distributor_code") == distributor)
    if kind:
        occurrences = occurrences.filter(pl.col("review_kind") == kind)
    grouped = (
        occurrences.sort("loaded_at", "load_id")
        .group_by("review_kind", "distributor_code", "key")
        .agg(
            name=pl.col("name").first(),
            occurrences=pl.len(),
            files=pl.col("load_id").n_unique(),
            source_kinds=pl.col("source_kind").unique().sort(),
            example_raw=pl.col("raw").first(),
            last_file=pl.col("file_name").last(),
        )
    )
    ignored = {
        (r["review_kind"], r["distributor_code"], name_key(r["name"])) for r in store.ignored().iter_rows(named=True)
    }
    items = []
    for row in grouped.iter_rows(named=True):
        item = ReviewItem(
            row["review_kind"],
            row["distributor_code"],
            row["name"],
            row["occurrences"],
            row["files"],
            list(row["source_kinds"]),
            row["example_raw"] or "",
            row["last_file"] or "",
            key=row["key"],
        )
        item.resolved_to = _resolved(masters, item)
        if item.resolved_to:
            item.status = "resolved"
        elif (item.review_kind, item.distributor_code, row["key"]) in ignored:
            item.status = "ignored"
        if item.status == "pending":
            item.suggestions = _suggestions(masters, item)
        if item.status == "pending" or include_decided:
            items.append(item)
    order = {"pending": 0, "resolved": 1, "ignored": 2}
    return sorted(items, key=lambda i: (order[i.status], -i.occurrences, i.distributor_code, i.review_kind, i.name))


def review_occurrences(lake: Lake) -> pl.DataFrame:
    """Every row / order line carrying a name to review: review_kind, distributor_code, source_kind, name, key,
    raw, load_id, file_name, loaded_at."""
    occurrences = pl.concat([_quarantined_names(lake), _order_line_names(lake)])
    return occurrences.filter(pl.col("name").is_not_null()).with_columns(key=name_key(pl.col("name")).fill_null(""))


def _committed(lake: Lake) -> pl.DataFrame:
    return lake.ledger().filter(pl.col("status") == "loaded").select("load_id", "file_name", "loaded_at")


def _quarantined_names(lake: Lake) -> pl.DataFrame:
    loads = _committed(lake)
    frame = lake.read_table("_quarantine", loads["load_id"].to_list())
    if frame.height:
        frame = quarantine_subjects(frame).filter(
            (pl.col("reason_code") == "unknown_sku") & (pl.col("subject_kind") == "sku")
        )
    if frame.height == 0:
        return _empty()
    return frame.join(loads, left_on="_load_id", right_on="load_id").select(
        review_kind=pl.lit("sku"),
        distributor_code="distributor_code",
        source_kind="source_kind",
        name="subject",
        raw="raw_values",
        load_id="_load_id",
        file_name="file_name",
        loaded_at="loaded_at",
    )


def quarantine_subjects(frame: pl.DataFrame) -> pl.DataFrame:
    """Quarantine rows with their subject fields, those of files written before the fields existed filled in:
    an `unknown_sku` sentence naming an item to alias gives subject (the item) and subject_kind 'sku'."""
    frame = frame.with_columns([pl.lit(None, t).alias(c) for c, t in SUBJECT_SCHEMA.items() if c not in frame.columns])
    if frame.height == 0:
        return frame
    legacy = pl.col("subject_kind").is_null() & (pl.col("reason_code") == "unknown_sku")
    item = pl.col("reason").str.extract(LEGACY_UNKNOWN_SKU, 1)
    return frame.with_columns(
        subject=pl.when(legacy).then(item).otherwise(pl.col("subject")),
        subject_kind=pl.when(legacy & item.is_not_null()).then(pl.lit("sku")).otherwise(pl.col("subject_kind")),
    )


def _order_line_names(lake: Lake) -> pl.DataFrame:
    loads = _committed(lake)
    frame = lake.read_table(ORDER_LINES, loads["load_id"].to_list())
    if frame.height == 0 or "review_subject" not in frame.columns:
        return _empty()
    frame = frame.filter(
        pl.col("needs_review") & (pl.col("status") != "cancelled") & pl.col("review_subject").is_in(["sku", "outlet"])
    )
    return frame.join(loads, left_on="_load_id", right_on="load_id").select(
        review_kind="review_subject",
        distributor_code="distributor_code",
        source_kind=pl.lit("whatsapp"),
        name=pl.when(pl.col("review_subject") == "sku").then("item_text").otherwise("outlet_text"),
        raw="raw_text",
        load_id="_load_id",
        file_name="file_name",
        loaded_at="loaded_at",
    )


def _empty() -> pl.DataFrame:
    schema = dict.fromkeys(
        ("review_kind", "distributor_code", "source_kind", "name", "raw", "load_id", "file_name"), pl.String
    )
    return pl.DataFrame(schema={**schema, "loaded_at": pl.Datetime("us")})


def _resolved(masters: MasterData, item: ReviewItem) -> str | None:
    """What the current masters (with confirmed aliases) map the name to, exactly; None when still unmatched."""
    if item.review_kind == "sku":
        frame = pl.DataFrame({"item": [item.name]})
        return masters.resolve(frame, item.distributor_code, ["item"])["sku_code"][0]
    aliases = masters.outlet_aliases.filter(pl.col("distributor_code") == item.distributor_code)
    for alias, code in aliases.select("alias", "outlet_code").iter_rows():
        if name_key(alias) == name_key(item.name):
            return code
    return None


def _suggestions(masters: MasterData, item: ReviewItem, limit: int = 3) -> list[dict]:
    if item.review_kind == "sku":
        found = masters.suggest(item.name, limit, distributor_code=item.distributor_code)
        return [{"code": c, "name": n, "score": s} for c, n, s in found]
    outlets = masters.outlets.filter(pl.col("distributor_code") == item.distributor_code)
    choices = dict(zip(outlets["outlet_code"].to_list(), outlets["outlet_name"].to_list(), strict=True))
    return [{"code": c, "name": choices[c], "score": s} for c, s in outlet_suggestions(item.name, choices, limit)]


def find_item(items: list[ReviewItem], review_kind: str, distributor_code: str, name: str) -> ReviewItem | None:
    """The queue's item for this kind, distributor and name (compared as `name_key` compares), if there is one."""
    key = name_key(name)
    return next((i for i in items if i.identity == (review_kind, distributor_code, key)), None)


def not_in_queue_message(review_kind: str, distributor_code: str, name: str) -> str:
    return (
        f"{name!r} is not on the review queue of {distributor_code} ({review_kind} names): `sellthrough review list "
        f"--distributor {distributor_code} --all` shows them (a name not seen yet belongs in the brand's alias master)"
    )


@dataclass(frozen=True)
class Acceptance:
    item: ReviewItem
    code: str
    score: float
    runner_up: float | None  # the second suggestion's score
    name: str = ""  # the code's name in the master

    @property
    def meaning(self) -> str:
        return f"{self.code} {self.name}".strip()


def acceptable(items: list[ReviewItem], min_score: float, min_margin: float) -> list[Acceptance]:
    """Pending items whose top suggestion scores at least `min_score` and leads the next one by `min_margin`."""
    out = []
    for item in items:
        if item.status != "pending" or not item.suggestions:
            continue
        best, *rest = item.suggestions
        runner_up = rest[0]["score"] if rest else None
        if best["score"] >= min_score and (runner_up is None or best["score"] - runner_up >= min_margin):
            out.append(Acceptance(item, best["code"], best["score"], runner_up, best.get("name") or ""))
    return out
