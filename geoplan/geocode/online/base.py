"""What every online geocoder does the same way: cache, pace, retry, convert, judge.

geoplan geocodes offline; an online provider is the opt-in second opinion for
names the gazetteer does not know.  Each provider module only says how to ask
(a geopy :class:`~geopy.geocoders.base.Geocoder`, the query string and the
jurisdiction parameters) and how to read its level and score fields; this class
does the rest, so that every provider answers with the same honest
:class:`geoplan.records.Location`:

* a persistent cache (:mod:`.cache`) is consulted first, so a re-run costs no
  quota;
* requests are paced: the next one leaves ``min_delay`` seconds after the
  previous one *ended*, so the provider sees them at least that far apart even
  when one was slow on the wire (Nominatim's policy is one request a second;
  geopy's RateLimiter spaces call starts, which a slow request defeats);
* timeouts, 5xx and 429 are retried with exponential backoff (a ``Retry-After``
  header is honoured), then reported as :class:`GeocoderUnavailable` /
  :class:`GeocoderQuotaError`; a refused key is a :class:`GeocoderAuthError` at
  once (retrying cannot fix it); a body that cannot be read is a
  :class:`GeocoderResponseError`;
* coordinates are brought to WGS-84 from the provider's datum (BD-09, GCJ-02)
  with :mod:`geoplan.datum`, and the datum is recorded in ``source_crs``;
* a result outside the plan's jurisdiction polygon is rejected with a reason
  rather than put on the map in the wrong county.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, ClassVar
from urllib.parse import urlsplit

from geopy.adapters import AdapterHTTPError
from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderParseError,
    GeocoderQueryError,
    GeocoderQuotaExceeded,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
)
from geopy.exc import GeocoderUnavailable as GeopyUnavailable
from geopy.geocoders.base import Geocoder
from geopy.location import Location as GeopyLocation
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geoplan import vocab
from geoplan.errors import (
    GeocoderAuthError,
    GeocoderError,
    GeocoderQuotaError,
    GeocoderResponseError,
    GeocoderUnavailable,
)
from geoplan.records import PRECISIONS, Location
from geoplan.datum import canonical_crs, distance_m, to_wgs84

from .cache import Candidate, GeocodeCache

__all__ = ["Grade", "OnlineGeocoder", "provider_config", "split_base_url"]

log = logging.getLogger(__name__)

@cache
def _all_configs() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("providers.toml").read_text(encoding="utf-8")
    return vocab.read_text(text, f"{__package__}/providers.toml")


def provider_config(name: str) -> dict[str, Any]:
    """The ``[name]`` table of ``providers.toml`` (levels, defaults, policy delay)."""
    try:
        return _all_configs()[name]
    except KeyError:
        raise GeocoderError(f"providers.toml has no [{name}] table") from None


def split_base_url(base_url: str | None, default_domain: str, default_scheme: str = "https") -> tuple[str, str]:
    """``(scheme, domain)`` from a base URL such as ``http://127.0.0.1:8080/prefix``.

    geopy geocoders take a scheme and a domain (host, port and an optional path
    prefix); tests and self-hosted Nominatim instances point ``base_url`` at
    their own server.
    """
    if not base_url:
        return default_scheme, default_domain
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GeocoderError(f"base_url {base_url!r} must look like http(s)://host[:port][/prefix]")
    return parts.scheme, parts.netloc + parts.path.rstrip("/")


@dataclass(frozen=True)
class Grade:
    """How precise and how sure one candidate is, and why."""

    precision: str
    precision_m: float
    confidence: float
    level: str


class OnlineGeocoder:
    """Wraps one geopy geocoder; subclasses say how to ask and how to read levels.

    ``min_delay`` is the minimum number of seconds between two requests (the
    provider's default from ``providers.toml`` if None).  ``max_retries`` counts
    the extra attempts after the first on a timeout, 5xx or 429; the wait before
    retry *n* is ``backoff_s · 2^(n-1)`` capped at ``backoff_max_s``, or the
    server's ``Retry-After`` when longer.  A ``Retry-After`` beyond
    ``max_retry_after_s`` is a quota error at once: waiting an hour is not a
    retry.
    """

    #: registry name, also the ``method`` suffix (``online:<name>``) and cache key
    name: ClassVar[str] = ""

    def __init__(
        self,
        geocoder: Geocoder,
        *,
        cache_dir: str | None = None,
        min_delay: float | None = None,
        max_retries: int = 3,
        backoff_s: float = 1.0,
        backoff_max_s: float = 60.0,
        max_retry_after_s: float = 300.0,
        cache_max_age_s: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.geocoder = geocoder
        self.config = provider_config(self.name)
        self.source_crs = canonical_crs(self.config["source_crs"])
        self.min_delay = float(self.config.get("min_delay", 1.0) if min_delay is None else min_delay)
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.max_retry_after_s = max_retry_after_s
        self._sleep = sleep
        self.cache = GeocodeCache(cache_dir, max_age_s=cache_max_age_s) if cache_dir else None
        # Retries are ours (backoff, Retry-After, error classes); pacing only spaces requests.
        self._clock: Callable[[], float] = time.monotonic
        self._last_end: float | None = None
        #: network requests sent (attempts, retries included) — for reports and tests
        self.requests_sent = 0

    # ------------------------------------------------------------ provider hooks
    def build_query(self, name: str, region: str | None) -> str:
        """The text sent: Chinese order puts the jurisdiction first (湖州市 + 安吉县…)."""
        if region and region not in name:
            return f"{region}{name}"
        return name

    def request_params(self, region: str | None, within: BaseGeometry | None) -> dict[str, Any]:
        """Extra keyword arguments for the geopy ``geocode`` call (jurisdiction bias)."""
        return {}

    def to_candidate(self, loc: GeopyLocation, sent: str) -> Candidate:
        raw = loc.raw if isinstance(loc.raw, dict) else {"raw": loc.raw}
        return Candidate(float(loc.longitude), float(loc.latitude), self.source_crs, str(loc.address or ""), raw)

    def level_of(self, raw: dict[str, Any]) -> str | None:
        """The provider's own level/type value for a result, if it has one."""
        level = raw.get("level")
        return None if level in (None, "", []) else str(level)

    def score_of(self, raw: dict[str, Any]) -> float | None:
        """The provider's match score scaled to 0–1, if it gives one."""
        return None

    def radius_of(self, raw: dict[str, Any]) -> float | None:
        """An error radius in metres the provider states for this result, if any."""
        return None

    # ---------------------------------------------------------------- grading
    def grade(self, cand: Candidate) -> Grade:
        """Precision class, honest radius and confidence of one candidate."""
        cfg = self.config
        level = self.level_of(cand.raw)
        entry = cfg.get("levels", {}).get(level) if level is not None else None
        if entry is not None:
            precision, precision_m = entry["precision"], float(entry["precision_m"])
        else:
            precision, precision_m = cfg["default_precision"], float(cfg["default_precision_m"])
        if precision not in PRECISIONS:
            raise GeocoderError(f"providers.toml [{self.name}]: precision {precision!r} not in {PRECISIONS}")
        stated = self.radius_of(cand.raw)
        if stated is not None and math.isfinite(stated):
            precision_m = max(precision_m, stated)
        score = self.score_of(cand.raw)
        confidence = cfg["default_confidence"] if score is None else max(0.0, min(1.0, score))
        confidence = min(confidence, cfg["max_confidence"])
        return Grade(precision, precision_m, round(float(confidence), 3), level or "unknown level")

    # --------------------------------------------------------------- requests
    def _paced(self, query: str, params: dict[str, Any]) -> list[GeopyLocation]:
        """Wait until ``min_delay`` has passed since the previous request ended, then send."""
        if self._last_end is not None:
            wait = self._last_end + self.min_delay - self._clock()
            if wait > 0:
                time.sleep(wait)
        try:
            return self._request(query, params)
        finally:
            self._last_end = self._clock()

    def _request(self, query: str, params: dict[str, Any]) -> list[GeopyLocation]:
        self.requests_sent += 1
        result = self.geocoder.geocode(query, **params)
        if result is None:
            return []
        if isinstance(result, GeopyLocation):
            return [result]
        return list(result)

    def _fetch(self, query: str, params: dict[str, Any]) -> list[GeopyLocation]:
        """One logical request: paced attempts, retried on transient failures."""
        attempt = 0
        while True:
            try:
                return self._paced(query, params)
            except Exception as caught:  # noqa: BLE001 — every branch re-raises or retries
                exc = caught
                failure, retry_after = self._classify_failure(exc)
            attempt += 1
            final = failure(f"{self.name}: {self._describe(exc)} (after {attempt} attempt{'s' * (attempt > 1)})")
            if attempt > self.max_retries:
                raise final from exc
            if retry_after is not None and retry_after > self.max_retry_after_s:
                raise GeocoderQuotaError(
                    f"{self.name}: provider asks to wait {retry_after:.0f} s (Retry-After), "
                    f"more than max_retry_after_s={self.max_retry_after_s:.0f}"
                ) from exc
            delay = min(self.backoff_s * 2 ** (attempt - 1), self.backoff_max_s)
            if retry_after is not None:
                delay = max(delay, retry_after)
            log.warning("%s: %s; retry %d/%d in %.2f s", self.name, self._describe(exc), attempt, self.max_retries, delay)
            self._sleep(delay)

    def _classify_failure(self, exc: Exception) -> tuple[type[GeocoderError], float | None]:
        """Map a failure to the error raised once retries run out; raise at once if not retryable."""
        if isinstance(exc, GeocoderError):
            raise exc
        if isinstance(exc, (GeocoderAuthenticationFailure, GeocoderInsufficientPrivileges)):
            raise GeocoderAuthError(
                f"{self.name}: the provider refused the request ({self._describe(exc)}). "
                f"{self.config.get('auth_hint', 'Check the API key, that it is enabled for the web-service API and that its IP/domain whitelist covers this machine.')}"
            ) from exc
        if isinstance(exc, GeocoderRateLimited):
            return GeocoderQuotaError, exc.retry_after
        if isinstance(exc, GeocoderQuotaExceeded):
            raise GeocoderQuotaError(f"{self.name}: quota exhausted ({self._describe(exc)})") from exc
        if isinstance(exc, GeocoderParseError):
            raise GeocoderResponseError(f"{self.name}: unreadable answer ({self._describe(exc)})") from exc
        if isinstance(exc, GeocoderQueryError):
            raise GeocoderError(f"{self.name}: the provider rejected the query ({self._describe(exc)})") from exc
        if isinstance(exc, (GeocoderTimedOut, GeopyUnavailable)):
            return GeocoderUnavailable, None
        if isinstance(exc, GeocoderServiceError):
            status = self._http_status(exc)
            if status is None or status >= 500:
                return GeocoderUnavailable, None
            raise GeocoderError(f"{self.name}: unexpected answer ({self._describe(exc)})") from exc
        if isinstance(exc, (KeyError, IndexError, TypeError, ValueError, AttributeError)):
            raise GeocoderResponseError(f"{self.name}: malformed answer ({type(exc).__name__}: {exc})") from exc
        raise exc

    @staticmethod
    def _http_status(exc: BaseException) -> int | None:
        cause = exc.__cause__
        return cause.status_code if isinstance(cause, AdapterHTTPError) else None

    def _describe(self, exc: BaseException) -> str:
        status = self._http_status(exc)
        text = str(exc).strip() or type(exc).__name__
        return f"HTTP {status}: {text}" if status is not None and str(status) not in text else text

    # --------------------------------------------------------------- public API
    def lookup(self, name: str, region: str | None = None, within: BaseGeometry | None = None) -> list[Candidate]:
        """All candidates for ``name`` as the provider gave them (cached)."""
        name = name.strip()
        region = region.strip() if region else None
        if self.cache is not None:
            hit = self.cache.get(self.name, name, region)
            if hit is not None:
                return hit
        sent = self.build_query(name, region)
        found = self._fetch(sent, self.request_params(region, within))
        try:
            candidates = [self.to_candidate(loc, sent) for loc in found]
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise GeocoderResponseError(f"{self.name}: malformed result ({type(exc).__name__}: {exc})") from exc
        if self.cache is not None:
            self.cache.put(self.name, name, region, sent, candidates)
        return candidates

    def geocode(self, name: str, region: str | None = None, within: BaseGeometry | None = None) -> Location:
        """Place ``name`` (biased to ``region``, rejected outside ``within``).

        ``within`` is the jurisdiction polygon in WGS-84.  The first candidate
        inside it (and finer than a province) wins; the others are listed in
        ``candidates`` for review.  Errors after retries propagate as
        :class:`geoplan.errors.GeocoderError` subclasses.
        """
        method = f"online:{self.name}"
        candidates = self.lookup(name, region, within)
        query = self.build_query(name.strip(), region)
        if not candidates:
            return Location(None, "none", None, method, 0.0, f"{self.name}: no result for {query!r}",
                            source=self.config["label"], source_crs=self.source_crs, unresolved_reason="not-found")
        listed = tuple(c.address for c in candidates)
        rejected: list[str] = []
        for cand in candidates:
            lon, lat = to_wgs84(cand.lon, cand.lat, cand.crs)
            point = Point(lon, lat)
            grade = self.grade(cand)
            if grade.precision == "none":
                rejected.append(f"{cand.address or query!r} matched only at level {grade.level}")
                continue
            if within is not None and not within.covers(point):
                km = distance_m(within, point) / 1000
                rejected.append(f"{cand.address or query!r} at {lon:.5f},{lat:.5f} lies ≈{km:.1f} km outside the jurisdiction")
                continue
            return Location(
                geometry=point,
                precision=grade.precision,
                precision_m=grade.precision_m,
                method=method,
                confidence=grade.confidence,
                reason=f"{self.name} {grade.level}: {cand.address or query}",
                source=self.config["label"],
                source_crs=cand.crs,
                candidates=listed,
            )
        outside = within is not None and any("outside the jurisdiction" in r for r in rejected)
        return Location(
            None, "none", None, method, 0.0,
            f"{self.name}: {len(candidates)} result(s) for {query!r}, none usable: " + "; ".join(rejected),
            source=self.config["label"], source_crs=self.source_crs, candidates=listed,
            unresolved_reason="outside-jurisdiction" if outside else "not-found",
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} min_delay={self.min_delay} cache={getattr(self.cache, 'path', None)}>"
