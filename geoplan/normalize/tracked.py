"""Text that remembers where each of its characters came from.

Every normalization step edits a :class:`Tracked` instead of a plain string,
so the final :class:`~geoplan.records.NormalizedText` can map any span back to
the raw text a planner can open and check.  The rules that keep the map honest:

* a kept character keeps its source index;
* a replacement of the same length maps character to character;
* a shorter replacement maps its characters to the first source indices of
  what it replaced (``"   "`` → ``" "`` points at the first space);
* a longer replacement or an insertion maps the extra characters to the
  source index of the last replaced character (or the next kept one).

Source indices therefore never decrease, which
:meth:`~geoplan.records.NormalizedText.to_raw` relies on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Edit = tuple[int, int, str]  # replace text[start:end] with the string


class Tracked:
    """An immutable string plus one source index per character."""

    __slots__ = ("text", "src", "end")

    def __init__(self, text: str, src: list[int] | None = None, end: int | None = None) -> None:
        self.text = text
        self.src = list(range(len(text))) if src is None else src
        self.end = len(text) if end is None else end
        if len(self.src) != len(self.text):
            raise ValueError("one source index per character is required")

    def __len__(self) -> int:
        return len(self.text)

    def __repr__(self) -> str:
        return f"Tracked({self.text[:40]!r}…, {len(self)} chars)"

    def offsets(self) -> tuple[int, ...]:
        """Source index of each character plus the trailing end index."""
        return (*self.src, self.end)

    def source_of(self, i: int) -> int:
        return self.src[i] if i < len(self.src) else self.end

    # ----------------------------------------------------------------- editing
    def apply(self, edits: Iterable[Edit]) -> Tracked:
        """Apply non-overlapping edits given in any order; return a new Tracked."""
        ordered = sorted(edits, key=lambda e: (e[0], e[1]))
        if not ordered:
            return self
        out: list[str] = []
        src: list[int] = []
        pos = 0
        for start, end, repl in ordered:
            if start < pos or end < start or end > len(self.text):
                raise ValueError(f"overlapping or invalid edit ({start}, {end})")
            out.append(self.text[pos:start])
            src.extend(self.src[pos:start])
            n = end - start
            for k, ch in enumerate(repl):
                if k < n:
                    src.append(self.src[start + k])
                elif n:
                    src.append(self.src[end - 1])
                else:
                    src.append(self.source_of(start))
            out.append(repl)
            pos = end
        out.append(self.text[pos:])
        src.extend(self.src[pos:])
        return Tracked("".join(out), src, self.end)

    def sub(self, pattern: str | re.Pattern[str], repl: str | Callable[[re.Match[str]], str], flags: int = 0) -> Tracked:
        """Regex substitution with offset tracking (``repl`` may use ``\\1`` refs)."""
        rx = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        edits: list[Edit] = []
        for m in rx.finditer(self.text):
            new = repl(m) if callable(repl) else m.expand(repl)
            if new != m.group(0):
                edits.append((m.start(), m.end(), new))
        return self.apply(edits)

    def delete(self, spans: Iterable[tuple[int, int]]) -> Tracked:
        return self.apply((a, b, "") for a, b in spans if b > a)

    def insert(self, at: int, s: str) -> Tracked:
        return self.apply([(at, at, s)])

    def map_chars(self, table: dict[str, str] | Callable[[str], str]) -> Tracked:
        """Replace characters one for one (``table`` values must be single characters)."""
        get = table.get if isinstance(table, dict) else None
        chars = list(self.text)
        changed = False
        for i, ch in enumerate(chars):
            new = (get(ch, ch) if get else table(ch))  # type: ignore[operator]
            if new != ch:
                if len(new) != 1:
                    raise ValueError(f"map_chars needs 1:1 replacements, got {ch!r} → {new!r}")
                chars[i] = new
                changed = True
        return Tracked("".join(chars), list(self.src), self.end) if changed else self

    def replace_text(self, new_text: str) -> Tracked:
        """Take ``new_text`` of the same length as a 1:1 character map."""
        if len(new_text) != len(self.text):
            raise ValueError("replace_text keeps the length")
        return Tracked(new_text, list(self.src), self.end)

    # ------------------------------------------------------------------- lines
    def line_spans(self) -> list[tuple[int, int]]:
        """``(start, end)`` of each line, ``end`` excluding the newline."""
        spans = []
        start = 0
        text = self.text
        while True:
            nl = text.find("\n", start)
            if nl < 0:
                spans.append((start, len(text)))
                return spans
            spans.append((start, nl))
            start = nl + 1

    def delete_lines(self, indices: Iterable[int]) -> Tracked:
        """Delete whole lines (with their newline) by line number."""
        spans = self.line_spans()
        edits: list[tuple[int, int]] = []
        for i in sorted(set(indices)):
            a, b = spans[i]
            if b < len(self.text):
                b += 1  # the newline after the line
            elif a > 0:
                a -= 1  # last line: take the newline before it
            edits.append((a, b))
        merged: list[tuple[int, int]] = []
        for a, b in edits:
            if merged and a < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        return self.delete(merged)
