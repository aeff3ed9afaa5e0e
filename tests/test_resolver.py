"""The offline resolver: jurisdiction, kind and context decide; fallbacks stay honest.

Two gazetteers: a small synthetic one built from :class:`GazetteerFeature`
records (so each rule is tested in isolation, with coordinates made up for the
test) and the real embedded one (so the rules hold on the data planners get).
"""

from __future__ import annotations

import pytest
from shapely.geometry import LineString, Point, box

from geoplan.gazetteer import Gazetteer
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.gazetteer.villages import VillageList, VillageRecord
from geoplan.geocode import Entity, Overrides, Resolver
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import PRECISIONS, Location, Mention

# ------------------------------------------------------------------ synthetic
# Two counties of one made-up city 9901 and one of city 9902, side by side.
A, B, C = "990101", "990102", "990201"
COUNTY_BOX = {A: box(120.0, 30.0, 120.5, 30.5), B: box(120.5, 30.0, 121.0, 30.5), C: box(121.0, 30.0, 121.5, 30.5)}
COUNTY_NAME = {A: "甲县", B: "乙县", C: "丙县"}
CITY_NAME = {"9901": "测试市", "9902": "另市"}


def _chain(code: str, *below: str) -> tuple[str, ...]:
    return ("测试省", CITY_NAME[code[:4]], COUNTY_NAME[code[:6]], *below)


def _feat(fid, name, kind, geom, code, *, origin="curated", aliases=(), precision_m=300.0, below=()):
    return GazetteerFeature(
        id=fid,
        name=name,
        kind=kind,
        geometry=geom,
        precision_m=precision_m,
        source="test fixture",
        license="CC0-1.0",
        aliases=tuple(aliases),
        admin_code=code,
        admin_names=_chain(code, *below),
        origin=origin,
    )


@pytest.fixture(scope="module")
def synth() -> Gazetteer:
    feats = [
        GazetteerFeature("p99", "测试省", "province", box(120.0, 30.0, 121.5, 30.5), 100.0, "test fixture", "CC0-1.0",
                         admin_code="990000", admin_names=("测试省",), origin="admin"),
        GazetteerFeature("c9901", "测试市", "city", box(120.0, 30.0, 121.0, 30.5), 100.0, "test fixture", "CC0-1.0",
                         aliases=("测试",), admin_code="990100", admin_names=("测试省", "测试市"), origin="admin"),
    ]
    for code, geom in COUNTY_BOX.items():
        feats.append(
            GazetteerFeature(f"d{code}", COUNTY_NAME[code], "district", geom, 100.0, "test fixture", "CC0-1.0",
                             aliases=(COUNTY_NAME[code][:-1],), admin_code=code,
                             admin_names=_chain(code), origin="admin")
        )
    feats += [
        # 西岑: a place of that name in county A and one in county B, 40 km apart
        _feat("xicen-a", "西岑", "village", Point(120.1, 30.1), A),
        _feat("xicen-b", "西岑", "village", Point(120.9, 30.4), B),
        # a station and a road sharing a name, 1 km apart would be one place: make them 8 km apart
        _feat("st-hq", "湖桥", "station", Point(120.2, 30.2), A),
        _feat("rd-hq", "湖桥", "road", LineString([(120.25, 30.25), (120.3, 30.3)]), A),
        # two 新港 in one county, decided by the town named beside them
        _feat("town-dong", "东镇", "town", Point(120.05, 30.05), A, precision_m=2000.0),
        _feat("town-xi", "西镇", "town", Point(120.45, 30.45), A, precision_m=2000.0),
        _feat("xg-dong", "新港", "zone", Point(120.06, 30.06), A, below=("东镇",)),
        _feat("xg-xi", "新港", "zone", Point(120.44, 30.44), A, below=("西镇",)),
        # a township the national layer lists without a point
        _feat("t-nopt", "无点镇", "town", None, A, origin="admin", precision_m=2500.0, below=("无点镇",)),
        # the same township name without a point in two counties
        _feat("t-twice-a", "双名乡", "town", None, A, origin="admin", below=("双名乡",)),
        _feat("t-twice-b", "双名乡", "town", None, B, origin="admin", below=("双名乡",)),
        # a township only in county C (another city)
        _feat("t-far", "远方镇", "town", Point(121.2, 30.2), C, origin="admin", precision_m=2500.0, below=("远方镇",)),
        # a curated town polygon, and a metro line with two stations beyond its west end
        _feat("town-lake", "湖心镇", "town", box(120.3, 30.1, 120.34, 30.14), A, precision_m=2000.0, aliases=("湖心",)),
        _feat("line-9", "9号线", "metro_line", LineString([(120.4, 30.3), (120.3, 30.3)]), A, precision_m=500.0,
              aliases=("轨交9号线",)),
        _feat("st-w1", "西一站", "station", Point(120.25, 30.3), A, precision_m=400.0),
        _feat("st-w2", "西二站", "station", Point(120.2, 30.31), A, precision_m=400.0),
        _feat("st-end", "终点站", "station", Point(120.3, 30.3), A, precision_m=400.0),
        # a county-name-like short alias in the other city, as 江南 (广西) is for 江南水乡
        _feat("d-jn", "江南区", "district", box(121.3, 30.3, 121.4, 30.4), C, origin="admin", aliases=("江南",)),
    ]
    return Gazetteer(feats)


