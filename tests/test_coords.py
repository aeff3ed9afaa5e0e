"""Datum shifts checked against an independent implementation (coord-convert).

coord-convert is a pure-Python, point-at-a-time port of the same published
formulas; agreeing with it on thousands of random points shows the vectorised
version has no transcription slip.  Its inverses are the loose ones (1e-6°
stopping rule, one-step BD-09 inverse), so our inverses are held to it only
within that looseness and to the forward transform within a centimetre.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from coord_convert import transform as ref
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from geoplan import datum as C

M_PER_DEG = 111_320.0  # metres per degree of latitude (and of longitude × cos lat)


def metres(lon1, lat1, lon2, lat2):
    """Local equirectangular distance in metres (exact enough at the cm scale)."""
    lon1, lat1, lon2, lat2 = map(np.asarray, (lon1, lat1, lon2, lat2))
    dx = (lon1 - lon2) * np.cos(np.radians(lat1)) * M_PER_DEG
    dy = (lat1 - lat2) * M_PER_DEG
    return np.hypot(dx, dy)


@pytest.fixture(scope="module")
def china_points():
    """5,000 random points over populated China (the part the providers serve)."""
    rng = np.random.default_rng(20240601)
    lon = rng.uniform(73.7, 134.7, 5000)
    lat = rng.uniform(18.2, 53.5, 5000)
    return lon, lat


def ref_vec(func, lon, lat):
    out = np.array([func(float(x), float(y)) for x, y in zip(lon, lat)])
    return out[:, 0], out[:, 1]


# ---------------------------------------------------------------- vs reference
def test_wgs_to_gcj_matches_reference(china_points):
    lon, lat = china_points
    gx, gy = C.wgs84_to_gcj02(lon, lat)
    rx, ry = ref_vec(ref.wgs2gcj, lon, lat)
    assert np.max(np.abs(gx - rx)) < 1e-9
    assert np.max(np.abs(gy - ry)) < 1e-9
    # and the shift is real: hundreds of metres somewhere, never zero
    d = metres(gx, gy, lon, lat)
    assert d.min() > 1.0 and d.max() > 300.0


def test_gcj_to_bd_matches_reference(china_points):
    lon, lat = china_points
    bx, by = C.gcj02_to_bd09(lon, lat)
    rx, ry = ref_vec(ref.gcj2bd, lon, lat)
    assert np.max(np.abs(bx - rx)) < 1e-9
    assert np.max(np.abs(by - ry)) < 1e-9


def test_wgs_to_bd_matches_reference(china_points):
    lon, lat = china_points
    bx, by = C.wgs84_to_bd09(lon, lat)
    rx, ry = ref_vec(ref.wgs2bd, lon, lat)
    assert np.max(metres(bx, by, rx, ry)) < 1e-4


def test_gcj_to_wgs_agrees_with_reference_and_beats_it(china_points):
    lon, lat = china_points
    gx, gy = C.wgs84_to_gcj02(lon, lat)
    wx, wy = C.gcj02_to_wgs84(gx, gy)
    rx, ry = ref_vec(ref.gcj2wgs, gx, gy)
    # the reference stops at 1e-6°: agree with it within that
    assert np.max(metres(wx, wy, rx, ry)) < 0.2
    # ours recovers the original point to well under a centimetre
    assert np.max(metres(wx, wy, lon, lat)) < 0.01


def test_bd_to_gcj_is_exact_not_the_one_step_formula(china_points):
    lon, lat = china_points
    bx, by = C.gcj02_to_bd09(lon, lat)
    gx, gy = C.bd09_to_gcj02(bx, by)
    assert np.max(metres(gx, gy, lon, lat)) < 0.01
    # the one-step inverse (the reference's) is measurably worse somewhere
    rx, ry = ref_vec(ref.bd2gcj, bx, by)
    assert np.max(metres(rx, ry, lon, lat)) > np.max(metres(gx, gy, lon, lat))
    assert np.max(metres(rx, ry, gx, gy)) < 5.0


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize(
    ("fwd", "inv"),
    [
        (C.wgs84_to_gcj02, C.gcj02_to_wgs84),
        (C.gcj02_to_wgs84, C.wgs84_to_gcj02),
        (C.gcj02_to_bd09, C.bd09_to_gcj02),
        (C.bd09_to_gcj02, C.gcj02_to_bd09),
        (C.wgs84_to_bd09, C.bd09_to_wgs84),
        (C.bd09_to_wgs84, C.wgs84_to_bd09),
    ],
)
def test_round_trips_under_a_centimetre(china_points, fwd, inv):
    lon, lat = china_points
    bx, by = inv(*fwd(lon, lat))
    assert np.max(metres(bx, by, lon, lat)) < 0.01


def test_round_trip_geodesic(china_points):
    """The same check with geopy's geodesic distance on a sample."""
    from geopy.distance import geodesic

    lon, lat = china_points
    gx, gy = C.wgs84_to_gcj02(lon[:200], lat[:200])
    wx, wy = C.gcj02_to_wgs84(gx, gy)
    gx2, gy2 = C.wgs84_to_gcj02(wx, wy)
    worst = max(geodesic((a, b), (c, d)).meters for a, b, c, d in zip(gy, gx, gy2, gx2))
    assert worst < 0.01


