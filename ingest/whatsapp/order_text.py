"""The words and numbers of a chat order line: units, pack sizes, which numbers can be a quantity, which words
carry no item, and what makes a message read like an order.

Chats are full of numbers that are not quantities. A number is a count only when nothing around it says it is
something else: phone numbers (5+ digits, digits next to `xx`/`**`/`•` masks, `@` mentions, `+country`), years
(1950-2099), times and durations (`5:30`, `7 baje`, `in 5`, `10 mins`), dates (`12/03`, `5th`, `5 March`),
prices (`₹450`, `450/-`, `Rs 99`, `2.5k`, `3 lakh`), scores (`245/6`, `3-1`, `82 off 53`, `5 wickets`),
percentages, addresses and codes (`flat 302`, `platform 4`, `OTP 4829`), counts of people (`3 log`, `10 people`).
"""

from __future__ import annotations

import re

CASE_WORDS = ("cases", "case", "cs", "ctns", "ctn", "cartons", "carton", "petis", "peti", "petti", "boxes", "box")
CASE_WORDS += ("bx", "dabbe", "dabba", "dibba")
PIECE_WORDS = ("pieces", "piece", "pcs", "pc", "pkts", "pkt", "packets", "packet", "nos", "units", "unit")
DOZEN_WORDS = ("dozens", "dozen", "doz", "dz", "darjan", "darzan")
UNIT_KIND = {**dict.fromkeys(CASE_WORDS, "case"), **dict.fromkeys(PIECE_WORDS, "piece")}
UNIT_KIND |= dict.fromkeys(DOZEN_WORDS, "dozen")
UNIT_ALT = "|".join(sorted(UNIT_KIND, key=len, reverse=True))
# the trade's own abbreviations: people say "3 packets of chips" or "2 boxes of sweets", not "3 pkt chips"
TRADE_UNITS = frozenset(("cs", "ctn", "ctns", "pcs", "pc", "pkt", "pkts", "nos", "dz", "doz", "bx"))
TRADE_UNITS |= frozenset(("peti", "petti", "petis", "dabba", "dabbe", "dibba"))
PACK_UNITS = {"g": "g", "gm": "g", "gms": "g", "gr": "g", "gram": "g", "grams": "g", "kg": "kg", "kgs": "kg"}
PACK_UNITS |= {"ml": "ml", "mls": "ml", "l": "l", "lt": "l", "ltr": "l", "ltrs": "l", "litre": "l", "liter": "l"}
_PACK_ALT = "|".join(sorted(PACK_UNITS, key=len, reverse=True))
PACK_RE = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?)\s*({_PACK_ALT})(?![a-z])", re.IGNORECASE)
# a number standing alone (not inside a word, a decimal, a date, a price or a masked phone number), and the unit
# written right after it, if any
QTY_RE = re.compile(rf"(?<![\w.,\-/:₹$#@+•*])(\d+(?:\.\d+)?)(?:\s*({UNIT_ALT})(?![a-z])|(?![\w.,]))", re.IGNORECASE)

# --- numbers that are something else ------------------------------------------------------------------------------
_MONTHS = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
_MONTHS += r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
NOT_A_COUNT_AFTER = re.compile(
    r"\s*(?:"
    r"[/:\-]\s*\d|%|/-|[xX*•]{2}|"  # fractions, dates, times, scores, percentages, prices, masked digits
    r"(?:st|nd|rd|th|k|am|pm|a\.m|p\.m|baje|bje|baj|o'?clock|min|mins|minute|minutes|hr|hrs|hour|hours|ghante|"
    r"ghanta|sec|secs|second|seconds|day|days|din|week|weeks|hafte|hafta|month|months|mahine|mahina|year|years|"
    r"yr|yrs|saal|sal|km|kms|kilo|kilos|kilometer|kilometers|mile|miles|meter|meters|litre|litres|rs|rupees|rupee|"
    r"rupay|rupaye|rupiya|rupiye|inr|lakh|lakhs|lac|lacs|crore|crores|cr|thousand|hundred|overs|over|runs|run|"
    r"wickets|wicket|wkts|wkt|balls|ball|goals|goal|points|pts|off|vs|people|persons|person|log|logo|logon|bande|"
    r"guests|mehmaan|members|kids|bacche|bachhe|baccha|students|percent|tarikh|tareekh|floor|times|baar|steps|"
    r"number|no|seats|tickets|ticket|rooms|nights|photos|pics|messages|msgs|calls|missed|likes|views|marks|"
    rf"{_MONTHS})(?![a-z])"
    r")",
    re.IGNORECASE,
)
NOT_A_COUNT_BEFORE = re.compile(
    r"(?:^|[^a-z])(?:at|by|in|on|since|till|until|tak|around|after|before|within|about|approx|room|flat|house|"
    r"h\.?\s?no|plot|sector|gali|block|tower|phase|floor|gate|platform|pf|seat|coach|berth|bus|train|flight|route|"
    r"pin|pincode|otp|code|pnr|id|no|number|num|ticket|token|age|marks|score|temp|bp|class|std|chapter|level|part|"
    r"version|page|step|episode|ep|season|top|table|ward|ext|shop|road|street|lane|cross|main|batch|roll|rank|year|"
    r"saal|vehicle|dl|mh|rs|inr|rupees|usd|aged|over|under|last|next|first|every|each|per|"
    rf"{_MONTHS})\s*[.:#\-]?\s*$",
    re.IGNORECASE,
)
YEARS = range(1950, 2100)