def _j(code: str, level: str = "district") -> Jurisdiction:
    name = COUNTY_NAME.get(code) or CITY_NAME[code[:4]]
    return Jurisdiction(code=code, name=name, level=level, feature_id=f"d{code}")


def _ent(name: str, kind: str, sentence: str = "", *, doc: str = "t01", ids: tuple[str, ...] = (),
         section: str = "一、任务") -> Entity:
    sentence = sentence or f"推进{name}建设。"
    m = Mention(surface=name, name=name, kind=kind, span=(0, len(name)), raw_span=(0, len(name)), sentence=sentence,
                task_id="一", task_path=section, theme="其他", origin="gazetteer", gazetteer_ids=ids, doc=doc)
    return Entity(name=name, kind=kind, doc=doc, mentions=[m])


def _check_honest(loc: Location) -> None:
    """What every result must satisfy, whatever the rule that produced it."""
    assert loc.precision in PRECISIONS
    assert 0.0 <= loc.confidence <= 1.0
    assert loc.reason
    if loc.located:
        assert loc.precision != "none"
        assert loc.precision_m is not None and loc.precision_m > 0
        assert loc.source, f"{loc} has a geometry without a source"
        assert loc.method != "none"
        assert not loc.unresolved_reason
    else:
        assert loc.method in ("none",) or loc.method.startswith("online:")
        assert loc.precision == "none" and loc.precision_m is None
        assert loc.unresolved_reason in ("not-found", "ambiguous", "outside-jurisdiction")


# -------------------------------------------------------------- jurisdiction
@pytest.mark.parametrize("code, want", [(A, "xicen-a"), (B, "xicen-b")])
def test_the_plans_own_county_wins(synth, code, want):
    loc = Resolver(synth, _j(code)).resolve(_ent("西岑", "village"))
    _check_honest(loc)
    assert loc.gazetteer_id == want
    assert loc.method == "exact"
    assert set(loc.candidates) == {"xicen-a", "xicen-b"}
    assert "outside" in loc.reason  # the other one was set aside, and it says so


def test_neither_county_the_plans_is_ambiguous_with_candidates(synth):
    for j in (None, _j(C)):
        loc = Resolver(synth, j).resolve(_ent("西岑", "village"))
        _check_honest(loc)
        assert not loc.located
        assert loc.unresolved_reason == "ambiguous"
        assert len(loc.candidates) == 2
        assert any(c.startswith("xicen-a ") for c in loc.candidates)
        assert any(c.startswith("xicen-b ") for c in loc.candidates)


def test_a_city_plan_holds_its_counties(synth):
    loc = Resolver(synth, _j("990100", "city")).resolve(_ent("西岑", "village"))
    assert loc.unresolved_reason == "ambiguous"  # both counties are the city's: context must decide
    loc = Resolver(synth, _j("990100", "city")).resolve(_ent("西岑", "village", "乙县西岑村庄改造。"))
    assert loc.gazetteer_id == "xicen-b"


