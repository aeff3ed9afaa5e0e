"""Opt-in online geocoders: Nominatim, Baidu, Amap, Tencent (through geopy).

geoplan works offline; these are for the names its gazetteer cannot place, when
a planner explicitly allows network access.  Every provider answers with the
same :class:`geoplan.records.Location` (method ``online:<provider>``, WGS-84
geometry, ``source_crs`` recording the datum the provider used)::

    from geoplan.geocode.online import get_geocoder
    geo = get_geocoder("amap", api_key=KEY, cache_dir="~/.cache/geoplan")
    loc = geo.geocode("梅溪湖国际新城", region="长沙市", within=changsha_polygon)

``base_url`` points a provider at another server (a self-hosted Nominatim, a
proxy, or the tests' server on 127.0.0.1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geoplan.errors import FilterError

from .amap import AmapOnline
from .baidu import BaiduOnline
from .base import OnlineGeocoder
from .cache import Candidate, GeocodeCache
from .nominatim import NominatimOnline
from .tencent import TencentOnline

__all__ = [
    "PROVIDERS",
    "AmapOnline",
    "BaiduOnline",
    "Candidate",
    "GeocodeCache",
    "NominatimOnline",
    "OnlineGeocoder",
    "TencentOnline",
    "get_geocoder",
]

#: registry name → class
PROVIDERS: dict[str, type[OnlineGeocoder]] = {
    cls.name: cls for cls in (NominatimOnline, BaiduOnline, AmapOnline, TencentOnline)
}

# the names planners also use for them
_ALIASES = {"osm": "nominatim", "gaode": "amap", "高德": "amap", "百度": "baidu", "qq": "tencent", "腾讯": "tencent"}


def get_geocoder(
    name: str,
    api_key: str | None = None,
    base_url: str | None = None,
    cache_dir: str | Path | None = None,
    min_delay: float | None = None,
    **options: Any,
) -> OnlineGeocoder:
    """Build the online geocoder called ``name``.

    ``min_delay`` defaults to the provider's policy (Nominatim 1 s).  Other
    keyword options go to the provider class (``timeout``, ``user_agent``,
    ``proxies``, ``max_retries``, ``backoff_s``, ``security_key`` for Baidu …).
    An unknown name raises :class:`geoplan.errors.FilterError` listing the known
    ones; a missing key for a keyed provider raises
    :class:`geoplan.errors.GeocoderAuthError`.
    """
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    cls = PROVIDERS.get(key)
    if cls is None:
        raise FilterError("geocoder", name, sorted(PROVIDERS))
    return cls(
        api_key,
        base_url=base_url,
        cache_dir=str(Path(cache_dir).expanduser()) if cache_dir else None,
        min_delay=min_delay,
        **options,
    )
