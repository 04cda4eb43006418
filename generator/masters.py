"""The network's master data: SKUs, distributors, reps, beats, outlets, schemes and each distributor's item names.

Everything here is decided up front from the config's seed; `write_masters` writes the brand's master CSVs.
"""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from stdnum import ean, luhn
from stdnum.in_ import gstin as gstin_check

from generator.config import DIWALI, DUSSEHRA, FESTIVAL_LEAD_DAYS, LAYOUTS, NetworkConfig
from generator.reference import (
    AUSPICIOUS,
    DISTRIBUTOR_NAMES,
    DISTRIBUTOR_SLOTS,
    ECOM_NAMES,
    FIRST_NAMES,
    GT_SUFFIXES,
    LOCALITIES,
    MT_NAMES,
    PRODUCTS,
    SURNAMES,
    TOWNS,
    Town,
)

EAN_COMPANY_PREFIX = "8906015"  # 890 = GS1 India
GSTIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_SKUS = sum(len(packs) for *_, packs in PRODUCTS)


def normal_key(text: str) -> str:
    """How readers compare item names and codes: case, spaces and punctuation aside."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


@dataclass(frozen=True)
class Sku:
    code: str
    name: str
    brand: str
    category: str
    product: str
    pack: str
    units_per_case: int
    mrp_paise: int
    ean: str
    ptr_paise: int  # the distributor's price to retailers, per unit
    primary_paise: int  # the brand's price to the distributor, per unit
    popularity: float


@dataclass(frozen=True)
class Distributor:
    code: str
    name: str
    tier: str
    parent_code: str | None
    town: Town
    cadence: str
    layout: str
    order_weekday: int  # the day it places its weekly order with the brand


@dataclass(frozen=True)
class Rep:
    code: str
    name: str
    distributor_code: str
    phone: str


@dataclass(frozen=True)
class Beat:
    code: str
    name: str
    distributor_code: str
    rep_code: str
    town: str
    weekday: int


@dataclass
class Outlet:
    code: str
    name: str
    distributor_code: str
    party_code: str
    channel: str
    outlet_class: str
    beat_code: str
    town: Town
    latitude: float
    longitude: float
    gstin: str | None
    phone: str
    name_head: str = ""
    twin_code: str | None = None  # the duplicate master record this outlet also buys under
    twin_of: str | None = None  # set on the duplicate record: the outlet it duplicates


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    scheme_type: str  # qty_slab | pct_discount | free_goods
    sku_codes: tuple[str, ...]
    start: date
    end: date
    min_units: int
    discount_pct: float
    free_units: int
    uplift: float  # demand multiplier on eligible SKUs while the scheme runs
    distributor_codes: tuple[str, ...] = ()  # the distributors that run it; empty: every distributor

    def active(self, day: date) -> bool:
        return self.start <= day <= self.end

    def runs_at(self, distributor_code: str) -> bool:
        return not self.distributor_codes or distributor_code in self.distributor_codes


@dataclass(frozen=True)
class ItemLabels:
    """How one distributor writes one SKU: a code column, a name column, and a single item column."""

    code: str
    name: str
    single: str


@dataclass
class Network:
    config: NetworkConfig
    skus: list[Sku]
    distributors: list[Distributor]
    reps: list[Rep]
    beats: list[Beat]
    outlets: list[Outlet]  # the master: real outlets, then duplicate records
    schemes: list[Scheme]
    labels: dict[str, dict[str, ItemLabels]]  # distributor -> sku -> labels
    aliases: list[tuple[str, str, str]]  # (distributor_code, alias, sku_code)
    sku_by_code: dict[str, Sku] = field(init=False)
    scheme_by_code: dict[str, Scheme] = field(init=False)
    outlet_by_code: dict[str, Outlet] = field(init=False)
    beat_by_code: dict[str, Beat] = field(init=False)
    rep_by_code: dict[str, Rep] = field(init=False)

    def __post_init__(self) -> None:
        self.sku_by_code = {s.code: s for s in self.skus}
        self.scheme_by_code = {s.code: s for s in self.schemes}
        self.outlet_by_code = {o.code: o for o in self.outlets}
        self.beat_by_code = {b.code: b for b in self.beats}
        self.rep_by_code = {r.code: r for r in self.reps}

    def real_outlets(self, distributor_code: str) -> list[Outlet]:
        return [o for o in self.outlets if o.distributor_code == distributor_code and o.twin_of is None]

    def salesman_and_beat(self, outlet_code: str) -> tuple[str, str]:
        beat = self.beat_by_code[self.outlet_by_code[outlet_code].beat_code]
        return self.rep_by_code[beat.rep_code].name, beat.name


def build_network(config: NetworkConfig) -> Network:
    if config.skus > MAX_SKUS:
        raise ValueError(f"skus must be at most {MAX_SKUS}")
    skus = _skus(config)
    distributors = _distributors(config)
    reps, beats = _reps_and_beats(config, distributors)
    outlets = _outlets(config, distributors, beats)
    schemes = _schemes(config, skus)
    labels, aliases = _labels(config, skus, distributors)
    return Network(config, skus, distributors, reps, beats, outlets, schemes, labels, aliases)


# --- SKUs ---------------------------------------------------------------------------------------------------


def _skus(config: NetworkConfig) -> list[Sku]:
    rng = config.rng("skus")
    by_brand: dict[str, list[tuple[str, str, str, tuple[str, float, int]]]] = {}
    for brand, category, product, packs in PRODUCTS:
        for pack in packs:
            by_brand.setdefault(brand, []).append((brand, category, product, pack))
    for items in by_brand.values():
        rng.shuffle(items)
    picked: list[tuple[str, str, str, tuple[str, float, int]]] = []
    while len(picked) < config.skus:  # round robin over brands, so every brand is present
        for items in by_brand.values():
            if items and len(picked) < config.skus:
                picked.append(items.pop())
    picked.sort(key=lambda item: (list(by_brand).index(item[0]), item[2], item[3][1]))
    skus = []
    for number, (brand, category, product, (pack, mrp, units_per_case)) in enumerate(picked, start=1):
        body = f"{EAN_COMPANY_PREFIX}{10000 + number * 37:05d}"
        code = body + ean.calc_check_digit(body)
        mrp_paise = round(mrp * 100)
        skus.append(
            Sku(
                code=f"SKU{number:04d}",
                name=f"{brand} {product} {pack}",
                brand=brand,
                category=category,
                product=product,
                pack=pack,
                units_per_case=units_per_case,
                mrp_paise=mrp_paise,
                ean=code,
                ptr_paise=round(mrp_paise * rng.uniform(0.80, 0.86)),
                primary_paise=round(mrp_paise * rng.uniform(0.70, 0.75)),
                popularity=rng.uniform(0.4, 1.6) * (1.5 if mrp <= 10 else 1.0),
            )
        )
    return skus


# --- distributors, reps, beats --------------------------------------------------------------------------------


def _distributors(config: NetworkConfig) -> list[Distributor]:
    rng = config.rng("distributors")
    names = list(DISTRIBUTOR_NAMES)
    rng.shuffle(names)
    out: list[Distributor] = []
    for i in range(config.distributors):
        town_name, parent_slot = DISTRIBUTOR_SLOTS[i % len(DISTRIBUTOR_SLOTS)]
        tier = "super_stockist" if i == 0 else "distributor"
        parent = None
        if parent_slot is not None and parent_slot <= config.distributors:
            tier, parent = "sub_distributor", f"D{parent_slot:03d}"
        name = names[i % len(names)]
        if i >= len(names):
            name = f"{name} ({town_name})"
        # mostly weekly; the fourth distributor of every eight sends a file every day
        cadence = "daily" if i % 8 == 3 else "weekly"
        out.append(
            Distributor(
                code=f"D{i + 1:03d}",
                name=name,
                tier=tier,
                parent_code=parent,
                town=TOWNS[town_name],
                cadence=cadence,
                layout=LAYOUTS[i % len(LAYOUTS)],
                order_weekday=i % 5,
            )
        )
    return out


def _phone(rng: random.Random) -> str:
    return f"{rng.choice('6789')}{rng.randrange(10**9):09d}"


def _reps_and_beats(config: NetworkConfig, distributors: list[Distributor]) -> tuple[list[Rep], list[Beat]]:
    rng = config.rng("reps")
    counts = _outlet_counts(config, distributors)
    reps: list[Rep] = []
    beats: list[Beat] = []
    for distributor, n_outlets in zip(distributors, counts, strict=True):
        n_reps = min(4, 2 + (n_outlets >= 40) + (n_outlets >= 70))
        n_beats = max(n_reps, min(n_reps * 6, round(n_outlets / 9)))
        localities = list(LOCALITIES)
        rng.shuffle(localities)
        weekdays = {r: rng.sample(range(6), 6) for r in range(n_reps)}
        for r in range(n_reps):
            reps.append(
                Rep(
                    code=f"{distributor.code}-R{r + 1}",
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                    distributor_code=distributor.code,
                    phone=_phone(rng),
                )
            )
        for b in range(n_beats):
            r = b % n_reps
            beats.append(
                Beat(
                    code=f"{distributor.code}-B{b + 1:02d}",
                    name=f"{distributor.town.town} {localities[b % len(localities)]}",
                    distributor_code=distributor.code,
                    rep_code=f"{distributor.code}-R{r + 1}",
                    town=distributor.town.town,
                    weekday=weekdays[r][(b // n_reps) % 6],
                )
            )
    return reps, beats


def _outlet_counts(config: NetworkConfig, distributors: list[Distributor]) -> list[int]:
    weights = [{"super_stockist": 1.4, "distributor": 1.0, "sub_distributor": 0.6}[d.tier] for d in distributors]
    total = sum(weights)
    raw = [config.outlets * w / total for w in weights]
    counts = [max(5, int(x)) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - int(raw[i])), i))
    i = 0
    while sum(counts) < config.outlets:
        counts[order[i % len(order)]] += 1
        i += 1
    while sum(counts) > config.outlets:
        j = max(range(len(counts)), key=lambda k: (counts[k], -k))
        counts[j] -= 1
    return counts


# --- outlets --------------------------------------------------------------------------------------------------


def make_gstin(rng: random.Random, state_code: str, initial: str, holder: str) -> str:
    """A GSTIN that passes the checksum: state, PAN (holder type, name initial), entity number, Z, check char."""
    while True:
        letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
        pan = f"{letters}{holder}{initial}{rng.randrange(1, 10000):04d}{rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"
        body = f"{state_code}{pan}{rng.choice('123456789')}Z"
        number = body + luhn.calc_check_digit(body, GSTIN_ALPHABET)
        if gstin_check.is_valid(number):
            return number


def _outlet_name(rng: random.Random, channel: str) -> tuple[str, str]:
    """(name, head): the head is the part a duplicate record keeps ("Sharma Kirana")."""
    if channel == "MT":
        name = rng.choice(MT_NAMES)
        return name, name.rsplit(" ", 1)[0]
    if channel == "ECOM":
        name = rng.choice(ECOM_NAMES)
        return name, name.split(" ", 1)[0]
    suffix = rng.choice(GT_SUFFIXES)
    pattern = rng.random()
    if pattern < 0.45:
        head = rng.choice(SURNAMES)
    elif pattern < 0.85:
        head = rng.choice(AUSPICIOUS)
    else:
        head = f"New {rng.choice(SURNAMES)}"
    return f"{head} {suffix}", f"{head} {suffix.split(' ')[0]}"


def duplicate_name(rng: random.Random, name: str, head: str) -> str:
    """A name the same shop gets when someone registers it again."""
    variants = [f"M/s {head}", f"{head.upper()} & SONS", f"{head} & Co.", f"Shri {name}"]
    choices = [v for v in variants if normal_key(v) != normal_key(name)]
    return rng.choice(choices)


def _outlets(config: NetworkConfig, distributors: list[Distributor], beats: list[Beat]) -> list[Outlet]:
    rng = config.rng("outlets")
    counts = _outlet_counts(config, distributors)
    outlets: list[Outlet] = []
    party_next: dict[str, int] = {}
    number = 0
    for distributor, n_outlets in zip(distributors, counts, strict=True):
        own_beats = [b for b in beats if b.distributor_code == distributor.code]
        party_next[distributor.code] = rng.randrange(100, 600)
        used: set[str] = set()
        assigned = [own_beats[i % len(own_beats)] for i in range(n_outlets)]
        rng.shuffle(assigned)
        for beat in assigned:
            number += 1
            r = rng.random()
            channel = "GT" if r < 0.86 else ("MT" if r < 0.95 else "ECOM")
            outlet_class = "A" if channel != "GT" else rng.choices("ABC", weights=(20, 35, 45))[0]
            name, head = _outlet_name(rng, channel)
            locality = beat.name.removeprefix(f"{distributor.town.town} ")
            if normal_key(name) in used:
                name = f"{name} ({locality})"
            if normal_key(name) in used:
                name = f"{name} {number}"
            used.add(normal_key(name))
            party_next[distributor.code] += rng.randrange(1, 4)
            town = distributor.town
            outlets.append(
                Outlet(
                    code=f"OUT{number:05d}",
                    name=name,
                    distributor_code=distributor.code,
                    party_code=f"C{party_next[distributor.code]:04d}",
                    channel=channel,
                    outlet_class=outlet_class,
                    beat_code=beat.code,
                    town=town,
                    latitude=round(town.latitude + rng.uniform(-0.04, 0.04), 6),
                    longitude=round(town.longitude + rng.uniform(-0.04, 0.04), 6),
                    gstin=(
                        make_gstin(rng, town.gst_state_code, head[0].upper(), rng.choice("PPPFC"))
                        if rng.random() < (0.6 if channel == "GT" else 0.95)
                        else None
                    ),
                    phone=_phone(rng),
                    name_head=head,
                )
            )
    # ~3% of outlets are registered twice: another code and party code, a variant name, same phone and beat
    n_twins = max(1, round(config.outlets * 0.03))
    candidates = [o for o in outlets if o.channel == "GT"]
    twins: list[Outlet] = []
    for original in sorted(rng.sample(candidates, min(n_twins, len(candidates))), key=lambda o: o.code):
        number += 1
        party_next[original.distributor_code] += rng.randrange(1, 4)
        twin = Outlet(
            code=f"OUT{number:05d}",
            name=duplicate_name(rng, original.name, original.name_head),
            distributor_code=original.distributor_code,
            party_code=f"C{party_next[original.distributor_code]:04d}",
            channel=original.channel,
            outlet_class=original.outlet_class,
            beat_code=original.beat_code,
            town=original.town,
            latitude=round(original.latitude + rng.uniform(-0.0004, 0.0004), 6),
            longitude=round(original.longitude + rng.uniform(-0.0004, 0.0004), 6),
            gstin=None,
            phone=original.phone,
            name_head=original.name_head,
            twin_of=original.code,
        )
        original.twin_code = twin.code
        twins.append(twin)
    return outlets + twins


# --- schemes --------------------------------------------------------------------------------------------------


def _schemes(config: NetworkConfig, skus: list[Sku]) -> list[Scheme]:
    rng = config.rng("schemes")
    n = config.days
    start = config.start

    def day(fraction: float) -> date:
        return start + timedelta(days=round((n - 1) * fraction))

    brands = sorted({s.brand for s in skus}, key=[s.brand for s in skus].index)

    def pick(brand_index: int, k: int) -> tuple[str, ...]:
        pool = [s.code for s in skus if s.brand == brands[brand_index % len(brands)]]
        return tuple(sorted(rng.sample(pool, min(k, len(pool)))))

    festive_start = DUSSEHRA - timedelta(days=FESTIVAL_LEAD_DAYS)
    if start <= festive_start and config.end >= festive_start + timedelta(days=14):
        festive = (festive_start, min(config.end, DIWALI))
    else:
        festive = (day(0.55), day(0.95))
    return [
        Scheme("SCH001", "Crunchy Monsoon Slab 5%", "qty_slab", pick(0, 3), day(0.08), day(0.45), 48, 5.0, 0, 1.3),
        Scheme("SCH002", "Zing Buy 24 Get 2", "free_goods", pick(1, 3), day(0.30), day(0.70), 24, 0.0, 2, 1.4),
        Scheme("SCH003", "Festive Offer 8% Off", "pct_discount", pick(0, 2) + pick(2, 2), *festive, 1, 8.0, 0, 1.25),
        Scheme("SCH004", "Tazza Summer Cooler 4%", "pct_discount", pick(2, 2), day(0.0), day(0.25), 1, 4.0, 0, 1.2),
    ]


# --- each distributor's names for the SKUs -----------------------------------------------------------------------


def _pack_variant(pack: str, style: int) -> str:
    amount, unit = pack.split(" ")
    unit_forms = {
        "g": ("GM", "gm", "GMS"),
        "kg": ("KG", "kg", "KGS"),
        "ml": ("ML", "ml", "MLS"),
        "l": ("LTR", "ltr", "L"),
    }[unit]
    return f"{amount}{unit_forms[style % 3]}"


def _alias_name(sku: Sku, style: int) -> str:
    words = sku.product.split(" ")
    short = " ".join(words[:-1]) if len(words) > 1 and words[-1] in ("Biscuit", "Cookies") else sku.product
    if style == 0:
        return f"{sku.brand} {short} {_pack_variant(sku.pack, 0)}".upper()
    if style == 1:
        abbreviated = sku.product.replace("Biscuit", "Bisc.").replace("Cookies", "Cookie")
        return f"{abbreviated} {_pack_variant(sku.pack, 1)} ({sku.brand})"
    amount, unit = sku.pack.split(" ")
    return f"{sku.brand[:2]} {sku.product} {amount} {_pack_variant(f'0 {unit}', 2)[1:]}".upper()


def _alias_code(sku: Sku, style: int, serial: int) -> str:
    initials = "".join(w[0] for w in sku.product.split(" ")).upper()
    digits = re.sub(r"[^0-9]", "", sku.pack.split(" ")[0])
    if style == 0:
        return f"{sku.brand[0]}{initials}{digits}"
    if style == 1:
        return f"{initials}-{digits}"
    return f"IT{serial:04d}"


def name_variant(name: str, style: str) -> str:
    """The brand's SKU name as a distributor's software prints it (readers ignore case and spacing)."""
    if style == "upper":
        return name.upper()
    if style == "lower":
        return name.lower()
    if style == "compact":
        return re.sub(r" (\d[\d.]*) (g|kg|ml|l)$", r" \1\2", name)
    if style == "spaced":
        return name.replace(" ", "  ", 1)
    return name


def _labels(
    config: NetworkConfig, skus: list[Sku], distributors: list[Distributor]
) -> tuple[dict[str, dict[str, ItemLabels]], list[tuple[str, str, str]]]:
    rng = config.rng("aliases")
    global_keys = {normal_key(v): s.code for s in skus for v in (s.code, s.name, s.ean)}
    labels: dict[str, dict[str, ItemLabels]] = {}
    aliases: list[tuple[str, str, str]] = []
    for distributor in distributors:
        case_style = rng.choice(("title", "upper", "lower", "compact", "spaced"))
        code_style, name_style = rng.randrange(3), rng.randrange(3)
        prints_codes = rng.random() < 0.3  # single-column files print the brand code for non-aliased SKUs
        serial = rng.randrange(100, 900)
        keys: dict[str, str] = {}
        own: dict[str, ItemLabels] = {}
        for sku in skus:
            serial += rng.randrange(1, 9)
            alias_code = _alias_code(sku, code_style, serial) if rng.random() < 0.35 else None
            alias_name = _alias_name(sku, name_style) if rng.random() < 0.3 else None
            kept: list[str] = []
            for alias in (alias_code, alias_name):
                if alias is None:
                    continue
                key = normal_key(alias)
                if key in keys or global_keys.get(key, sku.code) != sku.code:
                    continue  # would collide with another SKU: this distributor has no alias for it then
                keys[key] = sku.code
                kept.append(alias)
            code = alias_code if alias_code in kept else None
            name = alias_name if alias_name in kept else None
            if code and (name is None or rng.random() < 0.5):
                single = code
            elif name:
                single = name
            else:
                single = sku.code if prints_codes else name_variant(sku.name, case_style)
            own[sku.code] = ItemLabels(
                code=code or sku.code, name=name or name_variant(sku.name, case_style), single=single
            )
            aliases.extend((distributor.code, alias, sku.code) for alias in kept)
        labels[distributor.code] = own
    return labels, aliases


# --- writing --------------------------------------------------------------------------------------------------

MASTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "skus": ("sku_code", "sku_name", "brand", "category", "pack_size", "units_per_case", "mrp", "ean"),
    "distributors": (
        "distributor_code",
        "distributor_name",
        "tier",
        "parent_distributor_code",
        "zone",
        "region",
        "state",
        "town",
        "sales_file_cadence",
    ),
    "outlets": (
        "outlet_code",
        "outlet_name",
        "distributor_code",
        "party_code",
        "channel",
        "outlet_class",
        "beat_code",
        "town",
        "state",
        "latitude",
        "longitude",
        "gstin",
        "phone",
    ),
    "reps": ("rep_code", "rep_name", "distributor_code", "phone"),
    "beats": ("beat_code", "beat_name", "distributor_code", "rep_code", "town", "visit_weekday"),
    "schemes": (
        "scheme_code",
        "scheme_name",
        "scheme_type",
        "sku_codes",
        "start_date",
        "end_date",
        "min_units",
        "discount_pct",
        "free_units",
        "distributor_codes",
    ),
    "sku_aliases": ("distributor_code", "alias", "sku_code"),
}


def rupees(paise: int) -> str:
    return f"{paise // 100}.{paise % 100:02d}"


def master_rows(network: Network) -> dict[str, list[tuple]]:
    return {
        "skus": [
            (s.code, s.name, s.brand, s.category, s.pack, s.units_per_case, rupees(s.mrp_paise), s.ean)
            for s in network.skus
        ],
        "distributors": [
            (
                d.code,
                d.name,
                d.tier,
                d.parent_code or "",
                d.town.zone,
                d.town.region,
                d.town.state,
                d.town.town,
                d.cadence,
            )
            for d in network.distributors
        ],
        "outlets": [outlet_row(o) for o in network.outlets],
        "reps": [(r.code, r.name, r.distributor_code, r.phone) for r in network.reps],
        "beats": [(b.code, b.name, b.distributor_code, b.rep_code, b.town, b.weekday) for b in network.beats],
        "schemes": [
            (
                s.code,
                s.name,
                s.scheme_type,
                ";".join(s.sku_codes),
                s.start.isoformat(),
                s.end.isoformat(),
                s.min_units,
                f"{s.discount_pct:.1f}",
                s.free_units,
                ";".join(s.distributor_codes),
            )
            for s in network.schemes
        ],
        "sku_aliases": list(network.aliases),
    }


def master_files(network: Network) -> dict[str, bytes]:
    """`<entity>.csv` -> UTF-8 bytes with the contract's columns."""
    out = {}
    for entity, rows in master_rows(network).items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(MASTER_COLUMNS[entity])
        writer.writerows(rows)
        out[f"{entity}.csv"] = buffer.getvalue().encode("utf-8")
    return out


def outlet_row(o: Outlet) -> tuple:
    """An outlet as a row of outlets.csv (MASTER_COLUMNS["outlets"])."""
    return (
        o.code,
        o.name,
        o.distributor_code,
        o.party_code,
        o.channel,
        o.outlet_class,
        o.beat_code,
        o.town.town,
        o.town.state,
        f"{o.latitude:.6f}",
        f"{o.longitude:.6f}",
        o.gstin or "",
        o.phone,
    )
