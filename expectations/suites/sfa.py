"""Expectations on field-sales app exports: visits and order lines.

The reader already quarantines unreadable times, GPS, quantities and unknown SKUs/outlets; here the conformed
rows are judged: reader bugs (missing keys) reject the file, impossible dates and quantities are quarantined,
and odd but possible values (GPS outside India, productive visits without orders) are warnings. No check
compares with the file name's period: a sync carries orders captured offline on earlier days.
"""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common

MAX_UNITS = 1_000_000  # pieces on one order line


def checks(ctx: SuiteContext) -> list[Check]:
    if ctx.table == "sfa_visits":
        return [
            *common.not_null(("distributor_code", "visit_id", "rep_code", "outlet_code", "device_time")),
            common.not_in_future("visit_date", ctx),
            common.unique_key(["visit_id"]),
            *common.gps_in_india(),
        ]
    return [
        *common.not_null(("distributor_code", "client_order_id", "line_number", "sku_code", "quantity_units")),
        common.not_in_future("order_date", ctx),
        common.between("quantity_units", 1, MAX_UNITS, reason_code="bad_quantity", what="quantity"),
        common.unique_key(["client_order_id", "line_number"]),
    ]


SUITE = Suite("sfa", checks, period_columns={"sfa_visits": "visit_date", "sfa_order_lines": "order_date"})