# ----------------------------------------------------------------- known values
def test_shanghai_offset():
    """People's Square: GCJ-02 sits ~+0.0045° east and ~−0.0019° south of WGS-84."""
    lon, lat = 121.4737, 31.2304
    gx, gy = C.wgs84_to_gcj02(lon, lat)
    assert gx - lon == pytest.approx(0.0045, abs=0.0003)
    assert gy - lat == pytest.approx(-0.0019, abs=0.0003)
    bx, by = C.wgs84_to_bd09(lon, lat)
    # Baidu adds roughly another +0.0065/+0.006 on top of GCJ-02
    assert bx - gx == pytest.approx(0.0065, abs=0.0015)
    assert by - gy == pytest.approx(0.006, abs=0.0015)


# ---------------------------------------------------------------- outside China
@pytest.mark.parametrize(
    "func",
    [C.wgs84_to_gcj02, C.gcj02_to_wgs84, C.gcj02_to_bd09, C.bd09_to_gcj02, C.wgs84_to_bd09, C.bd09_to_wgs84],
)
@pytest.mark.parametrize(
    ("lon", "lat"),
    [(2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688), (37.6173, 55.7558), (71.9, 30.0), (121.0, 56.0)],
)
def test_outside_china_untouched(func, lon, lat):
    assert func(lon, lat) == (lon, lat)


def test_mixed_inside_and_outside():
    lon = np.array([2.3522, 116.391, np.nan, 140.0])
    lat = np.array([48.8566, 39.907, 30.0, 35.0])
    gx, gy = C.wgs84_to_gcj02(lon, lat)
    assert (gx[0], gy[0]) == (lon[0], lat[0])
    assert (gx[3], gy[3]) == (lon[3], lat[3])
    assert np.isnan(gx[2])
    assert gx[1] != lon[1] and gy[1] != lat[1]
    np.testing.assert_array_equal(C.in_china(lon, lat), [False, True, False, False])


def test_inputs_not_modified():
    lon = np.array([116.391, 121.47])
    lat = np.array([39.907, 31.23])
    keep = lon.copy(), lat.copy()
    C.gcj02_to_wgs84(lon, lat)
    C.bd09_to_wgs84(lon, lat)
    np.testing.assert_array_equal(lon, keep[0])
    np.testing.assert_array_equal(lat, keep[1])


# ----------------------------------------------------------------------- shapes
def test_scalar_in_scalar_out():
    x, y = C.wgs84_to_gcj02(116.391, 39.907)
    assert type(x) is float and type(y) is float
    x, y = C.bd09_to_wgs84(np.float64(116.4), np.float64(39.9))
    assert isinstance(x, float) and isinstance(y, float)


