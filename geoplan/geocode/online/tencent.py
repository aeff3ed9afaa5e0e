"""Tencent Location Service (腾讯位置服务) geocoder v1.

geopy has no Tencent class, so :class:`Tencent` is one on geopy's
:class:`~geopy.geocoders.base.Geocoder`.  REST format
(lbs.qq.com/service/webService/webServiceGuide/address/Geocoder)::

    GET https://apis.map.qq.com/ws/geocoder/v1/?address=…&key=…&region=…
    {"status": 0, "message": "query ok",
     "result": {"title": "…", "location": {"lng": …, "lat": …}, "address_components": {…},
                "similarity": 0.8, "deviation": 1000, "reliability": 7, "level": 11}}

Coordinates are GCJ-02; ``level`` (1 city … 11 POI) gives the precision,
``deviation`` (metres) widens its radius, ``reliability`` (1–10) is the score.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from geopy.geocoders.base import DEFAULT_SENTINEL
from geopy.location import Location
from shapely.geometry.base import BaseGeometry


from .keyed import KeyedOnlineGeocoder, KeyedRestGeocoder, lat_lng_result, numeric_status, raise_for_status

__all__ = ["Tencent", "TencentOnline"]

DEFAULT_DOMAIN = "apis.map.qq.com"

_ADDRESS_PARTS = ("province", "city", "district", "street", "street_number")


class Tencent(KeyedRestGeocoder):
    """Tencent WebService geocoder in geopy's mould."""

    api_path = "/ws/geocoder/v1/"
    default_domain = DEFAULT_DOMAIN

    def geocode(self, query: str, *, region: str | None = None, exactly_one: bool = True,
                timeout: Any = DEFAULT_SENTINEL) -> Any:
        """Geocode ``query``; ``region`` (a city name) narrows the search."""
        params = {"address": query, "key": self.api_key, "output": "json"}
        if region:
            params["region"] = region
        url = f"{self.api}?{urlencode(params)}"
        return self._call_geocoder(url, partial(self._parse_json, exactly_one=exactly_one), timeout=timeout)

    def _parse_json(self, page: Any, exactly_one: bool = True) -> Any:
        status = numeric_status(page, "Tencent")
        if status != 0:
            message = str(page.get("message") or "")
            raise_for_status("tencent", status, f"Tencent status {status}" + (f": {message}" if message else ""), message)
            return None
        found = lat_lng_result(page, "Tencent")
        if found is None:
            return None
        result, lat, lng = found
        location = Location(self._address(result), (lat, lng), result)
        return location if exactly_one else [location]

    @staticmethod
    def _address(result: dict[str, Any]) -> str:
        parts = result.get("address_components")
        text = ""
        if isinstance(parts, dict):
            text = "".join(str(parts.get(k) or "") for k in _ADDRESS_PARTS)
        title = str(result.get("title") or "")
        if title and title not in text:
            text = f"{text} {title}".strip()
        return text

class TencentOnline(KeyedOnlineGeocoder):
    """Tencent (needs a WebServiceAPI key; GCJ-02 answers)."""

    name = "tencent"
    geocoder_class = Tencent
    default_domain = DEFAULT_DOMAIN

    def request_params(self, region: str | None, within: BaseGeometry | None) -> dict[str, Any]:
        return {"region": region} if region else {}

    def score_of(self, raw: dict[str, Any]) -> float | None:
        value = raw.get("reliability")
        return None if value is None else float(value) / 10.0

    def radius_of(self, raw: dict[str, Any]) -> float | None:
        value = raw.get("deviation")
        if value is None:
            return None
        metres = float(value)
        return metres if metres >= 0 else None  # -1: "cannot tell"
