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

from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderParseError,
    GeocoderQueryError,
    GeocoderQuotaExceeded,
    GeocoderRateLimited,
    GeocoderServiceError,
)
from geopy.geocoders import BaiduV3
from geopy.geocoders.base import DEFAULT_SENTINEL
from geopy.location import Location
from shapely.geometry.base import BaseGeometry


from .base import OnlineGeocoder, keyed_geocoder
from .cache import Candidate

__all__ = ["BaiduOnline", "BaiduV3Region"]

DEFAULT_DOMAIN = "api.map.baidu.com"

#: Baidu's way of saying "nothing found" inside a status-1 answer
_NO_RESULT_MARK = "无相关结果"


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
        if not isinstance(page, dict) or "status" not in page:
            raise GeocoderParseError(f"Baidu answer without a status: {str(page)[:200]}")
        try:
            status = int(page["status"])
        except (TypeError, ValueError):
            raise GeocoderParseError(f"Baidu status is not a number: {page['status']!r}") from None
        if status != 0:
            message = str(page.get("msg") or page.get("message") or "")
            if status == 1 and _NO_RESULT_MARK in message:
                return None
            self._check_status(status, message)
        place = page.get("result")
        if not place:
            return None
        if not isinstance(place, dict):
            raise GeocoderParseError(f"Baidu result is not an object: {str(place)[:200]}")
        try:
            lat = float(place["location"]["lat"])
            lng = float(place["location"]["lng"])
        except (KeyError, TypeError, ValueError) as exc:
            raise GeocoderParseError(f"Baidu result without a usable location: {exc!r}") from None
        location = Location(str(place.get("level") or ""), (lat, lng), place)
        return location if exactly_one else [location]

    def _check_status(self, status: int, message: str = "") -> None:  # type: ignore[override]
        """Baidu v3 status codes (lbsyun.baidu.com, 服务状态码)."""
        detail = f"Baidu status {status}" + (f": {message}" if message else "")
        if status == 0:
            return
        if status == 1:
            raise GeocoderServiceError(detail)  # 服务器内部错误: transient
        if status in (401, 402):
            raise GeocoderRateLimited(detail)  # 并发量超过约定并发配额: slow down
        if status in (3, 5, 101, 102, 240) or 200 <= status < 300:
            raise GeocoderAuthenticationFailure(detail)
        if status == 4 or 300 <= status < 400:
            raise GeocoderQuotaExceeded(detail)  # 301 永久配额超限, 302 天配额超限
        raise GeocoderQueryError(detail)


class BaiduOnline(OnlineGeocoder):
    """Baidu Maps v3 (needs an AK; BD-09 answers)."""

    name = "baidu"

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        security_key: str | None = None,
        timeout: float = 10.0,
        proxies: dict[str, str] | str | None = None,
        user_agent: str | None = None,
        **options: Any,
    ) -> None:
        geocoder = keyed_geocoder(
            "baidu", BaiduV3Region, api_key, "an AK from https://lbsyun.baidu.com/apiconsole/key", base_url,
            DEFAULT_DOMAIN, timeout=timeout, proxies=proxies, user_agent=user_agent, security_key=security_key,
        )
        super().__init__(geocoder, **options)

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
