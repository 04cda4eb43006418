"""The files `sellthrough new-source` writes (string.Template: `$name`, `$title`, `$description`, `$table`,
`$description_doc` / `$description_literal` (the description wrapped for a docstring / as a Python string that
keeps lines within ruff's 120), `$sources_description` / `$staging_description` (quoted YAML strings), and
`$init_imports` / `$reader_imports`, the first-party imports in isort order)."""

INIT_IMPORTS = (
    "from ingest.$name.contract import LINES",
    "from ingest.$name.reader import read",
    "from ingest.core.source import SourceKind",
)
READER_IMPORTS = (
    "from ingest.$name.contract import FIELDS, LINES",
    "from ingest.core.rows import RowCheck, apply_checks, quote",
    "from ingest.core.source import ReadContext, ReadResult",
    "from ingest.core.tabular import read_table_rows",
    "from ingest.core.values import decide_day_first, parse_date_column, with_numbers",
)

INIT = '''"""$description_doc

One source kind, discovered by ingest/registry.py through SOURCE."""

$init_imports

SOURCE = SourceKind(
    name="$name",
    description=$description_literal,
    contracts={LINES.table: LINES},
    read=read,
    suite="expectations.suites.$name",  # its expectations, run on every load before it commits
    load_order=60,  # after masters (0), so items map to SKUs
)
'''

CONTRACT = '''"""Contract of `raw/$table`: one row per dated item line. Change the schema to the real source's, and
docs/contracts.md with it."""

import polars as pl

from ingest.core.contract import Contract
from ingest.core.headers import Field

LINES = Contract(
    table="$table",
    schema={
        "distributor_code": pl.String(),
        "line_date": pl.Date(),
        "item_raw": pl.String(),  # the item as written
        "sku_code": pl.String(),  # the brand's SKU; null only where no SKU master was ever loaded (a preview)
        "quantity_units": pl.Int64(),
        "amount": pl.Float64(),  # null when the file has none
    },
    not_null=("distributor_code", "line_date", "item_raw", "quantity_units"),
)

# Header synonyms, matched case-, space- and punctuation-insensitively; a distributor's odd header goes in a
# layout YAML (ingest/$name/layouts/<distributor>.yml: `columns: {line_date: "Txn Dt"}`), not here.
FIELDS: tuple[Field, ...] = (
    Field("line_date", ("date", "bill date", "invoice date", "txn date", "order date"), required=True),
    Field("item", ("item", "item name", "product", "product name", "sku", "item code"), required=True),
    Field("quantity", ("qty", "quantity", "units", "pcs", "pieces"), required=True),
    Field("amount", ("amount", "value", "net amount", "net amt")),
)
'''