def test_outside_jurisdiction_township(synth):
    loc = Resolver(synth, _j(A)).resolve(_ent("远方镇", "town"))
    _check_honest(loc)
    assert loc.unresolved_reason == "outside-jurisdiction"
    assert loc.candidates and loc.candidates[0].startswith("t-far ")
    assert "甲县" in loc.reason
    # with no jurisdiction there is nothing to be outside of
    free = Resolver(synth, None).resolve(_ent("远方镇", "town"))
    assert free.gazetteer_id == "t-far" and free.precision == "town"


# ----------------------------------------------------------------------- kind
@pytest.mark.parametrize("kind, want, geom", [("station", "st-hq", "Point"), ("road", "rd-hq", "LineString")])
def test_kind_decides_between_a_station_and_a_road(synth, kind, want, geom):
    loc = Resolver(synth, _j(A)).resolve(_ent("湖桥", kind))
    _check_honest(loc)
    assert loc.gazetteer_id == want
    assert loc.geometry.geom_type == geom
    assert f"kind {kind} preferred" in loc.reason


def test_kind_beats_layer_origin(synth):
    user_road = _feat("user-rd", "湖桥", "road", LineString([(120.2, 30.21), (120.22, 30.22)]), A, origin="user")
    gaz = Gazetteer([*synth.features, user_road])
    assert Resolver(gaz, _j(A)).resolve(_ent("湖桥", "station")).gazetteer_id == "st-hq"


# -------------------------------------------------------------------- context
@pytest.mark.parametrize("town, want", [("东镇", "xg-dong"), ("西镇", "xg-xi")])
def test_context_a_town_named_in_the_same_sentence_decides(synth, town, want):
    loc = Resolver(synth, _j(A)).resolve(_ent("新港", "zone", f"加快{town}新港片区开发。"))
    _check_honest(loc)
    assert loc.gazetteer_id == want
    assert "same sentence" in loc.reason
    undecided = Resolver(synth, _j(A)).resolve(_ent("新港", "zone", "加快新港片区开发。"))
    assert undecided.unresolved_reason == "ambiguous"
    assert loc.confidence < Resolver(synth, _j(A)).resolve(_ent("西岑", "village")).confidence


def test_context_from_the_section_title(synth):
    loc = Resolver(synth, _j(A)).resolve(_ent("新港", "zone", "加快新港片区开发。", section="三、西镇发展"))
    assert loc.gazetteer_id == "xg-xi"


def test_context_from_a_place_already_placed(synth):
    # a sentence naming a place that is neither county nor town of the
    # candidates, but already placed beside one of them
    done = {"湖心镇": Resolver(synth, _j(A)).resolve(_ent("湖心镇", "town"))}
    assert done["湖心镇"].located
    near = _feat("xg-lake", "新港", "zone", Point(120.35, 30.15), A)
    gaz = Gazetteer([f for f in synth.features if f.id != "xg-xi"] + [near])
    loc = Resolver(gaz, _j(A)).resolve(_ent("新港", "zone", "湖心镇新港片区。"), done)
    assert loc.gazetteer_id == "xg-lake"


# ------------------------------------------------------------------ fallbacks
def test_contained_name_is_placed_at_the_town(synth):
    loc = Resolver(synth, _j(A)).resolve(_ent("湖心镇卫生服务中心", "hospital"))
    _check_honest(loc)
    assert loc.method == "contained-name"
    assert loc.precision == "town"
    assert loc.gazetteer_id == "town-lake"
    assert loc.geometry.geom_type == "Point"  # a point in the town, not the town's outline
    assert box(120.3, 30.1, 120.34, 30.14).covers(loc.geometry)
    assert loc.precision_m >= 2000.0
    assert "湖心镇" in loc.reason and "not in the gazetteer" in loc.reason
    assert loc.confidence < 0.6  # listed for review


def test_contained_name_never_crosses_into_another_city(synth):
    # 江南 is the alias of a district of another city: 江南水乡 is not there
    for j in (_j(A), None):
        loc = Resolver(synth, j).resolve(_ent("江南水乡", "town"))
        _check_honest(loc)
        assert not loc.located
        assert loc.unresolved_reason == "not-found"
    # ...but a plan of that district may mean it
    inside = Resolver(synth, _j(C)).resolve(_ent("江南水乡", "town"))
    assert inside.method == "contained-name" and inside.gazetteer_id == "d-jn"


