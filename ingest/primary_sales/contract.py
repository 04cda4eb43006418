"""Contract of `raw/primary_sales`: the brand's ERP billing to its distributors."""

from __future__ import annotations

import polars as pl

from ingest.core.contract import Contract
from ingest.core.headers import Field

PRIMARY_SALES = Contract(
    table="primary_sales",
    schema={
        "doc_type": pl.String(),
        "doc_number": pl.String(),
        "doc_date": pl.Date(),
        "delivery_date": pl.Date(),
        "distributor_code": pl.String(),
        "sku_code": pl.String(),
        "quantity_units": pl.Int64(),
        "rate": pl.Float64(),
        "net_amount": pl.Float64(),
    },
    not_null=("doc_type", "doc_number", "doc_date", "distributor_code", "sku_code", "quantity_units"),
)

FIELDS: tuple[Field, ...] = (
    Field("doc_type", ("document type", "doc type", "billing type", "type"), required=True),
    Field(
        "doc_number",
        ("document no", "doc no", "document number", "billing document", "invoice no"),
        required=True,
    ),
    Field("doc_date", ("document date", "doc date", "billing date", "invoice date", "date"), required=True),
    Field("delivery_date", ("delivery date", "grn date", "received date", "pod date", "receipt date")),
    Field(
        "distributor_code",
        ("distributor code", "sold to", "customer code", "dist code", "distributor"),
        required=True,
    ),
    Field("sku_code", ("material", "sku code", "item code", "product code", "material code"), required=True),
    Field("quantity_units", ("quantity units", "quantity", "qty", "units", "billed quantity"), required=True),
    Field("rate", ("rate", "price", "unit price")),
    Field("net_amount", ("net value", "net amount", "value", "amount")),
)

DOC_TYPES = {
    "inv": "invoice",
    "invoice": "invoice",
    "f2": "invoice",
    "crn": "credit_note",
    "credit note": "credit_note",
    "cn": "credit_note",
    "g2": "credit_note",
    "re": "credit_note",
}
