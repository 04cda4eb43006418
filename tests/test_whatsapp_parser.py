"""WhatsApp chat-export parser: the shared corpus's published counts and vectors, plus files written here."""

from __future__ import annotations

import json
import os
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from ingest.core.errors import FileRejected
from ingest.core.masters import MasterData
from ingest.core.preview import preview_file
from ingest.core.rules import mask_phones_in_text
from ingest.core.runner import read_file
from ingest.core.source import ReadContext
from ingest.registry import source_kinds
from ingest.whatsapp.authors import author_key, display_author
from ingest.whatsapp.parser import YearEvidence, chat_name, infer_years, parse_chat, parse_chat_file

CORPUS = Path("/work/shared/corpus/whatsapp")
WHATS_JSON = CORPUS / "whats_json"
KEY = "test-key"
# 10 or more digits, allowing the spaces, dashes and brackets people write phone numbers with
PHONE_RUN = re.compile(r"\d(?:[ \u00a0\-()]{0,2}\d){9,}")


def corpus(path: str) -> Path:
    full = CORPUS / path
    if not full.exists():
        pytest.skip(f"corpus file {full} not present")
    return full


def expectations() -> dict:
    return json.loads(corpus("whats_json/EXPECTATIONS.json").read_text())


def categories(frame: pl.DataFrame) -> dict[str, int]:
    """Our columns counted the way whats_json counts (its 'system' includes "image omitted"-style placeholders)."""
    attachment = pl.col("attachment").fill_null("")
    location = ~pl.col("is_system") & pl.col("text").str.contains("maps.google.|foursquare.com")
    kinds = frame.select(
        (pl.col("is_system") | (pl.col("is_media") & pl.col("attachment").is_null())).alias("system"),
        location.alias("location"),
        attachment.str.contains(r"PHOTO|^IMG-").alias("image"),
        attachment.str.contains(r"VIDEO|^VID-").alias("video"),
        attachment.str.contains(r"AUDIO|^PTT-").alias("audio"),
        attachment.str.contains(r"GIF").alias("gif"),
        attachment.str.contains(r"STICKER|^STK-").alias("sticker"),
    )
    counts = {name: int(kinds[name].sum()) for name in kinds.columns}
    media = int(frame["attachment"].is_not_null().sum())
    counts["file"] = media - sum(counts[k] for k in ("image", "video", "audio", "gif", "sticker"))
    counts["text"] = frame.height - counts["system"] - counts["location"] - media
    counts["messages"] = frame.height
    return counts


def assert_matches(frame: pl.DataFrame, expected: dict) -> None:
    got = categories(frame)
    for name, value in expected.items():
        if name in got:
            assert got[name] == value, (name, got)


# --- the corpus --------------------------------------------------------------------------------------------------
EXPECTATION_GROUPS = {
    "languages/*_ios.txt (non-media)": lambda p: p.name.endswith("_ios.txt"),
    "languages/*_android.txt (non-media)": lambda p: p.name.endswith("_android.txt"),
    "languages/*_ios_media.txt": lambda p: p.name.endswith("_ios_media.txt"),
    "languages/*_android_media.txt": lambda p: p.name.endswith("_android_media.txt") and "deutch" not in p.name,
}


@pytest.mark.parametrize("group", list(EXPECTATION_GROUPS))
def test_languages_match_whats_json_expectations(group: str) -> None:
    table = expectations()
    key = next(k for k in table if k.startswith(group))
    files = [p for p in sorted(corpus("whats_json/languages").glob("*.txt")) if EXPECTATION_GROUPS[group](p)]
    assert files
    for path in files:
        frame = parse_chat_file(path)
        assert frame["timestamp"].null_count() == 0, path.name
        try:
            assert_matches(frame, table[key])
        except AssertionError as failure:
            raise AssertionError(f"{path.name}: {failure}") from None


def test_readme_counts_per_platform() -> None:
    """README: every *_ios.txt 23 messages (4 text, 2 location, 17 system); *_android.txt 60 (15 text, 2 file,
    3 location, 40 system); *_ios_media.txt 25; *_android_media.txt 60."""
    wanted = {"_ios.txt": 23, "_android.txt": 60, "_ios_media.txt": 25, "english_android_media.txt": 60}
    for path in sorted(corpus("whats_json/languages").glob("*.txt")):
        suffix = next((s for s in wanted if path.name.endswith(s)), None)
        if suffix:
            assert parse_chat_file(path).height == wanted[suffix], path.name


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("android/WhatsApp Chat with Dmitry S EN Android.txt", "languages/*_android.txt (non-media)"),
        ("android/Chat WhatsApp s\u00a0uživatelem Dmitry S CZ Android.txt", "languages/*_android.txt (non-media)"),
        ("android/Чат WhatsApp с\u00a0контактом Dmitry S RU Android.txt", "languages/*_android.txt (non-media)"),
        ("android/WhatsApp Chat with Dmitry S EN+Media Android.txt", "languages/*_android_media.txt"),
        ("ios/WhatsApp Chat - Elon Musk (EN+Media).txt", "languages/*_ios_media.txt"),
    ],
)
def test_named_exports_match_their_language_file(name: str, group: str) -> None:
    table = expectations()
    assert_matches(parse_chat_file(corpus(f"whats_json/{name}")), table[next(k for k in table if k.startswith(group))])