def test_contained_short_curated_alias_only_at_the_start(synth):
    r = Resolver(synth, _j(A))
    assert r.resolve(_ent("湖心学区", "school")).gazetteer_id == "town-lake"
    assert not r.resolve(_ent("大湖心学区", "school")).located


def test_contained_name_prefers_the_finest_unit(synth):
    loc = Resolver(synth, _j(A)).resolve(_ent("测试儿童医院甲县分院", "hospital"))
    assert loc.gazetteer_id == f"d{A}"
    assert loc.precision == "district"


def test_admin_fallback_places_a_pointless_township_at_its_county(synth):
    loc = Resolver(synth, _j(A)).resolve(_ent("无点镇", "town"))
    _check_honest(loc)
    assert loc.method == "admin-fallback"
    assert loc.precision == "district"
    assert loc.gazetteer_id == f"d{A}"
    assert COUNTY_BOX[A].contains(loc.geometry)
    assert loc.precision_m > 10_000
    assert "甲县" in loc.reason


def test_admin_fallback_does_not_guess_between_counties(synth):
    loc = Resolver(synth, _j("990100", "city")).resolve(_ent("双名乡", "town"))
    _check_honest(loc)
    assert loc.unresolved_reason == "ambiguous"
    assert len(loc.candidates) == 2


def test_not_found(synth):
    loc = Resolver(synth, _j(A)).resolve(_ent("某某产业园", "industrial_park"))
    _check_honest(loc)
    assert loc.unresolved_reason == "not-found"
    assert loc.geometry is None


# ----------------------------------------------------------------- extension
def _done_stations(r: Resolver, *names: str) -> dict[str, Location]:
    return {n: r.resolve(_ent(n, "station")) for n in names}


def test_extension_drawn_through_the_stations_named_with_it(synth):
    r = Resolver(synth, _j(A))
    sentence = "推进9号线西延伸,新设西一站、西二站。"
    done = _done_stations(r, "西一站", "西二站")
    loc = r.resolve(_ent("9号线西延伸", "metro_line", sentence), done)
    _check_honest(loc)
    assert loc.method == "derived"
    assert loc.geometry.geom_type == "LineString"
    coords = list(loc.geometry.coords)
    # from the line's west end (120.3, 30.3) through 西一站 then 西二站
    assert coords[0] == pytest.approx((120.3, 30.3))
    assert coords[1] == pytest.approx((120.25, 30.3))
    assert coords[-1] == pytest.approx((120.2, 30.31))
    assert "西一站" in loc.reason and "西二站" in loc.reason
    assert "line-9" in loc.source


def test_extension_finds_stations_in_the_gazetteer_when_not_placed_yet(synth):
    loc = Resolver(synth, _j(A)).resolve(_ent("9号线西延伸", "metro_line", "9号线西延伸至终点站、西一站、西二站。"))
    assert loc.method == "derived"
    coords = list(loc.geometry.coords)
    assert len(coords) == 3  # the terminal is on the line: the extension starts there, not twice
    assert coords[0] == pytest.approx((120.3, 30.3))


def test_extension_without_stations_falls_back_to_its_line(synth):
    loc = Resolver(synth, _j(A)).resolve(_ent("9号线西延伸", "metro_line", "研究9号线西延伸。"))
    _check_honest(loc)
    assert loc.method == "contained-name"
    assert loc.gazetteer_id == "line-9"
    assert loc.precision != "feature"
    assert "no station" in loc.reason


def test_a_link_road_is_not_an_extension(synth):
    # only the extension suffixes of the vocabulary derive a line
    loc = Resolver(synth, _j(A)).resolve(_ent("9号线联络线", "metro_line", "9号线联络线连接西一站、西二站。"))
    assert loc.method == "contained-name"


# --------------------------------------------------------------- overrides
def test_override_wins_over_the_gazetteer(synth, tmp_path):
    p = tmp_path / "o.csv"
    p.write_text("name,gazetteer_id\n西岑,xicen-b\n", encoding="utf-8")
    loc = Resolver(synth, _j(A), Overrides.load(p)).resolve(_ent("西岑", "village"))
    _check_honest(loc)
    assert loc.method == "override" and loc.gazetteer_id == "xicen-b" and loc.confidence == 1.0


