-- Who writes in each distributor's WhatsApp groups, from the chat-senders master: a rep, an outlet, or someone
-- else. Keyed by the keyed hash of the author, so chats join to it without any phone number in the warehouse.
select
    senders.distributor_code,
    senders.sender_key,
    senders.sender_display,
    case
        when senders.rep_code is not null then 'rep'
        when senders.outlet_code is not null then 'outlet'
        else 'other'
    end as sender_role,
    senders.rep_code,
    senders.outlet_code,
    outlets.master_outlet_id
from {{ ref('stg_masters__chat_senders') }} as senders
left join {{ ref('dim_outlet') }} as outlets on outlets.outlet_code = senders.outlet_code
