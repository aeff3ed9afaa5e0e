"""jieba's dictionary, loaded once per process and cached on disk between runs.

Building a ``jieba.Tokenizer`` reads its 350 000-word dictionary and a
``POSTokenizer`` parses the same file again for the part-of-speech table; done
for every plan (every jurisdiction) that was most of a small build's time.
The words depend only on jieba's dictionary file, so :func:`base` reads them
once per process (the tags from ``jieba.posseg``'s own table, which its import
parses), the frequencies from a cache file in geoplan's cache folder named after the
dictionary's content (a new jieba or dictionary makes a new file, an old one is
never read).  :func:`fresh` hands each :class:`~geoplan.extract.Extractor` its
own tokenizer on copies of those tables, so the words one jurisdiction adds
(its place names) never leak into another's.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

#: bump when the cached tables' layout changes
_FORMAT = 1


@dataclass(frozen=True)
class BaseTables:
    """jieba's general dictionary: word frequencies, their total, and part-of-speech tags."""

    freq: dict[str, int]
    total: int
    tags: dict[str, str]


def _digest(path: Path) -> str:
    # marshal's format belongs to the Python version, so the version is part of the key
    h = hashlib.sha256(f"geoplan-jieba-{_FORMAT}-{sys.version_info[:2]}-{marshal.version}".encode())
    h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _cache_file(digest: str) -> Path:
    from geoplan.paths import cache_dir

    return cache_dir() / f"jieba-{digest}.marshal"


def _parse() -> tuple[dict[str, int], int]:
    """Word frequencies and their total as jieba builds them (its own Tokenizer, so they are the same)."""
    import jieba

    tok = jieba.Tokenizer()
    tok.initialize()
    return dict(tok.FREQ), int(tok.total)


@lru_cache(maxsize=1)
def base() -> BaseTables:
    """jieba's tables for this process: from the disk cache, else parsed and cached."""
    import jieba.posseg  # its import parses the tag table once (jieba.posseg.dt)

    jieba.setLogLevel(logging.WARNING)
    tags = dict(jieba.posseg.dt.word_tag_tab)
    cache = _cache_file(_digest(_dict_path()))
    try:
        with cache.open("rb") as fh:
            freq, total = marshal.load(fh)
        return BaseTables(freq=freq, total=total, tags=tags)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    freq, total = _parse()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        # written beside and renamed: a parallel worker never reads half a file
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=cache.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            marshal.dump((freq, total), fh)
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
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    tables = base()
    tok = jieba.Tokenizer()
    tok.FREQ = dict(tables.freq)
    tok.total = tables.total
    tok.initialized = True
    pos = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
    pos.tokenizer = tok
    pos.word_tag_tab = dict(tables.tags)
    return tok, pos
