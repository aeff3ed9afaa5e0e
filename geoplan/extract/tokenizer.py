"""jieba's dictionary, loaded once per process and cached on disk between runs.

Building a ``jieba.Tokenizer`` reads its 350 000-word dictionary and a
``POSTokenizer`` parses the same file again for the part-of-speech table; done
for every plan (every jurisdiction) that was most of a small build's time.
The words depend only on jieba's dictionary file, so :func:`base` reads them
once per process, frequencies and tags, from a cache file in geoplan's cache
folder named after the dictionary's content (a new jieba or dictionary makes a
new file, an old one is never read); only without it are they parsed (by
jieba's own ``Tokenizer`` and ``jieba.posseg``'s import, so they are jieba's).  :func:`fresh` hands each :class:`~geoplan.extract.Extractor` its
own tokenizer on copies of those tables, so the words one jurisdiction adds
(its place names) never leak into another's.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geoplan.extract.candidates import Token
from geoplan.paths import private_file

log = logging.getLogger(__name__)

#: bump when the cached tables' layout changes
_FORMAT = 3


@dataclass(frozen=True)
class BaseTables:
    """jieba's general dictionary: word frequencies, their total, and part-of-speech tags."""

    freq: dict[str, int]
    total: int
    tags: dict[str, str]


def _digest(path: Path) -> str:
    # the Python version is part of the key, as for any cache of Python objects
    h = hashlib.sha256(f"geoplan-jieba-{_FORMAT}-{sys.version_info[:2]}-{pickle.HIGHEST_PROTOCOL}".encode())
    h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _cache_file(digest: str) -> Path:
    from geoplan.paths import cache_dir

    return cache_dir() / f"jieba-{digest}.pickle"


def _parse() -> tuple[dict[str, int], int]:
    """Word frequencies and their total as jieba builds them (its own Tokenizer, so they are the same)."""
    import jieba

    tok = jieba.Tokenizer()
    tok.initialize()
    return dict(tok.FREQ), int(tok.total)


def _import_posseg(tags: dict[str, str] | None) -> None:
    """Import ``jieba.posseg``; with ``tags`` (read from the cache) without its own parse of the dictionary.

    The module's import builds ``jieba.posseg.dt``, whose constructor parses the
    whole dictionary file again for the tag table (most of a second): with the
    table at hand, that parse reads an empty file and ``dt`` gets the table.
    """
    import io

    import jieba

    if "jieba.posseg" in sys.modules or tags is None:
        import jieba.posseg  # noqa: F401  (its import parses the tag table)

        return
    jieba.dt.get_dict_file = lambda: io.BytesIO(b"")  # an instance attribute, removed below
    try:
        import jieba.posseg
    finally:
        del jieba.dt.get_dict_file
    jieba.posseg.dt.word_tag_tab = dict(tags)


