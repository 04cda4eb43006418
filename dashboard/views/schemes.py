"""Schemes: the sell-through each scheme generated, earned against claimed, and leakage by scheme, distributor
and outlet (fct_scheme_redemption: per scheme x outlet x month; leakage = max(claimed - earned, 0))."""

import streamlit as st

from dashboard import ui

session = ui.night()
st.title("Schemes")
conditions, params = ui.scope(
    {"zone": "zone", "region": "region", "state": "state", "distributor": "distributor_code", "beat": "beat_code"}
)
scope_sql = ui.where(conditions)
SUMS = """sum(sell_through_amount) as sell_through_amount, sum(earned_amount) as earned_amount,
    sum(claimed_amount) as claimed_amount, sum(leakage_amount) as leakage_amount,
    count(*) filter (where is_over_claimed) as over_claimed_rows,
    round(sum(claimed_amount) / nullif(sum(earned_amount), 0), 3) as claimed_to_earned_ratio"""
money = ui.money_columns("sell_through_amount", "earned_amount", "claimed_amount", "leakage_amount")

TOTALS_SQL = f"select {SUMS} from fct_scheme_redemption where {scope_sql}"  # noqa: S608 (ui.scope)
totals = session.frame(TOTALS_SQL, params, label="scheme totals").row(0, named=True)
cards = st.columns(4)
for card, (label, key) in zip(
    cards,
    (
        ("Sell-through generated", "sell_through_amount"),
        ("Earned", "earned_amount"),
        ("Claimed", "claimed_amount"),
        ("Leakage", "leakage_amount"),
    ),
    strict=True,
):
    with card:
        ui.metric(label, ui.rupees(totals[key]), None)

by_scheme = session.frame(
    f"""with redemption as (select * from fct_scheme_redemption where {scope_sql})
    select redemption.scheme_code, any_value(schemes.scheme_name) as scheme_name,
        any_value(redemption.scheme_type) as scheme_type, min(redemption.claim_month) as first_month,
        max(redemption.claim_month) as last_month, {SUMS}
    from redemption
    left join dim_scheme as schemes on schemes.scheme_code = redemption.scheme_code
    group by redemption.scheme_code order by leakage_amount desc, redemption.scheme_code""",  # noqa: S608
    params,
    label="by scheme",
)
ui.table(by_scheme, "schemes_by_scheme", title="By scheme", column_config=money)

by_distributor = session.frame(
    f"""select distributor_code, any_value(zone) as zone, any_value(region) as region, {SUMS}
    from fct_scheme_redemption where {scope_sql}
    group by distributor_code order by leakage_amount desc, distributor_code""",  # noqa: S608
    params,
    label="by distributor",
)
ui.table(by_distributor, "schemes_by_distributor", title="By distributor", column_config=money)

over_claimed = session.frame(
    f"""with redemption as (select * from fct_scheme_redemption where {scope_sql} and is_over_claimed)
    select redemption.scheme_code, redemption.distributor_code, redemption.outlet_code,
        outlets.outlet_name, redemption.beat_code, strftime(redemption.claim_month, '%Y-%m') as claim_month,
        redemption.eligible_units, redemption.sell_through_amount, redemption.earned_amount,
        redemption.claimed_amount, redemption.leakage_amount, redemption.claimed_to_earned_ratio,
        redemption.has_unresolved_retailer
    from redemption
    left join dim_outlet as outlets on outlets.outlet_code = redemption.outlet_code
    order by redemption.leakage_amount desc, redemption.scheme_code, redemption.outlet_code,
        redemption.claim_month""",  # noqa: S608
    params,
    label="over-claimed outlets",
)
ui.table(over_claimed, "schemes_over_claimed", title="Over-claimed, by outlet and month", column_config=money)
st.caption("Over-claimed: the claim exceeds what the scheme's rules earned on the outlet's invoices by over ₹1.")
