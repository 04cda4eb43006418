-- How a distributor's file names an outlet: by the distributor's own party code ('code'), by its exact name
-- ('exact': case and surrounding spaces aside), or by its normalised name ('name': honorifics and punctuation
-- gone). A name two outlets of one distributor share is ambiguous and maps to nothing.
with outlets as (
    select outlet_code, distributor_code, party_code, outlet_name
    from {{ ref('stg_masters__outlets') }}
),

by_code as (
    select distributor_code, 'code' as key_kind, party_code as party_key, outlet_code
    from outlets
    where party_code is not null
),

by_exact as (
    select distributor_code, 'exact' as key_kind, lower(trim(outlet_name)) as party_key, outlet_code
    from outlets
    where outlet_name is not null
    qualify count(*) over (partition by distributor_code, lower(trim(outlet_name))) = 1
),

by_name as (
    select distributor_code, 'name' as key_kind, {{ normalise_name('outlet_name') }} as party_key, outlet_code
    from outlets
    qualify count(*) over (partition by distributor_code, {{ normalise_name('outlet_name') }}) = 1
)

select * from by_code
union all
select * from by_exact
union all
select * from by_name
