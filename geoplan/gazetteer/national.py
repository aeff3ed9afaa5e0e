"""Which names of a national-layer feature a plan's text is matched against.

The national layers (``layers/national_*.geojson``, built by
``scripts/build_national_layers.py``) hold every railway and metro station,
railway and metro line, large water body, airport and port of China.  Their full
names (南京南站, 沪苏湖高速线, 太湖, 南京禄口国际机场) are proper names wherever
they are written.  Their short forms are not all so: a station's bare name
(人民广场, 体育中心, 钱塘江) is an ordinary word or another place far more
often than the station, so it never enters the extraction dictionary (the
resolver may still match it to a station when the plan writes 站 with it); a
line's number (17号线) is a name only in its own city's plans, so it enters the
dictionary only near the plan's own province; so does a station's full name
(a plan names its own and its neighbours' stations; 文化站 far away is a word).
"""

from __future__ import annotations

from geoplan.gazetteer.model import GazetteerFeature

#: the origin of features read from a layer whose header says ``"origin": "national"``
NATIONAL = "national"


def is_national(f: GazetteerFeature) -> bool:
    return f.origin == NATIONAL


def bare_station_name(f: GazetteerFeature, name: str) -> bool:
    """``南京南`` for the station ``南京南站``: a short form that says nothing of being a station."""
    return f.kind == "station" and not name.endswith("站")


def dictionary_names(f: GazetteerFeature, near: bool) -> tuple[str, ...]:
    """The names of a national feature to find in a plan's text.

    ``near``: the feature lies in the plan's province or a neighbouring one.
    """
    if f.kind == "station" and not near:
        return ()  # 文化站, 中心站: far away, a station's name is more often a word than that station
    out = [f.name]
    for a in f.aliases:
        if bare_station_name(f, a):
            continue
        if f.kind in ("metro_line", "rail") and not near and a[:1].isascii():
            continue  # 17号线, S3线: a number is a name only in its own city's plans
        out.append(a)
    return tuple(dict.fromkeys(out))