READER = '''"""$description_doc

To `raw/$table`: grid, header, typed values, SKU mapping, row checks."""

from __future__ import annotations

from pathlib import Path

import polars as pl

$reader_imports

KIND = "$name"


def read(path: Path, ctx: ReadContext) -> ReadResult:
    layout = ctx.layout(KIND, path)  # the distributor's YAML layout, if it has one, for this file's format
    table = read_table_rows(path, file_name=ctx.file_name, fields=FIELDS, text_fields=("item",), layout=layout)
    day_first = layout.get("day_first", decide_day_first(table.rows["line_date"]))
    parsed = parse_date_column(table.rows, "line_date", "_date", day_first=day_first)
    parsed = with_numbers(parsed, {"quantity": "_quantity"}, integer=True)
    parsed = with_numbers(parsed, {"amount": "_amount"})
    parsed = ctx.masters.resolve(parsed, ctx.distributor_code, ["item"])
    passed, failed = apply_checks(parsed, _checks(ctx))
    lines = passed.with_columns(
        distributor_code=pl.lit(ctx.distributor_code),
        _sheet=pl.lit(table.sheet_name, pl.String),
        line_date=pl.col("_date"),
        item_raw=pl.col("item"),
        quantity_units=pl.col("_quantity"),
        amount=pl.col("_amount"),
    )
    # the period the file declares (title rows, name, layout), else the dates of its lines
    return table.dated_result(
        {LINES.table: lines}, table.quarantine(failed), lines["line_date"], file_name=ctx.file_name, layout=layout
    )


def _checks(ctx: ReadContext) -> list[RowCheck]:
    """The first failing check quarantines a row with its reason (a sentence a person can act on)."""
    return [
        RowCheck("missing_value", pl.col("item").is_null(), pl.lit("no item on this line")),
        RowCheck(
            "bad_date",
            pl.col("_date").is_null(),
            pl.format("date {} is not a date (expected e.g. 05-11-2026)", quote(pl.col("line_date"))),
        ),
        RowCheck(
            "bad_quantity",
            pl.col("_quantity").is_null(),
            pl.format("quantity {} is not a whole number", quote(pl.col("quantity"))),
        ),
        RowCheck("negative_quantity", pl.col("_quantity") < 0, pl.lit("quantity is negative")),
        RowCheck(
            "bad_amount",
            pl.col("amount").is_not_null() & pl.col("_amount").is_null(),
            pl.format("amount {} is not a number", quote(pl.col("amount"))),
        ),
        # an item no SKU maps to: the sentence, and the subject the review queue (`sellthrough review list`) reads;
        # with no SKU master ever loaded, lines stay unmapped rather than quarantined
        *(
            [ctx.masters.unknown_sku_check(pl.col("item"), ctx.distributor_code, hint="sellthrough review list")]
            if ctx.masters.has_skus
            else []
        ),
    ]
'''

README = """# $name

$description, scaffolded by `sellthrough new-source $name`. Edit this page as the kind becomes real.

- Inbox: `inbox/$name/<distributor>/<file>` (CSV, TSV, xlsx, xls).
- Columns (synonyms in `contract.py`, or a layout YAML in `layouts/<distributor>.yml`): date, item, quantity
  (required), amount.
- Raw table `raw/$table`: distributor_code, line_date, item_raw, sku_code, quantity_units, amount.
- Quarantined rows: no item, a date or quantity that cannot be read, a negative quantity, an amount that is not a
  number, an unknown SKU (it goes to the review queue: `sellthrough review list`).
- Expectations: `expectations/suites/$name.py` (named by `SOURCE.suite`). dbt: `dbt_project/models/staging/$name/`
  (each load lands once), `intermediate/int_${name}__current` (a re-sent file replaces the days it covers),
  `marts/$domain/fct_${name}_lines`.
"""

SUITE = '''"""Expectations on `raw/$table` ($title): run on every load before it commits."""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common

MAX_QUANTITY = 1_000_000


def checks(ctx: SuiteContext) -> list[Check]:
    return [
        *common.not_null(("distributor_code", "line_date", "item_raw", "quantity_units")),
        common.not_in_future("line_date", ctx),
        common.between("quantity_units", 0, MAX_QUANTITY, reason_code="bad_quantity", what="quantity"),
    ]


SUITE = Suite("$name", checks)
'''

SOURCES = (
    "sources:\n"
    "  - name: $name\n"
    "    description: $sources_description\n"
    "    config:\n"
    "      meta:\n"
    "        external_location: \"read_parquet('{{ env_var('SELLTHROUGH_RAW_DIR', 'data/raw') }}/{identifier}"
    "/*.parquet', union_by_name = true)\"\n"
    "    tables:\n"
    "      - name: $table\n"
    "        description: One row per dated item line as read.\n"
)

MODELS = """models:
  - name: stg_${name}__lines
    description: $staging_description
    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [load_id, sheet, row_number]
      - not_null_columns:
          arguments:
            column_names: [load_id, line_date, quantity_units]
    columns:
      - name: load_id
        description: The load (stg_ingest__loads) the line came in.
      - name: line_date
        description: The line's business date.
      - name: quantity_units
        description: Pieces.
"""