def test_every_ios_export_has_the_same_text_and_locations() -> None:
    for path in sorted(corpus("whats_json/ios").glob("*.txt")):
        frame = parse_chat_file(path)
        got = categories(frame)
        assert (got["text"], got["location"]) == (4, 2), (path.name, got)
        assert frame["timestamp"].min() in (datetime(2022, 3, 18, 14, 56), datetime(2022, 3, 18, 14, 56, 1))


def test_group_chat_events() -> None:
    frame = parse_chat_file(corpus("whats_json/android/WhatsApp Chat with Group Chat XXX Android.txt"))
    kinds = dict(frame.group_by("system_kind").len().iter_rows())
    assert frame.height == 20
    assert kinds["encryption"] == 1 and kinds["added"] == 1 and kinds["joined"] == 1 and kinds["removed"] == 1
    assert kinds["deleted"] == 1 and kinds["group_change"] == 12
    assert frame.filter(~pl.col("is_system"))["text"].to_list() == ["Hello all", "This is group chat", "We"]


def test_zip_export_equals_its_txt() -> None:
    from_zip = parse_chat_file(corpus("whats_json/ios/WhatsApp Chat - Elon Musk (RU).zip"))
    from_txt = parse_chat_file(corpus("whats_json/ios/WhatsApp Chat - Elon Musk (RU).txt"))
    assert from_zip.height == from_txt.height == 25  # a re-export: same messages, another author name
    for column in ("timestamp", "is_system", "system_kind", "is_media", "attachment", "line_number"):
        assert from_zip[column].equals(from_txt[column]), column
    assert_matches(from_zip, {"text": 4, "location": 2, "system": 19})


def test_buddhist_and_japanese_era_years() -> None:
    buddhist = parse_chat_file(corpus("whats_json/calendars/Buddhist iOS.txt"))
    japanese = parse_chat_file(corpus("whats_json/calendars/Japanese iOS.txt"))
    gregorian = parse_chat_file(corpus("whats_json/calendars/Gregorian iOS.txt"))
    assert buddhist.height == japanese.height == 28
    assert buddhist["timestamp"].dt.date().to_list() == japanese["timestamp"].dt.date().to_list()
    assert buddhist["timestamp"][0] == gregorian["timestamp"][0] == datetime(2022, 3, 18, 14, 56, 1)
    assert set(buddhist["timestamp"].dt.year().to_list()) == {2022, 2023}


def test_arabic_indic_digits_and_arabic_pm() -> None:
    frame = parse_chat_file(corpus("whats_json/languages/arabic_ios.txt"))
    assert frame["timestamp"][0] == datetime(2022, 3, 18, 14, 56)
    assert frame["timestamp"][1] == datetime(2022, 3, 27, 21, 41, 35)


@pytest.mark.parametrize(
    "name",
    [
        "test_ddmmyy_24hrs.txt",
        "test_mmddyy_24hrs.txt",
        "test_mmddyyyy_12hrs.txt",
        "test_yyyymmdd_24hrs.txt",
        "test_[mmddyy]_24hrs.txt",
    ],
)
def test_chat_miner_styles_give_the_target(name: str) -> None:
    target = json.loads(corpus("chat_miner/target.json").read_text())
    frame = parse_chat_file(corpus(f"chat_miner/{name}"))
    assert frame.filter(pl.col("text").str.contains("\n")).height == 2  # two multi-line messages, joined with "\n"
    frame = frame.filter(~pl.col("is_system"))
    got = [
        {"timestamp": r["timestamp"].isoformat(), "author": r["author"], "message": r["text"].replace("\n", " ")}
        for r in frame.sort("timestamp", descending=True).iter_rows(named=True)
    ]
    assert got == target


