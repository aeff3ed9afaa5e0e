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

__all__ = ["Tencent", "TencentOnline"]

DEFAULT_DOMAIN = "apis.map.qq.com"

# Tencent status codes (lbs.qq.com, 状态码说明)
_AUTH = {110, 111, 112, 113, 190, 199, 311}
_RATE = {120}
_QUOTA = {121, 122}
_NO_RESULT = {347}
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
        if not isinstance(page, dict) or "status" not in page:
            raise GeocoderParseError(f"Tencent answer without a status: {str(page)[:200]}")
        try:
            status = int(page["status"])
        except (TypeError, ValueError):
            raise GeocoderParseError(f"Tencent status is not a number: {page['status']!r}") from None
        if status != 0:
            self._raise_for_status(status, str(page.get("message") or ""))
            return None
        result = page.get("result")
        if not result:
            return None
        if not isinstance(result, dict):
            raise GeocoderParseError(f"Tencent result is not an object: {str(result)[:200]}")
        try:
            lat = float(result["location"]["lat"])
            lng = float(result["location"]["lng"])
        except (KeyError, TypeError, ValueError) as exc:
            raise GeocoderParseError(f"Tencent result without a usable location: {exc!r}") from None
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

    @staticmethod
    def _raise_for_status(status: int, message: str) -> None:
        """Raise the geopy error for a non-zero status; return for "no result"."""
        detail = f"Tencent status {status}" + (f": {message}" if message else "")
        if status in _NO_RESULT or "查询无结果" in message:
            return
        if status in _AUTH:
            raise GeocoderAuthenticationFailure(detail)
        if status in _RATE:
            raise GeocoderRateLimited(detail)
        if status in _QUOTA:
            raise GeocoderQuotaExceeded(detail)
        if status >= 500:
            raise GeocoderServiceError(detail)
        raise GeocoderQueryError(detail)


class TencentOnline(OnlineGeocoder):
    """Tencent (needs a WebServiceAPI key; GCJ-02 answers)."""

    name = "tencent"

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
        geocoder = keyed_geocoder("tencent", Tencent, api_key, "https://lbs.qq.com/dev/console/application/mine",
                                  base_url, DEFAULT_DOMAIN, timeout=timeout, proxies=proxies, user_agent=user_agent)
        super().__init__(geocoder, **options)

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
