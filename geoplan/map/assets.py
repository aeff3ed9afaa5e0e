"""Leaflet and MarkerCluster served from installed PyPI packages, never from a CDN.

A planner opens the map on an office machine that may have no internet, and a
map that silently fetches scripts from a CDN also leaks what is being planned.
So the JavaScript and CSS come from the ``xstatic-leaflet`` and
``xstatic-leaflet-markercluster`` wheels, either inlined into the one HTML file
(``"inline"``: a self-contained file that can be mailed) or copied beside it
(``"files"``: ``assets/`` next to the HTML, smaller and cacheable).  A build
writes many maps into one folder; they share one ``assets/`` written once
(:func:`write_bundle`, then ``render_map(..., write_assets=False)``).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import folium
from branca.element import Figure
from xstatic.pkg import leaflet as _leaflet
from xstatic.pkg import leaflet_markercluster as _markercluster

from geoplan.atomic import write_bytes
from geoplan.map.element import PageElement, RawHTML

MODES: tuple[str, ...] = ("inline", "files")


@dataclass(frozen=True)
class Asset:
    """One file of a JS library: where it is installed and how the page refers to it."""

    name: str
    type: str  # "js" or "css"
    path: Path

    @property
    def filename(self) -> str:
        return self.path.name


def _asset(name: str, type_: str, pkg: object, filename: str) -> Asset:
    return Asset(name, type_, Path(pkg.BASE_DIR) / filename)  # type: ignore[attr-defined]


#: In load order: Leaflet before the plugin, CSS of the plugin after Leaflet's.
ASSETS: tuple[Asset, ...] = (
    _asset("leaflet_css", "css", _leaflet, "leaflet.css"),
    _asset("markercluster_css", "css", _markercluster, "MarkerCluster.css"),
    _asset("markercluster_default_css", "css", _markercluster, "MarkerCluster.Default.css"),
    _asset("leaflet", "js", _leaflet, "leaflet.js"),
    _asset("markercluster", "js", _markercluster, "leaflet.markercluster.js"),
)

_LEAFLET_IMAGES = Path(_leaflet.BASE_DIR) / "images"
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)


def _inline_css(text: str, base: Path) -> str:
    """Turn ``url(images/x.png)`` into data URIs so the page needs no image file."""

    def repl(m: re.Match[str]) -> str:
        img = base / m.group(2)
        if not img.is_file():
            return m.group(0)
        data = base64.b64encode(img.read_bytes()).decode("ascii")
        return f'url("data:image/png;base64,{data}")'

    return _CSS_URL.sub(repl, text)


@lru_cache(maxsize=None)
def _read(asset: Asset) -> str:
    text = asset.path.read_text(encoding="utf-8")
    # a sourceMappingURL makes devtools request a .map file that is not there
    return _SOURCE_MAP.sub("", text)


def _script_safe(text: str) -> str:
    """Keep an inlined library from closing its own <script>/<style> element early."""
    return re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.IGNORECASE)


@lru_cache(maxsize=None)
def _inline_tag(asset: Asset) -> str:
    """The ``<style>``/``<script>`` element of an inlined library (built once per process)."""
    text = _read(asset)
    if asset.type == "css":
        return f"<style>{_script_safe(_inline_css(text, asset.path.parent))}</style>"
    return f"<script>{_script_safe(text)}</script>"


class OfflineMap(folium.Map):
    """A ``folium.Map`` without folium's CDN links (Leaflet, jQuery, Bootstrap, fonts).

    geoplan's elements draw with plain Leaflet, so none of folium's default
    libraries are needed; :class:`OfflineAssets` provides Leaflet itself.
    """

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []


class OfflineAssets(PageElement):
    """Put Leaflet and MarkerCluster in the page header, inline or as local files.

    Add it to the map before anything else that needs ``L``; in ``"files"``
    mode call :meth:`write_files` with the folder the HTML is written to.
    """

    def __init__(self, mode: str = "inline", folder: str = "assets") -> None:
        super().__init__()
        if mode not in MODES:
            from geoplan.errors import FilterError

            raise FilterError("assets mode", mode, MODES)
        self._name = "OfflineAssets"
        self.mode = mode
        self.folder = folder

    def render(self, **kwargs: object) -> None:
        figure = self.get_root()
        assert isinstance(figure, Figure), "OfflineAssets must be added to a map in a Figure."
        for asset in ASSETS:
            figure.header.add_child(RawHTML(self._tag(asset)), name=f"geoplan_{asset.name}")
        super().render(**kwargs)

    def _tag(self, asset: Asset) -> str:
        if self.mode == "files":
            href = f"{self.folder}/{asset.filename}"
            if asset.type == "css":
                return f'<link rel="stylesheet" href="{href}"/>'
            return f'<script src="{href}"></script>'
        return _inline_tag(asset)

    def write_files(self, html_dir: Path) -> list[Path]:
        """Copy the libraries (and Leaflet's images) into ``html_dir/assets``, atomically each."""
        return write_bundle(html_dir, self.folder)


def write_bundle(html_dir: Path, folder: str = "assets") -> list[Path]:
    """Write the libraries every ``"files"`` map in ``html_dir`` refers to (``html_dir/folder``), atomically each."""
    target = Path(html_dir) / folder
    written: list[Path] = []
    for asset in ASSETS:
        written.append(write_bytes(target / asset.filename, _read(asset).encode("utf-8")))
    for img in sorted(_LEAFLET_IMAGES.glob("*.png")):
        written.append(write_bytes(target / "images" / img.name, img.read_bytes()))
    return written