def test_pustur_line_vectors() -> None:
    vectors = json.loads(corpus("pustur/pustur_line_vectors.json").read_text())
    for vector in vectors["vectors"]:
        row = parse_chat(vector["line"]).row(0, named=True)
        assert row["timestamp"].isoformat() == vector["expected_local_datetime"], vector["id"]
        assert (row["author"], row["text"]) == (vector["author"], vector["message"]), vector["id"]
    for extra in vectors["extra"]:
        stamps = parse_chat(extra["input"], day_first=extra.get("daysFirst"))["timestamp"]
        if "expected" in extra:
            assert [s.isoformat() for s in stamps] == extra["expected"]
        else:
            assert (stamps[0].day, stamps[0].month) == (extra["expected_day"], extra["expected_month_1based"])


# --- files written here ------------------------------------------------------------------------------------------
def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding, newline="")
    return path


def test_month_first_decided_by_a_later_line(tmp_path: Path) -> None:
    lines = [f"0{m}/0{d}/2024, 10:0{d} - Ravi: order {d}" for m, d in ((1, 2), (1, 5), (2, 3))]
    lines += ["02/14/2024, 09:30 - Ravi: last one"]  # only this line says the month comes first
    frame = parse_chat_file(write(tmp_path, "chat.txt", "\n".join(lines)))
    assert frame["timestamp"][0] == datetime(2024, 1, 2, 10, 2)
    assert frame["timestamp"][2] == datetime(2024, 2, 3, 10, 3)
    assert frame["timestamp"][3] == datetime(2024, 2, 14, 9, 30)


def test_twelve_hour_clock_with_narrow_space_crlf_and_multiline(tmp_path: Path) -> None:
    text = (
        "1/15/24, 9:05\u202fPM - Gupta Kirana: Order:\r\nMaggi 2 peti\r\n1/15/24, 12:10\u202fAM - Gupta Kirana: ok\r\n"
    )
    frame = parse_chat_file(write(tmp_path, "chat.txt", text))
    assert frame["timestamp"].to_list() == [datetime(2024, 1, 15, 21, 5), datetime(2024, 1, 15, 0, 10)]
    assert frame["text"][0] == "Order:\nMaggi 2 peti"
    assert frame["line_number"].to_list() == [1, 3]


def phone_chat() -> str:
    return (
        "12/03/2024, 10:15 - Messages and calls are end-to-end encrypted. Tap to learn more.\n"
        "12/03/2024, 10:16 - +91 98765 43210: 10 cs Parle-G, call me on 9876512345 or +91 91234 56789\n"
        "12/03/2024, 10:17 - Sharma Traders: ok, coordinates 28.6139391,77.2090212 and bill 12 pcs\n"
        "12/03/2024, 10:18 - +91 98765 43210 added +91 99887 76655\n"
        "13/03/2024, 11:00 - \u202a+91 98765 43210\u202c: <Media omitted>\n"
    )


def read_chat(path: Path, monkeypatch: pytest.MonkeyPatch, name: str | None = None):
    monkeypatch.setenv("SELLTHROUGH_HASH_KEY", KEY)
    ctx = ReadContext(f"whatsapp/D001/{name or path.name}", "D001", MasterData())
    return read_file(path, source_kinds()["whatsapp"], ctx)


def test_phone_author_hashed_masked_and_no_number_survives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "WhatsApp Chat with Sharma Traders.txt", phone_chat())
    result = read_chat(path, monkeypatch)
    frame = result.tables["whatsapp_messages"]
    assert result.rows_read == frame.height == 5
    assert frame["chat_name"].unique().to_list() == ["Sharma Traders"]
    phone_rows = frame.filter(pl.col("author_display") == "+91 ••••• •3210")
    assert phone_rows.height == 2  # the U+202A/U+202C-wrapped number is the same person
    assert phone_rows["author_key"].unique().to_list() == [author_key("+91 98765 43210", KEY)]
    same_number = ("+919876543210", "98765 43210", "098765-43210", "\u202a+91 98765 43210\u202c")
    assert {author_key(n, KEY) for n in same_number} == {author_key("+91 98765 43210", KEY)}
    assert author_key("+91 98765 43211", KEY) != author_key("+91 98765 43210", KEY)
    assert frame.filter(pl.col("author_display") == "Sharma Traders")["author_key"][0] == author_key(
        "Sharma Traders", KEY
    )
    assert "28.6139391,77.2090212" in frame["text"][2]  # coordinates and quantities are not phone numbers
    for column in frame.columns:
        if frame[column].dtype != pl.String:
            continue
        for value in frame[column].drop_nulls().to_list():
            assert not PHONE_RUN.search(value), (column, value)
            assert "98765" not in value and "43210" not in value.replace("•3210", ""), (column, value)
    assert frame.select(pl.col("_row_number").alias("rows"))["rows"].to_list() == [1, 2, 3, 4, 5]
    assert result.period is not None and result.period[0].isoformat() == "2024-03-12"