def test_every_result_is_honest(synth):
    r = Resolver(synth, _j(A))
    names = [("西岑", "village"), ("湖桥", "station"), ("新港", "zone"), ("无点镇", "town"), ("远方镇", "town"),
             ("湖心镇", "town"), ("湖心镇卫生服务中心", "hospital"), ("江南水乡", "town"), ("9号线", "metro_line"),
             ("甲县", "district"), ("测试", "city"), ("某某", "other")]
    for name, kind in names:
        _check_honest(r.resolve(_ent(name, kind)))


# ------------------------------------------------------------ real gazetteer
QINGPU = Jurisdiction(code="310118", name="青浦区", level="district", feature_id="cn-310118")
HUZHOU = Jurisdiction(code="330500", name="湖州市", level="city", feature_id="cn-330500")


def test_real_jurisdiction_decides_a_shared_township(gazetteer):
    # 白鹤镇 is a town of 青浦 and of 浙江 (331023), both with a point
    loc = Resolver(gazetteer, QINGPU).resolve(_ent("白鹤镇", "town"))
    _check_honest(loc)
    assert loc.gazetteer_id == "cn-310118110"  # its official code
    assert loc.precision == "town"
    free = Resolver(gazetteer, None).resolve(_ent("白鹤镇", "town"))
    assert free.unresolved_reason == "ambiguous"
    assert any(c.startswith("cn-310118110 ") for c in free.candidates)
    assert any(c.startswith("cn-331023") for c in free.candidates)
    by_context = Resolver(gazetteer, None).resolve(_ent("白鹤镇", "town", "青浦区白鹤镇草莓基地。"))
    assert by_context.gazetteer_id == loc.gazetteer_id


def test_real_township_of_neither_county_is_ambiguous(gazetteer):
    # 双林镇: in 南浔 (湖州) and in 江西; a 青浦 plan owns neither
    assert Resolver(gazetteer, HUZHOU).resolve(_ent("双林镇", "town")).gazetteer_id == "cn-330503102"
    loc = Resolver(gazetteer, QINGPU).resolve(_ent("双林镇", "town"))
    assert loc.unresolved_reason == "ambiguous" and len(loc.candidates) >= 2


def test_real_outside_jurisdiction(gazetteer):
    loc = Resolver(gazetteer, QINGPU).resolve(_ent("花木街道", "street"))
    _check_honest(loc)
    assert loc.unresolved_reason == "outside-jurisdiction"


def test_real_contained_name_and_jiangnan(gazetteer):
    r = Resolver(gazetteer, QINGPU)
    assert r.resolve(_ent("朱家角镇卫生服务中心", "hospital")).method == "exact"  # the gazetteer has it
    loc = r.resolve(_ent("练塘镇卫生院", "hospital"))
    _check_honest(loc)
    assert loc.method == "contained-name" and loc.precision == "town"
    assert gazetteer.get(loc.gazetteer_id).name == "练塘镇"
    assert gazetteer.get(loc.gazetteer_id).origin == "curated"  # the better record of the same town
    for j in (QINGPU, HUZHOU, None):
        jn = Resolver(gazetteer, j).resolve(_ent("江南水乡", "town"))
        _check_honest(jn)
        assert not jn.located, f"江南水乡 placed at {jn.gazetteer_id} for {j}"
    hosp = r.resolve(_ent("上海儿童医院青浦分院", "hospital"))
    assert hosp.gazetteer_id == "cn-310118" and hosp.precision == "district"


def test_real_admin_fallback(gazetteer):
    # 梅溪镇 (安吉县) is listed without a point
    loc = Resolver(gazetteer, HUZHOU).resolve(_ent("梅溪镇", "town"))
    _check_honest(loc)
    assert loc.method == "admin-fallback" and loc.precision == "district"
    assert loc.gazetteer_id == "cn-330523"
    assert gazetteer.get("cn-330523").geometry.contains(loc.geometry)


@pytest.fixture(scope="module")
def without_line17_west(gazetteer) -> Gazetteer:
    """The real gazetteer less its curated 17号线西延伸, so the extension must be derived."""
    return Gazetteer([f for f in gazetteer.features if f.id != "qingpu-metro_line-line17-xiyanshen"])


