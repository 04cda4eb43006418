"""A distributor's (or chain's) YAML layout: what its files need that header detection cannot find by itself.

Where: `ingest/<kind>/layouts/<CODE>.yml` in the repository, then the deployment's own
`<data dir>/config/layouts/<kind>/<CODE>.yml` (`Settings.layouts_dir`), whose keys win over the repository's.
`<CODE>` is the inbox folder: the distributor code (a chain's code for POS files). Keys, all optional:

```yaml
sheet: Sales Details      # the workbook sheet to read (a CSV has no sheets: ignored for CSV/text files)
day_first: true           # the date order, where the file's own dates cannot tell
header: false             # the file has no header row: `columns:` gives positions
skip_rows: 2              # rows above the data of a headerless file (title lines)
columns:                  # field: the header text this distributor uses, or a position (1 = the first column)
  invoice_number: Bill Ref
  quantity_pieces: 7
ignore: [Disc %, 12]      # headers (or positions) never mapped to a field, whatever the synonyms say
auto_map: false           # map only the columns named under `columns:` (no synonyms at all)
period: week              # a file covers whole weeks (day, week or month) of its dates when its name and title
                          # rows declare no period
csv: {header: false}      # keys for CSV/text files only; `xlsx:` for .xlsx/.xlsm, `xls:` for .xls,
xlsx: {sheet: Details}    # `excel:` for both workbook kinds: one distributor's CSV and workbook differ
```
A bad layout (unknown field, position 0, a section that is not a mapping) rejects the file as `bad_layout`,
naming the layout file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ingest.core.errors import FileRejected

# layout sections per file format (the sniffed one, `ingest.core.files.sniff_format`), generic first
FILE_TYPE_SECTIONS: dict[str, tuple[str, ...]] = {
    "excel": ("xlsx", "xls"),
    "csv": ("text",),
    "text": ("text",),
    "xlsx": ("xlsx",),
    "xls": ("xls",),
}
PERIOD_GRAINS = ("day", "week", "month")
KNOWN_KEYS = frozenset(
    {"sheet", "day_first", "header", "skip_rows", "columns", "ignore", "auto_map", "period", *FILE_TYPE_SECTIONS}
)


def for_file(layout: Mapping[str, Any], file_format: str, source: str = "layout") -> dict[str, Any]:
    """The layout's top-level keys with the sections for this file's format laid over them."""
    merged = {k: v for k, v in layout.items() if k not in FILE_TYPE_SECTIONS}
    for key, formats in FILE_TYPE_SECTIONS.items():
        section = layout.get(key)
        if section is None or file_format not in formats:
            continue
        if not isinstance(section, Mapping):
            raise FileRejected("bad_layout", f"{source}: `{key}:` must be a mapping of layout keys, not {section!r}")
        merged.update(section)
    if merged.get("sheet") is not None and file_format == "text":
        merged.pop("sheet")  # a CSV has one table and no sheet names: a workbook's sheet key must not break it
    return merged


@dataclass(frozen=True)
class LayoutColumns:
    """What a layout says about a file's columns (positions 0-based here, 1-based in the YAML)."""

    names: dict[str, str] = field(default_factory=dict)  # field -> header text
    positions: dict[str, int] = field(default_factory=dict)  # field -> column index
    ignore_names: tuple[str, ...] = ()  # header texts as written (normalised when matched)
    ignore_positions: frozenset[int] = frozenset()
    auto_map: bool = True
    has_header: bool = True
    skip_rows: int = 0

    @classmethod
    def from_layout(cls, layout: Mapping[str, Any], fields: Sequence[str], source: str = "layout") -> LayoutColumns:
        unknown_keys = sorted({str(k) for k in layout if not str(k).startswith("_")} - KNOWN_KEYS)
        if unknown_keys:
            known = ", ".join(sorted(KNOWN_KEYS))
            raise FileRejected("bad_layout", f"{source}: unknown key(s) {', '.join(unknown_keys)}; known: {known}")
        columns = layout.get("columns") or {}
        if not isinstance(columns, Mapping):
            raise FileRejected("bad_layout", f"{source}: `columns:` must map field names to header texts or positions")
        unknown = sorted(set(columns) - set(fields))
        if unknown:
            raise FileRejected(
                "bad_layout",
                f"{source}: `columns:` names {', '.join(map(str, unknown))}, not fields of this kind "
                f"({', '.join(fields)})",
            )
        names: dict[str, str] = {}
        positions: dict[str, int] = {}
        for name, value in columns.items():
            if isinstance(value, bool) or value is None:
                raise FileRejected("bad_layout", f"{source}: columns.{name} is {value!r}; give a header or a position")
            if isinstance(value, int):
                positions[name] = _position(value, f"columns.{name}", source)
            else:
                names[name] = str(value)
        ignore = layout.get("ignore") or []
        if isinstance(ignore, str | int):
            ignore = [ignore]
        ignore_positions = frozenset(_position(v, "ignore", source) for v in ignore if isinstance(v, int))
        ignore_names = tuple(str(v) for v in ignore if not isinstance(v, int))
        has_header = layout.get("header", True) is not False
        if not has_header and names:
            raise FileRejected(
                "bad_layout",
                f"{source}: `header: false` but columns {', '.join(names)} are named by header text; give positions",
            )
        skip_rows = layout.get("skip_rows", 0)
        if not isinstance(skip_rows, int) or skip_rows < 0:
            raise FileRejected("bad_layout", f"{source}: skip_rows is {skip_rows!r}; expected a number of rows")
        period = layout.get("period")
        if period is not None and period not in PERIOD_GRAINS:
            raise FileRejected("bad_layout", f"{source}: period is {period!r}; expected one of {PERIOD_GRAINS}")
        return cls(
            names, positions, ignore_names, ignore_positions, layout.get("auto_map", True) is not False, has_header,
            skip_rows,
        )  # fmt: skip


def _position(value: int, key: str, source: str) -> int:
    if value < 1:
        raise FileRejected("bad_layout", f"{source}: {key} position {value} must be 1 or more (1 = the first column)")
    return value - 1