@lru_cache(maxsize=1)
def base() -> BaseTables:
    """jieba's tables for this process: from the disk cache, else parsed and cached."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    cache = _cache_file(_digest(_dict_path()))
    try:
        if not private_file(cache):
            raise PermissionError(f"{cache} is not ours alone: not unpickled")
        with cache.open("rb") as fh:
            freq, total, tags = pickle.load(fh)
        _import_posseg(tags)
        return BaseTables(freq=freq, total=total, tags=tags)
    except Exception:  # noqa: BLE001  (missing, truncated or foreign: parsed again below)
        pass
    _import_posseg(None)
    import jieba.posseg

    tags = dict(jieba.posseg.dt.word_tag_tab)
    freq, total = _parse()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        # written beside and renamed: a parallel worker never reads half a file
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=cache.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            # pickle, not marshal: it loads these half-million strings several times faster;
            # the tag table's words are the frequency table's own string objects, so
            # each is stored (and loaded) once
            same = {w: w for w in freq}
            shared_tags = {same.get(w, w): t for w, t in tags.items()}
            pickle.dump((freq, total, shared_tags), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a shared cache folder serves every user
        os.replace(tmp, cache)
    except OSError as exc:  # a read-only cache folder only costs time
        log.debug("jieba cache not written (%s)", exc)
    return BaseTables(freq=freq, total=total, tags=tags)


def _dict_path() -> Path:
    """jieba's main dictionary file (the package's ``dict.txt``)."""
    import jieba

    return Path(jieba.__file__).resolve().parent / jieba.DEFAULT_DICT_NAME


def fresh():
    """A ``(Tokenizer, POSTokenizer)`` pair of jieba's general dictionary, ready to be taught words.

    Both work on copies of the process's tables, so :meth:`jieba.Tokenizer.add_word`
    on one pair leaves every other unchanged.
    """
    tables = base()  # first: it imports jieba.posseg without a second parse of the dictionary
    import jieba
    import jieba.posseg

    tok = jieba.Tokenizer()
    tok.FREQ = dict(tables.freq)
    tok.total = tables.total
    tok.initialized = True
    pos = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
    pos.tokenizer = tok
    pos.word_tag_tab = dict(tables.tags)
    return tok, pos


@lru_cache(maxsize=1)
def _blocks():
    """The very pattern by which ``jieba.posseg`` splits a text into blocks."""
    base()  # imports jieba.posseg without a second parse of the dictionary
    from jieba.posseg import re_han_internal

    return re_han_internal


class SentenceTokens:
    """The jieba tokens of one sentence, each block cut only when a token of it is asked for.

    ``jieba.posseg`` splits a sentence into blocks (runs of Han characters,
    letters and digits between punctuation) and cuts every block on its own,
    so the tokens of one block do not depend on any other.  Extraction needs
    tokens only around what the head-word and name automata found (a head's
    word, the stem before it, the ends of an administrative name); cutting just
    those blocks gives exactly the tokens a cut of the whole sentence gives
    there, and spares the part-of-speech Viterbi most of a plan's text.
    """

    def __init__(self, pos, text: str, start: int, end: int) -> None:
        re_han_internal = _blocks()
        self._pos = pos
        self._text = text
        self.start, self.end = start, end
        pieces: list[tuple[int, int]] = []
        i = start
        for m in re_han_internal.finditer(text, start, end):
            if m.start() > i:
                pieces.append((i, m.start()))
            pieces.append((m.start(), m.end()))
            i = m.end()
        if i < end:
            pieces.append((i, end))
        self._pieces = pieces
        self._starts = [a for a, _ in pieces]
        self._cut: list[list[Token] | None] = [None] * len(pieces)

    # ------------------------------------------------------------ pieces
    def _piece_of(self, p: int) -> int:
        """Index of the piece holding character ``p`` (``start <= p < end``)."""
        return bisect_right(self._starts, p) - 1

    def _tokens_of(self, k: int) -> list[Token]:
        toks = self._cut[k]
        if toks is None:
            a, b = self._pieces[k]
            toks = []
            p = a
            for pair in self._pos.cut(self._text[a:b]):
                toks.append(Token(p, p + len(pair.word), pair.word, pair.flag))
                p += len(pair.word)
            self._cut[k] = toks
        return toks

    # ------------------------------------------------------------ queries
    def covering(self, p: int) -> Token | None:
        """The token with ``start < p <= end`` (the one a position ``p`` closes or falls inside)."""
        if not self.start < p <= self.end:
            return None
        for t in self._tokens_of(self._piece_of(p - 1)):
            if t.start < p <= t.end:
                return t
        return None

    def starts_at(self, p: int) -> bool:
        """Whether a token begins at ``p``."""
        if not self.start <= p < self.end:
            return False
        k = self._piece_of(p)
        return self._pieces[k][0] == p or any(t.start == p for t in self._tokens_of(k))

    def ends_at(self, p: int) -> bool:
        """Whether a token ends at ``p``."""
        if not self.start < p <= self.end:
            return False
        k = self._piece_of(p - 1)
        return self._pieces[k][1] == p or any(t.end == p for t in self._tokens_of(k))

    def exact(self, a: int, b: int) -> Token | None:
        """The token spanning exactly ``a..b``, if the cut has one."""
        if not self.start <= a < self.end:
            return None
        return next((t for t in self._tokens_of(self._piece_of(a)) if t.start == a and t.end == b), None)

    @property
    def ends(self) -> TokenEnds:
        """The offsets where a token ends, as a container: ``p in toks.ends`` cuts only ``p``'s block."""
        return TokenEnds(self)

    def back_from(self, p: int) -> BackwardTokens:
        """The token covering ``p`` (see :meth:`covering`), then the ones before it, cut as reached."""
        return BackwardTokens(self, p)

    # ------------------------------------------------ the whole sentence
    def __bool__(self) -> bool:
        return self.end > self.start  # jieba yields a token for any character

    def __iter__(self) -> Iterator[Token]:
        for k in range(len(self._pieces)):
            yield from self._tokens_of(k)

    def __len__(self) -> int:
        return sum(len(self._tokens_of(k)) for k in range(len(self._pieces)))

    def __getitem__(self, i):
        return list(self)[i]


class TokenEnds:
    """``p in ends``: whether a token of the sentence ends at ``p`` (what ``{t.end for t in tokens}`` answers)."""

    def __init__(self, tokens: SentenceTokens) -> None:
        self._tokens = tokens

    def __contains__(self, p: object) -> bool:
        return isinstance(p, int) and self._tokens.ends_at(p)


class BackwardTokens:
    """Tokens from the one covering a position back to the sentence's start: ``view[0]``, ``view[1]``, …"""

    def __init__(self, tokens: SentenceTokens, p: int) -> None:
        self._tokens = tokens
        self._seen: list[Token] = []
        self._k = -1  # the piece whose tokens were added last
        first = tokens.covering(p)
        if first is not None:
            k = tokens._piece_of(p - 1)
            before = [t for t in tokens._tokens_of(k) if t.end <= first.start]
            self._seen = [first, *reversed(before)]
            self._k = k

    def has(self, j: int) -> bool:
        """Whether there is a ``j``-th token before the first (cutting earlier blocks as needed)."""
        while j >= len(self._seen) and self._k > 0:
            self._k -= 1
            self._seen.extend(reversed(self._tokens._tokens_of(self._k)))
        return j < len(self._seen)

    def __getitem__(self, j: int) -> Token:
        if not self.has(j):
            raise IndexError(j)
        return self._seen[j]
