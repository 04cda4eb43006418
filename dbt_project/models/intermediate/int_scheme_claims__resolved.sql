-- Current scheme claims (a re-sent month replaces the earlier file) with the brand's outlet resolved.
with claims as (
    {{ current_rows(ref('stg_scheme_claims__claims'), 'claim_month') }}
),

keys as (
    select * from {{ ref('int_outlets__party_keys') }}
)

select
    claims.*,
    coalesce(by_code.outlet_code, by_exact.outlet_code, by_name.outlet_code) as outlet_code
from claims
left join keys as by_code
    on by_code.key_kind = 'code'
    and by_code.distributor_code = claims.distributor_code
    and by_code.party_key = claims.party_code
left join keys as by_exact
    on by_exact.key_kind = 'exact'
    and by_exact.distributor_code = claims.distributor_code
    and by_exact.party_key = lower(trim(claims.party_name))
left join keys as by_name
    on by_name.key_kind = 'name'
    and by_name.distributor_code = claims.distributor_code
    and by_name.party_key = {{ normalise_name('claims.party_name') }}
