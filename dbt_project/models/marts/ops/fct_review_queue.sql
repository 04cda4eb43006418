-- The review queue: each distinct name the pipeline could not match, per review kind and distributor, with how
-- often and where it was seen, and whether a person has decided on it. Fed by rows quarantined as unknown_sku
-- with an item to alias (their subject fields: subject, subject_kind 'sku', suggestions) and by WhatsApp order lines
-- needing review for their SKU or outlet.
{#- Rows landed from quarantine files written before the subject fields existed (subject_kind null) name their item
    only in the sentence: for those rows alone it is read from there (Python twin: sellthrough/review_queue.py,
    LEGACY_UNKNOWN_SKU); every row written since carries it in `subject`. #}
{#- \x27 is the apostrophe, spelt so for Spark (whose SQL strings with escapedStringLiterals on keep '' as two) #}
{%- set legacy_unknown_sku -%}
'(?s)^unknown SKU \x27(.+)\x27: add an alias for distributor '
{%- endset %}
with quarantined as (
    select
        'sku' as review_kind,
        q.distributor_code,
        q.source_kind,
        case
            when q.subject_kind is null then nullif(regexp_extract(q.reason, {{ legacy_unknown_sku }}, 1), '')
            else q.subject
        end as name,
        q.raw_values as raw_text,
        q.reason as suggestion,
        q.suggestions,
        q.load_id,
        loads.file_name,
        loads.loaded_at
    from {{ ref('stg_ingest__quarantined_rows') }} as q
    inner join {{ ref('stg_ingest__loads') }} as loads on loads.load_id = q.load_id
    where q.reason_code = 'unknown_sku' and coalesce(q.subject_kind, 'sku') = 'sku'
),

order_lines as (
    select
        o.review_subject as review_kind,
        o.distributor_code,
        'whatsapp' as source_kind,
        case when o.review_subject = 'sku' then o.item_text else o.outlet_text end as name,
        o.raw_text,
        null as suggestion,
        null as suggestions,
        o.load_id,
        loads.file_name,
        loads.loaded_at
    from {{ ref('stg_whatsapp__order_lines') }} as o
    inner join {{ ref('stg_ingest__loads') }} as loads on loads.load_id = o.load_id
    where o.needs_review and o.status <> 'cancelled' and o.review_subject in ('sku', 'outlet')
),

occurrences as (
    select *, {{ review_name_key('name') }} as name_key
    from (select * from quarantined union all select * from order_lines) as named
    where nullif(trim(name), '') is not null
),

items as (
    select
        review_kind,
        distributor_code,
        name_key,
        -- ties (rows of one load) broken by the value itself: the same pick on every engine
        {{ arg_min('name', row_of('loaded_at, name')) }} as name,
        {{ distinct_sorted_string_agg('source_kind', "','") }} as source_kinds,
        count(*) as occurrences,
        count(distinct load_id) as files,
        min(loaded_at) as first_seen_at,
        max(loaded_at) as last_seen_at,
        {{ arg_max('file_name', 'loaded_at') }} as last_file,
        {{ arg_min('raw_text', row_of('loaded_at, raw_text')) }} as example_raw_text,
        {{ arg_max('suggestion', row_of('loaded_at, suggestion')) }} as suggestion,
        {{ arg_max('suggestions', row_of('loaded_at, suggestion')) }} as suggestions
    from occurrences
    group by review_kind, distributor_code, name_key
),

-- the brand's own alias of a name, one per distributor x name key (the first SKU by code, when aliases differ)
brand_aliases as (
    select distributor_code, {{ review_name_key('alias') }} as name_key, min(sku_code) as sku_code
    from {{ ref('stg_masters__sku_aliases') }}
    group by distributor_code, {{ review_name_key('alias') }}
)

select
    items.review_kind,
    items.distributor_code,
    items.name_key,
    items.name,
    items.source_kinds,
    items.occurrences,
    items.files,
    items.first_seen_at,
    items.last_seen_at,
    items.last_file,
    items.example_raw_text,
    items.suggestion,
    items.suggestions,
    case
        when decisions.decision = 'confirmed' or brand.sku_code is not null then 'resolved'
        when decisions.decision = 'ignored' then 'ignored'
        else 'pending'
    end as review_status,
    coalesce(decisions.resolved_to, brand.sku_code) as resolved_to,
    decisions.decided_by,
    decisions.decided_at
from items
left join {{ ref('stg_reviews__decisions') }} as decisions
    on decisions.review_kind = items.review_kind
    and decisions.distributor_code = items.distributor_code
    and decisions.name_key = items.name_key
left join brand_aliases as brand
    on items.review_kind = 'sku'
    and brand.distributor_code = items.distributor_code
    and brand.name_key = items.name_key
