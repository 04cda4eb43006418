"""Run benchmarks: `python -m bench` (all) or `python -m bench <name> ...` (names in BENCHMARKS).

Options after a single name go to that benchmark: `python -m bench warehouse_scale --quick`.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "reader_speed",
    "whatsapp_parse",
    "whatsapp_orders",
    "whatsapp_casual",
    "outlet_dedup",
    "warehouse_scale",
    "freshness",
    "dashboard",
    "review_suggestions",
    "volume_check",
    "csv_memory",
    "hostile_files",
    "forecast",
    "stockout_nightly",
    "stockout_bound",
    "sales_anomalies",
    "outlet_stockouts",
    "analytics_cost",
    "spark_engine",
)


def main(argv: list[str]) -> int:
    first_option = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    names, options = argv[:first_option] or list(BENCHMARKS), argv[first_option:]
    if options and len(names) != 1:
        print("options apply to one benchmark: python -m bench <name> [options]")
        return 2
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
            return 2
        module = importlib.import_module(f"bench.{name}")
        module.main(options) if options else module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
