"""How a phone writes a WhatsApp export's message header, per export style (the generator's chats and the casual
chats of `casual_chat.py` share them)."""

from __future__ import annotations

from datetime import datetime

# Android 24h, Android 12h with U+202F, iOS brackets with seconds, US month-first 12h
STYLES = ("android_24h", "android_12h", "ios", "us_12h")
# old exports that write the month's name: `19:23, 28 Aug 2013 - `, and two that leave out the year
# (`Mar 5, 8:11 PM - `, `18 Mar 12:14 - `: the reader takes it from the file's evidence)
OLD_STYLES = ("old_time_first", "old_month_day", "old_day_month")


def header(style: str, when: datetime) -> str:
    """The header of a message sent at `when`, as a phone of `style` exports it."""
    hour12 = when.hour % 12 or 12
    ampm = "AM" if when.hour < 12 else "PM"
    month = f"{when:%b}"
    if style == "android_24h":
        return f"{when:%d/%m/%y}, {when:%H:%M} - "
    if style == "android_12h":
        return f"{when:%d/%m/%Y}, {hour12}:{when:%M}\u202f{ampm.lower()} - "
    if style == "ios":
        return f"[{when:%d/%m/%y}, {when:%H:%M:%S}] "
    if style == "us_12h":
        return f"{when.month}/{when.day}/{when:%y}, {hour12}:{when:%M} {ampm} - "
    if style == "old_time_first":
        return f"{when:%H:%M}, {when.day} {month} {when.year} - "
    if style == "old_month_day":
        return f"{month} {when.day}, {hour12}:{when:%M} {ampm} - "
    if style == "old_day_month":
        return f"{when.day} {month} {when:%H:%M} - "
    raise ValueError(f"unknown export style {style!r}")


def edited(style: str) -> str:
    """What WhatsApp appends to an edited message in this style's export."""
    return " \u200e<This message was edited.>" if style == "ios" else " <This message was edited>"
