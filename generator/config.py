"""The knobs of a generated network, and the calendar facts every part of the generator shares."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

DIWALI = date(2026, 11, 8)
DUSSEHRA = date(2026, 10, 20)
FESTIVAL_LEAD_DAYS = 21  # the buying peak: the three weeks before each festival

LAYOUTS = ("marg_xlsx", "busy_csv", "legacy_xls", "tally_csv", "multisheet_xlsx", "hinglish_tsv")
LAYOUT_EXTENSIONS = {
    "marg_xlsx": ".xlsx",
    "busy_csv": ".csv",
    "legacy_xls": ".xls",
    "tally_csv": ".csv",
    "multisheet_xlsx": ".xlsx",
    "hinglish_tsv": ".txt",
    # shapes some weeks' files take (generator/layouts.py, `file_shape`)
    "headerless_csv": ".csv",
    "hinglish_kul_yog_tsv": ".txt",
    "devanagari_tsv": ".txt",
}
# layouts with a voucher-type column carry retailer returns; layouts with a free column run free-goods schemes
LAYOUTS_WITH_RETURNS = frozenset({"marg_xlsx", "busy_csv"})
LAYOUTS_WITH_FREE = frozenset({"marg_xlsx", "busy_csv", "tally_csv", "multisheet_xlsx"})

# every workbook carries these document properties, so the same network gives the same bytes
WORKBOOK_TIMESTAMP = datetime(2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class NetworkConfig:
    """Scale and seed of a sample network. The same config always writes byte-identical files."""

    seed: int = 42
    distributors: int = 8
    outlets: int = 400
    skus: int = 30
    days: int = 123
    start: date = date(2026, 7, 1)
    realistic_demand: bool = False  # trend, regional seasons, moving festivals, promotions... (demand_patterns.py)
    # the brand's supply fails now and then as it does in real distribution: a SKU short at the depot (billed short
    # or not at all for 1-4 weeks), a distributor on credit hold (not billed for 1-3 weeks) (generator/supply.py)
    supply_disruptions: bool = False
    # a share of retailer orders is booked days before it is billed (modern-trade purchase orders, pre-sold beats):
    # the order book an SFA/DMS export would show (generator/order_book.py); the simulated world is unchanged
    orders_booked_ahead: bool = False
    # rounds of planted sales anomalies (anomalies.py), each in its own stretch of the days: the anomaly benchmark
    # plants more than the demo network's one round so its precision and recall rest on more events
    anomaly_rounds: int = 1

    def __post_init__(self) -> None:
        if self.distributors < 1:
            raise ValueError("distributors must be at least 1")
        if self.outlets < 5 * self.distributors:
            raise ValueError(f"outlets must be at least 5 per distributor ({5 * self.distributors})")
        if self.skus < 6:
            raise ValueError("skus must be at least 6")
        if self.anomaly_rounds < 1:
            raise ValueError("anomaly_rounds must be at least 1")
        if self.days < 28:
            raise ValueError("days must be at least 28 (four weeks)")

    @property
    def end(self) -> date:
        """The last simulated day (inclusive)."""
        return self.start + timedelta(days=self.days - 1)

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def rng(self, stream: str) -> random.Random:
        """An independent random stream per purpose: adding draws to one part never shifts another."""
        return random.Random(f"sellthrough/{self.seed}/{stream}")