def test_real_extension_through_named_stations(gazetteer, without_line17_west):
    r = Resolver(without_line17_west, QINGPU)
    # 朱家角站 is on the existing line: named beside the extension, it is not part of it
    sentence = "推进17号线西延伸,自朱家角站、东方绿舟站向西至西岑站。"
    done = {n: r.resolve(_ent(n, "station", sentence)) for n in ("朱家角站", "东方绿舟站", "西岑站")}
    assert all(loc.located for loc in done.values())
    loc = r.resolve(_ent("17号线西延伸", "metro_line", sentence), done)
    _check_honest(loc)
    assert loc.method == "derived"
    assert loc.geometry.geom_type == "LineString"
    line17 = gazetteer.get("qingpu-metro_line-line17").geometry
    # it continues the line: it starts on the line and heads west, through every station named
    assert line17.distance(Point(loc.geometry.coords[0])) < 0.01
    assert loc.geometry.coords[-1][0] < loc.geometry.coords[0][0]
    for n in ("东方绿舟站", "西岑站"):
        assert loc.geometry.distance(done[n].geometry) < 1e-9
    assert "朱家角站" not in loc.reason
    assert loc.geometry.distance(done["朱家角站"].geometry) * 111_320 > 2000
    # and it lies where the curated extension is drawn (within its stated radius)
    curated = gazetteer.get("qingpu-metro_line-line17-xiyanshen").geometry
    assert loc.geometry.hausdorff_distance(curated) * 111_320 < loc.precision_m + 2000
    # with the curated line present, the gazetteer's own geometry wins
    exact = Resolver(gazetteer, QINGPU).resolve(_ent("17号线西延伸", "metro_line", sentence), done)
    assert exact.method == "exact" and exact.gazetteer_id == "qingpu-metro_line-line17-xiyanshen"


def test_real_station_and_line_kinds(gazetteer):
    r = Resolver(gazetteer, QINGPU)
    st = r.resolve(_ent("朱家角站", "station"))
    assert st.method == "exact" and st.geometry.geom_type == "Point" and st.precision == "feature"
    line = r.resolve(_ent("轨交17号线", "metro_line"))
    assert line.method == "alias" and line.geometry.geom_type in ("LineString", "MultiLineString")
    district = r.resolve(_ent("青浦区", "district"))
    assert district.geometry.geom_type in ("Polygon", "MultiPolygon") and district.precision_m > 0


def test_a_stem_surface_is_not_the_place_it_names(synth):
    # "湖心、湖东文化创意产业园": the surface 湖心 is the park's stem, not the town
    ent = _ent("湖心文化创意产业园", "industrial_park", "建设湖心、湖东文化创意产业园。")
    ent.mentions[0].surface = "湖心"
    loc = Resolver(synth, _j(A)).resolve(ent)
    _check_honest(loc)
    assert loc.method == "contained-name" and loc.precision == "town"
    # a surface of the entity's own kind is an alias
    town = _ent("湖心镇", "town")
    town.mentions[0].surface = "湖心"
    assert Resolver(synth, _j(A)).resolve(town).method == "exact"


# ------------------------------------------------------------------ villages
@pytest.fixture(scope="module")
def synth_villages(synth) -> Gazetteer:
    """The synthetic gazetteer with a village list: villages have names and towns, never positions."""
    records = [
        VillageRecord("湖心村", A, "湖心镇"),  # one town, which has a curated outline
        VillageRecord("无点村", A, "无点镇"),  # one town, listed without a point
        VillageRecord("两镇村", A, "东镇"),
        VillageRecord("两镇村", A, "西镇"),  # two towns of one county
        VillageRecord("两县村", A, "东镇"),
        VillageRecord("两县村", B, "某镇"),  # two counties of one city
        VillageRecord("远村", C, "远方镇"),  # another city
    ]
    return Gazetteer(synth.features, villages=VillageList.from_records(records, "test village list"))


def test_village_is_placed_at_its_town_at_town_precision(synth_villages):
    loc = Resolver(synth_villages, _j(A)).resolve(_ent("湖心村", "village"))
    _check_honest(loc)
    assert loc.method == "admin-fallback" and loc.precision == "town"
    assert loc.gazetteer_id == "town-lake" and box(120.3, 30.1, 120.34, 30.14).contains(loc.geometry)
    assert loc.precision_m >= 6000  # anywhere in the town, not at its seat
    assert "湖心镇" in loc.reason and "village" in loc.reason and "village list" in loc.source


