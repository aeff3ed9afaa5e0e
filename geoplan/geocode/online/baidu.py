"""Baidu Maps geocoding v3, through geopy's :class:`~geopy.geocoders.BaiduV3`.

geopy's class is used as is for the request and the key signing (SN); a thin
subclass adds what geoplan needs and geopy lacks: a configurable host (tests,
proxies), the ``city`` parameter that biases the match to the plan's
jurisdiction, Baidu's habit of answering "no result" as status 1, and the
v3 status codes that mean "slow down" (401/402) rather than "quota gone".
Results are BD-09 (``bd09ll``); precision comes from ``level`` widened by the
error radius Baidu encodes in ``confidence``, the score from ``comprehension``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from geopy.geocoders import BaiduV3
from geopy.geocoders.base import DEFAULT_SENTINEL
from geopy.location import Location
from shapely.geometry.base import BaseGeometry


from .keyed import KeyedOnlineGeocoder, lat_lng_result, numeric_status, raise_for_status
from .cache import Candidate

__all__ = ["BaiduOnline", "BaiduV3Region"]

DEFAULT_DOMAIN = "api.map.baidu.com"



class BaiduV3Region(BaiduV3):
    """geopy's BaiduV3 with a host override and the ``city`` bias parameter."""

    def __init__(self, api_key: str, *, domain: str = DEFAULT_DOMAIN, **kwargs: Any) -> None:
        super().__init__(api_key, **kwargs)
        self.domain = domain
        self.api = f"{self.scheme}://{domain}{self.api_path}"
        self.reverse_api = f"{self.scheme}://{domain}{self.reverse_path}"

    def geocode(self, query: str, *, city: str | None = None, exactly_one: bool = True,
                timeout: Any = DEFAULT_SENTINEL) -> Any:
        params = {"ak": self.api_key, "output": "json", "address": query}
        if city:
            params["city"] = city
        url = self._construct_url(self.api, self.api_path, params)
        return self._call_geocoder(url, partial(self._parse_json, exactly_one=exactly_one), timeout=timeout)

    def _parse_json(self, page: Any, exactly_one: bool = True) -> Any:
        status = numeric_status(page, "Baidu")
        if status != 0:
            self._check_status(status, str(page.get("msg") or page.get("message") or ""))
            return None
        found = lat_lng_result(page, "Baidu")
        if found is None:
            return None
        place, lat, lng = found
        location = Location(str(place.get("level") or ""), (lat, lng), place)
        return location if exactly_one else [location]

    def _check_status(self, status: int, message: str = "") -> None:  # type: ignore[override]
        """Baidu v3 status codes, read from ``[baidu.status]`` of ``providers.toml``."""
        if status != 0:
            raise_for_status("baidu", status, f"Baidu status {status}" + (f": {message}" if message else ""), message)


class BaiduOnline(KeyedOnlineGeocoder):
    """Baidu Maps v3 (needs an AK; BD-09 answers)."""

    name = "baidu"
    geocoder_class = BaiduV3Region
    default_domain = DEFAULT_DOMAIN
    geocoder_options = ("security_key",)

    def request_params(self, region: str | None, within: BaseGeometry | None) -> dict[str, Any]:
        return {"city": region} if region else {}

    def to_candidate(self, loc: Location, sent: str) -> Candidate:
        # Baidu's forward geocoder returns no address text: keep what was asked.
        return Candidate(float(loc.longitude), float(loc.latitude), self.source_crs, sent, dict(loc.raw))

    def score_of(self, raw: dict[str, Any]) -> float | None:
        value = raw.get("comprehension")
        return None if value is None else float(value) / 100.0

    def radius_of(self, raw: dict[str, Any]) -> float | None:
        value = raw.get("confidence")
        if value is None:
            return None
        value = float(value)
        table = sorted(((float(k), float(v)) for k, v in self.config["confidence_m"].items()), reverse=True)
        for threshold, metres in table:
            if value >= threshold:
                return metres
        return table[-1][1]
