"""Guard rails shared by every reader: size, emptiness, binary content, CJK share.

Why a module of its own: a planner drops whatever file they were sent onto
geoplan, and the readers must refuse a photo, a zip or a 2 GB dump *before*
spending time on it, with a message that names the file and says what it is.
"""

from __future__ import annotations

import re
from pathlib import Path

from geoplan.errors import PlanReadError

#: leading bytes of formats that are certainly not a text plan (name shown to the user)
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.doc/.xls); save it as .docx"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"RIFF", "a RIFF media file"),
    (b"ID3", "an MP3 file"),
)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: a plan must have at least this many CJK characters …
MIN_CJK_CHARS = 20
#: … and at least this share of CJK among its non-space characters
MIN_CJK_SHARE = 0.10
#: decoded text with more than this share of control characters is binary
MAX_CONTROL_SHARE = 0.01


def check_path(path: Path, max_bytes: int) -> int:
    """Refuse a missing path, a directory or an oversized file; return the size."""
    if not path.exists():
        raise PlanReadError(path, "file not found")
    if path.is_dir():
        raise PlanReadError(path, "is a directory, not a plan file")
    if not path.is_file():
        raise PlanReadError(path, "is not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise PlanReadError(path, "file is empty (0 bytes)")
    if size > max_bytes:
        raise PlanReadError(path, f"file is too large: {size:,} bytes, the limit is {max_bytes:,} bytes")
    return size


def magic_kind(data: bytes) -> str | None:
    """Name the binary format ``data`` starts with, if it is a known one."""
    for magic, name in MAGIC:
        if data.startswith(magic):
            return name
    return None


def is_docx_zip(data: bytes) -> bool:
    """A .docx is a ZIP whose members include ``word/document.xml``."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "word/document.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def check_text(path: Path, text: str) -> None:
    """Refuse decoded text that is blank, too long, binary-looking or not Chinese."""
    from geoplan.read.limits import check_chars

    check_chars(path, len(text))
    stripped = text.strip()
    if not stripped:
        raise PlanReadError(path, "file holds only whitespace")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, MAX_CONTROL_SHARE * len(text)):
        raise PlanReadError(path, f"looks binary: {controls} control characters in {len(text)}")
    cjk = cjk_count(stripped)
    visible = sum(1 for ch in stripped if not ch.isspace())
    if cjk < MIN_CJK_CHARS or cjk < MIN_CJK_SHARE * visible:
        raise PlanReadError(
            path,
            f"not a plan: only {cjk} Chinese characters in {visible} visible characters "
            "(geoplan reads Chinese planning documents)",
        )


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


def newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n``: the raw text offsets refer to this form."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
