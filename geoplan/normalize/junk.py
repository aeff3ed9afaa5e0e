"""Web junk and notice headers: what a plan file holds that is not the plan.

Two kinds, treated differently:

* **web junk** (download spam, breadcrumbs, "网站地图") carries no information
  and would pollute the outline and the names, so its lines are *cut* from the
  normalized text (the offset map skips them);
* the **notice header** (关于印发…的通知, 文号, issuer, date, salutation,
  现将…印发给你们) and publishing **footers** (责任编辑, …印发) carry facts about
  the plan (its number, issuer, date), so they *stay* in the text but are
  reported in ``junk_spans`` and ``body_start`` points past the header.

Both are recognised by the patterns of ``layers/vocab/normalize.toml``, line by
line, never by file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from geoplan.normalize.tracked import Tracked
from geoplan.normalize.vocab import load_vocab


@dataclass(frozen=True)
class _Conf:
    spam_words: tuple[str, ...]
    spam_max_len: int
    breadcrumb: re.Pattern[str]
    margin: int
    notice: tuple[re.Pattern[str], ...]
    strong: tuple[re.Pattern[str], ...]
    footer: tuple[re.Pattern[str], ...]
    max_header: int


@lru_cache(maxsize=1)
def _conf() -> _Conf:
    v = load_vocab()
    j, n = v["junk"], v["notice"]
    return _Conf(
        spam_words=tuple(j["spam_words"]),
        spam_max_len=int(j["spam_max_len"]),
        breadcrumb=re.compile(j["breadcrumb"]),
        margin=int(j["margin_lines"]),
        notice=tuple(re.compile(p) for p in n["line_patterns"]),
        strong=tuple(re.compile(p) for p in n["strong_patterns"]),
        footer=tuple(re.compile(p) for p in n["footer_patterns"]),
        max_header=int(n["max_header_lines"]),
    )


def is_spam(line: str) -> bool:
    s = line.strip()
    conf = _conf()
    return bool(s) and len(s) <= conf.spam_max_len and any(w in s for w in conf.spam_words)


def spam_lines(text: str) -> list[int]:
    """Line numbers of web junk: spam anywhere, breadcrumbs in the top/bottom margin."""
    conf = _conf()
    lines = text.split("\n")
    filled = [i for i, l in enumerate(lines) if l.strip()]
    margin = set(filled[: conf.margin]) | set(filled[-conf.margin :])
    return [
        i
        for i in filled
        if is_spam(lines[i]) or (i in margin and conf.breadcrumb.match(lines[i].strip()))
    ]


def cut_spam(t: Tracked) -> Tracked:
    return t.delete_lines(spam_lines(t.text))


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def is_notice_line(line: str) -> bool:
    s = line.strip()
    return any(p.search(s) for p in _conf().notice)


def notice_header(text: str) -> tuple[int, list[tuple[int, int]]]:
    """``(body_start, spans)`` of the leading notice block (``(0, [])`` if none)."""
    conf = _conf()
    lines = text.split("\n")
    spans = _line_spans(text)
    header: list[int] = []
    for i, line in enumerate(lines[: conf.max_header]):
        if not line.strip():
            continue
        if not is_notice_line(line):
            break
        header.append(i)
    if not header or not any(p.search(lines[i].strip()) for i in header for p in conf.strong):
        return 0, []
    last = header[-1]
    body_start = spans[last][1] + 1 if last + 1 < len(lines) else spans[last][1]
    return min(body_start, len(text)), [spans[i] for i in header]


def footer_lines(text: str) -> list[tuple[int, int]]:
    """Spans of the publishing footer lines at the very end."""
    conf = _conf()
    lines = text.split("\n")
    spans = _line_spans(text)
    out: list[tuple[int, int]] = []
    for i in range(len(lines) - 1, -1, -1):
        s = lines[i].strip()
        if not s:
            continue
        if not any(p.search(s) for p in conf.footer):
            break
        out.append(spans[i])
    return sorted(out)
