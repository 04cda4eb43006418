"""WhatsApp order groups: for one or two distributors, retailers and salesmen also send orders in chats.

Each such distributor has two groups, `<name> Retailers` (shops order for themselves, as a saved contact or a
bare phone number) and `<name> Sales Team` (the reps post their beat's orders, naming the outlet), and a few
one-to-one chats with its biggest customers (`WhatsApp Chat with <shop>.txt`, exported from an old phone: month
names, and no year on the headers of two of the three old styles). The orders are the simulation's requested
orders before fill (`simulate._demand`, recomputed from the same random streams, so no other file changes); about
a sixth of the outlets never use the chats. With `orders_booked_ahead` the orders booked ahead are left out: they
travel in the field app's order-book exports (field_app.write_order_book), so no order is told twice.
Messages mix English and Hinglish, SKU names with typos or the
distributor's aliases, cases / pieces / dozens, system and media messages, edited markers, a few cancellations and
quantity corrections, and casual talk full of numbers (`casual_chat.casual_text`: phone numbers plain and masked,
money, dates, times, scores, "2 cases of flu", product words in other senses) from the same senders. Each such
distributor's inbox also gets one casual chat exported by mistake (a family group, in no master): it must load
with no order line. Export styles: `chat_export.STYLES` and `OLD_STYLES`. Exported once, the evening of the last
day.

Truth (`truth/whatsapp_orders.parquet`): one row per true order line after cancellations and corrections.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import polars as pl

from generator.casual_chat import casual_chat, casual_text
from generator.chat_export import OLD_STYLES, STYLES, edited, header
from generator.files import write_delivered
from generator.masters import Distributor, Network, Outlet, Rep, Sku, normal_key
from generator.order_book import booked_days
from generator.problems import ProblemPlan
from generator.simulate import _demand

TRUTH_SCHEMA = {
    "distributor_code": pl.String,
    "chat_file": pl.String,
    "chat_name": pl.String,
    "message_line": pl.Int32,
    "outlet_code": pl.String,
    "outlet_text": pl.String,
    "sku_code": pl.String,
    "item_text": pl.String,
    "quantity_units": pl.Int64,
    "status": pl.String,
}
CASE_UNITS = ("cs", "case", "cases", "ctn", "carton", "box", "CS")
HINGLISH_CASES = ("peti", "peti", "dabba")
PIECE_UNITS = ("pcs", "pc", "pkt", "packet", "nos", "units", "PCS")
DOZEN_UNITS = ("dozen", "dz", "dozen")
CHATTER = (
    "ok",
    "Ok ji",
    "thanks",
    "Thank you 🙏",
    "Good morning 🙏",
    "👍",
    "noted",
    "Delivery kab tak aayegi?",
    "bhaiya rate list bhejo",
    "Kal shop band rahegi",
    "payment kar diya hai, UPI se",
    "Payment done ₹4,560 via GPay",
    "Bill bhej dena please",
    "Naya scheme kya hai?",
    "Gaadi aa gayi",
    "kal market band hai",
    "mera naya number {phone} save kar lo",
)
ENCRYPTION = (
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
    "can read or listen to them. Tap to learn more."
)


@dataclass
class Message:
    when: datetime
    author: str | None  # None: a system line
    text: str
    marked: bool = False  # iOS: WhatsApp's own text (system, media) starts with U+200E
    truth: list[dict] = field(default_factory=list)


@dataclass
class Chat:
    distributor: Distributor
    name: str
    style: str
    messages: list[Message] = field(default_factory=list)
    # who writes here, as the brand's chat-senders master knows them: author -> (rep_code, outlet_code)
    senders: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    contact: str | None = None  # a one-to-one chat: the shop as the distributor's phone saved it (the chat name)
    owner: str | None = None  # a one-to-one chat: the distributor's side

    @property
    def file(self) -> str:
        return f"whatsapp/{self.distributor.code}/WhatsApp Chat with {self.name}.txt"


# --- who writes ------------------------------------------------------------------------------------------------
def pretty_phone(digits: str) -> str:
    return f"+91 {digits[:5]} {digits[5:]}"


def _mention(rng: random.Random, outlet: Outlet, outlets: list[Outlet]) -> str:
    """How people name an outlet: its name, in lower case, or its short name when no other outlet shares it."""
    name = re.sub(r"\s*\d+$", "", outlet.name)
    head_key = normal_key(outlet.name_head)
    unique = sum(1 for o in outlets if head_key in normal_key(o.name)) == 1
    r = rng.random()
    if unique and r < 0.4:
        return outlet.name_head if rng.random() < 0.7 else outlet.name_head.lower()
    return name.lower() if r < 0.6 else name


def _bare(author: str) -> str:
    """An author as a contact list holds it: without the direction marks iOS puts around phone numbers."""
    return author.strip("\u202a\u202c")


def _retailer_author(rng: random.Random, outlet: Outlet, style: str) -> str:
    if rng.random() < 0.5:
        phone = pretty_phone(outlet.phone)
        return f"\u202a{phone}\u202c" if style == "ios" else phone
    return outlet.name


def _rep_author(rng: random.Random, rep: Rep, style: str) -> str:
    if rng.random() < 0.3:
        phone = pretty_phone(rep.phone)
        return f"\u202a{phone}\u202c" if style == "ios" else phone
    return rep.name


# --- what they write -------------------------------------------------------------------------------------------
def _pack_form(rng: random.Random, pack: str) -> str:
    amount, unit = pack.split(" ")
    forms = {"g": ("g", "gm", "gms", "GM", " g", " gm"), "kg": ("kg", " kg", "KG"), "ml": ("ml", " ml", "ML")}
    forms["l"] = ("l", " ltr", "L", "ltr")
    return amount + rng.choice(forms[unit])


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    vowels = "aeiou"
    return word[:i] + (rng.choice(vowels) if word[i] in vowels else word[i]) + word[i + 1 :]


def item_mention(rng: random.Random, sku: Sku, aliases: list[str]) -> str:
    """The SKU as typed: the master name (brand optional), an alias of the distributor, typos, case."""
    if aliases and rng.random() < 0.25:
        alias = rng.choice(aliases)
        return alias.lower() if rng.random() < 0.3 else alias
    words = sku.product.split(" ")
    if rng.random() < 0.35:
        j = rng.randrange(len(words))
        words[j] = _typo(rng, words[j])
    if rng.random() < 0.3:
        words = [words[0][:4] if len(words[0]) > 6 and rng.random() < 0.3 else words[0], *words[1:]]
    product = " ".join(words)
    head = f"{sku.brand} {product}" if rng.random() < 0.4 else product
    text = f"{head} {_pack_form(rng, sku.pack)}"
    r = rng.random()
    return text.lower() if r < 0.45 else (text.upper() if r < 0.55 else text)


def quantity_mention(rng: random.Random, units: int, sku: Sku, hinglish: bool) -> tuple[int, str]:
    """(count as written, unit word): cases where the units fill cases, else dozens or pieces."""
    upc = sku.units_per_case
    if units % upc == 0 and rng.random() < 0.85:
        return units // upc, rng.choice(HINGLISH_CASES if hinglish else CASE_UNITS)
    if units % 12 == 0 and rng.random() < 0.5:
        return units // 12, rng.choice(DOZEN_UNITS)
    return units, rng.choice(PIECE_UNITS)


def line_text(rng: random.Random, item: str, count: int, unit: str, hinglish: bool) -> str:
    r = rng.random()
    if hinglish or r < 0.35:
        return f"{count} {unit} {item}"
    if r < 0.55:
        return f"{item} {count}{unit}"
    if r < 0.7:
        return f"{item} x {count} {unit}"
    return f"{item} {count} {unit}"


def compose(rng: random.Random, mention: str | None, lines: list[str], hinglish: bool) -> str:
    """A whole order message: the outlet (when named) and its lines, in one of the usual shapes."""
    if mention is None:
        shapes = ["\n".join(lines), f"order: {', '.join(lines)}", f"{', '.join(lines)} pls"]
        if hinglish:
            shapes = [f"bhaiya {', '.join(lines)} bhej dena", f"{' aur '.join(lines)} bhejo", "\n".join(lines)]
        return rng.choice(shapes)
    if hinglish:
        return rng.choice(
            [f"{mention} ke liye {' aur '.join(lines)} bhejo", f"{mention} ka order:\n" + "\n".join(lines)]
        )
    shapes = [
        f"{mention} - {', '.join(lines)}",
        f"{mention}\n" + "\n".join(lines),
        f"Order for {mention}:\n" + "\n".join(lines),
    ]
    if len(lines) <= 3:
        shapes.append(f"order: {', '.join(lines)} for {mention}")
    return rng.choice(shapes)


# --- a day in a chat ------------------------------------------------------------------------------------------
@dataclass
class _Context:
    network: Network
    rng: random.Random
    outlets: list[Outlet]
    aliases: dict[str, list[str]]  # sku -> the distributor's aliases
    retail_author: dict[str, str]
    rep_author: dict[str, str]
    casual: random.Random  # its own stream: casual talk never shifts the orders' wording


def order_messages(
    ctx: _Context, chat: Chat, outlet: Outlet, wanted: list[tuple[str, int]], when: datetime
) -> list[Message]:
    """The order, and maybe its cancellation or correction right after."""
    rng = ctx.rng
    by_rep = chat.name.endswith("Sales Team")
    hinglish = rng.random() < 0.35
    named = by_rep or rng.random() < 0.15
    mention = _mention(rng, outlet, ctx.outlets) if named else None
    written: list[tuple[Sku, int, str, int]] = []
    for sku_code, units in wanted:
        sku = ctx.network.sku_by_code[sku_code]
        count, unit = quantity_mention(rng, units, sku, hinglish)
        written.append((sku, count, unit, units))
    follow_up, wrong_at = _follow_up(rng, written)
    texts, mentions = [], []
    for i, (sku, count, unit, _) in enumerate(written):
        shown = wrong_at[1] if wrong_at and wrong_at[0] == i else count
        mentions.append(item_mention(rng, sku, ctx.aliases.get(sku.code, [])))
        texts.append(line_text(rng, mentions[-1], shown, unit, hinglish))
    author = chat.contact or (ctx.rep_author[outlet.beat_code] if by_rep else ctx.retail_author[outlet.code])
    status = {"cancel": "cancelled", "correct": "corrected"}.get(follow_up or "", "open")
    truth = [
        {
            "outlet_code": outlet.code,
            "outlet_text": mention,  # the outlet as the message names it (None: the sender is the outlet)
            "sku_code": sku.code,
            "item_text": mentions[i],  # the SKU as the message names it (what the review queue shows)
            "quantity_units": units,
            "status": status if (follow_up == "cancel" or (wrong_at and wrong_at[0] == i)) else "open",
        }
        for i, (sku, _, _, units) in enumerate(written)
    ]
    text = compose(rng, mention, texts, hinglish)
    if rng.random() < 0.05:
        text += edited(chat.style)  # WhatsApp's marker on an edited order: the text before it is the order
    messages = [Message(when, author, text, truth=truth)]
    later = when + timedelta(minutes=rng.randint(2, 25))
    if follow_up == "cancel":
        messages.append(Message(later, author, _cancel_text(rng, mention if by_rep else None)))
    elif follow_up == "correct" and wrong_at:
        right, wrong = written[wrong_at[0]][1], wrong_at[1]
        text = rng.choice((f"sorry {right} not {wrong}", f"{right} not {wrong}", f"{wrong} nahi {right}"))
        messages.append(Message(later, author, text))
    return messages


def _follow_up(
    rng: random.Random, written: list[tuple[Sku, int, str, int]]
) -> tuple[str | None, tuple[int, int] | None]:
    """("cancel" | "correct" | None, (line index, wrong count) for a correction)."""
    r = rng.random()
    if r < 0.03:
        return "cancel", None
    if r < 0.07:
        i = rng.randrange(len(written))
        right = written[i][1]
        others = {c for j, (_, c, _, _) in enumerate(written) if j != i}
        wrong = right + rng.choice((-1, 1, 2, 5)) if right > 1 else right + rng.choice((1, 2))
        if wrong > 0 and wrong != right and wrong not in others:
            return "correct", (i, wrong)
    return None, None


def _cancel_text(rng: random.Random, mention: str | None) -> str:
    if mention is not None and rng.random() < 0.7:
        return rng.choice((f"cancel {mention} order", f"{mention} ka order cancel karo"))
    return rng.choice(("cancel", "cancel order", "Cancel the order", "order cancel kar do", "sorry cancel"))


def _chatter(ctx: _Context, chat: Chat, when: datetime) -> Message:
    rng = ctx.rng
    outlet = rng.choice(ctx.outlets)
    author = ctx.retail_author.get(outlet.code, outlet.name)
    if chat.name.endswith("Sales Team"):
        author = ctx.rep_author[outlet.beat_code]
    if chat.contact is not None:
        author = chat.contact if rng.random() < 0.6 else chat.owner  # type: ignore[assignment]
    r = rng.random()
    if r < 0.1:
        return Message(when, author, "\u200eimage omitted" if chat.style == "ios" else "<Media omitted>", marked=True)
    if r < 0.14:
        return Message(when, author, "This message was deleted")
    # ordinary talk, or numbers that are no order (phones, money, dates, scores, "2 cases of flu")
    text = rng.choice(CHATTER).format(phone=outlet.phone) if r < 0.45 else casual_text(ctx.casual)
    if rng.random() < 0.06:
        text += edited(chat.style)
    return Message(when, author, text)


def _day(ctx: _Context, chat: Chat, day: date, orders: list[tuple[Outlet, list[tuple[str, int]]]]) -> None:
    rng = ctx.rng
    clock = datetime.combine(day, time(8, 30)) + timedelta(minutes=rng.randint(0, 90))
    events: list[tuple[str, object]] = [("order", o) for o in orders]
    events += [("chatter", None)] * rng.choice((0, 1, 1, 2, 3, 4))
    rng.shuffle(events)
    for kind, payload in events:
        clock += timedelta(minutes=rng.randint(1, 35))
        if kind == "chatter":
            chat.messages.append(_chatter(ctx, chat, clock))
            continue
        outlet, wanted = payload  # type: ignore[misc]
        produced = order_messages(ctx, chat, outlet, wanted, clock)
        chat.messages.extend(produced)
        clock = max(clock, produced[-1].when)


def _opening(ctx: _Context, chat: Chat, authors: list[str], creator: str) -> None:
    start = datetime.combine(ctx.network.config.start - timedelta(days=3), time(11, 0))
    chat.messages.append(Message(start, None, ENCRYPTION, marked=True))
    chat.messages.append(Message(start, None, f'{creator} created group "{chat.name}"', marked=True))
    for i, author in enumerate(sorted(set(authors) - {creator})):
        clock = start + timedelta(minutes=1 + i // 5)
        chat.messages.append(
            Message(clock, None, f"{creator} added {author.strip(chr(0x202A) + chr(0x202C))}", marked=True)
        )


# --- rendering --------------------------------------------------------------------------------------------------
def render(chat: Chat) -> tuple[str, list[dict]]:
    """The export's text, and the truth rows with the message's first line number."""
    out: list[str] = []
    truth: list[dict] = []
    line = 1
    seconds = 0
    for message in chat.messages:
        seconds = (seconds + 17) % 60
        when = message.when.replace(second=seconds)
        head = header(chat.style, when)
        if message.author is None:
            body = f"{chat.name}: \u200e{message.text}" if chat.style == "ios" else message.text
        elif chat.style == "ios" and message.marked:
            body = f"{message.author}: {message.text}"
        else:
            body = f"{message.author}: {message.text}"
        lead = "\u200e" if chat.style == "ios" and message.marked and message.author is not None else ""
        out.append(lead + head + body)
        for row in message.truth:
            truth.append({"message_line": line, **row})
        line += message.text.count("\n") + 1
    return "\n".join(out) + "\n", truth


# --- the whole thing --------------------------------------------------------------------------------------------
def chat_distributors(network: Network) -> list[Distributor]:
    rng = network.config.rng("whatsapp")
    count = 1 if len(network.distributors) < 3 else 2
    return sorted(rng.sample(network.distributors, count), key=lambda d: d.code)


@dataclass
class WhatsAppOutput:
    files: list[str]
    truth: pl.DataFrame  # one row per true order line
    senders: bytes  # the brand's chat-senders master (CSV): who each chat author is


def write_whatsapp(network: Network, plan: ProblemPlan, inbox: Path) -> WhatsAppOutput:
    """Write the chat exports under `inbox/whatsapp/<distributor>/` (order groups, one-to-one chats with shops, and
    one casual chat with no order in it); return their names, the truth and the chat-senders master that maps
    every author (phone number or saved name) of the order chats to a rep or an outlet."""
    chosen = chat_distributors(network)
    demand = _demand(network, plan)
    booked = booked_days(network, demand)  # orders booked ahead travel in the field app's order-book exports
    files: list[str] = []
    truth: list[dict] = []
    senders: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    exported = datetime.combine(network.config.end, time(21, 0))
    for k, distributor in enumerate(chosen):
        days = [
            [order for i, order in enumerate(orders) if (distributor.code, t, i) not in booked]
            for t, orders in enumerate(demand[distributor.code])
        ]
        for chat in _chats(network, distributor, days, (STYLES[2 * k % 4], STYLES[(2 * k + 1) % 4])):
            text, rows = render(chat)
            write_delivered(inbox / chat.file, text.encode("utf-8"), exported)
            files.append(chat.file)
            extra = {"distributor_code": distributor.code, "chat_file": chat.file, "chat_name": chat.name}
            truth.extend({**extra, **row} for row in rows)
            senders.update({(distributor.code, author): who for author, who in chat.senders.items()})
        name, data = casual_export(network, distributor, k)
        write_delivered(inbox / name, data, exported)
        files.append(name)
    master = pl.DataFrame(
        [(d, author, rep, outlet) for (d, author), (rep, outlet) in sorted(senders.items())],
        schema=dict.fromkeys(("distributor_code", "sender", "rep_code", "outlet_code"), pl.String),
        orient="row",
    )
    return WhatsAppOutput(
        files, pl.DataFrame(truth, schema=TRUTH_SCHEMA).select(list(TRUTH_SCHEMA)), master.write_csv().encode()
    )


def _chats(network: Network, distributor: Distributor, days: list, styles: tuple[str, str]) -> list[Chat]:
    rng = network.config.rng(f"whatsapp/{distributor.code}")
    outlets = [o for o in network.outlets if o.distributor_code == distributor.code]
    real = [o for o in outlets if o.twin_of is None]
    channel = {o.code: rng.choices(("retail", "rep", "direct", None), weights=(42, 35, 6, 17))[0] for o in real}
    retail, team = (
        Chat(distributor, f"{distributor.name} Retailers", styles[0]),
        Chat(distributor, f"{distributor.name} Sales Team", styles[1]),
    )
    reps = {b.code: network.rep_by_code[b.rep_code] for b in network.beats if b.distributor_code == distributor.code}
    ctx = _Context(
        network,
        rng,
        outlets,
        {},
        {o.code: _retailer_author(rng, o, retail.style) for o in real},
        {
            code: _rep_author(random.Random(f"{network.config.seed}/{rep.code}"), rep, team.style)
            for code, rep in reps.items()
        },
        random.Random(f"{network.config.seed}/casual/{distributor.code}"),
    )
    retail.senders = {_bare(ctx.retail_author.get(o.code, o.name)): (None, o.code) for o in outlets}
    team.senders = {_bare(a): (reps[code].code, None) for code, a in ctx.rep_author.items()}
    for alias_distributor, alias, sku_code in network.aliases:
        if alias_distributor == distributor.code:
            ctx.aliases.setdefault(sku_code, []).append(alias)
    owner = network.rep_by_code[f"{distributor.code}-R1"]
    direct = _direct_chats(distributor, [network.outlet_by_code[c] for c, v in channel.items() if v == "direct"], owner)
    _opening(ctx, retail, [ctx.retail_author[c] for c, v in channel.items() if v == "retail"], owner.name)
    _opening(ctx, team, sorted({a for a in ctx.rep_author.values()}), owner.name)
    for chat in direct.values():
        start = datetime.combine(network.config.start - timedelta(days=3), time(11, 0))
        chat.messages.append(Message(start, None, ENCRYPTION, marked=True))
    for t, orders in enumerate(days):
        day = network.config.start + timedelta(days=t)
        by_chat: dict[str, list] = {"retail": [], "rep": []}
        for billed, wanted in orders:
            outlet = network.outlet_by_code[billed]
            outlet = network.outlet_by_code[outlet.twin_of] if outlet.twin_of else outlet
            kind = channel.get(outlet.code)
            if kind == "direct":
                _day(ctx, direct[outlet.code], day, [(outlet, wanted)])
            elif kind is not None:
                by_chat[kind].append((outlet, wanted))
        _day(ctx, retail, day, by_chat["retail"])
        _day(ctx, team, day, by_chat["rep"])
    return [retail, team, *direct.values()]


def _direct_chats(distributor: Distributor, outlets: list[Outlet], owner: Rep) -> dict[str, Chat]:
    """One-to-one chats between the distributor's owner and a shop, exported from an old phone (month names, no
    year on two of the three styles). The chat's name is the shop as the owner's phone saved it."""
    chats: dict[str, Chat] = {}
    used: set[str] = set()
    for i, outlet in enumerate(sorted(outlets, key=lambda o: o.code)):
        contact = outlet.name if outlet.name not in used else f"{outlet.name} {outlet.code[-3:]}"
        used.add(contact)
        chat = Chat(distributor, contact, OLD_STYLES[i % len(OLD_STYLES)], contact=contact, owner=owner.name)
        chat.senders = {contact: (None, outlet.code), owner.name: (owner.code, None)}
        chats[outlet.code] = chat
    return chats


def casual_export(network: Network, distributor: Distributor, k: int) -> tuple[str, bytes]:
    """A family group exported into the distributor's inbox by mistake: casual talk full of numbers, in no
    master. Its name under the inbox, and its bytes."""
    rng = random.Random(f"{network.config.seed}/casual-export/{distributor.code}")
    style = (OLD_STYLES[2], STYLES[3])[k % 2]  # a year-less old style, and US month-first
    start = datetime.combine(network.config.start, time(7, 0))
    name = f"{distributor.name.split()[0]} Family"
    return f"whatsapp/{distributor.code}/WhatsApp Chat with {name}.txt", casual_chat(rng, 150, style, start).encode()
