"""The keyed providers (Amap, Baidu, Tencent): one constructor, one reading of status codes.

They differ in their host, the geopy class that speaks their REST dialect and
the codes their errors come back as (HTTP 200 with a status field); all three
are data: the first two class attributes, the codes ``[<provider>.status]``
tables of ``providers.toml``.  :class:`KeyedOnlineGeocoder` builds the geopy
geocoder from them and refuses to start without a key (a clear message now
beats an opaque 401 later); :func:`raise_for_status` turns a code into the geopy
error that :class:`~.base.OnlineGeocoder` retries or fails.
"""

from __future__ import annotations

from typing import Any, ClassVar

from geopy.adapters import URLLibAdapter
from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderParseError,
    GeocoderQueryError,
    GeocoderQuotaExceeded,
    GeocoderRateLimited,
    GeocoderServiceError,
)
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder

from geoplan.errors import GeocoderAuthError

from .base import OnlineGeocoder, provider_config, split_base_url

__all__ = ["KeyedOnlineGeocoder", "KeyedRestGeocoder", "lat_lng_result", "numeric_status", "raise_for_status"]

#: class of ``[<provider>.status]`` → the geopy error it raises, checked in this order
_STATUS_ERRORS: dict[str, type[Exception]] = {
    "auth": GeocoderAuthenticationFailure,
    "quota": GeocoderQuotaExceeded,
    "rate": GeocoderRateLimited,
    "transient": GeocoderServiceError,
}


def _listed(code: int, table: dict[str, Any], name: str) -> bool:
    return code in table.get(name, ()) or any(lo <= code <= hi for lo, hi in table.get(f"{name}_ranges", ()))


def raise_for_status(provider: str, code: int, detail: str, message: str = "") -> None:
    """Raise the geopy error ``providers.toml`` names for ``code``; return when it means "no result".

    A code no table lists is a query error (the request itself was wrong).
    """
    table = provider_config(provider).get("status", {})
    if _listed(code, table, "no_result") or any(m in message for m in table.get("no_result_marks", ())):
        return
    for name, error in _STATUS_ERRORS.items():
        if _listed(code, table, name):
            raise error(detail)
    raise GeocoderQueryError(detail)


def numeric_status(page: Any, provider: str) -> int:
    """The numeric ``status`` of an answer (Baidu, Tencent: 0 is success); a parse error if there is none."""
    if not isinstance(page, dict) or "status" not in page:
        raise GeocoderParseError(f"{provider} answer without a status: {str(page)[:200]}")
    try:
        return int(page["status"])
    except (TypeError, ValueError):
        raise GeocoderParseError(f"{provider} status is not a number: {page['status']!r}") from None


def lat_lng_result(page: dict[str, Any], provider: str) -> tuple[dict[str, Any], float, float] | None:
    """The ``result`` object of a successful answer and its ``location`` {lat, lng}; None when empty."""
    result = page.get("result")
    if not result:
        return None
    if not isinstance(result, dict):
        raise GeocoderParseError(f"{provider} result is not an object: {str(result)[:200]}")
    try:
        return result, float(result["location"]["lat"]), float(result["location"]["lng"])
    except (KeyError, TypeError, ValueError) as exc:
        raise GeocoderParseError(f"{provider} result without a usable location: {exc!r}") from None


class KeyedRestGeocoder(Geocoder):
    """A geopy geocoder for a keyed REST service that geopy lacks (Amap, Tencent).

    Subclasses set ``api_path`` and ``default_domain`` and implement ``geocode``;
    the constructor takes geopy's usual transport options.
    """

    api_path: ClassVar[str] = ""
    default_domain: ClassVar[str] = ""

    def __init__(
        self,
        api_key: str,
        *,
        domain: str | None = None,
        scheme: str | None = None,
        timeout: Any = DEFAULT_SENTINEL,
        proxies: Any = DEFAULT_SENTINEL,
        user_agent: str | None = None,
        ssl_context: Any = DEFAULT_SENTINEL,
        adapter_factory: Any = None,
    ) -> None:
        super().__init__(scheme=scheme, timeout=timeout, proxies=proxies, user_agent=user_agent,
                         ssl_context=ssl_context, adapter_factory=adapter_factory)
        self.api_key = api_key
        self.domain = (domain or self.default_domain).strip("/")
        self.api = f"{self.scheme}://{self.domain}{self.api_path}"


class KeyedOnlineGeocoder(OnlineGeocoder):
    """An online geocoder that needs an API key; subclasses only state their data.

    ``geocoder_class`` speaks the provider's REST dialect, ``default_domain`` is
    its host (``base_url`` points elsewhere: a proxy, the tests' server) and
    ``geocoder_options`` names extra keyword options meant for the geopy class
    (Baidu's ``security_key``).  Where a key comes from is ``key_help`` in
    ``providers.toml``.
    """

    geocoder_class: ClassVar[type[Geocoder]]
    default_domain: ClassVar[str] = ""
    geocoder_options: ClassVar[tuple[str, ...]] = ()

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
        if not api_key:
            raise GeocoderAuthError(f"{self.name}: an API key is required ({provider_config(self.name)['key_help']})")
        extra = {k: options.pop(k) for k in self.geocoder_options if k in options}
        scheme, domain = split_base_url(base_url, self.default_domain)
        geocoder = self.geocoder_class(
            api_key, domain=domain, scheme=scheme, adapter_factory=URLLibAdapter,
            timeout=timeout, proxies=proxies, user_agent=user_agent, **extra,
        )
        super().__init__(geocoder, **options)
