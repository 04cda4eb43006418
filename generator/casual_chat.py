"""Ordinary chat messages full of numbers, and whole casual chat exports: what an order reader must NOT read as
orders.

Friends', family and neighbourhood groups, in English and Hinglish: phone numbers (plain, spaced, masked by
WhatsApp's own mention `@91790511xxxx`, half-hidden `98xxxxxx10`), money (`₹1,250`, `450/-`, `2.5k`, `3 lakh`),
dates and years, times and durations ("see you in 5", "7 baje"), cricket and football scores, addresses and PIN
codes, OTPs and PNRs, ages, marks and temperatures, and the unit words an order uses in their other senses
("2 cases of flu", "a box of sweets", "3 packets of chips for the kids"), including words that are also in a
brand's product names (mango, cola, chips, cream, biscuit, soda). `casual_text` draws one message;
`casual_chat` writes a whole export in one of the phone styles (old ones with month names included), with
system lines, media placeholders and edited markers.

The bench `whatsapp_casual` and the tests read these through the nightly path and count the order lines found
(there are none to find). The generator mixes `casual_text` into its order groups.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from generator.chat_export import OLD_STYLES, STYLES, edited, header

NAMES = (
    "Rahul", "Priya", "Amit Bhaiya", "Neha", "Sanjay Uncle", "Pooja Di", "Vikram", "Anjali", "Rohit", "Sneha",
    "Mummy", "Papa", "Chintu", "Kavita Aunty", "Arjun", "Meera", "Deepak Sir", "Sunita", "Imran", "Fatima",
    "Joseph", "Lakshmi", "Venkat", "Gurpreet", "Harish", "Ayesha", "Nikhil", "Swati", "Rakesh (Office)", "Bunty",
)  # fmt: skip
PLACES = (
    "Andheri", "Koramangala", "Sector 62", "Lajpat Nagar", "Salt Lake", "Banjara Hills", "Gomti Nagar", "Vashi",
    "MG Road", "Civil Lines", "Anna Nagar", "Kothrud", "Indiranagar", "Malviya Nagar", "Rajouri Garden",
)  # fmt: skip
FOODS = (
    "mango", "mangoes", "cola", "chips", "biscuits", "cookies", "soda", "namkeen", "bhujia", "peanuts", "ice cream",
    "butter", "lemon", "glucose", "marie biscuit", "moong dal", "samosa", "chai", "pizza", "cake", "ladoo", "jalebi",
    "maggi", "parle g", "good day", "cream roll", "mango shake", "lemon soda", "jeera soda", "masala chips",
)  # fmt: skip
TEAMS = ("India", "Aus", "RCB", "CSK", "MI", "KKR", "Pak", "Eng", "Barca", "Real", "Mohun Bagan", "East Bengal")
PLAYERS = ("Kohli", "Rohit", "Gill", "Bumrah", "Dhoni", "Jadeja", "Surya", "Pant", "Messi", "Chhetri")
MONTHS = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")
ILLNESS = ("flu", "dengue", "covid", "viral fever", "chickenpox", "malaria", "typhoid", "jaundice")


def _phone(r: random.Random) -> str:
    digits = str(r.choice("6789")) + "".join(str(r.randrange(10)) for _ in range(9))
    return r.choice(
        (
            digits,
            f"+91 {digits[:5]} {digits[5:]}",
            f"+91{digits}",
            f"{digits[:5]}-{digits[5:]}",
            f"0{digits}",
            f"{digits[:3]} {digits[3:6]} {digits[6:]}",
        )
    )


def _masked(r: random.Random) -> str:
    """Numbers as people and WhatsApp hide them: a mention of a number, half the digits as x or *."""
    digits = str(r.choice("6789")) + "".join(str(r.randrange(10)) for _ in range(9))
    return r.choice(
        (
            f"@91{digits[:6]}xxxx",
            f"@{digits}",
            f"@91{digits}",
            f"{digits[:2]}xxxxxx{digits[-2:]}",
            f"+91 {digits[:2]}XXX XX{digits[-3:]}",
            f"{digits[:4]}****{digits[-2:]}",
            f"xxxxxx{digits[-4:]}",
            f"+91-{digits[:5]}-xxxxx",
        )
    )


def _money(r: random.Random) -> str:
    amount = r.choice((50, 99, 120, 250, 300, 450, 500, 750, 999, 1200, 1500, 2500, 4560, 12000, 35000))
    return r.choice(
        (
            f"₹{amount}",
            f"₹{amount:,}",
            f"Rs. {amount}",
            f"Rs {amount}",
            f"rs {amount}",
            f"{amount}/-",
            f"{amount} rs",
            f"{amount} rupees",
            f"{amount} rupay",
            f"INR {amount}",
            f"{max(amount, 1500) / 1000:g}k",
            f"{r.randint(1, 9)} lakh",
            f"{r.randint(2, 40)}k",
        )
    )


def _date(r: random.Random) -> str:
    day, month, year = r.randint(1, 28), r.randint(1, 12), r.randint(2015, 2026)
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    return r.choice(
        (
            f"{day}/{month}/{year}",
            f"{day:02d}-{month:02d}-{year}",
            f"{day}/{month}",
            f"{day}{suffix} {MONTHS[month - 1]}",
            f"{MONTHS[month - 1]} {day}",
            f"{day} {MONTHS[month - 1]}",
            f"{day}{suffix}",
            f"{day} tarikh",
            f"{year}",
            f"{day}.{month}.{year % 100:02d}",
        )
    )


def _time(r: random.Random) -> str:
    hour, minute = r.randint(1, 12), r.choice((0, 15, 30, 45, 5, 10))
    return r.choice(
        (
            f"{hour}:{minute:02d}",
            f"{hour}.{minute:02d} pm",
            f"{hour}pm",
            f"{hour} am",
            f"{hour} baje",
            f"{hour} bje",
            f"{hour}:{minute:02d} tak",
            f"{hour} o'clock",
            f"{hour}:{minute:02d}am",
        )
    )


def _duration(r: random.Random) -> str:
    n = r.randint(2, 45)
    return r.choice((f"{n} min", f"{n} mins", f"{n} minutes", f"{n % 5 + 1} hrs", f"{n % 9 + 1} din", f"{n} sec"))


def _score(r: random.Random) -> str:
    return r.choice(
        (
            f"{r.randint(120, 390)}/{r.randint(1, 9)}",
            f"{r.randint(0, 4)}-{r.randint(0, 4)}",
            f"{r.randint(0, 120)} off {r.randint(10, 90)}",
            f"{r.randint(2, 30)} off {r.randint(1, 12)}",
            f"{r.randint(1, 9)} wickets",
            f"{r.randint(1, 99)} runs",
        )
    )


def _address(r: random.Random) -> str:
    return r.choice(
        (
            f"Flat {r.randint(101, 1204)}, Tower {r.choice('ABCDE')}, {r.choice(PLACES)} {r.randint(110001, 600100)}",
            f"H.No {r.randint(1, 99)}-{r.randint(1, 9)}-{r.randint(10, 999)}, {r.choice(PLACES)}",
            f"Plot {r.randint(1, 300)}, Gali no {r.randint(1, 12)}, {r.choice(PLACES)}",
            f"{r.randint(1, 400)}, {r.randint(1, 30)}th Cross, {r.randint(1, 9)}th Main, {r.choice(PLACES)}",
            f"Shop no {r.randint(1, 60)}, {r.choice(PLACES)} market, pin {r.randint(110001, 600100)}",
            f"B-{r.randint(1, 300)}, {r.randint(1, 5)}rd floor, {r.choice(PLACES)}",
        )
    )


Filler = Callable[[random.Random], str]
SLOTS: dict[str, Filler] = {
    "phone": _phone,
    "masked": _masked,
    "money": _money,
    "date": _date,
    "time": _time,
    "dur": _duration,
    "score": _score,
    "address": _address,
    "name": lambda r: r.choice(NAMES),
    "place": lambda r: r.choice(PLACES),
    "food": lambda r: r.choice(FOODS),
    "team": lambda r: r.choice(TEAMS),
    "team2": lambda r: r.choice(TEAMS),
    "player": lambda r: r.choice(PLAYERS),
    "ill": lambda r: r.choice(ILLNESS),
    "n": lambda r: str(r.randint(2, 12)),
    "m": lambda r: str(r.randint(2, 60)),
    "big": lambda r: str(r.randint(100, 5000)),
    "year": lambda r: str(r.randint(1985, 2026)),
    "otp": lambda r: str(r.randint(1000, 999999)),
    "pnr": lambda r: str(r.randint(10**9, 10**10 - 1)),
    "train": lambda r: str(r.randint(12001, 22999)),
    "pin": lambda r: str(r.randint(110001, 855999)),
    "age": lambda r: str(r.randint(3, 85)),
    "temp": lambda r: f"{r.randint(98, 103)}.{r.randint(0, 9)}",
    "pct": lambda r: str(r.randint(35, 99)),
}

TEMPLATES = (
    # phone numbers, plain and masked
    "Le {masked}", "{masked} ye kaun hai?", "call me on {phone}", "mera naya number {phone} save kar lo",
    "{name} ka number {phone} hai", "plumber ka no. {phone}", "Number: {phone}", "pls share {name}'s number",
    "{masked} added to the group by mistake?", "{masked} please check", "welcome {masked} 🙏",
    "Thanks {masked} 👍", "{masked} {masked} {masked} all please come by {time}", "try {phone} after {time}",
    "whose number is {masked}", "{phone}\n{phone}", "electrician - {phone}", "ambulance {phone} urgent",
    # money
    "paid {money} for the cab", "{money} ho gaye total", "each one gives {money}", "maintenance {money} due by {date}",
    "I owe you {money}", "dinner was {money} per head", "petrol {money} ka dalwaya", "rent is {money} now 😭",
    "{name} ne {money} diye", "cake {money}, decoration {money}", "salary credited {money} finally",
    "{n} tickets = {money}", "Got {n} for {money} only!!", "bhai {money} bhej de gpay pe", "sold it for {money}",
    "EMI {money} from {date}", "fees {money} per month", "discount {pct}% today only",
    # dates, years, times, durations
    "see you in {n}", "give me {n}", "call you in {n}", "reaching in {dur}", "{n} min", "wait {n} sec",
    "brb {n}", "party on {date}", "meeting at {time}", "kal {time} milte hain", "{time} pe aa jana",
    "will be there by {time}",
    "flight at {time} on {date}", "since {year}", "in {year} we went to Goa", "{year} batch reunion on {date}",
    "born in {year}", "{year} was the best year", "{n} years ho gaye yaar", "{n} saal baad mila",
    "happy {n}th anniversary 🎉", "it's been {n} days", "{n} din se bukhar hai", "leave from {date} to {date}",
    "exam on {date} at {time}", "school reopens {date}", "{date} ko shaadi hai", "{n} weeks more",
    "train {train} at {time}, PNR {pnr}", "coach B{n}, seat {m}", "platform {n}", "bus no {big} at {time}",
    "the movie is {n} hrs long", "{n}:30 show book kar diya", "alarm {time} ka laga diya", "{n} baje tak aa jaunga",
    # cricket, football
    "{team} {score} in {m} overs", "{player} {score}", "{team} needs {score}", "{team} won by {n} wickets",
    "{team} vs {team2} {score}", "what a match {score}!!", "{player} out for {m} 😡", "target {big}",
    "{team} {score} 🔥🔥", "score kya hai? {score}", "{n} overs left, {m} runs needed", "{player} ne {m} maare",
    # addresses, codes
    "address: {address}", "{address}", "send to {address}", "new flat - {address}", "pin code {pin}",
    "OTP is {otp}", "your OTP {otp} do not share", "code {otp} hai", "verification code: {otp}",
    "PNR {pnr}", "order id {pnr} delivered", "room {big}", "flat {big} wale uncle", "gate no {n}",
    "tracking no {pnr}", "vehicle no MH {n} AB {big}", "DL {n}C {big} wali car",
    # unit words in other senses
    "{n} cases of {ill} in our society", "{n} new cases today", "{n} cases pending in court",
    "{n} boxes of sweets for Diwali 🪔", "got {n} boxes of {food} from {place}", "a box of {food} for the kids",
    "{n} packets of {food} khatam", "kids ate {n} packets of {food}", "{n} pcs of cake left",
    "{n} dozen bananas {money}", "a dozen eggs please", "ek dozen kele le aana", "{n} dozen roses for her 😍",
    "{n} units of electricity, bill {money}", "{n} case studies to read", "carton me {n} kittens the 😹",
    "{n} piece of advice: sleep early", "shifted {n} cartons today, tired", "{n} peti aam aaye gaon se",
    # food words that are also in product names, in ordinary talk
    "had {n} {food} today 😋", "{food} party at {time}", "bring {n} {food} for the picnic", "{food} khaya?",
    "I love {food}", "{n} {food} and {n} chai", "kal {food} banaya tha", "{food} was {money}",
    "{name} ate {n} {food} 😂", "{food} {money} mein mil raha", "{food} le aana {n} log hain",
    "mummy ne {food} bheja", "{n} {food} = happiness", "{food} over?", "{food} season is back 🥭",
    "bought {n} packets of {food} for the trip", "{food} ke {n} packet aur cold drink le aana",
    "get {n} packets of {food} on the way", "please bring {n} {food} bottles and chips", "{food} {n} packet le aana",
    "{n} boxes of {food} arrived from {place}, {money} per box", "kids want {n} {food} each", "we ordered {n} {food}",
    # ages, marks, health, misc
    "{name} is {age} now", "age {age}", "{age} saal ka hai", "got {pct}% in boards 🎉", "marks {m}/100",
    "temp {temp} 🤒", "BP {big}/{m}", "{n} kg weight loss!", "walked {n} km today", "{n} steps challenge",
    "{n} log aa rahe hain", "{n} people confirmed", "table for {n}", "{n} bacche hain class me",
    "{n}th floor", "{n} more days", "top {n} list", "chapter {n} done", "level {m} cleared", "part {n} when?",
    "version {n}.{m} update aaya", "{n}/{n} done", "{n}x faster", "{n}+ years experience",
    "happy birthday {name} 🎂🎂", "congrats {name}!!", "good morning 🌞", "gn", "ok", "👍", "😂😂😂",
    "kahan ho?", "on my way", "haan", "nahi yaar", "sahi hai", "lol", "ok done", "thank you all",
    # Hinglish with numbers
    "{n} baje aana", "main {n} minute me aaya", "{n} din ki chutti", "{n} log khana khayenge", "{m} rupaye ka petrol",
    "ghar pe {n} mehmaan", "{n} number wali building", "{n} gaadi khadi hai", "{n} ghante se light nahi",
    "bhai {n} {food} le aa", "{n} kilo aata", "{n} litre doodh", "doodh {n} packet", "sabzi {money} ki",
)  # fmt: skip


def casual_text(rng: random.Random) -> str:
    """One ordinary message: a template with its slots filled."""
    template = rng.choice(TEMPLATES)
    out = []
    rest = template
    while "{" in rest:
        head, _, tail = rest.partition("{")
        slot, _, rest = tail.partition("}")
        out.append(head)
        out.append(SLOTS[slot](rng))
    out.append(rest)
    text = "".join(out)
    r = rng.random()
    if r < 0.08:
        text = text.upper()
    elif r < 0.3:
        text = text.lower()
    return text


# --- whole exports ------------------------------------------------------------------------------------------------
CASUAL_STYLES = STYLES + OLD_STYLES


def casual_chat(rng: random.Random, messages: int, style: str, start: datetime) -> str:
    """A casual chat export of `messages` messages (system lines, media and deleted ones included)."""
    people = rng.sample(NAMES, rng.randint(2, 8))
    people += [f"+91 {rng.randint(60000, 99999)} {rng.randint(10000, 99999)}" for _ in range(rng.randint(0, 3))]
    lines: list[str] = []
    when = start
    for i in range(messages):
        when += timedelta(minutes=rng.choice((1, 2, 5, 17, 60, 240, 900)))
        if style.startswith("old_") and style != "old_time_first" and when.year != start.year:
            break  # a year-less export covers one year
        head = header(style, when)
        author = rng.choice(people)
        r = rng.random()
        if i == 0:
            lines.append(head + "Messages and calls are end-to-end encrypted. Tap to learn more.")
            continue
        if r < 0.04:
            lines.append(head + f"{author} added {rng.choice(people)}")
            continue
        body = casual_text(rng)
        if r < 0.10:
            body = "<Media omitted>" if style != "ios" else "\u200eimage omitted"
        elif r < 0.12:
            body = "This message was deleted"
        elif r < 0.18:
            body += edited(style)
        elif r < 0.24:
            body += "\n" + casual_text(rng)
        lines.append(f"{head}{author}: {body}")
    return "\n".join(lines) + "\n"