STAGING_SQL = """-- $description from committed loads: one row per dated item line, per load, superseded or not
-- (int_${name}__current keeps the latest). Each committed load lands once (macros/lake/landing.sql).
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('$name', '$table') }}",
) }}
select
    l._load_id as load_id,
    l._source_file as source_file,
    l._sheet as sheet,
    l._row_number as row_number,
    l.distributor_code,
    l.line_date,
    l.item_raw,
    l.sku_code,
    l.quantity_units,
    l.amount
from {{ landed_loads('$name', '$table') }} as l
where l._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
"""

INTERMEDIATE_SQL = """-- $description that marts see.
-- A re-sent file replaces the days it covers for its distributor; the raw layer and staging keep both
-- (macros/lake/supersession.sql, int_ingest__supersessions).
{{ current_rows(ref('stg_${name}__lines'), 'line_date') }}
"""

INTERMEDIATE_YML = """models:
  - name: int_${name}__current
    description: $current_description
    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [load_id, sheet, row_number]
"""

MART_SQL = """-- $description: the current lines with the SKU's brand and category and the distributor's geography.
-- Unknown items never get here: ingest quarantines them (unknown_sku) onto the review queue.
select
    lines.load_id,
    lines.source_file,
    lines.sheet,
    lines.row_number,
    lines.distributor_code,
    distributors.zone,
    distributors.region,
    distributors.state,
    lines.line_date,
    lines.sku_code,
    skus.brand,
    skus.category,
    lines.quantity_units,
    lines.amount
from {{ ref('int_${name}__current') }} as lines
left join {{ ref('dim_sku') }} as skus on skus.sku_code = lines.sku_code
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = lines.distributor_code
"""

MART_YML = """models:
  - name: fct_${name}_lines
    description: $mart_description
    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [load_id, sheet, row_number]
      - not_null_columns:
          arguments:
            column_names: [sku_code, line_date, quantity_units]
    columns:
      - name: sku_code
        description: The brand's SKU (every line has one).
        data_tests:
          - relationships:
              arguments:
                to: ref('dim_sku')
                field: sku_code
      - name: line_date
        description: The line's business date.
      - name: quantity_units
        description: Pieces.
"""

TEST = '''"""$description_doc

Read through the real nightly path (scaffolded: replace the sample with a real file)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.runner import ingest_inbox
from tests.conftest import write_rows


def test_${name}_lines_load_and_unknown_items_are_quarantined(
    inbox: Path,
    lake: Lake,
    masters: MasterData,
) -> None:
    rows = [
        ["Date", "Item", "Qty", "Amount"],
        ["02-11-2026", "SKU0001", "12", "120"],
        ["02-11-2026", "CRUNCHY GLUCOSE 100GM", "3", "30"],
        ["03-11-2026", "Mystery Cola 2L", "1", "50"],
    ]
    write_rows(inbox / "$name" / "D001" / "sample_2026-11-03.csv", rows)
    [outcome] = ingest_inbox(inbox, lake, kinds=["$name"])
    assert outcome.status == "loaded", outcome.error
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (3, 2, 1)
    lines = lake.read_table("$table", [outcome.load_id])
    assert lines["sku_code"].to_list() == ["SKU0001", "SKU0001"]
    assert lines["quantity_units"].sum() == 15
    quarantined = lake.read_table("_quarantine", [outcome.load_id])
    assert quarantined.filter(pl.col("reason_code") == "unknown_sku").height == 1
'''

TEMPLATES = {
    "init": INIT,
    "contract": CONTRACT,
    "reader": READER,
    "readme": README,
    "suite": SUITE,
    "sources": SOURCES,
    "models": MODELS,
    "staging_sql": STAGING_SQL,
    "intermediate_sql": INTERMEDIATE_SQL,
    "intermediate_yml": INTERMEDIATE_YML,
    "mart_sql": MART_SQL,
    "mart_yml": MART_YML,
    "test": TEST,
}
