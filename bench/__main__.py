"""Run benchmarks: `python -m bench` (all) or `python -m bench <name> ...` (names in BENCHMARKS)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("reader_speed", "whatsapp_parse", "whatsapp_orders", "outlet_dedup")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
            return 2
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