def test_masking_helpers() -> None:
    assert display_author("+91 98765 43210") == "+91 ••••• •3210"
    assert display_author("Sharma Traders") == "Sharma Traders"
    assert mask_phones_in_text("call 9876543210 for 24 cs") == "call ••••••3210 for 24 cs"
    assert mask_phones_in_text("invoice INV9876543210, 1,250.50 rupees") == "invoice INV9876543210, 1,250.50 rupees"


def test_zip_export_written_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "WhatsApp Chat - Sharma Traders.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("_chat.txt", "[12/03/2024, 10:16:00] Sharma Traders: 10 cs Parle-G\n")
        handle.writestr("IMG-0001.jpg", b"\xff\xd8 not really a photo")
    result = read_chat(archive, monkeypatch)
    frame = result.tables["whatsapp_messages"]
    assert frame["text"].to_list() == ["10 cs Parle-G"]
    assert frame["chat_name"][0] == "Sharma Traders"
    assert frame["message_ts"][0] == datetime(2024, 3, 12, 10, 16)


def test_empty_file_rejected(tmp_path: Path) -> None:
    with pytest.raises(FileRejected) as raised:
        parse_chat_file(write(tmp_path, "empty.txt", ""))
    assert raised.value.code == "empty_file"


def test_not_a_chat_rejected_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "sales.txt", "Bill No,Bill Date,Item,Qty\nB1,12/03/2024,Parle-G,10\n")
    with pytest.raises(FileRejected) as raised:
        read_chat(path, monkeypatch)
    assert raised.value.code == "not_a_chat"
    assert "sales.txt" in raised.value.message


def test_chat_names() -> None:
    assert chat_name("whatsapp/D001/WhatsApp Chat with Sharma Traders.txt") == "Sharma Traders"
    assert chat_name("WhatsApp Chat - Elon Musk (RU).zip") == "Elon Musk (RU)"
    assert chat_name("Чат WhatsApp с контактом Dmitry S RU Android.txt") == "Dmitry S RU Android"


def test_preview_totals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SELLTHROUGH_HASH_KEY", KEY)
    path = write(tmp_path, "WhatsApp Chat with Sharma Traders.txt", phone_chat())
    report = preview_file(path, kind="whatsapp").as_dict()
    totals = report["totals"]
    assert report["rows_read"] == report["rows_loaded"] == 5
    assert (totals["messages"], totals["system_messages"], totals["authors"], totals["order_lines"]) == (5, 2, 2, 0)
    assert (totals["date_min"], totals["date_max"]) == ("2024-03-12", "2024-03-13")


def test_ios_group_membership_lines_are_system_messages_not_media() -> None:
    text = (
        "[05/11/26, 09:00:01] Jain Traders Retailers: \u200eManoj Jain added Verma Kirana\n"
        "[05/11/26, 09:00:02] Jain Traders Retailers: \u200eRavi left\n"
        "[05/11/26, 09:01:00] Verma Kirana: \u200eimage omitted\n"
        "[05/11/26, 09:02:00] Verma Kirana: parle g 5 cs\n"
    )
    frame = parse_chat(text)
    assert frame.select("is_system", "system_kind", "is_media").rows() == [
        (True, "added", False),
        (True, "left", False),
        (False, None, True),
        (False, None, False),
    ]


# --- old export formats, edited markers ---------------------------------------------------------------------------
OLD_FORMATS = {
    "time first, month name": (
        "19:23, 28 Aug 2013 - Ravi: reached\n19:25, 28 Aug 2013 - Amit: ok\n08:01, 2 Sep 2013 - Ravi: kal milte\n",
        [datetime(2013, 8, 28, 19, 23), datetime(2013, 8, 28, 19, 25), datetime(2013, 9, 2, 8, 1)],
        False,
    ),
    "month name first, 12-hour, no year": (
        "Mar 5, 8:11 PM - Ravi: reached\nMar 5, 8:12 PM - Amit: ok\nMar 6, 12:05 AM - Ravi: so jao\n",
        [datetime(2013, 3, 5, 20, 11), datetime(2013, 3, 5, 20, 12), datetime(2013, 3, 6, 0, 5)],
        True,
    ),
    "day month name, 24-hour, no year": (
        "18 Mar 12:14 - Ravi: reached\n18 Mar 12:15 - Amit: ok\n19 Mar 09:00 - Ravi: good morning\n",
        [datetime(2013, 3, 18, 12, 14), datetime(2013, 3, 18, 12, 15), datetime(2013, 3, 19, 9, 0)],
        True,
    ),
}