def is_count(text: str, match: re.Match[str]) -> bool:
    """Whether the number QTY_RE found can be a quantity (see the module's docstring)."""
    value = match.group(1)
    whole = value.split(".", 1)[0]
    if len(whole) >= 5 or (len(whole) == 4 and int(whole) in YEARS):
        return False  # a phone number or its part, a PIN code, an OTP, a year
    if match.group(2) is None and (len(whole) == 4 or "." in value):
        return False  # 1200 or 2.5 without a unit: a price, a time, a reading
    start, end = match.span(1)
    if NOT_A_COUNT_AFTER.match(text, end) and not match.group(2):
        return False
    return NOT_A_COUNT_BEFORE.search(text[max(0, start - 14) : start]) is None


# --- words ----------------------------------------------------------------------------------------------------------
def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


FILLERS = _word_set(
    "bhejo bhej bhejna bhejdo do dena dedo de dijiye dijie chahiye chaiye aur bhi ka ki ke please pls plz bhaiya "
    "bhaia bhai ji sir order orders kal urgent send need want add also the of to me hai hain karo kar jaldi x and "
    "abhi asap today aaj wala wale wali hello hi"
)
# words that name no item: function words of English and Hinglish chat, and order talk
STOP_WORDS = FILLERS | _word_set(
    "a an is are was were be been am i you he she we they it my your our his her their me him us them this that "
    "these those in on at by for with from or but not no yes ok okay so if then than too very just all any some "
    "more most only here there now what when where who how why which will would can could should shall may might "
    "must one two three four five six ten ho hoga hogi tha thi the ko se mein mai main par pe ne kya kab kaha "
    "kahan kaise kyun kyu ye yeh wo woh vo us ya to toh na nahi nhi haan han yaar yar ek teen char sab kuch ab fir "
    "phir thanks thank thx please sorry morning night evening"
)
ORDER_CUE = re.compile(
    r"\b(?:order|orders|bhejo|bhej|bhejna|bhejdo|bhejiye|bhijwa\w*|send|chahiye|chaiye|chahie|need|dena|dedo|"
    r"dijiye|dijie|de\s+do|dilwa\w*|add|pls|plz|please|urgent|supply|deliver|dispatch)\b",
    re.IGNORECASE,
)
# errands and stories ("bring 2 packets of chips", "cola le aana", "bought 3 boxes"): never an order to a distributor
ERRAND_RE = re.compile(
    r"\b(?:bring|get|got|buy|bought|pick\s+up|on\s+the\s+way|le\s+aa\w*|le\s+ana|leke\s+aa\w*|lete\s+aa\w*|"
    r"lana|laana|la\s+dena|khaye|khaya|piye|pi\s+li|ate|drank|had)\b",
    re.IGNORECASE,
)
CHATTER_RE = re.compile(
    r"₹|\b(payment|paid|pay|upi|utr|neft|rtgs|imps|cheque|chq|gpay|phonepe|paytm|amount|outstanding|balance|"
    r"ledger|rs|inr|invoice|bill|delivered|received|mila|mil gaya)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z\u0900-\u097f][a-z0-9\u0900-\u097f]*")


def words(text: str) -> str:
    """Lower-case words and numbers only."""
    return " ".join(re.sub(r"[^0-9a-z\u0900-\u097f]+", " ", text.lower()).split())


def content_tokens(text: str) -> list[str]:
    """The words that can name an item: 3+ letters, not a stop word, not a number."""
    return [w for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in STOP_WORDS]


def canonical_pack(amount: str, unit: str) -> str:
    value = float(amount)
    number = str(int(value)) if value.is_integer() else str(value)
    return f"{number} {PACK_UNITS[unit.lower()]}"


def split_pack(text: str) -> tuple[str, str | None]:
    """Text without its pack size, and the pack size ("100 g"), e.g. "Parle G 100gm" -> ("Parle G", "100 g")."""
    found = PACK_RE.search(text)
    if found is None:
        return text, None
    rest = (text[: found.start()] + " " + text[found.end() :]).strip()
    return rest, canonical_pack(found.group(1), found.group(2))


def parse_quantity(segment: str) -> tuple[float, str, str | None, float, str] | None:
    """(count, unit kind, unit as written, certainty, text without the quantity) of one item's segment; None when
    no number in it can be a count."""
    without_pack = PACK_RE.sub(lambda m: "#" * len(m.group(0)), segment)
    found = [m for m in QTY_RE.finditer(without_pack) if is_count(without_pack, m)]
    if not found:
        return None
    with_unit = [m for m in found if m.group(2)]
    chosen = (with_unit or found)[0]
    if with_unit:
        certainty = 1.0 if len(with_unit) == 1 else 0.5
        kind, unit = UNIT_KIND[chosen.group(2).lower()], chosen.group(2)
    else:
        certainty = 0.7 if len(found) == 1 else 0.4
        kind, unit = "piece", None
    rest = segment[: chosen.start()] + " " + segment[chosen.end() :]
    return float(chosen.group(1)), kind, unit, certainty, rest