@pytest.mark.parametrize("shape", [(0,), (7,), (3, 4), (2, 2, 2)])
def test_array_shape_preserved(shape):
    rng = np.random.default_rng(1)
    lon = rng.uniform(100, 120, shape)
    lat = rng.uniform(25, 40, shape)
    for func in (C.wgs84_to_gcj02, C.gcj02_to_wgs84, C.bd09_to_wgs84, C.wgs84_to_bd09):
        x, y = func(lon, lat)
        assert x.shape == shape and y.shape == shape
        assert x.dtype == np.float64


def test_lists_and_broadcasting():
    x, y = C.wgs84_to_gcj02([116.391, 121.47], 31.0)
    assert x.shape == (2,) and y.shape == (2,)
    ex, ey = C.wgs84_to_gcj02(121.47, 31.0)
    assert (x[1], y[1]) == (ex, ey)


# ---------------------------------------------------------------------- to_wgs84
@pytest.mark.parametrize("name", ["EPSG:4326", "WGS84", "wgs84", "epsg:4490", "CGCS2000", "4326"])
def test_to_wgs84_identity(name):
    x, y = C.to_wgs84(121.47, 31.23, name)
    assert (x, y) == (121.47, 31.23)


@pytest.mark.parametrize(("name", "inverse"), [("GCJ-02", C.gcj02_to_wgs84), ("gcj02", C.gcj02_to_wgs84),
                                               ("BD-09", C.bd09_to_wgs84), ("bd09", C.bd09_to_wgs84),
                                               ("bd09ll", C.bd09_to_wgs84)])
def test_to_wgs84_shifts(name, inverse):
    assert C.to_wgs84(121.47, 31.23, name) == inverse(121.47, 31.23)
    assert C.to_wgs84(121.47, 31.23, name) != (121.47, 31.23)


@pytest.mark.parametrize("name", ["EPSG:3857", "bd09mc", "WGS72", ""])
def test_to_wgs84_unknown(name):
    with pytest.raises(C.UnknownCRSError, match="accepted"):
        C.to_wgs84(121.47, 31.23, name)


def test_unknown_crs_is_a_geoplan_error():
    from geoplan.errors import GeoplanError

    with pytest.raises(GeoplanError):
        C.canonical_crs("Xian80")


# -------------------------------------------------------------------- geometries
def test_transform_geometry_point_and_z():
    p = C.transform_geometry(Point(121.47, 31.23, 12.5), C.wgs84_to_gcj02)
    assert p.has_z and p.z == 12.5
    assert (p.x, p.y) == C.wgs84_to_gcj02(121.47, 31.23)


def test_transform_geometry_polygon_round_trip():
    poly = Polygon([(120.0, 30.0), (120.5, 30.0), (120.5, 30.5), (120.0, 30.5)], [[(120.1, 30.1), (120.2, 30.1), (120.2, 30.2)]])
    multi = MultiPolygon([poly, Polygon([(2, 48), (3, 48), (3, 49)])])
    shifted = C.transform_geometry(multi, C.wgs84_to_bd09)
    assert len(shifted.geoms[0].interiors) == 1
    # the part in France is untouched, the part in China moved
    assert shifted.geoms[1].equals(multi.geoms[1])
    assert not shifted.geoms[0].equals(poly)
    back = C.transform_geometry(shifted, C.bd09_to_wgs84)
    assert shapely.equals_exact(back, multi, tolerance=1e-8)


def test_transform_geometry_array():
    geoms = np.array([Point(116.39, 39.9), LineString([(121.4, 31.2), (121.5, 31.3)])])
    out = C.transform_geometry(geoms, C.gcj02_to_wgs84)
    assert out.shape == (2,)
    assert math.isclose(out[0].x, C.gcj02_to_wgs84(116.39, 39.9)[0])
