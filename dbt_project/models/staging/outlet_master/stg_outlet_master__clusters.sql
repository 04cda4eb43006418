-- Each master outlet code with the one master outlet id it belongs to (duplicates share an id).
select outlet_code, master_outlet_id, is_golden, cluster_size
from {{ source('derived', 'outlet_clusters') }}
