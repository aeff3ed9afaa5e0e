"""geoplan's exception hierarchy.

Modelled on geopy's: one base class so that callers (and the CLI) can catch
everything geoplan raises on purpose, and narrow subclasses so that a script can
tell a bad input file from a gazetteer problem or a provider outage.  Every
message names the file (and where it makes sense the row and field) it is about.
"""

from __future__ import annotations

import re

#: ``scheme://user:password@`` in any text; the password is what must never be shown
_CREDENTIALS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*):[^@\s]*@")


def redact_credentials(text: str) -> str:
    """``text`` with the password of every URL in it masked (``postgresql://u:***@host/db``).

    Why here: every message geoplan prints or writes may quote a URL the user
    typed (an export target, a database to read), and the password in it must
    never reach a terminal, a log or a CI transcript.
    """
    return _CREDENTIALS.sub(r"\1:***@", text)


class GeoplanError(Exception):
    """Base class of every error geoplan raises deliberately."""

    #: process exit code the CLI uses for this family of errors
    exit_code: int = 1


class PlanReadError(GeoplanError):
    """A plan file could not be read: missing, empty, binary, undecodable, too large."""

    exit_code = 3

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class GazetteerError(GeoplanError):
    """A gazetteer layer is invalid or cannot be loaded."""

    exit_code = 4


class LayerImportError(GazetteerError):
    """A user layer could not be imported; names the file, row and field."""

    def __init__(self, path: object, reason: str, row: int | None = None, field: str | None = None) -> None:
        self.path = str(path)
        self.row = row
        self.field = field
        self.reason = reason
        where = self.path
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {reason}")


class OverrideError(GeoplanError):
    """The review overrides file is malformed."""

    exit_code = 5

    def __init__(self, path: object, reason: str, row: int | None = None) -> None:
        self.path = str(path)
        self.row = row
        where = self.path if row is None else f"{self.path}, row {row}"
        super().__init__(f"{where}: {reason}")


class GeocoderError(GeoplanError):
    """Base class of online geocoder failures (after retries)."""

    exit_code = 6


class GeocoderAuthError(GeocoderError):
    """The provider refused the API key or credentials."""


class GeocoderQuotaError(GeocoderError):
    """The provider kept answering 429 / quota exceeded after retries."""


class GeocoderUnavailable(GeocoderError):
    """Timeouts or 5xx answers persisted after retries."""


class GeocoderResponseError(GeocoderError):
    """The provider answered with a body geoplan cannot parse."""


class ExportError(GeoplanError):
    """A layer could not be written (disk, driver or database failure)."""

    exit_code = 7


class FilterError(GeoplanError):
    """A filter value is unknown; the message lists the allowed values."""

    exit_code = 2

    def __init__(self, field: str, value: object, allowed: list[str] | tuple[str, ...]) -> None:
        self.field = field
        self.value = value
        self.allowed = list(allowed)
        shown = ", ".join(self.allowed[:60])
        more = "" if len(self.allowed) <= 60 else f", … ({len(self.allowed)} in all)"
        super().__init__(f"unknown {field} {value!r}; allowed: {shown}{more}")
