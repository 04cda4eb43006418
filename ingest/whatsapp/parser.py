"""WhatsApp chat exports (`.txt`, or the `.txt` inside a `.zip` export) to one row per message.

How it stays fast (>= 100,000 messages/s): the header style (date first or time first) is chosen once from a
sample of the file, then ONE compiled regex runs over the whole text with `finditer`, so Python only touches
each message once and never the continuation lines of multi-line messages. Dates and times are converted once
per distinct value (a chat has few distinct days), and the day/month order is decided from every distinct date of
the file, never line by line.

Header styles handled (all from real exports): `dd/mm/yy, hh:mm - `, `mm/dd/yyyy, hh:mm a. m. - `, iOS
`[dd/mm/yy, hh:mm:ss] `, `yyyy/mm/dd`, year in the middle, `-` `/` `.` and `. ` separators, 12/24-hour clocks
(`PM`, `p.m.`, `p. m.`, `p.<NBSP>m.`, `<U+202F>PM`, Arabic `ص`/`م`), time first (`[14:56:01, 3/18/22]`,
Vietnamese), Finnish `klo`, Arabic-Indic digits, Buddhist-era years (`2565 BE`, or any year >= 2400), Japanese
eras (`R4`, `H31`), U+200E/U+200F/U+202A/U+202C marks, CRLF, a UTF-8 or UTF-16 BOM; and old exports with the
month's name: `19:23, 28 Aug 2013 - `, `Mar 5, 8:11 PM - `, `18 Mar 12:14 - ` (the last two without a year: it is
inferred from the file's evidence, `infer_years`, and flagged `year_inferred`). WhatsApp's "edited" marker is taken
off the text and flagged `is_edited`.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.files import check_zip, utf16_without_bom

MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
STRIP_MARKS = str.maketrans(dict.fromkeys(MARKS))
LEAD_MARKS = ("\u200e", "\u200f")
_HAS_MARK = re.compile(f"[{MARKS}]")
SAMPLE_LINES = 2_000
MAX_CHAT_BYTES = 1_000_000_000

_M = f"[{MARKS}]*"
_SP = "[ \u00a0\u202f]"
_AMPM = "(?P<ap>[AaPp]\\.?[ \u00a0\u202f]?[Mm]\\.?|[صم]|午前|午後|上午|下午)(?![^\\W\\d_])"


NUMERIC, DAY_MONTH, MONTH_DAY = "numeric", "day_month", "month_day"
ORDERS = ("date_first", "time_first")
MONTH_NAMES = r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
MONTH_NAMES += r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![^\W\d_])\.?"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NUMBER = {name: n for n, name in enumerate(MONTHS, 1)}


def header_pattern(
    order: str, *, marks: bool = True, bracket: bool | None = None, ampm: bool = True, dates: str = NUMERIC
) -> re.Pattern[str]:
    """The header regex of one style: `order` is `date_first` or `time_first`; `dates` is `numeric`
    (`28/08/2013`), `day_month` (`28 Aug 2013`, `18 Mar`) or `month_day` (`Mar 5`, `Aug 28, 2013`): old exports
    write the month's name, and leave out the year of the current year's messages. Features a file lacks are left
    out (no direction marks, no brackets, no am/pm), which makes the single pass over the file much cheaper.

    Matches from the newline before a header, so search a text that starts with "\\n".
    """
    return _compiled(order, marks, bracket, ampm, dates)


@lru_cache(maxsize=64)
def _compiled(order: str, marks: bool, bracket: bool | None, ampm: bool, dates: str) -> re.Pattern[str]:
    m = _M if marks else ""
    year = r"(?:,? (?P<d3>\d{4}))?"  # absent in old exports for the current year's messages
    date = {
        NUMERIC: (
            rf"(?P<d1>\d{{1,4}}){m}(?P<sep>[./-]) ?{m}(?P<d2>\d{{1,4}}){m}(?P=sep) ?{m}"
            rf"(?P<d3>\d{{1,4}}|[MTSHR]\d{{1,2}})(?: ?BE)?\.?"
        ),
        DAY_MONTH: rf"(?P<d1>\d{{1,2}})\.? (?P<d2>{MONTH_NAMES}){year}",
        MONTH_DAY: rf"(?P<d2>{MONTH_NAMES}) (?P<d1>\d{{1,2}}){year}",
    }[dates]
    clock = r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
    if ampm:
        clock += rf"(?:{_SP}?{_AMPM})?"
    else:
        clock += "(?P<ap>)"
    first, second = (date, f"(?:klo )?{clock}") if order == "date_first" else (clock, date)
    open_, close = {
        None: (r"(?P<br>\[)?", r"(?(br)\] ?|(?: ?[-–] |: | ))"),
        True: (r"(?P<br>\[)", r"\] ?"),
        False: ("(?P<br>)", r"(?: ?[-–] |: | )"),
    }[bracket]
    return re.compile(rf"\n{m}{open_}{m}{first}[,،]? {m}{second}{m}{close}")


_GROUPS = ("d1", "d2", "d3", "h", "mi", "s", "ap")

ERA_START = {"M": 1867, "T": 1911, "S": 1925, "H": 1988, "R": 2018}  # Meiji, Taisho, Showa, Heisei, Reiwa
BUDDHIST_OFFSET = 543

SCHEMA: dict[str, pl.DataType] = {
    "timestamp": pl.Datetime("us"),
    "author": pl.String(),
    "text": pl.String(),
    "is_system": pl.Boolean(),
    "system_kind": pl.String(),
    "is_media": pl.Boolean(),
    "attachment": pl.String(),
    "is_edited": pl.Boolean(),
    "year_inferred": pl.Boolean(),
    "line_number": pl.Int32(),
}

# --- what a message is -------------------------------------------------------------------------------------------
DELETED = frozenset(
    s.casefold()
    for s in (
        "This message was deleted", "You deleted this message", "Dit bericht is verwijderd",
        "U hebt dit bericht verwijderd", "Tato zpráva byla odstraněna", "Tuto zprávu jste odstranil/a",
        "Tato zpráva byla smazána", "Tuto zprávu jste smazal/a", "Данное сообщение удалено",
        "Вы удалили данное сообщение", "Це повідомлення було видалено", "Ви видалили це повідомлення",
        "Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht", "Ce message a été supprimé",
        "Vous avez supprimé ce message", "Questo messaggio è stato eliminato", "Hai eliminato questo messaggio",
        "Se eliminó este mensaje", "Eliminaste este mensaje", "Esta mensagem foi apagada", "Apagou esta mensagem",
        "Pesan ini dihapus", "Anda menghapus pesan ini", "Tin nhắn này đã bị xóa", "Bạn đã xoá tin nhắn này",
        "このメッセージは削除されました", "このメッセージを削除しました", "ข้อความนี้ถูกลบแล้ว", "คุณได้ลบข้อความนี้",
        "यह मैसेज डिलीट कर दिया गया है", "आपने यह मैसेज डिलीट किया", "تم حذف هذه الرسالة", "أنت حذفت هذه الرسالة",
        "لقد حذَفت هذه الرسالة", "Ye message delete kiya gaya", "इस मैसेज को मिटा दिया गया",
    )
)  # fmt: skip
MISSED_CALLS = frozenset(
    s.casefold()
    for s in (
        "Missed voice call", "Missed video call", "Missed group voice call", "Missed group video call",
        "Zmeškaný hovor", "Zmeškaný videohovor", "Пропущенный аудиозвонок", "Пропущенный видеозвонок",
        "Gemiste spraakoproep", "Gemiste video-oproep", "Verpasster Sprachanruf", "Verpasster Videoanruf",
        "Appel vocal manqué", "Appel vidéo manqué", "Chiamata vocale persa", "Videochiamata persa",
        "Llamada perdida", "Videollamada perdida", "Chamada de voz perdida", "Chamada de vídeo perdida",
    )
)  # fmt: skip
ENCRYPTION = re.compile(
    r"(?i)end-to-end|ende-zu-ende|de bout en bout|extremo a extremo|ponto a ponto|koncovým šifrováním|сквозным "
    r"шифрованием|наскрізним шифруванням|mã hóa đầu cuối|エンドツーエンド|ต้นทางถึงปลายทาง|एंड-टू-एंड|مشفرة تمام"
)
GROUP_CHANGE = re.compile(
    r"(?i)created group|changed the (?:subject|group|group's|this group's)|changed this group's|"
    r"now an admin|no longer an admin|message timer|disappearing messages|group (?:icon|description)|"
    r"settings to allow|changed (?:their|your) phone number|changed to \+"
)
KIND_NAMES = ("encryption", "joined", "added", "removed", "left", "group_change", "other")
SYSTEM_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("encryption", ENCRYPTION),
    ("joined", re.compile(r"(?i)\bjoined\b|\bjoined using|se unió|a rejoint|beigetreten|присоединил")),
    ("added", re.compile(r"(?i)\badded\b|were added|\bhinzugefügt|a ajouté|добавил|ने .* को जोड़ा")),
    ("removed", re.compile(r"(?i)\bremoved\b|entfernt|a retiré|удалил")),
    ("left", re.compile(r"(?i)\bleft$|\bleft the group|hat die gruppe verlassen|est parti|вышел|вышла")),
    ("group_change", GROUP_CHANGE),
)
# Android: "<Media omitted>" in any language; "IMG-20220323-WA0002.jpg (file attached)" in any language.
ANDROID_ATTACHED = re.compile(
    r"^(?P<file>[^\n<>]+?\.[A-Za-z0-9]{2,5}) \((?:[^()\n]{0,20})(?:attached|bijgevoegd|přiložen|добавлен|"
    r"прикреплён|angehängt|joint|adjunt|allegat|anexad|anexo|terlampir|đính kèm|添付|แนบ|संलग्न|مرفق)[^()\n]{0,20}\)$",
    re.IGNORECASE,
)
IOS_ATTACHED = re.compile(
    r"<(?:attached|angehängt|pièce jointe|allegato|adjunto|anexo|прикреплено):? ?(?P<file>[^<>\n]+)>"
)
# iOS "Some file.txt ‎document omitted"
PLACEHOLDER_FILE = re.compile(r"^[^\n]+?\.[A-Za-z0-9]{2,5}(?: • [^\n]*)? [\u200e\u200f]")
VIEW_ONCE = "null"
# What WhatsApp appends to an edited message: Android "<This message was edited>", iOS "‎<This message was edited.>"
# (U+200E first); other languages by the word for "edited" inside the angle brackets at the end of the text.
EDITED_AT = re.compile(f"<[{MARKS}]*(?P<said>[^<>\\n]{{3,80}})>[{MARKS}]*$")
EDITED_WORDS = re.compile(
    "edited|bearbeitet|editado|editada|editó|modifié|modificato|bewerkt|diedit|disunting|изменено|отредактировано|"
    "змінено|upravena|upraveno|düzenlendi|एडिट|संपादित|編集|แก้ไข|chỉnh sửa|تعديل|redigert|redigerad|redigeret|"
    "muokattu|edytowan|szerkeszt",
    re.IGNORECASE,
)
_EDIT_END = (">", *MARKS)
MAY_END_EDITED = frozenset(">" + MARKS + " \t\u00a0\n")
_BEFORE_MARKER = " \u00a0\t" + MARKS


def strip_edited(text: str) -> tuple[str, bool]:
    """(the text without WhatsApp's "edited" marker, whether it had one). Cheap for the many texts without one."""
    if not text.endswith(_EDIT_END):
        if not text or not text[-1].isspace():
            return text, False
        text = text.rstrip()
        if not text.endswith(_EDIT_END):
            return text, False
    start = text.rfind("<")
    found = EDITED_AT.match(text, start) if start >= 0 else None
    if found is None or EDITED_WORDS.search(found.group("said")) is None:
        return text, False
    return text[:start].rstrip(_BEFORE_MARKER), True


class Classified(NamedTuple):
    is_system: bool
    system_kind: str | None
    is_media: bool
    attachment: str | None


REGULAR = Classified(False, None, False, None)
MEDIA = Classified(False, None, True, None)
SYSTEM = {kind: Classified(True, kind, False, None) for kind in (*KIND_NAMES, "deleted", "missed_call")}
PHRASES = {**dict.fromkeys(DELETED, SYSTEM["deleted"]), **dict.fromkeys(MISSED_CALLS, SYSTEM["missed_call"])}


def classify(body: str, has_author: bool) -> Classified:
    """What a message's raw text (direction marks still in place) is: system, media, or a regular message.

    Cheap tests first: a typical message costs one mark search, one dict lookup and a few character checks.
    """
    if not has_author:
        return SYSTEM[_system_kind(body.translate(STRIP_MARKS))]
    newline = body.find("\n")
    first = body if newline < 0 else body[:newline]
    marked = _HAS_MARK.search(first) is not None
    plain = (first.translate(STRIP_MARKS) if marked else first).strip()
    if len(plain) <= 60:
        known = PHRASES.get(plain.rstrip(".。").casefold())
        if known is not None:
            return known
    if "<" in first:
        attached = IOS_ATTACHED.search(first)
        if attached:
            return Classified(False, None, True, attached.group("file").strip())
        if plain.startswith("<") and plain.endswith(">"):
            return MEDIA  # Android "<Media omitted>" in the phone's language
    if plain.endswith(")"):
        attached = ANDROID_ATTACHED.match(plain)
        if attached:
            return Classified(False, None, True, attached.group("file").strip())
    if plain == VIEW_ONCE:
        return MEDIA  # Android writes "null" for a view-once photo or video
    if marked:
        if first[0] in LEAD_MARKS:
            return _marked(first, plain)
        if PLACEHOLDER_FILE.match(first):
            return MEDIA  # iOS "Some file.txt ‎document omitted": a file that was not exported
    return REGULAR


def _marked(first: str, plain: str) -> Classified:
    """iOS (and some Android) texts that WhatsApp wrote itself start with a direction mark."""
    if "maps.google." in plain or "foursquare.com" in plain or plain.startswith("Location:"):
        return REGULAR  # a shared location: the user's message, with a leading mark
    if ENCRYPTION.search(plain):
        return SYSTEM["encryption"]
    if GROUP_CHANGE.search(plain):
        return SYSTEM["group_change"]
    if first.startswith(("\u200e\u200e", "\u200f\u200f")) or len(plain) > 60:
        return SYSTEM["other"]  # e.g. "‎‎Your security code with X changed."
    kind = _system_kind(plain)
    if kind != "other":
        return SYSTEM[kind]  # iOS groups: "Group: ‎Manoj added Ravi", "Group: ‎Ravi left"
    return MEDIA  # "‎image omitted", "‎Bild weggelassen", "‎sticker omitted" ... in the phone's language


def _system_kind(text: str) -> str:
    for kind, pattern in SYSTEM_KINDS:
        if pattern.search(text):
            return kind
    return "other"


# --- dates ---------------------------------------------------------------------------------------------------------
def _year(raw: str) -> int:
    if raw[0] in ERA_START:
        return ERA_START[raw[0]] + int(raw[1:])
    value = int(raw)
    if len(raw) <= 2:
        return 2000 + value
    return value - BUDDHIST_OFFSET if value >= 2400 else value


def _is_year(raw: str) -> bool:
    return len(raw) >= 3 or raw[0] in ERA_START


def decide_day_first(keys: Iterable[tuple[str, str, str]], default: bool = True) -> tuple[int, bool]:
    """Where the year is (0, 1 or 2) and whether the day comes before the month, from every date of the file.

    A value above 12 decides the order; with no such value, the order under which the dates run forward in the
    file wins; with no evidence at all, `default` (day first, as in India and most of the world).
    """
    keys = list(keys)
    year_at = 2
    if any(_is_year(k[0]) for k in keys):
        year_at = 0
    elif any(_is_year(k[1]) for k in keys):
        year_at = 1
    pairs = [tuple(int(v) for i, v in enumerate(k) if i != year_at) for k in keys]
    first_big = any(a > 12 for a, _ in pairs)
    second_big = any(b > 12 for _, b in pairs)
    if year_at == 0 and not first_big and not second_big:
        return year_at, False  # yyyy/mm/dd is the only year-first order in use
    if first_big != second_big:
        return year_at, first_big
    if not first_big:
        forward = _runs_forward(keys, year_at)
        if forward is not None:
            return year_at, forward
    return year_at, default


def _runs_forward(keys: list[tuple[str, str, str]], year_at: int) -> bool | None:
    """True if the dates (in file order) go backwards less often read day-first than month-first."""
    backwards = []
    for day_first in (True, False):
        dates = [_to_date(k, year_at, day_first) for k in keys]
        valid = [d for d in dates if d is not None]
        backwards.append(sum(later < earlier for earlier, later in pairwise(valid)))
    if backwards[0] == backwards[1]:
        return None
    return backwards[0] < backwards[1]


def _to_date(key: tuple[str, str, str], year_at: int, day_first: bool) -> date | None:
    rest = [int(v) for i, v in enumerate(key) if i != year_at]
    day, month = rest if day_first else rest[::-1]
    try:
        return date(_year(key[year_at]), month, day)
    except ValueError:
        return None


def _time_seconds(hour: str, minute: str, second: str | None, ampm: str | None) -> int | None:
    h, m, s = int(hour), int(minute), int(second) if second else 0
    if ampm:
        pm = ampm[0] in "pPم" or ampm in ("午後", "下午")
        h = h % 12 + (12 if pm else 0)
    if h > 23 or m > 59 or s > 59:
        return None
    return h * 3600 + m * 60 + s


# --- the single pass -----------------------------------------------------------------------------------------------
class Style(NamedTuple):
    pattern: re.Pattern[str]
    dates: str  # NUMERIC, DAY_MONTH or MONTH_DAY


STYLE_CANDIDATES = tuple((order, dates) for dates in (NUMERIC, DAY_MONTH, MONTH_DAY) for order in ORDERS)


def choose_style(text: str) -> Style | None:
    """The header regex for this file, from its first lines: date or time first, numeric dates or month names,
    then only the features seen (brackets, am/pm; direction marks if any appear anywhere). None when no line looks
    like a header."""
    cut = -1
    for _ in range(SAMPLE_LINES):
        cut = text.find("\n", cut + 1)
        if cut < 0:
            break
    sample = text if cut < 0 else text[:cut]
    found = {key: list(header_pattern(key[0], dates=key[1]).finditer(sample)) for key in STYLE_CANDIDATES}
    best = max(found, key=lambda key: len(found[key]))  # the first candidate wins a tie: numeric, date first
    if not found[best]:
        return None
    brackets = {bool(match.group("br")) for match in found[best]}
    pattern = header_pattern(
        best[0],
        marks=_HAS_MARK.search(text) is not None,
        bracket=brackets.pop() if len(brackets) == 1 else None,
        ampm=any(match.group("ap") for match in found[best]),
        dates=best[1],
    )
    return Style(pattern, best[1])


def normalise(text: str) -> str:
    """One leading newline (headers are matched from the newline before them), LF line ends, no BOM."""
    return "\n" + text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


class YearEvidence(NamedTuple):
    """What a file says about the year of messages whose header has none (old exports leave out the current
    year): a year in its name, and the day it was exported (its modification date)."""

    name_year: int | None = None
    exported: date | None = None

    @classmethod
    def of_file(cls, name: str, modified: float | None) -> YearEvidence:
        years = NAME_YEAR.findall(Path(name).stem)
        exported = datetime.fromtimestamp(modified, tz=UTC).date() if modified is not None else None
        return cls(int(years[-1]) if years else None, exported)


NAME_YEAR = re.compile(r"(?<!\d)((?:19[89]|20\d)\d)(?!\d)")


def parse_chat(
    text: str,
    *,
    day_first: bool | None = None,
    default_day_first: bool = True,
    evidence: YearEvidence | None = None,
) -> pl.DataFrame:
    """Parse a chat export's text into one row per message, in file order (`SCHEMA`).

    Columns: `timestamp` (naive local datetime as the phone showed it; null if the header's date is impossible),
    `author` (None for lines WhatsApp wrote without one: joins, group changes, the encryption notice; kept for
    deleted messages and missed calls), `text` (multi-line messages joined with "\\n", direction marks and the
    "edited" marker removed), `is_system`, `system_kind` (joined / added / left / removed / encryption / deleted /
    missed_call / group_change / other), `is_media` (an attachment or a "<Media omitted>"-style placeholder),
    `attachment` (the exported file name when there is one), `is_edited` (WhatsApp marked the message edited),
    `year_inferred` (the header had no year: see `infer_years`) and `line_number` (1-based line of the message's
    first line).

    `day_first=None` decides the date order from the whole file (see `decide_day_first`). A header without a year
    takes it from `evidence` (the file's other headers first). Raises FileRejected("not_a_chat") when no line is a
    message header.
    """
    text = normalise(text)
    style = choose_style(text)
    if style is None:
        raise FileRejected("not_a_chat", "no line looks like a WhatsApp message header")
    keys, times, bodies, lines = _scan(text, style.pattern)
    columns = _messages(bodies)
    if style.dates == NUMERIC:
        days, inferred = _numeric_days(keys, day_first, default_day_first), [False] * len(keys)
    else:
        days, inferred = _named_days(keys, evidence or YearEvidence())
    frame = pl.DataFrame(
        {"timestamp": _timestamps(days, times), **columns, "year_inferred": inferred, "line_number": lines},
        schema={"timestamp": pl.Int64(), **{k: v for k, v in SCHEMA.items() if k != "timestamp"}},
    )
    return frame.with_columns(pl.col("timestamp").cast(pl.Datetime("us")).alias("timestamp"))


def _scan(text: str, pattern: re.Pattern[str]) -> tuple[list, list, list[str], list[int]]:
    """One regex pass: each header's date key, time key, body (header excluded) and first line number."""
    keys: list[tuple[str, str, str]] = []
    times: list[tuple] = []
    starts: list[int] = []
    ends: list[int] = []
    lines: list[int] = []
    line, position = 0, -1
    count = text.count
    for match in pattern.finditer(text):
        start = match.start()
        d1, d2, d3, h, mi, s, ap = match.group(*_GROUPS)
        keys.append((d1, d2, d3))
        times.append((h, mi, s, ap))
        line += count("\n", position + 1, start + 1)
        position = start
        lines.append(line)
        starts.append(start)
        ends.append(match.end())
    starts.append(len(text))
    bodies = [text[ends[i] : starts[i + 1]] for i in range(len(ends))]
    return keys, times, bodies, lines


def _messages(bodies: list[str]) -> dict[str, list]:
    authors: list[str | None] = []
    texts: list[str] = []
    system: list[bool] = []
    kinds: list[str | None] = []
    media: list[bool] = []
    files: list[str | None] = []
    edited: list[bool] = []
    for body in bodies:
        cut = body.find(": ")
        has_author = cut > 0 and body.find("\n", 0, cut) < 0
        raw = body[cut + 2 :] if has_author else body
        was_edited = False
        if raw[-1:] in MAY_END_EDITED:  # a ">", a mark or a space last: one set lookup for the other messages
            raw, was_edited = strip_edited(raw)
        kind = classify(raw, has_author)
        keep_author = has_author and (not kind.is_system or kind.system_kind in ("deleted", "missed_call"))
        authors.append(body[:cut].translate(STRIP_MARKS).strip() if keep_author else None)
        texts.append(raw.translate(STRIP_MARKS).rstrip() if _HAS_MARK.search(raw) else raw.rstrip())
        system.append(kind.is_system)
        kinds.append(kind.system_kind)
        media.append(kind.is_media)
        files.append(kind.attachment)
        edited.append(was_edited)
    return {
        "author": authors,
        "text": texts,
        "is_system": system,
        "system_kind": kinds,
        "is_media": media,
        "attachment": files,
        "is_edited": edited,
    }


EPOCH = date(1970, 1, 1).toordinal()
DAY_US = 86_400_000_000


def _day_us(day: date | None) -> int | None:
    return None if day is None else (day.toordinal() - EPOCH) * DAY_US


def _numeric_days(keys: list, day_first: bool | None, default_day_first: bool) -> list[int | None]:
    """Microseconds since 1970 of each message's day, each distinct date converted once."""
    distinct = list(dict.fromkeys(keys))
    year_at, decided = decide_day_first(distinct, default_day_first)
    order = decided if day_first is None else day_first
    day_us = {key: _day_us(_to_date(key, year_at, order)) for key in distinct}
    return [day_us[key] for key in keys]


def _named_days(keys: list, evidence: YearEvidence) -> tuple[list[int | None], list[bool]]:
    """Days of `28 Aug 2013` / `Mar 5` headers, and whether each one's year was inferred."""
    month_days = [(MONTH_NUMBER[month[:3].lower()], int(day)) for day, month, _ in keys]
    years = infer_years(month_days, [int(y) if y else None for _, _, y in keys], evidence)
    cache: dict[tuple[int, int, int], int | None] = {}
    days: list[int | None] = []
    for (month, day), year in zip(month_days, years, strict=True):
        stamp = cache.get((year, month, day), -1)
        if stamp == -1:
            try:
                stamp = cache[(year, month, day)] = _day_us(date(year, month, day))
            except ValueError:
                stamp = cache[(year, month, day)] = None
        days.append(stamp)
    return days, [y is None for _, _, y in keys]


def infer_years(month_days: list[tuple[int, int]], years: list[int | None], evidence: YearEvidence) -> list[int]:
    """Every message's year, in file order (an export runs forward in time). Headers without one take it from,
    in order: the file's other headers (the year runs on from the last dated header, +1 where the month goes
    back; before the first dated header, -1 where it goes forward); else the year in the file's name, for its last
    message; else the export date (the last message is the latest day on or before it); else today."""
    if not years:
        return []
    known = [i for i, year in enumerate(years) if year is not None]
    filled = list(years)
    if not known:
        filled[-1] = _last_year(month_days[-1], evidence)
        known = [len(years) - 1]
    for i in range(known[0] - 1, -1, -1):  # before the first dated header: walk back
        after = filled[i + 1]
        filled[i] = after - 1 if month_days[i][0] > month_days[i + 1][0] else after  # type: ignore[operator]
    for i in range(known[0] + 1, len(filled)):  # after it: walk forward
        if filled[i] is None:
            before = filled[i - 1]
            filled[i] = before + 1 if month_days[i][0] < month_days[i - 1][0] else before  # type: ignore[operator]
    return filled  # type: ignore[return-value]


def _last_year(month_day: tuple[int, int], evidence: YearEvidence) -> int:
    if evidence.name_year is not None:
        return evidence.name_year
    exported = evidence.exported or date.today()
    return exported.year if month_day <= (exported.month, exported.day) else exported.year - 1


def _timestamps(days: list[int | None], times: list) -> list[int | None]:
    """Microseconds since 1970 per message: its day plus its time, each distinct time converted once."""
    time_us: dict[tuple, int | None] = {}
    out: list[int | None] = []
    for base, clock in zip(days, times, strict=True):
        micros = time_us.get(clock, -1)
        if micros == -1:
            seconds = _time_seconds(*clock)
            micros = time_us[clock] = None if seconds is None else seconds * 1_000_000
        out.append(None if base is None or micros is None else base + micros)
    return out


# --- files ----------------------------------------------------------------------------------------------------------
def read_chat_text(path: Path) -> str:
    """The export's text: a `.txt` file, or the chat `.txt` inside a `.zip` export (zip-bomb limits first)."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if not head:
        raise FileRejected("empty_file", f"{path.name} is empty (0 bytes)")
    if head.startswith(b"PK\x03\x04"):
        return _decode(_zip_member(path), path.name)
    if path.stat().st_size > MAX_CHAT_BYTES:
        raise FileRejected("too_large", f"{path.name} is larger than {MAX_CHAT_BYTES:,} bytes")
    return _decode(path.read_bytes(), path.name)


def _zip_member(path: Path) -> bytes:
    check_zip(path)
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".txt") and not n.startswith("__MACOSX")]
        if not names:
            raise FileRejected("not_a_chat", f"{path.name} is a zip without a chat .txt inside")
        chosen = next((n for n in names if Path(n).name == "_chat.txt"), None)
        chosen = chosen or next((n for n in names if "whatsapp" in n.lower()), names[0])
        return archive.read(chosen)


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    bomless = utf16_without_bom(raw[:4096])  # Windows tools write UTF-16 without a byte-order mark
    if bomless is not None:
        return raw.decode(bomless, errors="replace")
    if b"\x00" in raw[:4096]:
        raise FileRejected("not_a_chat", f"{name} is a binary file, not a WhatsApp chat export")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_chat_file(path: Path, *, day_first: bool | None = None, name: str | None = None) -> pl.DataFrame:
    """`parse_chat` on a `.txt` or `.zip` export; FileRejected("not_a_chat") names the file. A header without a
    year takes it from the file's evidence: its other headers, its `name` (default: the path's), its modification
    date."""
    text = read_chat_text(path)
    if not text.strip():
        raise FileRejected("empty_file", f"{path.name} has no text")
    evidence = YearEvidence.of_file(name or path.name, path.stat().st_mtime)
    try:
        return parse_chat(text, day_first=day_first, evidence=evidence)
    except FileRejected as rejected:
        raise FileRejected(rejected.code, f"{path.name}: {rejected.message}") from None


def chat_name(file_name: str) -> str:
    """`WhatsApp Chat with Sharma Traders.txt` -> `Sharma Traders` (iOS `WhatsApp Chat - X`, localized too)."""
    stem = Path(file_name).name.rsplit(".", 1)[0].replace("\u00a0", " ").strip()
    match = CHAT_NAME.match(stem)
    return (match.group("name") if match else stem).strip()


CHAT_NAME = re.compile(
    r"(?i)^(?:WhatsApp Chat(?: with| mit| met| con| avec| com| -)|Chat (?:de )?WhatsApp(?: (?:s uživatelem|with|con|"
    r"avec|mit|com|met|de|dengan))?|Чат WhatsApp с(?: контактом)?|Discussion WhatsApp avec|Conversa do WhatsApp com)"
    r" (?P<name>.+)$"
)
