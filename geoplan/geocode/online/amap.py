"""Amap (高德) web-service geocoding v3.

geopy has no Amap class, so :class:`Amap` is one, written on geopy's
:class:`~geopy.geocoders.base.Geocoder` like geopy's own providers (same
adapters, timeouts, proxies and HTTP error mapping).  REST format
(lbs.amap.com/api/webservice/guide/api/georegeo)::

    GET https://restapi.amap.com/v3/geocode/geo?key=…&address=…&city=…
    {"status": "1", "info": "OK", "infocode": "10000", "count": "1",
     "geocodes": [{"formatted_address": "…", "location": "lon,lat", "level": "兴趣点", …}]}

Coordinates are GCJ-02.  Errors come back as HTTP 200 with ``status "0"`` and
an ``infocode``; they are mapped to geopy's exception classes below so that
:class:`~.base.OnlineGeocoder` retries or fails them like any other provider.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from geopy.exc import GeocoderParseError, GeocoderQueryError
from geopy.geocoders.base import DEFAULT_SENTINEL
from geopy.location import Location
from shapely.geometry.base import BaseGeometry


from .keyed import KeyedOnlineGeocoder, KeyedRestGeocoder, raise_for_status

__all__ = ["Amap", "AmapOnline"]

DEFAULT_DOMAIN = "restapi.amap.com"


class Amap(KeyedRestGeocoder):
    """Amap web-service geocoder in geopy's mould."""

    api_path = "/v3/geocode/geo"
    default_domain = DEFAULT_DOMAIN

    def geocode(self, query: str, *, city: str | None = None, exactly_one: bool = True,
                timeout: Any = DEFAULT_SENTINEL) -> Any:
        """Geocode ``query``; ``city`` (a city name, citycode or adcode) narrows the search."""
        params = {"key": self.api_key, "address": query, "output": "JSON"}
        if city:
            params["city"] = city
        url = f"{self.api}?{urlencode(params)}"
        return self._call_geocoder(url, partial(self._parse_json, exactly_one=exactly_one), timeout=timeout)

    def _parse_json(self, page: Any, exactly_one: bool = True) -> Any:
        if not isinstance(page, dict) or "status" not in page:
            raise GeocoderParseError(f"Amap answer without a status: {str(page)[:200]}")
        if str(page["status"]) != "1":
            self._raise_for_info(page)
        geocodes = page.get("geocodes") or []
        if not isinstance(geocodes, list):
            raise GeocoderParseError(f"Amap geocodes is not a list: {str(geocodes)[:200]}")
        places = [self._parse_place(g) for g in geocodes]
        if not places:
            return None
        return places[0] if exactly_one else places

    @staticmethod
    def _parse_place(place: Any) -> Location:
        if not isinstance(place, dict):
            raise GeocoderParseError(f"Amap geocode is not an object: {str(place)[:200]}")
        text = place.get("location")
        try:
            lon_s, lat_s = str(text).split(",")
            lon, lat = float(lon_s), float(lat_s)
        except ValueError:
            raise GeocoderParseError(f"Amap location is not 'lon,lat': {text!r}") from None
        # Amap writes absent fields as [] rather than leaving them out
        address = place.get("formatted_address")
        return Location(address if isinstance(address, str) else "", (lat, lon), place)

    @staticmethod
    def _raise_for_info(page: dict[str, Any]) -> None:
        info = str(page.get("info") or "")
        try:
            code = int(page.get("infocode") or 0)
        except (TypeError, ValueError):
            code = 0
        detail = f"Amap infocode {code}: {info}" if code else f"Amap error: {info or page}"
        raise_for_status("amap", code, detail, info)
        raise GeocoderQueryError(detail)  # Amap has no "no result" status: an error answer is an error


class AmapOnline(KeyedOnlineGeocoder):
    """Amap (needs a Web服务 key; GCJ-02 answers)."""

    name = "amap"
    geocoder_class = Amap
    default_domain = DEFAULT_DOMAIN

    def request_params(self, region: str | None, within: BaseGeometry | None) -> dict[str, Any]:
        return {"exactly_one": False, **({"city": region} if region else {})}
