"""The name key has one Python definition (`name_key`, ingest/core/values.py) and one dbt twin (the macro
`review_name_key`): the macro is rendered from its file and run in DuckDB on names that have tripped key
functions (spacing, punctuation, no-break and zero-width spaces, Devanagari, Unicode case oddities), and must
give the key the Python function gives, in both of its forms (one string, a Polars expression)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import polars as pl

from ingest.core.values import name_key

MACRO = Path(__file__).resolve().parents[1] / "dbt_project" / "macros" / "names" / "review_name_key.sql"

TRICKY = [
    "Gluco  Crunch 100-G",
    "CRUNCHY GLUCOSE 100G",
    "Parle\u2011G 1\u00a0kg",  # non-breaking hyphen, no-break space
    "\u200bTea\u202f250 g\u200e",  # zero-width space, narrow no-break space, LTR mark
    "पारले-जी बिस्कुट १०० ग्राम",  # Devanagari letters, signs and digits
    "Chai\tPatti\n500g",
    "İstanbul Çay",  # capital I with dot, C with cedilla
    "\u212aelvin Biscuit",  # KELVIN SIGN lower-cases to k
    "ＦＵＬＬ ＷＩＤＴＨ ５",  # full-width letters and digit
    "Café Crème ½ kg",
    "STRASSE straße ΣΟΔΑ",
    "\ufb01ne Salt",  # the fi ligature
    "'=HYPERLINK(1)",
    "🍪 Cookies x12",
    " -- ",
    "",
    None,
]


def _macro_sql(column: str) -> str:
    template = jinja2.Environment(autoescape=False).from_string(MACRO.read_text(encoding="utf-8"))
    return str(template.module.default__review_name_key(column))  # type: ignore[attr-defined]


def test_the_python_name_key_and_its_dbt_macro_give_the_same_key() -> None:
    python = [name_key(n) for n in TRICKY]
    with duckdb.connect() as connection:
        connection.execute("create table names (position integer, name varchar)")
        connection.executemany("insert into names values (?, ?)", list(enumerate(TRICKY)))
        sql = f"select {_macro_sql('name')} from names order by position"  # the macro's own SQL; names are parameters
        macro = [row[0] for row in connection.execute(sql).fetchall()]
    assert macro == python
    expression = pl.DataFrame({"name": TRICKY}, schema={"name": pl.String}).select(name_key(pl.col("name")))
    assert expression["name"].fill_null("").to_list() == python
    # what the key keeps and drops (accented and full-width letters are dropped: 'Café' keys as 'caf')
    assert python == [
        "glucocrunch100g",
        "crunchyglucose100g",
        "parleg1kg",
        "tea250g",
        "पारलेजीबिस्कुट१००ग्राम",
        "chaipatti500g",
        "istanbulay",
        "kelvinbiscuit",
        "",
        "cafcrmekg",
        "strassestrae",
        "nesalt",
        "hyperlink1",
        "cookiesx12",
        "",
        "",
        "",
    ]