@pytest.mark.parametrize("style", list(OLD_FORMATS))
def test_old_export_formats_parse(tmp_path: Path, style: str) -> None:
    text, stamps, inferred = OLD_FORMATS[style]
    frame = parse_chat_file(write(tmp_path, "WhatsApp Chat with Ravi 2013.txt", text))  # the year from the name
    assert frame["timestamp"].to_list() == stamps
    assert frame["author"].to_list() == ["Ravi", "Amit", "Ravi"]
    assert frame["year_inferred"].to_list() == [inferred] * 3


def test_a_missing_year_comes_from_the_other_lines_then_the_modification_date(tmp_path: Path) -> None:
    # dated lines first (older years), then the current year's lines without one; Dec -> Jan moves the year on
    text = "28 Dec 2013 10:00 - Ravi: old\n30 Dec 11:00 - Ravi: a\n2 Jan 09:00 - Amit: b\n"
    frame = parse_chat_file(write(tmp_path, "chat.txt", text))
    assert frame["timestamp"].dt.date().to_list() == [date(2013, 12, 28), date(2013, 12, 30), date(2014, 1, 2)]
    assert frame["year_inferred"].to_list() == [False, True, True]
    # no year anywhere in the file or its name: the export's date (the last message is on or before it)
    path = write(tmp_path, "WhatsApp Chat with Amit.txt", "Nov 30, 9:00 AM - Ravi: a\nMar 5, 8:11 PM - Amit: b\n")
    exported = datetime(2016, 3, 4, 12, 0).timestamp()
    os.utime(path, (exported, exported))
    frame = parse_chat_file(path)
    assert frame["timestamp"].to_list() == [datetime(2014, 11, 30, 9, 0), datetime(2015, 3, 5, 20, 11)]
    assert frame["year_inferred"].all()


def test_infer_years_walks_back_before_the_first_dated_header() -> None:
    years = infer_years([(11, 2), (1, 3), (2, 1)], [None, None, 2014], YearEvidence())
    assert years == [2013, 2014, 2014]
    assert infer_years([(5, 1)], [None], YearEvidence(name_year=2012)) == [2012]


EDITED = {
    "android": ("12/03/2024, 10:16 - Ravi: 5 cs monaco <This message was edited>\n", "5 cs monaco"),
    "ios": ("[12/03/24, 10:16:00] Ravi: 5 cs monaco \u200e<This message was edited.>\n", "5 cs monaco"),
    "german": ("12.03.24, 10:16 - Ravi: 5 cs monaco <Diese Nachricht wurde bearbeitet>\n", "5 cs monaco"),
    "multi-line": (
        "12/03/2024, 10:16 - Ravi: Order:\nmonaco 5 cs\u200e<This message was edited>\n",
        "Order:\nmonaco 5 cs",
    ),
    "a file name before it": (
        "12/03/2024, 10:16 - Ravi: see bill.pdf \u200e<This message was edited.>\n",
        "see bill.pdf",
    ),
}


@pytest.mark.parametrize("case", list(EDITED))
def test_edited_marker_is_a_flag_not_text(case: str) -> None:
    text, expected = EDITED[case]
    row = parse_chat(text).row(0, named=True)
    assert (row["text"], row["is_edited"], row["is_media"], row["is_system"]) == (expected, True, False, False)


def test_angle_brackets_that_say_something_else_stay_in_the_text() -> None:
    frame = parse_chat("12/03/2024, 10:16 - Ravi: bhai <urgent>\n12/03/2024, 10:17 - Ravi: <Media omitted>\n")
    assert frame["text"].to_list() == ["bhai <urgent>", "<Media omitted>"]
    assert frame["is_edited"].to_list() == [False, False] and frame["is_media"].to_list() == [False, True]


def test_old_format_read_through_the_reader_with_its_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path,
        "WhatsApp Chat with Ravi.txt",
        "28 Dec 2013 10:00 - Ravi: old\n30 Dec 11:00 - Ravi: a <This message was edited>\n",
    )
    result = read_chat(path, monkeypatch)
    frame = result.tables["whatsapp_messages"]
    assert result.rows_read == result.rows_loaded == 2 and result.quarantine.height == 0
    assert frame.select("text", "is_edited", "year_inferred").rows() == [("old", False, False), ("a", True, True)]
    assert result.period == (date(2013, 12, 28), date(2013, 12, 30))
    totals = preview_file(path, kind="whatsapp").as_dict()["totals"]
    assert (totals["messages"], totals["edited_messages"], totals["year_inferred_messages"]) == (2, 1, 1)
