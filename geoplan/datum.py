"""WGS-84 ↔ GCJ-02 ↔ BD-09 conversions, vectorised with numpy.

Chinese web maps do not publish coordinates in WGS-84: Amap (高德) and Tencent
(腾讯) answer in GCJ-02, the state-mandated obfuscation of WGS-84, and Baidu (百度)
in BD-09, a further shift of GCJ-02.  A point taken from one of them and drawn on
an OpenStreetMap basemap lands 100–700 m off, which is the width of a town block
a planner is trying to point at.  Every geocoder result and every imported layer
therefore passes through here before it joins a geoplan layer.

The forward transforms are the published formulas.  Their inverses are *not*
the one-step approximations that circulate (off by up to ~5 m for GCJ-02 and
~20 cm for BD-09): they are solved by fixed-point iteration, which converges
because the shift changes slowly with position (its derivative is about 1e-3), so each round
gains about three digits and a handful of rounds reach the millimetre.

"Outside China" is the rough mainland bounding box everyone uses
(:data:`CHINA_BBOX`, the same as the reference implementations): the providers
leave points outside it unshifted, so do we.  The box is coarse on purpose and
is applied to each function's *input* coordinates: it also covers Taiwan, Hong
Kong, Macau and slices of the neighbouring countries, exactly as the providers
do, so a point the box says is "outside" round-trips unchanged.

Every function takes scalars or array-likes for ``lon`` and ``lat`` (in that
order, like shapely and GeoJSON) and returns the same shape: a pair of Python
floats for scalars, a pair of float64 arrays (broadcast) otherwise.  NaN stays
NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from geoplan.errors import GeoplanError

__all__ = [
    "CHINA_BBOX",
    "UnknownCRSError",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "M_PER_DEG",
    "canonical_crs",
    "degrees_to_metres",
    "distance_m",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "in_china",
    "metres",
    "to_wgs84",
    "transform_geometry",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

#: a (lon, lat) pair: two floats for scalar input, two float64 arrays otherwise
Pair: TypeAlias = tuple[Any, Any]

#: (min_lon, min_lat, max_lon, max_lat) of the rough mainland test.
CHINA_BBOX: tuple[float, float, float, float] = (72.004, 0.8293, 137.8347, 55.8271)

# Krasovsky 1940 ellipsoid, which the GCJ-02 formula is written against.
_A = 6378245.0
_EE = 0.00669342162296594323
# BD-09's angular wobble frequency.
_X_PI = np.pi * 3000.0 / 180.0

#: Inverses stop when no point moves more than this (degrees; ~0.1 mm, far below the 1 cm goal).
_TOL_DEG = 1e-9
_MAX_ITER = 30


class UnknownCRSError(GeoplanError, ValueError):
    """A coordinate reference name geoplan does not know how to bring to WGS-84."""

    exit_code = 2


# --------------------------------------------------------------------- helpers
def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64], bool]:
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    x, y = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    return x, y, scalar


def _out(x: NDArray[np.float64], y: NDArray[np.float64], scalar: bool) -> Pair:
    if scalar:
        return float(x), float(y)
    return x, y


def in_china(lon: ArrayLike, lat: ArrayLike) -> Any:
    """True where (lon, lat) falls in :data:`CHINA_BBOX` (False for NaN)."""
    x, y, scalar = _as_arrays(lon, lat)
    w, s, e, n = CHINA_BBOX
    with np.errstate(invalid="ignore"):
        mask = (x >= w) & (x <= e) & (y >= s) & (y <= n)
    return bool(mask) if scalar else mask


def _gcj_shift(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The GCJ-02 offset (dlon, dlat) in degrees at WGS-84 (lon, lat), unmasked."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _gcj_forward(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    dlon, dlat = _gcj_shift(lon, lat)
    return lon + dlon, lat + dlat


def _bd_forward(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_inverse_guess(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x = lon - 0.0065
    y = lat - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


ForwardFn: TypeAlias = Callable[
    [NDArray[np.float64], NDArray[np.float64]], tuple[NDArray[np.float64], NDArray[np.float64]]
]


def _invert(
    forward: ForwardFn,
    tx: NDArray[np.float64],
    ty: NDArray[np.float64],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Solve ``forward(x, y) == (tx, ty)`` by fixed-point iteration from (x, y).

    Only the points that have not converged yet are recomputed, so the cost is
    dominated by the first two or three rounds.
    """
    x = x.copy()
    y = y.copy()
    todo = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    for _ in range(_MAX_ITER):
        if todo.size == 0:
            break
        fx, fy = forward(x[todo], y[todo])
        ex = fx - tx[todo]
        ey = fy - ty[todo]
        x[todo] -= ex
        y[todo] -= ey
        todo = todo[(np.abs(ex) > _TOL_DEG) | (np.abs(ey) > _TOL_DEG)]
    return x, y


def _masked(
    lon: ArrayLike, lat: ArrayLike, convert: Callable[[NDArray[np.float64], NDArray[np.float64]], tuple[Any, Any]]
) -> Pair:
    """Apply ``convert`` to the points inside :data:`CHINA_BBOX`, copy the rest."""
    x, y, scalar = _as_arrays(lon, lat)
    mask = np.asarray(in_china(x, y))
    ox = x.astype(np.float64, copy=True)
    oy = y.astype(np.float64, copy=True)
    if mask.any():
        cx, cy = convert(x[mask], y[mask])
        ox[mask] = cx
        oy[mask] = cy
    return _out(ox, oy, scalar)


