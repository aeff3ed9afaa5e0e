"""An online geocoder that fails soft: the offline results are kept and what went unasked is listed.

Why: the online provider is a fallback for the few names the gazetteer lacks.
When it fails (no network, a refused key, a spent quota), throwing away the
whole build — every offline result included — punishes the planner for asking
for more.  :class:`OnlineFallback` wraps a provider: the first provider-wide
failure (unavailable after retries, authentication, quota) switches it off for
the rest of the build, so a dead network costs one round of retries, not one
per name; every name that needed the provider is recorded with the reason, for
the report and for exit code 6.  A failure about one query only (an answer that
cannot be read) is recorded and the next name is still asked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from geoplan.errors import (
    GeocoderAuthError,
    GeocoderError,
    GeocoderQuotaError,
    GeocoderUnavailable,
)
from geoplan.records import Location

log = logging.getLogger(__name__)

#: failures that say the provider is out of reach for every name, not just this one
_PROVIDER_DOWN = (GeocoderUnavailable, GeocoderAuthError, GeocoderQuotaError)


@dataclass(frozen=True)
class Missed:
    """A name the gazetteer could not place and the provider did not answer."""

    name: str
    region: str
    reason: str


class OnlineFallback:
    """Wraps an :class:`~geoplan.geocode.online.OnlineGeocoder`; same ``geocode`` call, never raises GeocoderError."""

    def __init__(self, geocoder) -> None:
        self.geocoder = geocoder
        self.name: str = getattr(geocoder, "name", "online")
        #: why the provider was switched off (empty while it is in use)
        self.down: str = ""
        self.missed: list[Missed] = []

    def geocode(self, name: str, region: str | None = None, within=None) -> Location:
        if not self.down:
            try:
                return self.geocoder.geocode(name, region=region, within=within)
            except _PROVIDER_DOWN as exc:
                self.down = str(exc)
                log.warning("online geocoder %s failed (%s); the rest of the build is offline only", self.name, exc)
                reason = self.down
            except GeocoderError as exc:
                reason = str(exc)
        else:
            reason = f"not asked: {self.down}"
        self.missed.append(Missed(name=name, region=region or "", reason=reason))
        return Location(None, "none", None, f"online:{self.name}", 0.0, f"{self.name} failed: {reason}",
                        unresolved_reason="not-found")

    @property
    def failed(self) -> bool:
        return bool(self.missed)

    def report(self) -> dict[str, object]:
        """For report.json: the provider, why it failed and the names it was not able to answer."""
        return {
            "provider": self.name,
            "failure": self.down or (self.missed[0].reason if self.missed else ""),
            "names": [{"name": m.name, "region": m.region, "reason": m.reason} for m in self.missed],
        }
