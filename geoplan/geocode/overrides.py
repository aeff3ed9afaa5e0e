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
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import Point

from geoplan.errors import OverrideError
from geoplan.records import Location

_NAME_COLS = ("name",)


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

    def to_location(self, gazetteer) -> Location:
        reason = f"review override ({self.path}, row {self.row})"
        if self.note:
            reason += f": {self.note}"
        if self.gazetteer_id:
            f = gazetteer.get(self.gazetteer_id)
            if f is None or f.geometry is None:
                raise OverrideError(self.path, f"gazetteer id {self.gazetteer_id!r} not found or has no geometry", self.row)
            return Location(
                geometry=f.geometry,
                precision="feature",
                precision_m=self.precision_m or float(f.precision_m),
                method="override",
                confidence=1.0,
                reason=reason,
                source=f"{f.source} ({f.license})",
                source_crs=f.source_crs,
                gazetteer_id=f.id,
            )
        from geoplan.tools.coords import to_wgs84

        lon, lat = to_wgs84(self.lon, self.lat, self.crs)
        return Location(
            geometry=Point(float(lon), float(lat)),
            precision="feature",
            precision_m=self.precision_m or 100.0,
            method="override",
            confidence=1.0,
            reason=reason,
            source=f"review override {self.path}",
            source_crs=self.crs,
        )


class Overrides:
    """All decisions of one overrides file, looked up by name and scope."""

    def __init__(self, rows: list[Override]) -> None:
        self._by_name: dict[str, list[Override]] = {}
        for r in rows:
            self._by_name.setdefault(r.name, []).append(r)

    @classmethod
    def empty(cls) -> Overrides:
        return cls([])

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_name.values())

    @classmethod
    def load(cls, path: Path | str) -> Overrides:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise OverrideError(path, f"cannot read: {exc.strerror or exc}") from exc
        text = None
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise OverrideError(path, "not UTF-8 or GB18030 text")
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "name" not in [f.strip() for f in reader.fieldnames]:
            raise OverrideError(path, "missing the required column 'name'")
        rows: list[Override] = []
        for i, raw in enumerate(reader, start=2):
            rec = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
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
                try:
                    lon, lat = float(lon_s), float(lat_s)
                except ValueError:
                    raise OverrideError(path, f"lon/lat must be numbers, got {lon_s!r}, {lat_s!r}", i) from None
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise OverrideError(path, f"lon/lat out of range: {lon}, {lat}", i)
            crs = rec.get("crs", "") or "EPSG:4326"
            from geoplan.tools.coords import canonical_crs

            try:
                crs = canonical_crs(crs)
            except Exception as exc:  # UnknownCRSError
                raise OverrideError(path, str(exc), i) from None
            pm = rec.get("precision_m", "")
            try:
                precision_m = float(pm) if pm else None
            except ValueError:
                raise OverrideError(path, f"precision_m must be a number, got {pm!r}", i) from None
            rows.append(
                Override(
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
            )
        return cls(rows)

    def match(self, name: str, doc: str, jurisdiction) -> Override | None:
        """The most specific decision for ``name`` in this plan."""
        best: tuple[int, Override] | None = None
        for r in self._by_name.get(name, ()):
            score = 0
            if r.doc:
                if r.doc != doc and not doc.startswith(r.doc):
                    continue
                score += 2
            if r.jurisdiction:
                if jurisdiction is None or r.jurisdiction not in (jurisdiction.name, jurisdiction.code):
                    continue
                score += 1
            if best is None or score > best[0]:
                best = (score, r)
        return best[1] if best else None
