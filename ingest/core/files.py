"""Opening files safely: content sniffing, hashing, and zip-bomb limits checked before any parser runs."""

from __future__ import annotations

import hashlib
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ingest.core.errors import FileRejected

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # a zip entry's local file header (APPNOTE 4.3.7)
INFLATE_READ_BYTES = 64 * 1024  # compressed bytes read at a time
INFLATE_OUT_BYTES = 1024 * 1024  # inflated bytes produced at a time (counted, never kept)
RATIO_GRACE_BYTES = 64 * 1024  # the ratio is judged once this much compressed input is read


@dataclass(frozen=True)
class ZipLimits:
    """Caps on an archive (xlsx or zip); `SELLTHROUGH_ZIP_MAX_BYTES`, `SELLTHROUGH_ZIP_MAX_RATIO` and
    `SELLTHROUGH_ZIP_MAX_ENTRIES` override the defaults."""

    max_entries: int = 2_000
    max_uncompressed_bytes: int = 1_500_000_000
    max_ratio: float = 200.0

    @classmethod
    def from_env(cls) -> ZipLimits:
        default = cls()
        return cls(
            max_entries=int(os.environ.get("SELLTHROUGH_ZIP_MAX_ENTRIES", default.max_entries)),
            max_uncompressed_bytes=int(os.environ.get("SELLTHROUGH_ZIP_MAX_BYTES", default.max_uncompressed_bytes)),
            max_ratio=float(os.environ.get("SELLTHROUGH_ZIP_MAX_RATIO", default.max_ratio)),
        )


