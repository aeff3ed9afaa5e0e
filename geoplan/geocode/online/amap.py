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

from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderParseError,
    GeocoderQueryError,
    GeocoderQuotaExceeded,
    GeocoderRateLimited,
    GeocoderServiceError,
)
from geopy.geocoders.base import DEFAULT_SENTINEL
from geopy.location import Location
from shapely.geometry.base import BaseGeometry


from .base import KeyedRestGeocoder, OnlineGeocoder, keyed_geocoder

__all__ = ["Amap", "AmapOnline"]

DEFAULT_DOMAIN = "restapi.amap.com"

# Amap infocodes (lbs.amap.com/api/webservice/guide/tools/info)
_AUTH = {10001, 10002, 10005, 10006, 10007, 10008, 10009, 10011, 10012, 10013, 40000, 40001, 40002, 40003}
_QUOTA = {10003, 10044, 10045}
_RATE = {10004, 10010, 10014, 10019, 10020, 10021, 10029}
_TRANSIENT = {10015, 10016, 10017}


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
        if code in _AUTH:
            raise GeocoderAuthenticationFailure(detail)
        if code in _QUOTA:
            raise GeocoderQuotaExceeded(detail)
        if code in _RATE:
            raise GeocoderRateLimited(detail)
        if code in _TRANSIENT or 30000 <= code < 40000:
            raise GeocoderServiceError(detail)
        raise GeocoderQueryError(detail)


class AmapOnline(OnlineGeocoder):
    """Amap (needs a Web服务 key; GCJ-02 answers)."""

    name = "amap"

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 10.0,
        proxies: dict[str, str] | str | None = None,
        user_agent: str | None = None,
        **options: Any,
    ) -> None:
        geocoder = keyed_geocoder("amap", Amap, api_key, "a Web服务 key from https://console.amap.com/dev/key/app",
                                  base_url, DEFAULT_DOMAIN, timeout=timeout, proxies=proxies, user_agent=user_agent)
        super().__init__(geocoder, **options)

    def request_params(self, region: str | None, within: BaseGeometry | None) -> dict[str, Any]:
        return {"exactly_one": False, **({"city": region} if region else {})}
