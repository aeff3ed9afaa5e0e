"""QGIS styles embedded in the GeoPackage (the ``layer_styles`` table).

QGIS opens a GeoPackage layer with the style stored for it in ``layer_styles``
(``useAsDefault``), so a planner who drags ``geoplan.gpkg`` into QGIS sees each
theme in the same colour as on the web map, without a .qml file to carry
around.  Colours come from ``maps/themes.toml`` and sizes, widths, dashes and
opacities from ``maps/styles.toml`` (both read through
:func:`geoplan.map.styles.load_style`, the map's own reader), so the map and
QGIS can never disagree.  An SLD twin of each style is stored too, for
GeoServer and other OGC tools.

The table is written through GDAL like any other attribute table, so GDAL
registers it in ``gpkg_contents`` (``data_type = 'attributes'``), exactly as
QGIS does when it saves a style itself.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr, escape

import pandas as pd
import pyogrio

from geoplan.map.styles import MapStyle, ThemeStyle, load_style

#: the columns QGIS creates and reads, in its order (id is the FID)
LAYER_STYLES_COLUMNS: tuple[str, ...] = (
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
)

#: QGIS's layerGeometryType code and symbol type per geometry family
_GEOMETRY = {"point": (0, "marker"), "line": (1, "line"), "polygon": (2, "fill")}


@dataclass(frozen=True)
class LayerStyle:
    """The style of one GeoPackage layer: which table, which geometry, how drawn."""

    table: str
    geometry: str  # "point", "line" or "polygon"
    qml: str
    sld: str
    description: str


# ------------------------------------------------------------------ colours
def _rgba(color: str, opacity: float = 1.0) -> str:
    """``#332288`` → ``51,34,136,255`` (QGIS's colour notation)."""
    c = color.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(max(0.0, min(1.0, float(opacity))) * 255)}"


def _option_map(props: dict[str, object]) -> str:
    items = "".join(
        f'<Option name={quoteattr(k)} type="QString" value={quoteattr(str(v))}/>' for k, v in props.items()
    )
    return f'<Option type="Map">{items}</Option>'


# ------------------------------------------------------------------ symbols
def _symbol_xml(geometry: str, color: str, style: MapStyle, name: str = "0") -> str:
    """One QGIS symbol for a theme colour, sized from styles.toml."""
    if geometry == "point":
        s = style.section("point")
        props = {
            "name": "circle",
            "color": _rgba(color, s.get("fill_opacity", 1.0)),
            "outline_color": _rgba(str(s.get("stroke_color", "#ffffff"))),
            "outline_width": s.get("stroke_weight", 1),
            "outline_width_unit": "Pixel",
            "outline_style": "solid",
            "size": 2 * float(s.get("radius", 5)),  # QGIS sizes a marker by diameter
            "size_unit": "Pixel",
        }
        layer = f'<layer class="SimpleMarker" enabled="1" pass="0" locked="0">{_option_map(props)}</layer>'
        kind = "marker"
    elif geometry == "line":
        s = style.section("line")
        dash = str(s.get("dash", "")).split()
        props = {
            "line_color": _rgba(color, s.get("opacity", 1.0)),
            "line_width": s.get("weight", 2),
            "line_width_unit": "Pixel",
            "line_style": "solid",
            "capstyle": "round",
            "joinstyle": "round",
            "use_custom_dash": "1" if dash else "0",
            "customdash": ";".join(dash) if dash else "5;2",
            "customdash_unit": "Pixel",
        }
        layer = f'<layer class="SimpleLine" enabled="1" pass="0" locked="0">{_option_map(props)}</layer>'
        kind = "line"
    else:
        s = style.section("polygon")
        props = {
            "color": _rgba(color, s.get("fill_opacity", 0.3)),
            "style": "solid",
            "outline_color": _rgba(color, s.get("opacity", 1.0)),
            "outline_width": s.get("weight", 1),
            "outline_width_unit": "Pixel",
            "outline_style": "solid",
            "joinstyle": "round",
        }
        layer = f'<layer class="SimpleFill" enabled="1" pass="0" locked="0">{_option_map(props)}</layer>'
        kind = "fill"
    return (
        f'<symbol type="{kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
        f"{layer}</symbol>"
    )


def _qml(renderer: str, geometry: str) -> str:
    code, _ = _GEOMETRY[geometry]
    labeling = (
        '<labeling type="simple"><settings calloutType="simple">'
        '<text-style fieldName="name" isExpression="0"/>'
        "</settings></labeling>"
    )
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        '<qgis version="3.28.0" styleCategories="Symbology|Labeling">'
        f"{renderer}{labeling}<layerGeometryType>{code}</layerGeometryType></qgis>\n"
    )


def theme_layer_qml(theme: ThemeStyle, geometry: str, style: MapStyle | None = None) -> str:
    """QML drawing a one-theme layer in the theme's colour (single-symbol renderer)."""
    style = style or load_style()
    renderer = (
        '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<symbols>{_symbol_xml(geometry, theme.color, style)}</symbols></renderer-v2>"
    )
    return _qml(renderer, geometry)


