"""Gazetteer features stored by column, the form the on-disk layer caches hold.

A pickled list of 50,000 :class:`GazetteerFeature` records loads slowly: every
record is rebuilt through ``copyreg`` and every geometry through its own WKB
call.  Stored as one list per field, with all geometries in one WKB array,
the same records load in about half the time (one vectorised
``shapely.from_wkb`` and a plain loop that fills each record's ``__dict__``, as
unpickling a record does).  A warm ``Gazetteer.load`` is paid by every command,
so this is worth a small codec.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import shapely

from geoplan.gazetteer.model import GazetteerFeature

__all__ = ["FILE_TAG", "FORMAT", "from_columns", "to_columns"]

#: bump when the stored structure changes (an older cache is then rebuilt)
FORMAT = "geoplan-feature-columns/1"
#: part of the cache file's name, so that a version of geoplan that pickled whole
#: records never opens a column store (nor this one a store of records)
FILE_TAG = "cols1"

_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(GazetteerFeature))


def to_columns(features: Sequence[GazetteerFeature]) -> dict[str, Any]:
    """The features as ``{"format", "fields", field: values...}``, geometries as one WKB array."""
    cols: dict[str, Any] = {"format": FORMAT, "fields": _FIELDS}
    for name in _FIELDS:
        cols[name] = [getattr(f, name) for f in features]
    cols["geometry"] = shapely.to_wkb(cols["geometry"])  # None stays None
    return cols


def from_columns(cols: Any) -> list[GazetteerFeature]:
    """The features back, equal field for field; ``ValueError`` for anything of another format."""
    if not isinstance(cols, dict) or cols.get("format") != FORMAT or tuple(cols.get("fields", ())) != _FIELDS:
        raise ValueError("not a column store of this version of GazetteerFeature")
    geoms = shapely.from_wkb(cols["geometry"])
    values = [geoms if name == "geometry" else cols[name] for name in _FIELDS]
    new = object.__new__
    out: list[GazetteerFeature] = []
    append = out.append
    for row in zip(*values, strict=True):
        # what unpickling a frozen dataclass does: a bare instance, its __dict__ filled
        f = new(GazetteerFeature)
        f.__dict__.update(zip(_FIELDS, row))
        append(f)
    return out
