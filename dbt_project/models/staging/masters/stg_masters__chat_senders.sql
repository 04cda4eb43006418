-- The latest snapshot of the brand's chat-senders master: who each WhatsApp author is. Senders arrive hashed
-- (sender_key, the same keyed hash as the chats' author_key) with a masked display; never a number in the clear.
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_chat_senders'), 'masters_chat_senders') }}
)
select
    _load_id as load_id,
    distributor_code,
    sender_key,
    sender_display,
    rep_code,
    outlet_code
from snapshot