def categorized_qml(themes: list[ThemeStyle], geometry: str, style: MapStyle | None = None) -> str:
    """QML drawing a layer of every theme, one category (colour) per value of ``theme``."""
    style = style or load_style()
    cats = "".join(
        f'<category render="true" symbol="{i}" value={quoteattr(t.name)} label={quoteattr(t.label)}/>'
        for i, t in enumerate(themes)
    )
    syms = "".join(_symbol_xml(geometry, t.color, style, name=str(i)) for i, t in enumerate(themes))
    renderer = (
        '<renderer-v2 type="categorizedSymbol" attr="theme" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<categories>{cats}</categories><symbols>{syms}</symbols></renderer-v2>"
    )
    return _qml(renderer, geometry)


def _sld_symbolizer(geometry: str, color: str, style: MapStyle) -> str:
    def css(name: str, value: object) -> str:
        return f'<se:SvgParameter name="{name}">{escape(str(value))}</se:SvgParameter>'

    if geometry == "point":
        s = style.section("point")
        return (
            "<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>circle</se:WellKnownName>"
            f"<se:Fill>{css('fill', color)}{css('fill-opacity', s.get('fill_opacity', 1.0))}</se:Fill>"
            f"<se:Stroke>{css('stroke', s.get('stroke_color', '#ffffff'))}{css('stroke-width', s.get('stroke_weight', 1))}</se:Stroke>"
            f"</se:Mark><se:Size>{2 * float(s.get('radius', 5))}</se:Size></se:Graphic></se:PointSymbolizer>"
        )
    if geometry == "line":
        s = style.section("line")
        return (
            f"<se:LineSymbolizer><se:Stroke>{css('stroke', color)}{css('stroke-width', s.get('weight', 2))}"
            f"{css('stroke-opacity', s.get('opacity', 1.0))}</se:Stroke></se:LineSymbolizer>"
        )
    s = style.section("polygon")
    return (
        f"<se:PolygonSymbolizer><se:Fill>{css('fill', color)}{css('fill-opacity', s.get('fill_opacity', 0.3))}</se:Fill>"
        f"<se:Stroke>{css('stroke', color)}{css('stroke-width', s.get('weight', 1))}</se:Stroke></se:PolygonSymbolizer>"
    )


def theme_layer_sld(table: str, theme: ThemeStyle, geometry: str, style: MapStyle | None = None) -> str:
    """The SLD 1.1 twin of :func:`theme_layer_qml`."""
    style = style or load_style()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se" '
        'version="1.1.0"><NamedLayer>'
        f"<se:Name>{escape(table)}</se:Name><UserStyle><se:Name>{escape(theme.label)}</se:Name>"
        f"<se:FeatureTypeStyle><se:Rule><se:Name>{escape(theme.label)}</se:Name>"
        f"{_sld_symbolizer(geometry, theme.color, style)}</se:Rule></se:FeatureTypeStyle>"
        "</UserStyle></NamedLayer></StyledLayerDescriptor>\n"
    )


def layer_style(table: str, geometry: str, theme: str | None, all_themes: list[str]) -> LayerStyle:
    """The style of GeoPackage layer ``table``: one theme's colour, or categories of all."""
    style = load_style()
    if theme is not None:
        ts = style.themes([theme])[0]
        return LayerStyle(
            table=table,
            geometry=geometry,
            qml=theme_layer_qml(ts, geometry, style),
            sld=theme_layer_sld(table, ts, geometry, style),
            description=f"geoplan: {ts.label} ({geometry})",
        )
    themes = style.themes(all_themes)
    first = themes[0] if themes else ThemeStyle("", str(style.section("palette").get("other", "#7f7f7f")), "", 0)
    return LayerStyle(
        table=table,
        geometry=geometry,
        qml=categorized_qml(themes, geometry, style),
        sld=theme_layer_sld(table, first, geometry, style),
        description=f"geoplan: every theme ({geometry}), coloured by theme",
    )


def layer_styles_frame(
    styles: list[LayerStyle], geometry_column: str = "geom", when: _dt.datetime | None = None
) -> pd.DataFrame:
    """The ``layer_styles`` rows, one per styled layer, each the layer's default style."""
    when = when or _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    rows = [
        {
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": s.table,
            "f_geometry_column": geometry_column,
            "styleName": s.table,
            "styleQML": s.qml,
            "styleSLD": s.sld,
            "useAsDefault": True,
            "description": s.description,
            "owner": "",
            "ui": "",
            "update_time": pd.Timestamp(when),
        }
        for s in styles
    ]
    df = pd.DataFrame(rows, columns=list(LAYER_STYLES_COLUMNS))
    df["useAsDefault"] = df["useAsDefault"].astype(bool)
    df["update_time"] = pd.to_datetime(df["update_time"])
    return df


def write_layer_styles(gpkg: Path | str, styles: list[LayerStyle], geometry_column: str = "geom") -> None:
    """Add the ``layer_styles`` table to ``gpkg`` (GDAL registers it in gpkg_contents)."""
    df = layer_styles_frame(styles, geometry_column)
    pyogrio.write_dataframe(df, gpkg, layer="layer_styles", driver="GPKG", layer_options={"FID": "id"})
