"""OpenStreetMap Nominatim, through geopy's :class:`~geopy.geocoders.Nominatim`.

The only provider that needs no key and answers in WGS-84.  Its usage policy
(one request a second, an identifying User-Agent, caching) is exactly what
:class:`~.base.OnlineGeocoder` enforces.  The jurisdiction bias is a bounded
``viewbox`` from the ``within`` polygon plus ``countrycodes=cn``; precision
comes from Nominatim's ``place_rank``, widened to the result's bounding box.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from geopy.adapters import URLLibAdapter
from geopy.geocoders import Nominatim
from shapely.geometry.base import BaseGeometry

from geoplan.datum import metres

from .base import Grade, OnlineGeocoder, split_base_url
from .cache import Candidate

__all__ = ["NominatimOnline"]

DEFAULT_DOMAIN = "nominatim.openstreetmap.org"


def _default_user_agent() -> str:
    try:
        return f"geoplan/{metadata.version('geoplan')}"
    except metadata.PackageNotFoundError:
        return "geoplan/dev"


class NominatimOnline(OnlineGeocoder):
    """Nominatim (public or self-hosted: point ``base_url`` at it)."""

    name = "nominatim"

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        user_agent: str | None = None,
        timeout: float = 10.0,
        proxies: dict[str, str] | str | None = None,
        **options: Any,
    ) -> None:
        scheme, domain = split_base_url(base_url, DEFAULT_DOMAIN)
        geocoder = Nominatim(
            user_agent=user_agent or _default_user_agent(),
            domain=domain,
            scheme=scheme,
            timeout=timeout,
            proxies=proxies,
            adapter_factory=URLLibAdapter,
        )
        super().__init__(geocoder, **options)

    def build_query(self, name: str, region: str | None) -> str:
        # Nominatim matches address parts in any order; a comma keeps them apart.
        if region and region not in name:
            return f"{name}, {region}"
        return name

    def request_params(self, region: str | None, within: BaseGeometry | None) -> dict[str, Any]:
        params: dict[str, Any] = {
            "exactly_one": False,
            "limit": int(self.config.get("limit", 5)),
            "addressdetails": True,
            "language": "zh-CN",
            "country_codes": "cn",
        }
        if within is not None and not within.is_empty:
            minx, miny, maxx, maxy = within.bounds
            params["viewbox"] = [(miny, minx), (maxy, maxx)]
            params["bounded"] = True
        return params

    def level_of(self, raw: dict[str, Any]) -> str | None:
        rank = raw.get("place_rank")
        return None if rank is None else str(rank)

    def radius_of(self, raw: dict[str, Any]) -> float | None:
        """Half the diagonal of the result's bounding box, in metres."""
        bbox = raw.get("boundingbox")
        if not isinstance(bbox, (list, tuple)) or len(bbox) != 4:
            return None
        south, north, west, east = (float(v) for v in bbox)
        return metres(east - west, north - south, (south + north) / 2) / 2

    def grade(self, cand: Candidate) -> Grade:
        """Precision from ``place_rank`` bands (``[[nominatim.ranks]]``)."""
        rank_text = self.level_of(cand.raw)
        if rank_text is None:
            return super().grade(cand)
        rank = int(float(rank_text))
        for band in self.config["ranks"]:
            if rank >= band["min_rank"]:
                precision, precision_m = band["precision"], float(band["precision_m"])
                break
        else:  # pragma: no cover — the last band has min_rank 0
            return super().grade(cand)
        stated = self.radius_of(cand.raw)
        if stated is not None:
            precision_m = max(precision_m, stated)
        confidence = min(self.config["default_confidence"], self.config["max_confidence"])
        kind = "/".join(str(cand.raw[k]) for k in ("class", "type") if cand.raw.get(k))
        level = f"place_rank {rank}" + (f" ({kind})" if kind else "")
        return Grade(precision, precision_m, confidence, level)
