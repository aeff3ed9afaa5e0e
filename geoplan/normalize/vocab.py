"""``layers/vocab/normalize.toml``, the data every normalization step reads.

The patterns live in a data file so that a planner (or a new corpus) can extend
the spam words, notice lines or Latin names without touching code.  The file is
found like every vocabulary (``GEOPLAN_LAYERS`` wins) and read by
:mod:`geoplan.vocab`, once per process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geoplan import vocab


def vocab_path() -> Path:
    return vocab.layers_file("normalize.toml")


def load_vocab(path: str | None = None) -> dict[str, Any]:
    """The parsed vocabulary (shared and cached: treat it as read-only)."""
    return vocab.read(path or vocab_path())