def test_village_of_a_town_without_position_goes_to_its_county(synth_villages):
    loc = Resolver(synth_villages, _j(A)).resolve(_ent("无点村", "village"))
    _check_honest(loc)
    assert loc.precision == "district" and loc.gazetteer_id == f"d{A}"
    assert COUNTY_BOX[A].contains(loc.geometry)


def test_village_in_two_towns_of_one_county_is_placed_at_the_county(synth_villages):
    loc = Resolver(synth_villages, _j(A)).resolve(_ent("两镇村", "village"))
    _check_honest(loc)
    assert loc.precision == "district" and "东镇" in loc.reason and "西镇" in loc.reason


def test_village_in_two_counties_is_ambiguous_and_lists_both(synth_villages):
    loc = Resolver(synth_villages, _j("9901", "city")).resolve(_ent("两县村", "village"))
    _check_honest(loc)
    assert loc.unresolved_reason == "ambiguous"
    assert any("东镇" in c and "甲县" in c for c in loc.candidates) and any("乙县" in c for c in loc.candidates)
    # inside one county of the two, the plan's own county decides
    assert Resolver(synth_villages, _j(B)).resolve(_ent("两县村", "village")).located


def test_village_needs_the_plan_jurisdiction(synth_villages):
    # no jurisdiction: village names repeat by the hundred, so nothing is placed
    assert Resolver(synth_villages, None).resolve(_ent("无点村", "village")).unresolved_reason == "not-found"
    # a village of another city is not this plan's
    assert Resolver(synth_villages, _j(A)).resolve(_ent("远村", "village")).unresolved_reason == "not-found"


def test_real_village_of_lianta(gazetteer):
    """东庄村: about 200 villages in China carry the name; 青浦's is in 练塘镇."""
    loc = Resolver(gazetteer, QINGPU).resolve(_ent("东庄村", "village"))
    _check_honest(loc)
    assert loc.method == "admin-fallback" and loc.precision == "town"
    assert "练塘镇" in loc.reason
    town = gazetteer.get(loc.gazetteer_id)
    assert town.name == "练塘镇" and town.county_code == "310118"
    # a 湖州 plan never puts its own 张巷村 in 青浦's 朱家角镇
    other = Resolver(gazetteer, HUZHOU).resolve(_ent("张巷村", "village"))
    assert "朱家角镇" not in other.reason and not (other.gazetteer_id or "").startswith("cn-310118")


# ------------------------------------------------------------------- locate
def test_locate_keeps_one_record_per_gazetteer_feature(synth):
    """湖心 (an alias) and 湖心镇 are one place: one record, the official name, both mentions."""
    from geoplan.geocode import locate

    placed = locate([_ent("湖心", "town"), _ent("湖桥", "station"), _ent("湖心镇", "town")], synth, _j(A))
    assert [p.entity.name for p in placed] == ["湖桥", "湖心镇"]
    town = placed[1]
    assert town.location.gazetteer_id == "town-lake" and town.kind == "town"
    assert sorted(m.surface for m in town.entity.mentions) == ["湖心", "湖心镇"]


def test_locate_asks_online_only_for_names_not_found(synth):
    """An ambiguous name stays for the planner; a name found nowhere goes to the opt-in provider."""
    from geoplan.geocode import locate

    asked: list[tuple[str, str | None, bool]] = []

    class Provider:
        def geocode(self, name, region=None, within=None):
            asked.append((name, region, within is not None))
            return Location(Point(120.2, 30.2), "feature", 50.0, "online:test", 0.7, "test provider", source="test")

    ents = [_ent("新港", "zone", "加快新港片区开发。"), _ent("某某产业园", "industrial_park"), _ent("湖桥", "station")]
    placed = {p.entity.name: p.location for p in locate(ents, synth, _j(A), geocoder=Provider())}
    assert asked == [("某某产业园", "甲县", True)]
    assert placed["某某产业园"].method == "online:test"
    assert placed["新港"].unresolved_reason == "ambiguous"
    assert placed["湖桥"].method == "exact"
