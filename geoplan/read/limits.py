"""How much a reader may unpack: limits checked while the bytes stream in.

Why: the 50 MB limit on the file itself says nothing about what it holds.  A
1 MB ``.docx`` can unpack to gigabytes (a zip bomb), a PDF can hold ten
thousand pages, and either would exhaust memory long before the pipeline sees
a line of text, taking the other plans of the build down with it.  Every reader
counts as it decompresses and stops at the first limit passed, with a
:class:`~geoplan.errors.PlanReadError` naming the file and the limit, so the
build reports that plan (exit 3) and goes on with the others.

The figures sit far above any real planning document (the largest plans are a
few hundred thousand characters, a ``word/document.xml`` of a few MB); change
them on :data:`LIMITS` if a real plan ever needs more.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from geoplan.errors import PlanReadError


@dataclass
class ReadLimits:
    """Upper bounds on what one plan may unpack to."""

    #: characters of decoded text per plan (about 25 times the longest real plan)
    max_chars: int = 8_000_000
    #: uncompressed bytes of one member of a ``.docx`` package
    max_member_bytes: int = 100_000_000
    #: uncompressed bytes of every member of a ``.docx`` package together
    max_total_bytes: int = 300_000_000
    #: uncompressed / compressed size of a member; XML packs 5–20 fold, bombs a thousand fold
    max_ratio: float = 100.0
    #: the ratio is only judged past this many uncompressed bytes (tiny parts pack oddly)
    ratio_floor_bytes: int = 1_000_000
    #: pages of a PDF
    max_pages: int = 5_000


#: the limits every reader applies; tests and embedders may replace fields
LIMITS = ReadLimits()

_CHUNK = 1 << 16


def too_large(path: Path, what: str, limit_name: str, limit: float) -> PlanReadError:
    """The error for a passed limit: names the file, what overflowed and the limit."""
    shown = f"{limit:,.0f}" if float(limit).is_integer() else f"{limit:g}"
    return PlanReadError(path, f"{what}: over the read limit {limit_name} = {shown}")


def check_zip(path: Path, zf: zipfile.ZipFile, limits: ReadLimits | None = None) -> None:
    """Decompress every member of ``zf`` in chunks, counting, and refuse a bomb.

    The sizes in the ZIP's directory are the writer's claim, not a fact: they
    are only used to refuse early; the streamed count is what decides.  Nothing
    is kept in memory beyond one chunk.
    """
    lim = limits or LIMITS
    total = 0
    for info in zf.infolist():
        if info.is_dir():
            continue
        claimed = max(info.compress_size, 1)
        if info.file_size > lim.max_member_bytes:
            raise too_large(path, f"{info.filename} unpacks to {info.file_size:,} bytes",
                            "max_member_bytes", lim.max_member_bytes)
        size = 0
        with zf.open(info) as member:
            while chunk := member.read(_CHUNK):
                size += len(chunk)
                total += len(chunk)
                if size > lim.max_member_bytes:
                    raise too_large(path, f"{info.filename} unpacks to more than {lim.max_member_bytes:,} bytes",
                                    "max_member_bytes", lim.max_member_bytes)
                if total > lim.max_total_bytes:
                    raise too_large(path, f"the package unpacks to more than {lim.max_total_bytes:,} bytes",
                                    "max_total_bytes", lim.max_total_bytes)
                if size > lim.ratio_floor_bytes and size / claimed > lim.max_ratio:
                    raise too_large(path, f"{info.filename} unpacks more than {lim.max_ratio:g} times its packed size "
                                    f"({claimed:,} bytes packed)", "max_ratio", lim.max_ratio)


def check_chars(path: Path, n: int, limits: ReadLimits | None = None) -> None:
    """Refuse a plan whose text has more than ``max_chars`` characters."""
    lim = limits or LIMITS
    if n > lim.max_chars:
        raise too_large(path, f"the text has more than {lim.max_chars:,} characters", "max_chars", lim.max_chars)
