"""Load ``layers/vocab/normalize.toml``, the data every normalization step reads.

The patterns live in a data file so that a planner (or a new corpus) can extend
the spam words, notice lines or Latin names without touching code.  The file is
found in the repository checkout or, installed, in ``geoplan._data.layers``.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

_REPO_FILE = Path(__file__).resolve().parents[2] / "layers" / "vocab" / "normalize.toml"


def vocab_path() -> Path:
    if _REPO_FILE.is_file():
        return _REPO_FILE
    from importlib.resources import files

    return Path(str(files("geoplan._data.layers").joinpath("vocab/normalize.toml")))


@lru_cache(maxsize=4)
def load_vocab(path: str | None = None) -> dict[str, Any]:
    """The parsed vocabulary (cached: the file is read once per process)."""
    with open(path or vocab_path(), "rb") as fh:
        return tomllib.load(fh)
