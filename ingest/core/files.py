"""Opening files safely: content sniffing, hashing, and zip-bomb limits checked before any parser runs."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ingest.core.errors import FileRejected

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 2_000
    max_uncompressed_bytes: int = 1_500_000_000
    max_ratio: float = 200.0


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
    if b"\x00" in head and head[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise FileRejected("not_text", f"{path.name} is a binary file of unknown type (not xlsx, xls or text)")
    return "text"


def check_zip(path: Path, limits: ZipLimits = DEFAULT_ZIP_LIMITS) -> None:
    """Refuse archives that would expand beyond the limits (zip bombs) before anything decompresses them."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FileRejected("corrupt_file", f"{path.name} looks like a zip/xlsx but is corrupt: {exc}") from exc
    if len(infos) > limits.max_entries:
        raise FileRejected("zip_bomb", f"{path.name} has {len(infos)} archive entries (limit {limits.max_entries})")
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
