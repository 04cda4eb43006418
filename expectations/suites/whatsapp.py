"""Expectations on WhatsApp chat exports: messages and the order lines derived from them.

No row-level checks: a message is one read row and its order lines are derived from it, so quarantining one
without the other would break the accounting. Odd values are warnings; reader bugs reject the file.
"""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common


def checks(ctx: SuiteContext) -> list[Check]:
    if ctx.table == "whatsapp_messages":
        return [
            *common.not_null(("distributor_code", "chat_name", "message_ts")),
            common.not_in_future("message_ts", ctx, severity="warning"),
        ]
    return [
        *common.not_null(("order_id", "confidence", "status")),
        common.between("confidence", 0, 1, severity="file", what="confidence"),
        common.in_set("status", ["open", "cancelled", "corrected"]),
        common.between("quantity_units", 0, 1_000_000, severity="warning", what="quantity"),
    ]


SUITE = Suite("whatsapp", checks)