# ------------------------------------------------------------------ public API
def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """WGS-84 → GCJ-02 (Amap, Tencent)."""
    return _masked(lon, lat, _gcj_forward)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """GCJ-02 → WGS-84, iterated to well under a millimetre."""

    def inv(gx: NDArray[np.float64], gy: NDArray[np.float64]) -> tuple[Any, Any]:
        dlon, dlat = _gcj_shift(gx, gy)
        return _invert(_gcj_forward, gx, gy, gx - dlon, gy - dlat)

    return _masked(lon, lat, inv)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """GCJ-02 → BD-09 (Baidu's ``bd09ll``)."""
    return _masked(lon, lat, _bd_forward)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """BD-09 → GCJ-02, the exact inverse (the usual one-step formula is off by up to ~20 cm)."""

    def inv(bx: NDArray[np.float64], by: NDArray[np.float64]) -> tuple[Any, Any]:
        gx, gy = _bd_inverse_guess(bx, by)
        return _invert(_bd_forward, bx, by, gx, gy)

    return _masked(lon, lat, inv)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """WGS-84 → BD-09; identity outside China as a whole (tested on the WGS-84 input)."""

    def fwd(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[Any, Any]:
        return _bd_forward(*_gcj_forward(x, y))

    return _masked(lon, lat, fwd)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """BD-09 → WGS-84; identity outside China as a whole (tested on the BD-09 input)."""

    def inv(bx: NDArray[np.float64], by: NDArray[np.float64]) -> tuple[Any, Any]:
        gx, gy = _invert(_bd_forward, bx, by, *_bd_inverse_guess(bx, by))
        dlon, dlat = _gcj_shift(gx, gy)
        return _invert(_gcj_forward, gx, gy, gx - dlon, gy - dlat)

    return _masked(lon, lat, inv)


# ------------------------------------------------------------------ CRS names
_IDENTITY = "EPSG:4326"
_ALIASES: dict[str, str] = {
    "EPSG:4326": _IDENTITY,
    "4326": _IDENTITY,
    "WGS84": _IDENTITY,
    "WGS-84": _IDENTITY,
    "WGS 84": _IDENTITY,
    # CGCS2000 and WGS-84 differ by a few centimetres at most: below anything a
    # plan's place name can resolve, so it is treated as the same datum.
    "EPSG:4490": _IDENTITY,
    "4490": _IDENTITY,
    "CGCS2000": _IDENTITY,
    "GCJ-02": "GCJ-02",
    "GCJ02": "GCJ-02",
    "GCJ": "GCJ-02",
    "BD-09": "BD-09",
    "BD09": "BD-09",
    "BD09LL": "BD-09",
}


def canonical_crs(crs: str) -> str:
    """``"EPSG:4326"``, ``"GCJ-02"`` or ``"BD-09"`` for any accepted spelling.

    Raises :class:`UnknownCRSError` listing the accepted names otherwise; a
    silent guess here would put a whole layer half a kilometre off.
    """
    key = str(crs).strip().upper().replace("_", "-")
    if key in _ALIASES:
        return _ALIASES[key]
    compact = key.replace("-", "").replace(" ", "")
    for alias, canon in _ALIASES.items():
        if alias.replace("-", "").replace(" ", "") == compact:
            return canon
    hint = ""
    if "MC" in compact and "BD" in compact:
        hint = " (Baidu Mercator metres are not supported: ask the provider for bd09ll degrees)"
    raise UnknownCRSError(
        f"unknown coordinate reference {crs!r}{hint}; accepted: EPSG:4326/WGS84, "
        "EPSG:4490/CGCS2000, GCJ-02/gcj02, BD-09/bd09"
    )


def to_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str) -> Pair:
    """Bring coordinates recorded in ``crs`` to WGS-84 (same shape as given)."""
    canon = canonical_crs(crs)
    if canon == "GCJ-02":
        return gcj02_to_wgs84(lon, lat)
    if canon == "BD-09":
        return bd09_to_wgs84(lon, lat)
    x, y, scalar = _as_arrays(lon, lat)
    return _out(x.copy(), y.copy(), scalar)


def transform_geometry(
    geom: BaseGeometry | NDArray[np.object_], func: Callable[[Any, Any], Pair]
) -> BaseGeometry | NDArray[np.object_]:
    """Apply one of the conversions above to a shapely geometry (or array of them).

    Z values are kept as they are; the conversion is applied to all vertices in
    one vectorised call.
    """

    def apply(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        out = coords.copy()
        x, y = func(coords[:, 0], coords[:, 1])
        out[:, 0] = x
        out[:, 1] = y
        return out

    return shapely.transform(geom, apply, include_z=True)


# ------------------------------------------------------------ degrees as metres
#: metres in one degree of latitude (and of longitude on the equator)
M_PER_DEG = 111_320.0


def metres(dlon: float, dlat: float, lat: float) -> float:
    """Length in metres of a step of ``dlon``, ``dlat`` degrees at latitude ``lat``.

    Equirectangular: a degree of longitude shrinks with the cosine of the
    latitude.  Within a fraction of a percent over the tens of kilometres
    geoplan measures (extents of towns, spreads of candidates, radii), which is
    far below the precision any of those figures claims.
    """
    return math.hypot(dlon * M_PER_DEG * math.cos(math.radians(lat)), dlat * M_PER_DEG)


def degrees_to_metres(deg: float, lat: float) -> float:
    """A distance measured in degrees on lon/lat (as shapely does) as metres, at latitude ``lat``.

    The direction is not known, so the mean of the east-west and north-south
    scales is used (off by at most (1 - cos)/(1 + cos): 8 % at 31°N).
    """
    return deg * M_PER_DEG * (1.0 + math.cos(math.radians(lat))) / 2.0


def distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """The shortest distance between two lon/lat geometries, in metres (at their mean latitude)."""
    lat = (a.bounds[1] + a.bounds[3] + b.bounds[1] + b.bounds[3]) / 4.0
    return degrees_to_metres(a.distance(b), lat)
