"""Decode the bytes of a Chinese plan, recording which encoding won.

Why not just ask charset-normalizer: on short or mixed Chinese text it often
guesses a wrong East-Asian code page (Big5, EUC-KR, cp949 …) that decodes
without error into nonsense.  Chinese plans arrive in a handful of encodings,
so the cheap, certain tests run first: BOMs, strict UTF-8, BOM-less UTF-16
(told apart by where the NUL bytes fall), strict GB18030 (a superset of GBK and
GB2312) when the result is plausible Chinese; only then the detector.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from geoplan.errors import PlanReadError

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),  # before UTF-16 LE: same first 2 bytes
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

_COMMON_HAN = re.compile(r"[\u4e00-\u9fff]")


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def utf16_without_bom(data: bytes) -> str | None:
    """Return ``utf-16-le``/``utf-16-be`` when NUL bytes sit on one side of the pairs.

    Text in UTF-16 has a zero high byte for every ASCII character (newlines,
    digits, punctuation), so NULs pile up at odd offsets (LE) or even ones (BE).
    """
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:20000]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    pairs = len(sample) // 2
    if odd > 0.05 * pairs and even < 0.2 * odd:
        return "utf-16-le"
    if even > 0.05 * pairs and odd < 0.2 * even:
        return "utf-16-be"
    return None


def plausible_chinese(text: str) -> bool:
    """True when the Han characters of ``text`` are mostly GB2312 ones.

    A Big5 or Shift-JIS file usually decodes as *valid* GB18030, but into rare
    characters; real simplified or traditional plans use mostly the 6 763
    characters of GB2312 plus common traditional forms, which GBK covers.
    """
    han = _COMMON_HAN.findall(text)
    if not han:
        return False
    common = 0
    for ch in han:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common >= 0.6 * len(han)


def decode_bytes(data: bytes, path: Path, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)`` or raise :class:`PlanReadError`.

    ``declared`` is an encoding named by the file itself (an HTML ``<meta>``);
    it is tried after the BOMs and strict UTF-8, and only trusted when it
    decodes strictly.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom):], codec)
            if text is None:
                raise PlanReadError(path, f"starts with a {name} byte-order mark but does not decode as {name}")
            return text, name
    # strict UTF-8 first even over a declaration: non-ASCII GBK bytes that happen to
    # form valid UTF-8 are vanishingly rare, while wrong <meta> charsets are common
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    if declared:
        codec = _canonical(declared)
        text = _strict(data, codec)
        if text is not None:
            return text, codec
    codec = utf16_without_bom(data)
    if codec:
        text = _strict(data, codec)
        if text is not None:
            return text, codec
    if b"\x00" in data:
        raise PlanReadError(path, "looks binary: it contains NUL bytes and is not UTF-16 text")
    text = _strict(data, "gb18030")
    if text is not None and plausible_chinese(text):
        return text, "gb18030"
    return _detect(data, path)


def _canonical(name: str) -> str:
    """Map declared legacy Chinese encodings to their superset GB18030."""
    low = name.strip().lower().replace("_", "-")
    if low in {"gb2312", "gbk", "gb-2312", "cp936", "x-gbk", "euc-cn", "hz-gb-2312"}:
        return "gb18030"
    try:
        return codecs.lookup(low).name
    except LookupError:
        return low


def _detect(data: bytes, path: Path) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise PlanReadError(path, "cannot be decoded: not UTF-8, UTF-16 or GB18030 and no encoding could be detected")
    text = str(best)
    return text, _canonical(best.encoding)
