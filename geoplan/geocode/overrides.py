"""The planner's review decisions, applied on every run.

An overrides file is a CSV (UTF-8, GB18030 tolerated) with the columns of the
sheet ``geoplan review`` writes: ``name`` (required), ``doc`` and
``jurisdiction`` (optional scope), and either ``gazetteer_id`` or ``lon`` +
``lat`` (+ ``crs``: EPSG:4326 by default, GCJ-02 or BD-09 converted on read),
with optional ``precision_m`` and ``note``.  A row with none of these is a
decision not taken yet and is ignored; a row that is malformed stops the run with
an error naming the row, so a typo never silently moves a point.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import Point

from geoplan.errors import OverrideError
from geoplan.geocode.placement import precision_of, source_text
from geoplan.geocode.protocol import GazetteerLike
from geoplan.io.cells import unescape_cell
from geoplan.records import Location
from geoplan.datum import UnknownCRSError, canonical_crs, to_wgs84

#: radius (metres) of a point the planner typed in without saying how precise it is
_DEFAULT_POINT_M = 100.0


@dataclass(frozen=True)
class Override:
    name: str
    doc: str = ""
    jurisdiction: str = ""
    gazetteer_id: str = ""
    lon: float | None = None
    lat: float | None = None
    crs: str = "EPSG:4326"
    precision_m: float | None = None
    note: str = ""
    row: int = 0
    path: str = ""

    def to_location(self, gazetteer: GazetteerLike) -> Location:
        """The decision as a located feature (method ``override``, confidence 1)."""
        reason = f"review override ({self.path}, row {self.row})"
        if self.note:
            reason += f": {self.note}"
        if self.gazetteer_id:
            f = gazetteer.get(self.gazetteer_id)
            if f is None or f.geometry is None:
                raise OverrideError(self.path, f"gazetteer id {self.gazetteer_id!r} not found or has no geometry", self.row)
            precision, precision_m = precision_of(f)
            return Location(
                geometry=f.geometry,
                precision=precision,
                precision_m=self.precision_m or precision_m,
                method="override",
                confidence=1.0,
                reason=reason,
                source=source_text(f),
                source_crs=f.source_crs,
                gazetteer_id=f.id,
            )
        lon, lat = to_wgs84(self.lon, self.lat, self.crs)
        return Location(
            geometry=Point(float(lon), float(lat)),
            precision="feature",
            precision_m=self.precision_m or _DEFAULT_POINT_M,
            method="override",
            confidence=1.0,
            reason=reason,
            source=f"review override {self.path}, row {self.row}",
            source_crs=self.crs,
        )


class Overrides:
    """All decisions of one overrides file, looked up by name and scope."""

    def __init__(self, rows: list[Override]) -> None:
        self.rows: tuple[Override, ...] = tuple(rows)
        self._by_name: dict[str, list[Override]] = {}
        for r in rows:
            self._by_name.setdefault(r.name, []).append(r)
        self._validated: set[int] = set()

    def validate(self, gazetteer: GazetteerLike) -> None:
        """Fail on the first decision naming a gazetteer id that does not exist or has no position.

        Checked for every row, not only for names the plan happens to contain:
        a mistyped id is a decision that would silently never apply.
        """
        if id(gazetteer) in self._validated:
            return
        for r in self.rows:
            if r.gazetteer_id:
                f = gazetteer.get(r.gazetteer_id)
                if f is None:
                    raise OverrideError(r.path, f"unknown gazetteer id {r.gazetteer_id!r}", r.row)
                if f.geometry is None:
                    raise OverrideError(
                        r.path, f"gazetteer id {r.gazetteer_id!r} ({f.name}) has no position; give lon/lat instead", r.row
                    )
        self._validated.add(id(gazetteer))

    @classmethod
    def empty(cls) -> Overrides:
        return cls([])

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_name.values())

    @classmethod
    def load(cls, path: Path | str) -> Overrides:
        path = Path(path)
        text = read_sheet_text(path)
        try:
            rows = list(_parse(text, path))
        except csv.Error as exc:
            raise OverrideError(path, f"not a readable CSV: {exc}") from None
        _refuse_conflicts(rows, path)
        return cls(rows)

    def match(self, name: str, doc: str, jurisdiction) -> Override | None:
        """The most specific decision for ``name`` in this plan.

        ``doc`` scope: the plan's id, or its leading part before ``_`` (``000``
        for ``000_72d8…``).  ``jurisdiction`` scope: the unit's name, its short
        form (青浦 for 青浦区) or its code.  A scoped row beats an unscoped one;
        a row scoped to another plan or unit never applies.
        """
        best: tuple[int, Override] | None = None
        for r in self._by_name.get(name, ()):
            score = 0
            if r.doc:
                if not _doc_matches(r.doc, doc):
                    continue
                score += 2
            if r.jurisdiction:
                if jurisdiction is None or not _unit_matches(r.jurisdiction, jurisdiction):
                    continue
                score += 1
            if best is None or score > best[0]:
                best = (score, r)
        return best[1] if best else None


def read_sheet_text(path: Path) -> str:
    """An overrides or review sheet as text: UTF-8 (with or without BOM) or GB18030 (Excel on Chinese Windows)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OverrideError(path, f"cannot read: {exc.strerror or exc}") from exc
    if b"\x00" in data:
        raise OverrideError(path, "a binary file, not a CSV text (NUL bytes)")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise OverrideError(path, "not UTF-8 or GB18030 text")


