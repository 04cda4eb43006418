-- Distributors with their tier, parent and geography: zone > region > state > town.
with distributors as (
    select * from {{ ref('stg_masters__distributors') }}
)

select
    distributors.distributor_code,
    distributors.distributor_name,
    distributors.tier,
    distributors.parent_distributor_code,
    parents.distributor_name as parent_distributor_name,
    distributors.zone,
    distributors.region,
    distributors.state,
    distributors.town,
    distributors.sales_file_cadence
from distributors
left join distributors as parents
    on parents.distributor_code = distributors.parent_distributor_code
