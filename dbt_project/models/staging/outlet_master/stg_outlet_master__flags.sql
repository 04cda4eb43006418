-- Retailer validation flags per outlet from the master's own fields.
select outlet_code, gstin_invalid, gps_impossible, phone_invalid
from {{ source('derived', 'outlet_flags') }}
