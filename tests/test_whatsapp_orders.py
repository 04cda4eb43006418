"""Order lines out of WhatsApp text: message forms, Hinglish, units, follow-ups, review flags, chatter; and a tiny
generated network read back against its truth, with no phone number left in the raw WhatsApp tables."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from bench.whatsapp_orders import keyed, precision_recall
from generator import NetworkConfig, generate
from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.preview import preview_file
from ingest.core.runner import ingest_inbox, read_file
from ingest.core.source import ReadContext
from ingest.registry import source_kinds
from ingest.whatsapp.authors import author_key
from ingest.whatsapp.orders import order_id
from ingest.whatsapp.parser import parse_chat_file

TINY = NetworkConfig(seed=7, distributors=6, outlets=60, skus=12, days=62, start=date(2026, 7, 1))
PHONE_RUN = re.compile(r"\d(?:[ \u00a0\u202f\-()]{0,2}\d){9,}")
SKUS = pl.DataFrame(
    {
        "sku_code": ["S1", "S2", "S3", "S4", "S5"],
        "sku_name": [
            "Parle G Biscuit 100 g",
            "Monaco Biscuit 75 g",
            "Hide n Seek 120 g",
            "Good Day Cashew Cookies 100 g",
            "Parle G Biscuit 250 g",
        ],
        "units_per_case": [48, 24, 36, 30, 20],
        "ean": pl.Series([None] * 5, dtype=pl.String),
    }
)
ALIASES = pl.DataFrame({"distributor_code": ["D001", "D001"], "alias": ["monaco", "GDC100"], "sku_code": ["S2", "S4"]})
OUTLETS = pl.DataFrame(
    {
        "outlet_code": ["O1", "O2", "O3", "O9"],
        "outlet_name": ["Sharma Kirana Store", "Laxmi General Stores", "Gupta Traders", "Laxmi Traders"],
        "distributor_code": ["D001", "D001", "D001", "D002"],
        "phone": ["9876543210", "9123456789", "9000000001", "9111111111"],
    }
)
KEY = "test-key"
# who may order in D001's chats: the rep Ravi (the O2 shop's number is in the outlet master, so it is known too)
SENDERS = pl.DataFrame(
    {"distributor_code": ["D001"], "sender_key": [author_key("Ravi", KEY)], "rep_code": ["R1"], "outlet_code": [None]},
    schema={"distributor_code": pl.String, "sender_key": pl.String, "rep_code": pl.String, "outlet_code": pl.String},
)
MASTERS = MasterData(SKUS, ALIASES, OUTLETS, chat_senders=SENDERS)


def chat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, masters: MasterData = MASTERS) -> pl.DataFrame:
    """The order lines of a chat written here (`dd/mm/yy, hh:mm - author: text` lines)."""
    monkeypatch.setenv("SELLTHROUGH_HASH_KEY", KEY)
    path = tmp_path / "WhatsApp Chat with Orders.txt"
    path.write_text(body, encoding="utf-8")
    ctx = ReadContext("whatsapp/D001/WhatsApp Chat with Orders.txt", "D001", masters)
    result = read_file(path, source_kinds()["whatsapp"], ctx)
    assert result.rows_read == result.rows_loaded == result.tables["whatsapp_messages"].height
    return result.tables["whatsapp_order_lines"]


def triples(lines: pl.DataFrame) -> list[tuple]:
    return list(lines.select("outlet_code", "sku_code", "quantity_units").iter_rows())


def test_outlet_dash_prefix_with_several_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "12/03/24, 10:16 - Ravi: Sharma Kirana - Parle G 100g 5 cs, monaco 2 box, hide n seek 120g 12 pcs\n"
    lines = chat(tmp_path, monkeypatch, text)
    assert triples(lines) == [("O1", "S1", 240), ("O1", "S2", 48), ("O1", "S3", 12)]
    assert lines["line_number_in_message"].to_list() == [1, 2, 3]
    assert lines["order_id"].n_unique() == 1 and lines["status"].to_list() == ["open"] * 3
    assert lines["unit_text"].to_list() == ["cs", "box", "pcs"]
    assert not lines["needs_review"].any()


def test_order_for_outlet_with_quantity_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = chat(tmp_path, monkeypatch, "12/03/24, 10:17 - Ravi: order: 10 ctn good day cashew 100g for Laxmi\n")
    assert triples(lines) == [("O2", "S4", 300)]  # Laxmi Traders belongs to another distributor
    assert lines["outlet_text"].to_list() == ["Laxmi"]


def test_one_item_per_line_and_units(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "12/03/24, 10:20 - Ravi: Order for Gupta Traders:\n"
        "Parle-G 100 gm - 2 dozen\n"
        "3 cs monaco\n"
        "GDC100 x 7 pkt\n"
        "parle g 250g 1 peti\n"
    )
    lines = chat(tmp_path, monkeypatch, text)
    assert triples(lines) == [("O3", "S1", 24), ("O3", "S2", 72), ("O3", "S4", 7), ("O3", "S5", 20)]


def test_hinglish_and_the_authors_outlet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "12/03/24, 10:18 - +91 91234 56789: bhaiya 2 peti parle g 100g bhej dena\n"
        "12/03/24, 10:19 - Ravi: Sharma Kirana ke liye 5 dabba hide n seek 120g aur 12 nos monaco bhejo\n"
    )
    lines = chat(tmp_path, monkeypatch, text)
    assert triples(lines) == [("O2", "S1", 96), ("O1", "S3", 180), ("O1", "S2", 12)]
    assert lines["outlet_text"].to_list() == [None, "Sharma Kirana", "Sharma Kirana"]


def test_cancellation_of_the_authors_and_the_named_outlets_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        "12/03/24, 10:00 - Ravi: Gupta Traders - monaco 3 cs\n"
        "12/03/24, 10:05 - Ravi: Sharma Kirana - monaco 1 cs\n"
        "12/03/24, 10:06 - +91 91234 56789: 2 cs monaco\n"
        "12/03/24, 10:07 - +91 91234 56789: cancel\n"
        "12/03/24, 10:08 - Ravi: cancel Gupta order\n"
        "14/03/24, 10:08 - Ravi: cancel order\n"  # the last order is two days old: nothing to cancel
    )
    lines = chat(tmp_path, monkeypatch, text)
    assert lines["status"].to_list() == ["cancelled", "open", "cancelled"]


def test_corrections_and_an_ambiguous_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "12/03/24, 10:00 - Ravi: Gupta Traders - monaco 5 cs, parle g 100g 2 cs\n"
        "12/03/24, 10:01 - Ravi: sorry 3 not 5\n"
        "12/03/24, 11:00 - +91 91234 56789: 4 dz parle g 100g\n"
        "12/03/24, 11:02 - +91 91234 56789: 4 nahi 6\n"
        "12/03/24, 12:00 - Ravi: Sharma Kirana - monaco 2 cs, hide n seek 120g 2 cs\n"
        "12/03/24, 12:01 - Ravi: 3 not 2\n"  # two lines say 2: a person decides
    )
    lines = chat(tmp_path, monkeypatch, text)
    assert lines["quantity_units"].to_list() == [72, 96, 72, 48, 72]
    assert lines["status"].to_list() == ["corrected", "open", "corrected", "open", "open"]
    assert lines["needs_review"].to_list() == [False, False, False, True, True]


def test_low_confidence_line_is_flagged_not_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "12/03/24, 10:00 - Ravi: Zzyx Stores - parle g 3 cs, chocobar 45g 2 box\n12/03/24, 10:01 - Ravi: monaco 2\n"
    lines = chat(tmp_path, monkeypatch, text)
    assert lines["raw_text"].to_list() == ["parle g 3 cs", "monaco 2"]  # no SKU is a chocobar: no line
    assert lines["needs_review"].all() and (lines["confidence"] < 0.8).all()
    assert lines["outlet_code"].to_list() == [None, None]
    assert lines["review_subject"].to_list() == ["outlet", "outlet"]  # "Zzyx Stores" is no outlet of D001
    assert ((lines["confidence"] >= 0) & (lines["confidence"] <= 1)).all()


def test_chatter_gives_no_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "12/03/24, 10:15 - Messages and calls are end-to-end encrypted. Tap to learn more.\n"
        "12/03/24, 10:16 - Ravi added +91 98765 43210\n"
        "12/03/24, 10:17 - Ravi: Good morning 🙏\n"
        "12/03/24, 10:18 - Ravi: ok\n"
        "12/03/24, 10:19 - +91 98765 43210: thanks\n"
        "12/03/24, 10:20 - +91 98765 43210: payment done 4500 via UPI, 2 cs ka bill bhejo\n"
        "12/03/24, 10:21 - +91 98765 43210: <Media omitted>\n"
        "12/03/24, 10:22 - +91 98765 43210: This message was deleted\n"
        "12/03/24, 10:23 - Ravi: delivery 11 baje tak\n"
        "12/03/24, 10:24 - Ravi: mera naya number 9812345678 save karo\n"
    )
    assert chat(tmp_path, monkeypatch, text).height == 0


def test_no_sku_master_no_lines_and_preview_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "12/03/24, 10:16 - Ravi: Sharma Kirana - Parle G 100g 5 cs, monaco 2 box\n"
    assert chat(tmp_path, monkeypatch, text, MasterData()).height == 0
    report = preview_file(tmp_path / "WhatsApp Chat with Orders.txt", kind="whatsapp").as_dict()
    assert report["totals"]["order_lines"] == 0 and report["totals"]["lines"] == 1


def test_order_ids_are_stable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "12/03/24, 10:16 - Ravi: Sharma Kirana - Parle G 100g 5 cs\n12/03/24, 10:17 - Ravi: monaco 2 cs\n"
    first = chat(tmp_path, monkeypatch, text)["order_id"].to_list()
    assert first == [order_id("D001", "Orders", 1), order_id("D001", "Orders", 2)]
    assert first == chat(tmp_path, monkeypatch, text)["order_id"].to_list()
    moved = chat(tmp_path, monkeypatch, "12/03/24, 10:10 - Ravi: hello\n" + text)["order_id"].to_list()
    assert moved == [order_id("D001", "Orders", 2), order_id("D001", "Orders", 3)]


BEVERAGES = pl.concat(
    [
        SKUS,
        pl.DataFrame(
            {
                "sku_code": ["B1", "B2", "B3"],
                "sku_name": ["Tazza Jeera Soda 250 ml", "Tazza Cola 250 ml", "Tazza Mango Drink 600 ml"],
                "units_per_case": [24, 24, 24],
                "ean": pl.Series([None] * 3, dtype=pl.String),
            }
        ),
    ]
)
NUMBERS_MASTERS = MasterData(BEVERAGES, ALIASES, OUTLETS, chat_senders=SENDERS)
NOT_ORDERS = [
    "Le @91790511xxxx",  # a mention of a masked number
    "So 23",  # a 2-letter word is no SKU ("Jeera Soda")
    "call 98xxxxxx10 or +91 98XXX XX210 for 2 cs",
    "welcome @919876543210 🙏 jeera soda 250ml",
    "6 cases of dengue in our lane",
    "2 cases of flu, cola 250ml band karo",
    "kids ate 2 packets of jeera soda",
    "2019 mein cola 250ml 10 ka tha",
    "jeera soda 250ml 5:30 tak",
    "mango drink 600ml 12/03 ko",
    "monaco 2nd",
    "cola 250ml 250/- hai",
    "India 245/6 in 50 overs, Kohli 82 off 53",
    "see you in 5",
    "flat 302, Tower B, pin 560034",
    "OTP is 4829, 2 min me",
    "monaco 3 log aa rahe hain",
    "2 cola for the party",
    "mango drink 600ml 1200",
    # order-like, every word a SKU's: only the number says it is no quantity
    "order: jeera soda 250ml at 5",
    "send cola 250ml by 6",
    "pls jeera soda 250ml 2019",
    "order jeera soda 250ml 12/03",
    "pls send cola 250ml 250/-",
    "order: jeera soda 250ml 2.5",
    "order mango drink 600ml 1200",
    "pls cola 250ml 3-1",
    "order cola 250ml 91790",
    # errands and stories with an everyday unit and a product word
    "Bought 2 packets of monaco biscuit for the trip",
    "Cola ke 3 packet aur cake le aana",
    "Get 2 packets of cola and 1 soda on the way",
]


def test_numbers_and_unit_words_in_other_senses_give_no_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A known sender in an order chat: the gate is open, so only the text rules stand between these and an order
    line; the last message shows the same chat still reads an order."""
    body = "".join(f"12/03/24, 10:{i:02d} - Ravi: {text}\n" for i, text in enumerate(NOT_ORDERS))
    body += "12/03/24, 11:00 - Ravi: jeera soda 250ml 2 cs\n"
    lines = chat(tmp_path, monkeypatch, body, NUMBERS_MASTERS)
    assert triples(lines) == [(None, "B1", 48)]
    assert lines["_row_number"].to_list() == [len(NOT_ORDERS) + 1]


