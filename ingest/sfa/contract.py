"""Contracts of `raw/sfa_visits` and `raw/sfa_order_lines`: a field-sales app's visits and the orders taken."""

from __future__ import annotations

import polars as pl

from ingest.core.contract import Contract

SFA_VISITS = Contract(
    table="sfa_visits",
    schema={
        "distributor_code": pl.String(),
        "visit_id": pl.String(),
        "rep_code": pl.String(),
        "outlet_code": pl.String(),
        "latitude": pl.Float64(),  # where the phone was at check-in; null when the app recorded none
        "longitude": pl.Float64(),
        "device_time": pl.Datetime("us"),  # the phone's clock, India time (IST), naive
        "server_time": pl.Datetime("us"),  # when the server received the sync, IST, naive
        "visit_date": pl.Date(),  # device_time's date: the business date
        "productive": pl.Boolean(),  # the app's own flag; null when the export has none (derived in dbt)
    },
    not_null=("distributor_code", "visit_id", "rep_code", "outlet_code", "device_time", "server_time", "visit_date"),
)

SFA_ORDER_LINES = Contract(
    table="sfa_order_lines",
    schema={
        "distributor_code": pl.String(),
        "client_order_id": pl.String(),  # the phone's id of the order: the same on every re-sync
        "line_number": pl.Int32(),  # 1, 2, ... within the order (position in the sync when the export has none)
        "visit_id": pl.String(),  # null for an order taken outside a visit
        "rep_code": pl.String(),
        "outlet_code": pl.String(),
        "item_raw": pl.String(),  # the SKU as the app sent it
        "sku_code": pl.String(),  # mapped to the brand's master
        "quantity_units": pl.Int64(),  # pieces, > 0
        "device_time": pl.Datetime("us"),
        "server_time": pl.Datetime("us"),
        "order_date": pl.Date(),  # device_time's date: the day the order was booked
        # the day the outlet wants it delivered (a modern-trade PO's date, a pre-sold beat's van run); null when
        # the export has none (an order for the same day)
        "delivery_date": pl.Date(),
    },
    not_null=(
        "distributor_code",
        "client_order_id",
        "line_number",
        "rep_code",
        "outlet_code",
        "sku_code",
        "quantity_units",
        "device_time",
        "server_time",
        "order_date",
    ),
)

# Field names an export may use for each contract field (lower case, spaces/dashes as underscores).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "record_type": ("type", "record_type", "kind", "entity"),
    "visit_id": ("visit_id", "visit", "call_id", "visitid"),
    "client_order_id": ("client_order_id", "order_id", "client_ref", "local_order_id", "clientorderid"),
    "line_number": ("line_number", "line_no", "line", "seq"),
    "rep_code": ("rep_code", "rep", "rep_id", "salesman_code", "dsr_code", "user_code"),
    "outlet_code": ("outlet_code", "outlet", "outlet_id", "retailer_code", "retailer_id", "store_code"),
    "latitude": ("latitude", "lat", "gps_lat"),
    "longitude": ("longitude", "lon", "lng", "long", "gps_lon", "gps_lng"),
    "device_time": ("device_time", "device_ts", "captured_at", "client_time", "device_timestamp"),
    "server_time": ("server_time", "server_ts", "synced_at", "received_at", "server_timestamp"),
    "productive": ("productive", "is_productive", "productive_call"),
    "item": ("sku_code", "sku", "item_code", "product_code", "item", "sku_name", "product"),
    "quantity": ("quantity_units", "qty", "quantity", "qty_units", "units", "pieces"),
    "delivery_date": ("delivery_date", "due_date", "expected_delivery_date", "required_date", "po_delivery_date"),
}
