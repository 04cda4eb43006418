-- The audit of the outlet matcher: every compared pair, the rule that fired, its score and the decision.
select
    outlet_code_a,
    outlet_code_b,
    rule,
    score,
    decision,
    source as decided_by_kind,
    reason,
    decided_by,
    features
from {{ source('derived', 'outlet_pairs') }}