def test_an_order_needs_a_known_sender_or_chat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    order = "Sharma Kirana - monaco 2 box\n"
    assert chat(tmp_path, monkeypatch, f"12/03/24, 10:00 - Stranger: {order}").height == 0
    assert triples(chat(tmp_path, monkeypatch, f"12/03/24, 10:00 - Ravi: {order}")) == [("O1", "S2", 48)]
    # the chat itself registered (a group by its name): every author in it may order
    group = SENDERS.vstack(SENDERS.with_columns(sender_key=pl.lit(author_key("Orders", KEY)), rep_code=None))
    masters = MasterData(SKUS, ALIASES, OUTLETS, chat_senders=group)
    assert triples(chat(tmp_path, monkeypatch, f"12/03/24, 10:00 - Stranger: {order}", masters)) == [("O1", "S2", 48)]
    # a sender the master maps to an outlet orders for it without naming it
    shop = SENDERS.with_columns(sender_key=pl.lit(author_key("Gupta ji", KEY)), rep_code=None, outlet_code=pl.lit("O3"))
    masters = MasterData(SKUS, ALIASES, OUTLETS, chat_senders=shop)
    assert triples(chat(tmp_path, monkeypatch, "12/03/24, 10:00 - Gupta ji: 2 box monaco\n", masters)) == [
        ("O3", "S2", 48)
    ]


