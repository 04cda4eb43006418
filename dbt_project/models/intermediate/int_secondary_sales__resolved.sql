-- Current secondary-sales lines with the brand's outlet: by party code first, then by normalised name.
with lines as (
    select * from {{ ref('int_secondary_sales__current') }}
),

keys as (
    select * from {{ ref('int_outlets__party_keys') }}
)

select
    lines.*,
    coalesce(by_code.outlet_code, by_exact.outlet_code, by_name.outlet_code) as outlet_code,
    case
        when by_code.outlet_code is not null then 'party_code'
        when by_exact.outlet_code is not null then 'party_name'
        when by_name.outlet_code is not null then 'party_name_normalised'
    end as outlet_match
from lines
left join keys as by_code
    on by_code.key_kind = 'code'
    and by_code.distributor_code = lines.distributor_code
    and by_code.party_key = lines.party_code
left join keys as by_exact
    on by_exact.key_kind = 'exact'
    and by_exact.distributor_code = lines.distributor_code
    and by_exact.party_key = lower(trim(lines.party_name))
left join keys as by_name
    on by_name.key_kind = 'name'
    and by_name.distributor_code = lines.distributor_code
    and by_name.party_key = {{ normalise_name('lines.party_name') }}