def decided_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a sheet that hold a decision (a gazetteer id or coordinates), as written.

    Checked like an overrides file first, so a sheet that would break a build is
    reported here too, with its row.
    """
    text = read_sheet_text(path)
    try:
        list(_parse(text, path))
        reader = csv.DictReader(io.StringIO(text), strict=True)  # an unclosed quote is an error, not one long cell
        rows = [{(k or "").strip(): unescape_cell((v or "").strip()) for k, v in r.items() if isinstance(v, str) or v is None}
                for r in reader]
    except csv.Error as exc:
        raise OverrideError(path, f"not a readable CSV: {exc}") from None
    return [r for r in rows if r.get("name") and (r.get("gazetteer_id") or r.get("lon") or r.get("lat"))]


def _decision(o: Override) -> tuple:
    return (o.gazetteer_id, o.lon, o.lat, o.crs if not o.gazetteer_id else "", o.precision_m)


def _refuse_conflicts(rows: list[Override], path: Path) -> None:
    """Two rows deciding the same name in the same scope differently: an error naming both.

    Which of two contradicting decisions a planner meant cannot be guessed; taking
    the first silently would apply a decision nobody checked.  Repeating the same
    decision is harmless.
    """
    first: dict[tuple[str, str, str], Override] = {}
    for o in rows:
        key = (o.name, o.doc, o.jurisdiction)
        prev = first.setdefault(key, o)
        if prev is not o and _decision(prev) != _decision(o):
            raise OverrideError(
                path, f"rows {prev.row} and {o.row} decide {o.name!r} differently for the same plan and area; "
                "keep one of them", o.row)


def _doc_matches(scope: str, doc: str) -> bool:
    return doc == scope or doc.startswith(scope + "_")


def _unit_matches(scope: str, jurisdiction) -> bool:
    if scope in (jurisdiction.name, jurisdiction.code):
        return True
    return len(scope) >= 2 and jurisdiction.name.startswith(scope) and len(jurisdiction.name) - len(scope) == 1


def _parse(text: str, path: Path) -> Iterator[Override]:
    """Rows of an overrides CSV as :class:`Override` records; undecided rows skipped."""
    reader = csv.DictReader(io.StringIO(text), strict=True)  # an unclosed quote is an error, not one long cell
    if not reader.fieldnames or "name" not in [(f or "").strip() for f in reader.fieldnames]:
        raise OverrideError(path, "missing the required column 'name'")
    for i, raw in enumerate(reader, start=2):
        rec = {(k or "").strip(): unescape_cell((v or "").strip()) for k, v in raw.items() if isinstance(v, str) or v is None}
        name = rec.get("name", "")
        gid = rec.get("gazetteer_id", "")
        lon_s, lat_s = rec.get("lon", ""), rec.get("lat", "")
        if not name:
            if gid or lon_s or lat_s:
                raise OverrideError(path, "a decision without a name", i)
            continue
        if not gid and not lon_s and not lat_s:
            continue  # not decided yet
        lon = lat = None
        if not gid:
            lon, lat = _lon_lat(lon_s, lat_s, path, i)
        try:
            crs = canonical_crs(rec.get("crs", "") or "EPSG:4326")
        except UnknownCRSError as exc:
            raise OverrideError(path, str(exc), i) from None
        pm = rec.get("precision_m", "")
        try:
            precision_m = float(pm) if pm else None
        except ValueError:
            raise OverrideError(path, f"precision_m must be a number, got {pm!r}", i) from None
        if precision_m is not None and not (math.isfinite(precision_m) and precision_m > 0):
            raise OverrideError(path, f"precision_m must be a positive number of metres, got {pm!r}", i)
        yield Override(
            name=name,
            doc=rec.get("doc", ""),
            jurisdiction=rec.get("jurisdiction", ""),
            gazetteer_id=gid,
            lon=lon,
            lat=lat,
            crs=crs,
            precision_m=precision_m,
            note=rec.get("note", ""),
            row=i,
            path=str(path),
        )


def _lon_lat(lon_s: str, lat_s: str, path: Path, row: int) -> tuple[float, float]:
    try:
        lon, lat = float(lon_s), float(lat_s)
    except ValueError:
        raise OverrideError(path, f"lon/lat must be numbers, got {lon_s!r}, {lat_s!r}", row) from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise OverrideError(path, f"lon/lat out of range: {lon_s}, {lat_s}", row)
    return lon, lat
