"""Load times that never go backwards, whatever the machine's clock does.

A load's `loaded_at` orders the loads: load ids sort by it, and dbt's incremental windows take the loads
committed after a model's `_built_through` (the newest loaded_at it was built with). A clock moved back (an NTP
step, a VM restored from a snapshot, a wrong manual setting) would give new loads earlier times than loads
already built, and those rows would never reach the incremental facts. So a load's time is the clock's, or just
after the newest load in the ledger when the clock is behind it (logged once).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

log = logging.getLogger("sellthrough.ingest")
TICK = timedelta(microseconds=1)


class LoadClock:
    def __init__(self, newest_load: datetime | None) -> None:
        self.last = newest_load
        self.behind = False

    def now(self) -> datetime:
        """Naive UTC, later than every load time handed out or found in the ledger."""
        now = datetime.now(UTC).replace(tzinfo=None)
        if self.last is not None and now <= self.last:
            if not self.behind:
                log.warning(
                    "the clock (%s UTC) is behind the newest load in the ledger (%s): load times continue from it",
                    now.isoformat(timespec="seconds"),
                    self.last.isoformat(timespec="seconds"),
                )
                self.behind = True
            now = self.last + TICK
        self.last = now
        return now
