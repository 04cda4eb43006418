"""Messages per second parsing a ~300,000-message WhatsApp export: our parser against a straightforward
per-line regex + `datetime.strptime` parser (written here as the reference), in one run, printed as a ratio.

Target: at least 100,000 messages per second for our parser on the 2-core reference machine.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from ingest.whatsapp.parser import parse_chat

MESSAGES = int(os.environ.get("BENCH_WHATSAPP_MESSAGES", "300000"))
TARGET = 100_000
AUTHORS = ["Sharma Traders", "+91 98765 43210", "Ravi Salesman", "Gupta Kirana", "+91 91234 56789"]
TEXTS = [
    "Parle-G 100g 10 cs, Good Day 5 cs",
    "Bhaiya kal delivery kar dena",
    "<Media omitted>",
    "Order:\nMaggi 2 peti\nSurf 1 kg 12 pcs",
    "ok",
    "Payment done, UTR 123456",
    "This message was deleted",
]
# (name, header format for strftime, strptime format of the reference parser, line regex of the reference)
STYLES = [
    ("android 24h dd/mm/yyyy", "%d/%m/%Y, %H:%M - ", "%d/%m/%Y, %H:%M", r"^(\d{2}/\d{2}/\d{4}, \d{2}:\d{2}) - (.*)$"),
    (
        "android 12h m/d/yy",
        "%m/%d/%y, %I:%M %p - ",
        "%m/%d/%y, %I:%M %p",
        r"^(\d{2}/\d{2}/\d{2}, \d{2}:\d{2} [AP]M) - (.*)$",
    ),
    (
        "ios [dd/mm/yy, hh:mm:ss]",
        "[%d/%m/%y, %H:%M:%S] ",
        "%d/%m/%y, %H:%M:%S",
        r"^\[(\d{2}/\d{2}/\d{2}, \d{2}:\d{2}:\d{2})\] (.*)$",
    ),
]


def synthetic_chat(messages: int, header: str, seed: int = 7) -> str:
    rng = random.Random(seed)
    moment = datetime(2025, 1, 1, 9, 0)
    out: list[str] = []
    for _ in range(messages):
        moment += timedelta(seconds=rng.randint(5, 400))
        out.append(f"{moment.strftime(header)}{rng.choice(AUTHORS)}: {rng.choice(TEXTS)}")
    return "\n".join(out) + "\n"


def reference_parse(text: str, strptime_format: str, line_regex: str) -> list[dict]:
    """The obvious parser: every line through one regex, a header's stamp through `datetime.strptime`."""
    pattern = re.compile(line_regex)
    messages: list[dict] = []
    for line in text.splitlines():
        match = pattern.match(line)
        if match:
            author, _, body = match.group(2).partition(": ")
            stamp = datetime.strptime(match.group(1), strptime_format)
            messages.append({"timestamp": stamp, "author": author if body else None, "text": body or author})
        elif messages:
            messages[-1]["text"] += "\n" + line
    return messages


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(2):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    per_style = MESSAGES // len(STYLES)
    print(f"{'style':<26}{'ours msg/s':>12}{'reference msg/s':>17}{'ratio':>8}")
    ours_total = reference_total = 0.0
    for name, header, strptime_format, line_regex in STYLES:
        text = synthetic_chat(per_style, header)
        ours, frame = timed(lambda text=text: parse_chat(text))
        reference, messages = timed(lambda t=text, f=strptime_format, r=line_regex: reference_parse(t, f, r))
        assert frame.height == per_style == len(messages), (frame.height, len(messages))  # type: ignore[attr-defined]
        ours_total += ours
        reference_total += reference
        print(f"{name:<26}{per_style / ours:>12,.0f}{per_style / reference:>17,.0f}{reference / ours:>7.1f}x")
    total = per_style * len(STYLES)
    rate = total / ours_total
    print(
        f"{'all ' + format(total, ',') + ' messages':<26}{rate:>12,.0f}{total / reference_total:>17,.0f}"
        f"{reference_total / ours_total:>7.1f}x"
    )
    print(f"target: >= {TARGET:,} messages/s for ours: {'met' if rate >= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
