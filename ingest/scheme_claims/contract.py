"""Contract of `raw/scheme_claims`: what a distributor claims from the brand per scheme, retailer and month."""

import polars as pl

from ingest.core.contract import Contract
from ingest.core.headers import Field

SCHEME_CLAIMS = Contract(
    table="scheme_claims",
    schema={
        "distributor_code": pl.String(),
        "claim_month": pl.Date(),
        "scheme_code": pl.String(),
        "party_code": pl.String(),
        "party_name": pl.String(),
        "claimed_amount": pl.Float64(),
    },
    not_null=("distributor_code", "claim_month", "scheme_code", "claimed_amount"),
)

FIELDS: tuple[Field, ...] = (
    Field("scheme_code", ("scheme code", "scheme", "scheme id", "promo code", "scheme no"), required=True),
    Field("party_code", ("party code", "customer code", "retailer code", "outlet code", "party id")),
    Field("party_name", ("party", "party name", "customer", "retailer", "outlet", "dukan")),
    Field(
        "claimed_amount",
        ("claimed amount", "claim amount", "claim", "amount claimed", "claim value", "amount"),
        required=True,
    ),
)
