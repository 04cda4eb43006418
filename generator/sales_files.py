"""Distributor sales files: one per distributor per week (per day for daily senders), in its layout (or the shape
its file takes that week: `layouts.file_shape`), with the planted file faults, and the truth line for every line
a file carries. Some bills carry the same line twice (identical cell for cell): both are sales, in the truth too."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from generator.config import LAYOUT_EXTENSIONS
from generator.faults import (
    PlantedRow,
    Slot,
    malformed_rows,
    plan_file_faults,
    plan_truncations,
    truncated_rows,
    unknown_rows,
    wrong_quantities,
)
from generator.files import write_delivered
from generator.layouts import (
    DATE_FORMATS,
    DEPLOYMENT_LAYOUTS,
    FEATURES,
    WRITERS,
    FileMeta,
    Row,
    file_shape,
    total_row_count,
)
from generator.masters import Distributor, Network
from generator.simulate import Invoice, PrimaryLine, Simulation
from generator.tally import TallyWriter, summary, tally_days

TRUTH_COLUMNS = (
    "distributor_code",
    "invoice_number",
    "invoice_date",
    "line_type",
    "outlet_code",
    "sku_code",
    "quantity_units",
    "free_units",
    "net_amount",
    "file_name",
    "expected",
    "fault",
)
Progress = Callable[[str, int, int], None]
REPEAT_SHARE = 0.06  # of the lines that split evenly: billed as two identical lines


@dataclass
class SalesOutput:
    truth: dict[str, list] = field(default_factory=lambda: {c: [] for c in TRUTH_COLUMNS})
    faults: list[dict] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    tally_files: list[dict] = field(default_factory=list)  # the Tally Day Books sent instead (truth/tally_files.json)

    def add_truth(self, values: dict) -> None:
        for column in TRUTH_COLUMNS:
            self.truth[column].append(values[column])


def _slots(network: Network, sim: Simulation) -> tuple[list[Slot], dict[tuple[str, date], list[Invoice]]]:
    config = network.config
    by_slot: dict[tuple[str, date], list[Invoice]] = {}
    slots: list[Slot] = []
    for distributor in network.distributors:
        starts: dict[date, date] = {}
        ends: dict[date, date] = {}
        for day in config.dates():
            if distributor.cadence == "daily":
                starts[day], ends[day] = day, day
            else:
                monday = day - timedelta(days=day.weekday())
                starts[day] = max(monday, config.start)
                ends[starts[day]] = min(monday + timedelta(days=6), config.end)
        for invoice in sim.invoices:
            if invoice.distributor_code == distributor.code:
                by_slot.setdefault((distributor.code, starts[invoice.day]), []).append(invoice)
        for start in sorted({s for (code, s) in by_slot if code == distributor.code}):
            slots.append(Slot(distributor.code, distributor.layout, distributor.cadence, start, ends[start]))
    return slots, by_slot


def _file_name(slot: Slot) -> str:
    extension = LAYOUT_EXTENSIONS[file_shape(slot.layout, slot.start)]
    if slot.cadence == "daily":
        return f"sales_{slot.start:%Y-%m-%d}{extension}"
    return f"sales_{slot.start:%Y-%m-%d}_{slot.end:%Y-%m-%d}{extension}"


def _delivered_at(rng: random.Random, slot: Slot, index: int) -> datetime:
    if slot.cadence == "daily":
        offset = timedelta(minutes=index * 7 + rng.randrange(150))
        return datetime.combine(slot.end + timedelta(days=1), time(1, 0)) + offset
    return datetime.combine(slot.end + timedelta(days=rng.choice((1, 1, 1, 2))), time(2, 0)) + timedelta(
        minutes=index * 11 + rng.randrange(9 * 60)
    )


def _rows(network: Network, invoices: list[Invoice]) -> tuple[list[Row], list[dict]]:
    rows: list[Row] = []
    truths: list[dict] = []
    for invoice in invoices:
        outlet = network.outlet_by_code[invoice.outlet_code]
        salesman, beat = network.salesman_and_beat(invoice.outlet_code)
        labels = network.labels[invoice.distributor_code]
        for line in invoice.lines:
            label = labels[line.sku_code]
            rows.append(
                Row(
                    invoice_number=invoice.number,
                    day=invoice.day,
                    line_type=invoice.line_type,
                    cancelled=invoice.cancelled,
                    party_code=outlet.party_code,
                    party_name=outlet.name,
                    item_code=label.code,
                    item_name=label.name,
                    item=label.single,
                    quantity=line.quantity,
                    free=line.free,
                    units_per_case=network.sku_by_code[line.sku_code].units_per_case,
                    rate_paise=line.rate_paise,
                    gross_paise=line.gross_paise,
                    discount_paise=line.discount_paise,
                    salesman=salesman,
                    beat=beat,
                )
            )
            truths.append(
                {
                    "distributor_code": invoice.distributor_code,
                    "invoice_number": invoice.number,
                    "invoice_date": invoice.day,
                    "line_type": invoice.line_type,
                    "outlet_code": invoice.outlet_code,
                    "sku_code": line.sku_code,
                    "quantity_units": line.quantity,
                    "free_units": line.free,
                    "net_amount": line.net_paise / 100,
                    "expected": "quarantined" if invoice.cancelled else "loaded",
                    "fault": "cancelled_document" if invoice.cancelled else None,
                }
            )
    return rows, truths


def _repeat_identical_lines(rng: random.Random, rows: list[Row], truths: list[dict]) -> int:
    """Bill some lines as two identical lines of half the quantity (a biller who keyed the item twice, a till that
    writes one row per scan): every cell equal, both sales. Returns how many lines were added."""
    added = 0
    i = 0
    while i < len(rows):
        row = rows[i]
        # a line a scheme paid out on stays whole: scheme earnings judge a slab line by line, so halves would earn
        # less than the claims the simulation makes (int_secondary_sales__scheme_earnings)
        splits = (
            row.line_type == "sale"
            and not row.cancelled
            and row.quantity >= 2
            and row.quantity % 2 == 0
            and row.gross_paise % 2 == 0
            and row.discount_paise == 0
            and row.free == 0
        )
        if splits and rng.random() < REPEAT_SHARE:
            half = replace(row, quantity=row.quantity // 2, gross_paise=row.gross_paise // 2)
            truth = {
                **truths[i],
                "quantity_units": half.quantity,
                "free_units": half.free,
                "net_amount": half.net_paise / 100,
            }
            rows[i : i + 1] = [half, replace(half)]
            truths[i : i + 1] = [truth, dict(truth)]
            added += 1
            i += 1
        i += 1
    return added


def _plant(rows: list[Row], truths: list[dict], planted: list[PlantedRow], outlet_of: dict[str, str]) -> None:
    for item in planted:
        last = max(i for i, r in enumerate(rows) if r.invoice_number == item.after_invoice)
        rows.insert(last + 1, item.row)
        truths.insert(
            last + 1,
            {
                "distributor_code": truths[last]["distributor_code"],
                "invoice_number": item.row.invoice_number,
                "invoice_date": item.row.day,
                "line_type": "sale",
                "outlet_code": outlet_of[item.after_invoice],
                "sku_code": item.sku_code,
                "quantity_units": item.row.quantity,
                "free_units": 0,
                "net_amount": item.row.net_paise / 100,
                "expected": "quarantined",
                "fault": item.fault,
            },
        )


def write_sales_files(network: Network, sim: Simulation, inbox: Path, progress: Progress | None = None) -> SalesOutput:
    config = network.config
    rng = config.rng("sales-files")
    repeats = config.rng("repeated-lines")
    slots, by_slot = _slots(network, sim)
    plan = plan_file_faults(config.rng("file-faults"), slots, config.days, config.start)
    lines = {key: sum(len(i.lines) for i in invoices) for key, invoices in by_slot.items()}
    truncated = plan_truncations(config.rng("truncated-files"), slots, plan, lines, config.days, config.start)
    distributors: dict[str, Distributor] = {d.code: d for d in network.distributors}
    index = {d.code: i for i, d in enumerate(network.distributors)}
    out = SalesOutput()
    last_delivered: dict[str, datetime] = {}
    daybooks = tally_days(slots, plan, network)
    tally_writers: dict[str, TallyWriter] = {}
    for done, slot in enumerate(slots, start=1):
        distributor = distributors[slot.distributor_code]
        key = (slot.distributor_code, slot.start)
        invoices = by_slot[key]
        rows, truths = _rows(network, invoices)
        whole = list(truths)  # a Day Book writes the invoices' lines as they are: its truth is never halved
        repeated = _repeat_identical_lines(repeats, rows, truths)
        outlet_of = {i.number: i.outlet_code for i in invoices}
        folder = f"distributor_sales/{slot.distributor_code}"
        name = _file_name(slot)
        meta = FileMeta(
            f"{distributor.name} – {distributor.town.town}" if slot.layout == "tally_csv" else distributor.name,
            slot.start,
            slot.end,
        )
        shape = file_shape(slot.layout, slot.start)
        writer = WRITERS[shape]
        # a later period is always delivered later than the one before it (the planted late file aside)
        delivered = max(
            _delivered_at(rng, slot, index[slot.distributor_code]),
            last_delivered.get(slot.distributor_code, datetime.min) + timedelta(hours=3),
        )
        last_delivered[slot.distributor_code] = delivered
        if key in daybooks:
            writer_of = tally_writers.setdefault(slot.distributor_code, TallyWriter(network, distributor))
            _write_daybook(writer_of, slot, daybooks[key], invoices, sim.primary, (inbox, delivered), (whole, out))
            if progress:
                progress("distributor sales files", done, len(slots))
            continue
        planted: list[PlantedRow] = []
        if key in plan.malformed:
            planted += malformed_rows(rng, network, slot.distributor_code, slot.layout, rows)
        if key in plan.unknown:
            planted += unknown_rows(rng, network, slot.distributor_code, rows)
        _plant(rows, truths, planted, outlet_of)

        written: list[tuple[str, bytes, datetime]] = []
        file_rows: dict[str, list[Row]] = {}  # a written file with other rows than the period's (a cut-off one)
        if key == plan.resent:
            wrong = wrong_quantities(rng, rows)
            first_rows = list(rows)
            for i, quantity in wrong:
                first_rows[i] = replace(rows[i], quantity=quantity)
            # and a bill keyed on the period's last day that the corrected file no longer has: with no line of that
            # day left, only the period the re-send declares (its name) takes the old bill out of the marts
            sample = next(r for r in rows if r.line_type == "sale" and not r.cancelled and not r.bad)
            dropped = replace(sample, invoice_number=f"{sample.invoice_number}-X", day=slot.end, bad={})
            first_rows.append(dropped)
            first, first_numbers = writer(first_rows, meta)
            written.append((name, first, delivered))
            stem, extension = name.rsplit(".", 1)
            corrected_name = f"{stem}_v2.{extension}"
            data, numbers = writer(rows, meta)
            corrected_at = delivered + timedelta(days=2, hours=5)
            written.append((corrected_name, data, corrected_at))
            out.faults.append(
                {
                    "fault": "resent_corrected",
                    "file": f"{folder}/{corrected_name}",
                    "replaces": f"{folder}/{name}",
                    "distributor_code": slot.distributor_code,
                    "period_start": slot.start,
                    "period_end": slot.end,
                    "received_at": corrected_at,
                    "replaces_received_at": delivered,
                    "dropped_bill": {"invoice_number": dropped.invoice_number, "invoice_date": dropped.day},
                    "rows": [
                        {
                            "row": first_numbers[i],
                            "invoice_number": rows[i].invoice_number,
                            "sku_code": truths[i]["sku_code"],
                            "quantity_first_sent": quantity,
                            "quantity_corrected": rows[i].quantity,
                        }
                        for i, quantity in wrong
                    ],
                }
            )
            name = corrected_name
        elif key in truncated:
            cut = truncated_rows(rows)
            first, _ = writer(cut, meta)
            written.append((name, first, delivered))
            file_rows[name] = cut
            stem, extension = name.rsplit(".", 1)
            complete_name = f"{stem}_v2.{extension}"
            data, numbers = writer(rows, meta)
            complete_at = delivered + timedelta(hours=6)  # before the next period's file
            written.append((complete_name, data, complete_at))
            out.faults.append(
                {
                    "fault": "truncated_file",
                    "file": f"{folder}/{name}",
                    "resent_complete": f"{folder}/{complete_name}",
                    "distributor_code": slot.distributor_code,
                    "cadence": slot.cadence,
                    "period_start": slot.start,
                    "period_end": slot.end,
                    "rows_sent": len(cut),
                    "rows_complete": len(rows),
                    "expected_check": "volume",  # the file volume check flags the cut-off file
                }
            )
            name = complete_name
        else:
            data, numbers = writer(rows, meta)
            if key in plan.late:
                on_time = delivered
                delivered = delivered + timedelta(days=plan.late[key])
                out.faults.append(
                    {
                        "fault": "late_file",
                        "file": f"{folder}/{name}",
                        "distributor_code": slot.distributor_code,
                        "period_start": slot.start,
                        "period_end": slot.end,
                        "expected_by": on_time,
                        "received_at": delivered,
                        "days_late": (delivered.date() - slot.end).days,
                    }
                )
            written.append((name, data, delivered))
            if key in plan.duplicates:
                stem, extension = name.rsplit(".", 1)
                copy_name = f"{stem}_copy.{extension}"
                written.append((copy_name, data, delivered + timedelta(hours=6)))
                out.faults.append(
                    {
                        "fault": "duplicate_file",
                        "file": f"{folder}/{copy_name}",
                        "duplicate_of": f"{folder}/{name}",
                        "distributor_code": slot.distributor_code,
                    }
                )

        file_name = f"{folder}/{name}"
        if planted:
            placed = {id(p.row): numbers[next(i for i, r in enumerate(rows) if r is p.row)] for p in planted}
            for fault, label in (("malformed_row", "malformed_rows"), ("unknown_sku", "unknown_sku")):
                mine = [p for p in planted if p.fault == fault]
                if mine:
                    out.faults.append(
                        {
                            "fault": label,
                            "file": file_name,
                            "distributor_code": slot.distributor_code,
                            "rows": [
                                {
                                    "row": placed[id(p.row)],
                                    "problem": p.problem,
                                    "value": p.value,
                                    "invoice_number": p.row.invoice_number,
                                    "sku_code": p.sku_code,
                                    "expected_reason_code": p.reason_code,
                                }
                                for p in mine
                            ],
                        }
                    )
        for truth in truths:
            out.add_truth({**truth, "file_name": file_name})

        for written_name, data, when in written:
            write_delivered(inbox / folder / written_name, data, when)
            relative = f"{folder}/{written_name}"
            out.files.append(relative)
            for feature in FEATURES[shape] + (("repeated_lines",) if repeated else ()):
                entry: dict = {"fault": feature, "file": relative, "distributor_code": slot.distributor_code}
                if feature == "total_rows":
                    entry["rows"] = total_row_count(slot.layout, file_rows.get(written_name, rows))
                elif feature == "text_dates":
                    entry["format"] = DATE_FORMATS[shape]
                elif feature == "repeated_lines":
                    entry["rows"] = repeated  # lines identical to the line before them in the same bill
                out.faults.append(entry)
        if progress:
            progress("distributor sales files", done, len(slots))
    return out


def write_deployment_layouts(network: Network, layouts_dir: Path) -> list[str]:
    """The layout each distributor of a layout that needs one gets (`<dir>/distributor_sales/<CODE>.yml`)."""
    import yaml

    written = []
    for distributor in network.distributors:
        layout = DEPLOYMENT_LAYOUTS.get(distributor.layout)
        if layout is None:
            continue
        path = layouts_dir / "distributor_sales" / f"{distributor.code}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        header = (
            f"# {distributor.name}: its DMS workbook, and some weeks a quick CSV export with no header row.\n"
            "# Written by `sellthrough generate` for its sample network, as a data engineer would.\n"
        )
        path.write_text(header + yaml.safe_dump(layout, sort_keys=False, allow_unicode=True), encoding="utf-8")
        written.append(str(path.relative_to(layouts_dir.parent.parent)))
    return written


def _write_daybook(
    writer: TallyWriter,
    slot: Slot,
    fmt: str,
    invoices: list[Invoice],
    primary: list[PrimaryLine],
    where: tuple[Path, datetime],
    results: tuple[list[dict], SalesOutput],
) -> None:
    """The slot as a Tally Day Book (generator/tally.py) in `inbox/tally_daybook/<code>/`, its lines in the truth.
    An Excel Day Book has one quantity column: a slot with free goods goes as XML."""
    inbox, delivered = where
    truths, out = results
    if fmt == "xlsx" and any(line.free for invoice in invoices for line in invoice.lines):
        fmt = "xml"
    received = [
        p
        for p in primary
        if p.distributor_code == slot.distributor_code
        and slot.start <= ((p.delivery_date or p.doc_date) if p.doc_type == "invoice" else p.doc_date) <= slot.end
    ]
    vouchers = writer.vouchers(invoices, received, fmt)
    data = writer.xml(vouchers) if fmt == "xml" else writer.xlsx(vouchers, slot.start, slot.end)
    period = f"{slot.start:%Y-%m-%d}" if slot.start == slot.end else f"{slot.start:%Y-%m-%d}_{slot.end:%Y-%m-%d}"
    file_name = f"tally_daybook/{slot.distributor_code}/DayBook_{period}.{fmt}"
    write_delivered(inbox / file_name, data, delivered)
    for truth in truths:
        out.add_truth({**truth, "file_name": file_name})
    out.tally_files.append(
        {"file": file_name, "distributor_code": slot.distributor_code, "format": fmt, **summary(vouchers)}
    )