DEFAULT_ZIP_LIMITS = ZipLimits()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sniff_format(path: Path) -> str:
    """What the bytes say the file is: `xlsx`, `xls`, `zip`, `xml` or `text`; never trusts the extension."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head:
        raise FileRejected("empty_file", f"{path.name} is empty (0 bytes)")
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if head.startswith(ZIP_MAGIC):
        check_zip(path)
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            return "xlsx"
        return "zip"
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if (
        stripped.startswith(b"<?xml")
        or stripped.startswith(b"<ENVELOPE")
        or (head[:2] in (b"\xff\xfe", b"\xfe\xff") and b"<\x00" in head[:16])
    ):
        return "xml"
    if b"\x00" in head and head[:2] not in (b"\xff\xfe", b"\xfe\xff") and utf16_without_bom(head) is None:
        raise FileRejected("not_text", f"{path.name} is a binary file of unknown type (not xlsx, xls or text)")
    return "text"


def utf16_without_bom(head: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when `head` reads as UTF-16 text without a byte-order mark (Windows tools write
    it: every other byte of Latin text is zero), else None. A binary file has zeros on both byte positions."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_zeros, odd_zeros = even.count(0) / len(even), odd.count(0) / len(odd)
    for encoding, zeros, others in (("utf-16-le", odd_zeros, even_zeros), ("utf-16-be", even_zeros, odd_zeros)):
        if zeros >= 0.3 and others <= 0.02:
            try:
                text = sample.decode(encoding)
            except UnicodeDecodeError:
                continue
            printable = sum(c.isprintable() or c in "\r\n\t" for c in text)
            if printable >= 0.95 * len(text):
                return encoding
    return None


def check_zip(path: Path, limits: ZipLimits | None = None) -> None:
    """Refuse archives that would expand beyond the limits (zip bombs) before any parser decompresses them.

    The sizes an archive declares are only a first, cheap filter: every entry is then inflated here, in bounded
    chunks and without keeping the output, counting the bytes it really holds, so an archive whose headers lie
    (a 1 MB sheet declaring 4 KB that inflates to 1 GB) is refused after at most `max_ratio` times the compressed
    bytes read, in constant memory. An entry must hold exactly the size it declares: parsers trust that size.
    """
    limits = limits or ZipLimits.from_env()
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected("corrupt_file", f"{path.name} looks like a zip/xlsx but is corrupt: {exc}") from exc
    if len(infos) > limits.max_entries:
        raise FileRejected("zip_bomb", f"{path.name} has {len(infos)} archive entries (limit {limits.max_entries})")
    _check_declared(path, infos, limits)
    total = 0
    with path.open("rb") as handle:
        for info in infos:
            total += _inflated_size(handle, info, path.name, limits, limits.max_uncompressed_bytes - total)


def _check_declared(path: Path, infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos) or 1
    if total > limits.max_uncompressed_bytes:
        raise FileRejected(
            "zip_bomb",
            f"{path.name} would expand to {total:,} bytes (limit {limits.max_uncompressed_bytes:,})",
        )
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
            raise FileRejected(
                "zip_bomb",
                f"{path.name}: entry {info.filename!r} expands {info.file_size / info.compress_size:.0f}x "
                f"(limit {limits.max_ratio:.0f}x)",
            )
    if total / compressed > limits.max_ratio:
        raise FileRejected("zip_bomb", f"{path.name} expands {total / compressed:.0f}x overall")


def _inflated_size(handle: BinaryIO, info: zipfile.ZipInfo, name: str, limits: ZipLimits, budget: int) -> int:
    """The bytes the entry really inflates to (FileRejected past the ratio, the budget, or its declared size)."""
    handle.seek(info.header_offset)
    header = handle.read(LOCAL_HEADER.size)
    if len(header) < LOCAL_HEADER.size or not header.startswith(ZIP_MAGIC):
        raise FileRejected("corrupt_file", f"{name}: entry {info.filename!r} has no local header")
    flags, method, name_length, extra_length = (LOCAL_HEADER.unpack(header)[i] for i in (2, 3, 9, 10))
    if flags & 0x1:
        raise FileRejected("unsupported_format", f"{name}: entry {info.filename!r} is encrypted")
    handle.seek(name_length + extra_length, 1)
    if method == zipfile.ZIP_STORED:
        actual = info.compress_size  # stored bytes cannot expand; a parser reads exactly these
    elif method == zipfile.ZIP_DEFLATED:
        actual = _inflate_counting(handle, info, name, limits, budget)
    else:
        raise FileRejected("unsupported_format", f"{name}: entry {info.filename!r} uses compression method {method}")
    if actual != info.file_size:
        raise FileRejected(
            "zip_bomb",
            f"{name}: entry {info.filename!r} declares {info.file_size:,} bytes but holds {actual:,}"
            + (" or more" if actual > info.file_size else ""),
        )
    return actual


def _inflate_counting(handle: BinaryIO, info: zipfile.ZipInfo, name: str, limits: ZipLimits, budget: int) -> int:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = consumed = 0
    ceiling = min(budget, info.file_size)  # nothing past the declared size is ever needed to refuse it
    while not inflater.eof:
        chunk = inflater.unconsumed_tail or handle.read(INFLATE_READ_BYTES)
        if not chunk:
            raise FileRejected("corrupt_file", f"{name}: entry {info.filename!r} is truncated")
        if not inflater.unconsumed_tail:
            consumed += len(chunk)
        try:
            produced += len(inflater.decompress(chunk, INFLATE_OUT_BYTES))
        except zlib.error as exc:
            raise FileRejected("corrupt_file", f"{name}: entry {info.filename!r} is corrupt ({exc})") from None
        if produced > ceiling:
            if produced > budget:
                raise FileRejected(
                    "zip_bomb",
                    f"{name}: entries inflate past {limits.max_uncompressed_bytes:,} bytes in all "
                    f"(entry {info.filename!r})",
                )
            return produced  # more than declared: the caller names the lie
        if produced > limits.max_ratio * max(consumed, RATIO_GRACE_BYTES):
            raise FileRejected(
                "zip_bomb",
                f"{name}: entry {info.filename!r} inflates more than {limits.max_ratio:.0f}x "
                f"({produced:,} bytes from {consumed:,})",
            )
    return produced