def test_the_edited_marker_is_never_item_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "12/03/24, 10:00 - Ravi: Sharma Kirana - monaco 2 box <This message was edited>\n"
        "12/03/24, 10:01 - Ravi: Gupta Traders:\nhide n seek 120g 3 cs\u200e<This message was edited.>\n"
    )
    lines = chat(tmp_path, monkeypatch, text)
    assert triples(lines) == [("O1", "S2", 48), ("O3", "S3", 108)]
    assert lines["item_text"].to_list() == ["monaco", "hide n seek 120g"]
    assert not lines["raw_text"].str.contains("edited").any()


# --- a tiny generated network -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Lake, dict]:
    data_dir = tmp_path_factory.mktemp("whatsapp_network")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SELLTHROUGH_HASH_KEY", "test-key")
        summary = generate(data_dir, TINY)
        lake = Lake(data_dir / "raw")
        ingest_inbox(data_dir / "inbox", lake, kinds=["masters", "whatsapp"])
    return data_dir, lake, summary


def _whatsapp_table(lake: Lake, table: str) -> pl.DataFrame:
    ids = lake.ledger().filter(pl.col("source_kind") == "whatsapp")["load_id"].to_list()
    return lake.read_table(table, ids)


def test_generated_chats_read_back_to_the_truth(loaded: tuple[Path, Lake, dict]) -> None:
    data_dir, lake, summary = loaded
    truth = pl.read_parquet(data_dir / "truth" / "whatsapp_orders.parquet")
    assert summary["files"]["whatsapp"] == len(list((data_dir / "inbox" / "whatsapp").rglob("*.txt"))) >= 2
    assert summary["whatsapp_order_lines"] == truth.height > 100
    assert set(truth["status"].unique()) == {"open", "cancelled", "corrected"}
    ledger = lake.ledger().filter(pl.col("source_kind") == "whatsapp")
    assert (ledger["status"] == "loaded").all()
    assert (ledger["rows_read"] == ledger["rows_loaded"] + ledger["rows_quarantined"]).all()
    lines = _whatsapp_table(lake, "whatsapp_order_lines")
    precision, recall = precision_recall(keyed(lines.rename({"_source_file": "chat_file"})), truth)
    assert precision >= 0.97 and recall >= 0.97
    joined = lines.with_columns(pl.col("_row_number").cast(pl.Int32).alias("message_line")).join(
        truth, left_on=["_source_file", "message_line", "sku_code"], right_on=["chat_file", "message_line", "sku_code"]
    )
    assert (joined["outlet_code"] == joined["outlet_code_right"]).mean() >= 0.95  # type: ignore[operator]
    assert lines["needs_review"].mean() <= 0.2  # type: ignore[operator]


def test_no_phone_number_in_the_raw_whatsapp_tables(loaded: tuple[Path, Lake, dict]) -> None:
    _, lake, _ = loaded
    for table in ("whatsapp_messages", "whatsapp_order_lines"):
        frame = _whatsapp_table(lake, table)
        assert frame.height
        hashes = {"_load_id", "author_key", "order_id"}  # load ids and hex digests, not text anyone wrote
        for column in [c for c, t in frame.schema.items() if t == pl.String and c not in hashes]:
            leaked = [v for v in frame[column].drop_nulls().to_list() if PHONE_RUN.search(v)]
            assert not leaked, (table, column, leaked[:3])


def test_generated_old_styles_edits_and_the_casual_chat_through_the_nightly_path(
    loaded: tuple[Path, Lake, dict],
) -> None:
    data_dir, lake, _ = loaded
    messages = _whatsapp_table(lake, "whatsapp_messages")
    lines = _whatsapp_table(lake, "whatsapp_order_lines")
    # the one-to-one chats from an old phone: month names, and no year on two of the three styles
    inferred = messages.filter(pl.col("year_inferred"))
    assert inferred["chat_name"].n_unique() >= 2
    first, last = TINY.start - timedelta(days=3), TINY.end
    assert inferred["message_ts"].dt.date().is_between(first, last).all()
    assert messages["is_edited"].sum() > 10 and not lines["raw_text"].str.contains("edited").any()
    # the casual family chat exported by mistake: every message in the ledger, no order line
    ledger = lake.ledger().filter(pl.col("file_name").str.ends_with("Family.txt"))
    assert ledger.height == 2 and (ledger["status"] == "loaded").all()
    for row in ledger.iter_rows(named=True):
        assert row["rows_read"] == row["rows_loaded"] == parse_chat_file(data_dir / "inbox" / row["file_name"]).height
        family = messages.filter(pl.col("_source_file") == row["file_name"])
        assert family.height == row["rows_loaded"] and family["text"].str.contains(r"\d").mean() > 0.5  # type: ignore[operator]
    assert lines.filter(pl.col("chat_name").str.ends_with("Family")).height == 0
