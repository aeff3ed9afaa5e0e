"""Online geocoders against a scripted HTTP server on 127.0.0.1.

The server answers in each provider's own format; the tests check what geoplan
makes of success, empty answers, retries, outages, timeouts, junk, refused keys,
datum conversion, the cache, the jurisdiction test and the pacing.  A guard
makes any connection to a host other than 127.0.0.1 fail the test.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from coord_convert import transform as ref
from shapely.geometry import Point, box

from geoplan.errors import (
    FilterError,
    GeocoderAuthError,
    GeocoderError,
    GeocoderQuotaError,
    GeocoderResponseError,
    GeocoderUnavailable,
)
from geoplan.geocode.online import PROVIDERS, GeocodeCache, get_geocoder

# West Lake, Hangzhou, in WGS-84; and Hangzhou's rough extent as the jurisdiction.
WEST_LAKE = (120.1480, 30.2480)
HANGZHOU = box(118.34, 29.18, 120.73, 30.57)
NANJING = (118.7969, 32.0603)  # a plausible wrong answer, far outside Hangzhou


# ------------------------------------------------------------------ the server
@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list → JSON, str/bytes sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    at: float
    path: str
    params: dict[str, str]


class FakeServer:
    """Answers scripted replies in order, then the default one; records every request."""

    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.default = Reply(200, {})
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 — http.server's naming
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                with outer._lock:
                    outer.requests.append(Seen(time.monotonic(), parts.path, params))
                    reply = outer.script.popleft() if outer.script else outer.default
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body
                if isinstance(body, (dict, list)):
                    body = json.dumps(body, ensure_ascii=False)
                data = body.encode("utf-8") if isinstance(body, str) else (body or b"")
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def queue(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def only_localhost(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse (and remember) any connection to a host other than 127.0.0.1."""
    blocked: list[str] = []
    real = socket.create_connection

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host = address[0]
        if host not in ("127.0.0.1", "localhost", "::1"):
            blocked.append(f"{host}:{address[1]}")
            raise ConnectionRefusedError(f"test guard: no network to {host}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    yield blocked
    assert not blocked, f"tried to reach {blocked}"


# ------------------------------------------------------------- provider formats
@dataclass
class Case:
    """How one provider spells its answers, and the datum it answers in."""

    name: str
    path: str
    to_provider: Callable[[float, float], tuple[float, float]]  # WGS-84 → provider datum
    success: Callable[[float, float], Any]  # (lon, lat) in the provider's datum → body
    empty: Any
    auth_failure: Reply  # a refusal in the provider's own words
    expect_precision: str
    expect_confidence: float
    query_key: str = "address"
    region_key: str | None = None

    def ok(self, wgs: tuple[float, float] = WEST_LAKE) -> Reply:
        return Reply(200, self.success(*self.to_provider(*wgs)))


def _nominatim_place(lon: float, lat: float, rank: int = 22) -> dict[str, Any]:
    return {
        "place_id": 1, "lat": f"{lat:.7f}", "lon": f"{lon:.7f}", "display_name": "西湖, 西湖区, 杭州市, 浙江省, 中国",
        "class": "natural", "type": "water", "place_rank": rank, "importance": 0.61,
        "boundingbox": [f"{lat - 0.001:.7f}", f"{lat + 0.001:.7f}", f"{lon - 0.001:.7f}", f"{lon + 0.001:.7f}"],
    }


CASES = {
    "nominatim": Case(
        "nominatim", "/search", lambda x, y: (x, y),
        lambda x, y: [_nominatim_place(x, y)], [],
        Reply(403, "<html>Access blocked</html>"),
        expect_precision="feature", expect_confidence=0.6, query_key="q",
    ),
    "baidu": Case(
        "baidu", "/geocoding/v3/", ref.wgs2bd,
        lambda x, y: {"status": 0, "result": {"location": {"lng": x, "lat": y}, "precise": 1, "confidence": 80,
                                              "comprehension": 95, "level": "旅游景点"}},
        {"status": 1, "msg": "Internal Service Error:无相关结果", "results": []},
        Reply(200, {"status": 200, "message": "APP不存在，AK有误请检查再重试"}),
        expect_precision="feature", expect_confidence=0.85, region_key="city",
    ),
    "amap": Case(
        "amap", "/v3/geocode/geo", ref.wgs2gcj,
        lambda x, y: {"status": "1", "info": "OK", "infocode": "10000", "count": "1", "geocodes": [
            {"formatted_address": "浙江省杭州市西湖区西湖", "province": "浙江省", "city": "杭州市", "district": "西湖区",
             "township": [], "location": f"{x:.6f},{y:.6f}", "level": "兴趣点"}]},
        {"status": "1", "info": "OK", "infocode": "10000", "count": "0", "geocodes": []},
        Reply(200, {"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"}),
        expect_precision="feature", expect_confidence=0.65, region_key="city",
    ),
    "tencent": Case(
        "tencent", "/ws/geocoder/v1/", ref.wgs2gcj,
        lambda x, y: {"status": 0, "message": "query ok", "result": {
            "title": "西湖", "location": {"lng": x, "lat": y},
            "address_components": {"province": "浙江省", "city": "杭州市", "district": "西湖区", "street": "", "street_number": ""},
            "similarity": 0.8, "deviation": 1000, "reliability": 7, "level": 11}},
        {"status": 347, "message": "查询无结果"},
        Reply(200, {"status": 190, "message": "无效的KEY"}),
        expect_precision="feature", expect_confidence=0.7, region_key="region",
    ),
}


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


def make(case: Case, server: FakeServer, **kw: Any):
    options = {"min_delay": 0.0, "max_retries": 2, "backoff_s": 0.01, "timeout": 2.0, "proxies": {}}
    options.update(kw)
    key = None if case.name == "nominatim" else "test-key"
    return get_geocoder(case.name, api_key=key, base_url=server.url, **options)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    from geopy.distance import geodesic

    return geodesic((a[1], a[0]), (b[1], b[0])).meters


# ----------------------------------------------------------------- the answers
def test_success_in_wgs84(case: Case, server: FakeServer) -> None:
    server.queue(case.ok())
    geo = make(case, server)
    loc = geo.geocode("西湖", region="杭州市", within=HANGZHOU)
    assert loc.located
    assert loc.method == f"online:{case.name}"
    assert loc.precision == case.expect_precision
    assert loc.confidence == pytest.approx(case.expect_confidence)
    assert loc.source_crs == {"nominatim": "EPSG:4326", "baidu": "BD-09"}.get(case.name, "GCJ-02")
    # converted back to where the place really is (well under a metre; Amap rounds to 6 decimals)
    assert metres((loc.geometry.x, loc.geometry.y), WEST_LAKE) < 0.2
    assert loc.precision_m and loc.precision_m > 0
    assert loc.unresolved_reason == ""
    # one request, to the provider's path, asking for the name within the region
    (seen,) = server.requests
    assert seen.path == case.path
    assert "西湖" in seen.params[case.query_key] and "杭州市" in seen.params[case.query_key]
    if case.region_key:
        assert seen.params[case.region_key] == "杭州市"
    if case.name != "nominatim":
        assert "test-key" in seen.params.values()


def test_shift_is_not_ignored(case: Case, server: FakeServer) -> None:
    """Reading the provider's numbers as WGS-84 would be hundreds of metres off."""
    server.queue(case.ok())
    loc = make(case, server).geocode("西湖", region="杭州市")
    raw = case.to_provider(*WEST_LAKE)
    if case.name == "nominatim":
        assert raw == WEST_LAKE
    else:
        assert metres(raw, WEST_LAKE) > 300
        assert metres((loc.geometry.x, loc.geometry.y), raw) > 300


def test_baidu_bd09_converted_exactly(server: FakeServer) -> None:
    """A BD-09 answer computed by an independent implementation comes back to the WGS-84 point."""
    wgs = (116.3975, 39.9087)  # Tiananmen
    bd = ref.wgs2bd(*wgs)
    server.queue(Reply(200, {"status": 0, "result": {"location": {"lng": bd[0], "lat": bd[1]}, "precise": 1,
                                                     "confidence": 100, "comprehension": 100, "level": "门址"}}))
    loc = make(CASES["baidu"], server).geocode("天安门", region="北京市")
    assert metres((loc.geometry.x, loc.geometry.y), wgs) < 0.01
    assert loc.precision == "feature" and loc.precision_m == 50.0  # 门址, confidence 100 → 20 m < 50 m
    assert loc.source_crs == "BD-09"


def test_empty_result_is_not_found(case: Case, server: FakeServer) -> None:
    server.queue(Reply(200, case.empty))
    loc = make(case, server).geocode("不存在的地方", region="杭州市")
    assert not loc.located
    assert loc.unresolved_reason == "not-found"
    assert loc.precision == "none" and loc.method == f"online:{case.name}"
    assert "no result" in loc.reason
    assert len(server.requests) == 1  # "nothing found" is an answer, not a failure to retry


# -------------------------------------------------------------------- failures
def test_429_then_success_honours_retry_after(case: Case, server: FakeServer) -> None:
    server.queue(Reply(429, {"error": "slow down"}, {"Retry-After": "1"}), case.ok())
    loc = make(case, server, backoff_s=0.01).geocode("西湖", region="杭州市")
    assert loc.located
    first, second = server.requests
    assert second.at - first.at >= 0.95  # waited for Retry-After, not the 10 ms backoff


def test_429_persisting_is_a_quota_error(case: Case, server: FakeServer) -> None:
    server.default = Reply(429, {"error": "slow down"})
    with pytest.raises(GeocoderQuotaError, match=case.name):
        make(case, server, max_retries=2).geocode("西湖")
    assert len(server.requests) == 3


def test_huge_retry_after_fails_at_once(case: Case, server: FakeServer) -> None:
    server.default = Reply(429, {}, {"Retry-After": "3600"})
    with pytest.raises(GeocoderQuotaError, match="Retry-After"):
        make(case, server, max_retries=5).geocode("西湖")
    assert len(server.requests) == 1


def test_500s_are_retried_then_unavailable(case: Case, server: FakeServer) -> None:
    server.default = Reply(500, "Internal Server Error")
    with pytest.raises(GeocoderUnavailable, match="after 4 attempts"):
        make(case, server, max_retries=3).geocode("西湖")
    assert len(server.requests) == 4


def test_503_then_success(case: Case, server: FakeServer) -> None:
    server.queue(Reply(503, "busy"), Reply(502, "bad gateway"), case.ok())
    assert make(case, server, max_retries=2).geocode("西湖").located
    assert len(server.requests) == 3


def test_backoff_grows(case: Case, server: FakeServer) -> None:
    server.default = Reply(500, "")
    waits: list[float] = []
    geo = make(case, server, max_retries=4, backoff_s=0.5, backoff_max_s=3.0, sleep=waits.append)
    with pytest.raises(GeocoderUnavailable):
        geo.geocode("西湖")
    assert waits == [0.5, 1.0, 2.0, 3.0]


def test_timeout_is_retried_then_unavailable(case: Case, server: FakeServer) -> None:
    server.default = Reply(200, case.success(*WEST_LAKE), delay=0.8)
    t0 = time.monotonic()
    with pytest.raises(GeocoderUnavailable, match="timed out"):
        make(case, server, timeout=0.2, max_retries=1).geocode("西湖")
    assert len(server.requests) == 2
    assert time.monotonic() - t0 < 1.5  # gave up on the client timeout, did not wait for the server


def test_malformed_body(case: Case, server: FakeServer) -> None:
    server.queue(Reply(200, "<html>这不是 JSON</html>"))
    with pytest.raises(GeocoderResponseError, match=case.name):
        make(case, server).geocode("西湖")
    assert len(server.requests) == 1  # junk is not retried


@pytest.mark.parametrize("body", [{"unexpected": True}, [{"no": "coordinates"}], "null"])
def test_valid_json_wrong_shape(case: Case, server: FakeServer, body: Any) -> None:
    server.queue(Reply(200, body))
    if case.name == "nominatim" and body == "null":
        # geopy documents Nominatim's null as "no result": not found, not an error
        assert not make(case, server).geocode("西湖").located
        return
    with pytest.raises(GeocoderResponseError):
        make(case, server).geocode("西湖")


def test_http_401_is_auth_error(case: Case, server: FakeServer) -> None:
    server.default = Reply(401, {"error": "unauthorized"})
    with pytest.raises(GeocoderAuthError) as info:
        make(case, server).geocode("西湖")
    assert "401" in str(info.value) and case.name in str(info.value)
    assert len(server.requests) == 1  # a refused key is not retried


def test_provider_auth_status_is_auth_error(case: Case, server: FakeServer) -> None:
    server.default = case.auth_failure
    with pytest.raises(GeocoderAuthError) as info:
        make(case, server).geocode("西湖")
    message = str(info.value)
    assert case.name in message and ("key" in message.lower() or "User-Agent" in message)
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("name", "busy"),
    [
        ("baidu", {"status": 401, "message": "当前并发量已经超过约定并发配额"}),
        ("amap", {"status": "0", "info": "CUQPS_HAS_EXCEEDED_THE_LIMIT", "infocode": "10020"}),
        ("tencent", {"status": 120, "message": "此key每秒请求量已达到上限"}),
    ],
)
def test_provider_rate_limit_status_is_retried(name: str, busy: dict, server: FakeServer) -> None:
    case = CASES[name]
    server.queue(Reply(200, busy), case.ok())
    assert make(case, server).geocode("西湖").located
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("name", "gone"),
    [
        ("baidu", {"status": 302, "message": "天配额超限，限制访问"}),
        ("amap", {"status": "0", "info": "DAILY_QUERY_OVER_LIMIT", "infocode": "10003"}),
        ("tencent", {"status": 121, "message": "此key每日调用量已达到上限"}),
    ],
)
def test_daily_quota_fails_at_once(name: str, gone: dict, server: FakeServer) -> None:
    server.default = Reply(200, gone)
    with pytest.raises(GeocoderQuotaError, match="quota"):
        make(CASES[name], server, max_retries=3).geocode("西湖")
    assert len(server.requests) == 1


def test_errors_are_geoplan_errors(server: FakeServer) -> None:
    server.default = Reply(500, "")
    with pytest.raises(GeocoderError) as info:
        make(CASES["amap"], server, max_retries=0).geocode("西湖")
    assert info.value.exit_code == 6


# ------------------------------------------------------------------------ cache
def test_cache_hit_sends_no_request(case: Case, server: FakeServer, tmp_path) -> None:
    server.default = case.ok()
    first = make(case, server, cache_dir=tmp_path).geocode("西湖", region="杭州市", within=HANGZHOU)
    assert len(server.requests) == 1
    again = make(case, server, cache_dir=tmp_path)  # a new process would see the same file
    second = again.geocode("西湖", region="杭州市", within=HANGZHOU)
    assert len(server.requests) == 1 and again.requests_sent == 0
    assert second.geometry.equals_exact(first.geometry, 1e-12)
    assert (second.precision, second.precision_m, second.confidence) == (first.precision, first.precision_m, first.confidence)
    # another region is another question
    again.geocode("西湖", region="杭州市西湖区")
    assert len(server.requests) == 2


def test_cache_stores_raw_answer_in_provider_datum(case: Case, server: FakeServer, tmp_path) -> None:
    server.default = case.ok()
    make(case, server, cache_dir=tmp_path).geocode("西湖", region="杭州市")
    (cand,) = GeocodeCache(tmp_path).get(case.name, "西湖", "杭州市")
    assert (cand.lon, cand.lat) == pytest.approx(case.to_provider(*WEST_LAKE), abs=1e-6)
    assert cand.crs == {"nominatim": "EPSG:4326", "baidu": "BD-09"}.get(case.name, "GCJ-02")
    assert cand.raw  # the provider's JSON, kept whole


def test_empty_answer_is_cached_errors_are_not(server: FakeServer, tmp_path) -> None:
    case = CASES["amap"]
    server.queue(Reply(200, case.empty), Reply(500, ""), case.ok())
    geo = make(case, server, cache_dir=tmp_path, max_retries=0)
    assert not geo.geocode("无名地").located
    assert not geo.geocode("无名地").located
    assert len(server.requests) == 1
    with pytest.raises(GeocoderUnavailable):
        geo.geocode("西湖")
    assert geo.geocode("西湖").located  # the failure was not remembered
    assert len(server.requests) == 3


def test_cache_max_age(server: FakeServer, tmp_path) -> None:
    case = CASES["tencent"]
    server.default = case.ok()
    make(case, server, cache_dir=tmp_path).geocode("西湖")
    make(case, server, cache_dir=tmp_path, cache_max_age_s=0.0).geocode("西湖")
    assert len(server.requests) == 2


# ----------------------------------------------------------------- jurisdiction
def test_outside_jurisdiction_rejected(case: Case, server: FakeServer) -> None:
    server.queue(case.ok(NANJING))
    loc = make(case, server).geocode("西湖", region="杭州市", within=HANGZHOU)
    assert not loc.located
    assert loc.unresolved_reason == "outside-jurisdiction"
    assert "outside the jurisdiction" in loc.reason and "km" in loc.reason
    assert loc.candidates  # what the provider offered, for the reviewer


def test_inside_polygon_accepted_near_edge(case: Case, server: FakeServer) -> None:
    """The test is made on WGS-84: a point just inside stays inside after conversion."""
    edge = box(WEST_LAKE[0] - 0.001, WEST_LAKE[1] - 0.001, WEST_LAKE[0] + 0.001, WEST_LAKE[1] + 0.001)
    server.queue(case.ok())
    assert make(case, server).geocode("西湖", within=edge).located


def test_first_candidate_inside_wins(server: FakeServer) -> None:
    case = CASES["amap"]
    nj, wl = ref.wgs2gcj(*NANJING), ref.wgs2gcj(*WEST_LAKE)
    body = {"status": "1", "info": "OK", "infocode": "10000", "count": "2", "geocodes": [
        {"formatted_address": "江苏省南京市玄武区", "location": f"{nj[0]},{nj[1]}", "level": "区县"},
        {"formatted_address": "浙江省杭州市西湖区西湖", "location": f"{wl[0]},{wl[1]}", "level": "兴趣点"}]}
    server.queue(Reply(200, body))
    loc = make(case, server).geocode("西湖", within=HANGZHOU)
    assert loc.located and loc.reason.endswith("浙江省杭州市西湖区西湖")
    assert loc.candidates == ("江苏省南京市玄武区", "浙江省杭州市西湖区西湖")
    assert metres((loc.geometry.x, loc.geometry.y), WEST_LAKE) < 0.2


def test_province_level_match_is_not_a_location(server: FakeServer) -> None:
    case = CASES["amap"]
    zj = ref.wgs2gcj(120.15, 29.5)
    server.queue(Reply(200, {"status": "1", "info": "OK", "infocode": "10000", "count": "1", "geocodes": [
        {"formatted_address": "浙江省", "location": f"{zj[0]},{zj[1]}", "level": "省"}]}))
    loc = make(case, server).geocode("某某工程")
    assert not loc.located and loc.unresolved_reason == "not-found"
    assert "level 省" in loc.reason


@pytest.mark.parametrize(
    ("name", "place", "precision", "radius"),
    [
        ("amap", {"formatted_address": "x", "location": "120.15,30.25", "level": "乡镇"}, "town", 5000.0),
        ("amap", {"formatted_address": "x", "location": "120.15,30.25", "level": "新的级别"}, "feature", 1000.0),
        ("baidu", {"location": {"lng": 120.15, "lat": 30.25}, "confidence": 20, "comprehension": 40, "level": "门址"},
         "feature", 10000.0),
        ("tencent", {"location": {"lng": 120.15, "lat": 30.25}, "deviation": -1, "reliability": 3, "level": 2},
         "district", 15000.0),
    ],
)
def test_precision_from_provider_levels(name: str, place: dict, precision: str, radius: float,
                                        server: FakeServer) -> None:
    body = {
        "amap": {"status": "1", "info": "OK", "infocode": "10000", "geocodes": [place]},
        "baidu": {"status": 0, "result": place},
        "tencent": {"status": 0, "message": "query ok", "result": place},
    }[name]
    server.queue(Reply(200, body))
    loc = make(CASES[name], server).geocode("某地")
    assert (loc.precision, loc.precision_m) == (precision, radius)


def test_nominatim_rank_and_bounding_box(server: FakeServer) -> None:
    place = _nominatim_place(*WEST_LAKE, rank=16)
    place["boundingbox"] = ["30.0", "30.5", "119.9", "120.4"]  # a town-sized area
    server.queue(Reply(200, [place]))
    loc = make(CASES["nominatim"], server).geocode("某镇")
    assert loc.precision == "town"
    assert 25_000 < loc.precision_m < 40_000  # half the box's diagonal beats the rank's 8 km
    assert "place_rank 16" in loc.reason


def test_nominatim_viewbox_bounded(server: FakeServer) -> None:
    server.queue(CASES["nominatim"].ok())
    make(CASES["nominatim"], server).geocode("西湖", region="杭州市", within=HANGZHOU)
    params = server.requests[0].params
    assert params["bounded"] == "1" and params["countrycodes"] == "cn"
    lons_lats = [float(v) for v in params["viewbox"].split(",")]
    assert sorted(lons_lats) == sorted([118.34, 29.18, 120.73, 30.57])
    assert params["q"] == "西湖, 杭州市"


def test_region_not_repeated(server: FakeServer) -> None:
    server.queue(CASES["amap"].ok())
    make(CASES["amap"], server).geocode("杭州市西湖", region="杭州市")
    assert server.requests[0].params["address"] == "杭州市西湖"


# ---------------------------------------------------------------- rate limiting
def test_requests_are_spaced(case: Case, server: FakeServer) -> None:
    server.default = case.ok()
    geo = make(case, server, min_delay=0.25)
    for name in ("一", "二", "三", "四"):
        geo.geocode(name)
    times = [r.at for r in server.requests]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(gaps) == 3
    assert min(gaps) >= 0.25 - 0.03, gaps


def test_default_delay_follows_policy() -> None:
    assert get_geocoder("nominatim").min_delay == 1.0
    assert get_geocoder("amap", api_key="k").min_delay < 1.0


# --------------------------------------------------------------------- registry
def test_registry() -> None:
    assert set(PROVIDERS) == {"nominatim", "baidu", "amap", "tencent"}
    assert get_geocoder("gaode", api_key="k").name == "amap"
    assert get_geocoder("OSM").name == "nominatim"
    with pytest.raises(FilterError, match="amap"):
        get_geocoder("google")


@pytest.mark.parametrize("name", ["baidu", "amap", "tencent"])
def test_keyed_provider_without_key(name: str) -> None:
    with pytest.raises(GeocoderAuthError, match="key"):
        get_geocoder(name)


def test_bad_base_url() -> None:
    with pytest.raises(GeocoderError, match="base_url"):
        get_geocoder("nominatim", base_url="ftp://example")


# ------------------------------------------------------------------------ guard
def test_guard_blocks_real_hosts(only_localhost: list[str]) -> None:
    """Without base_url a provider would go to its real host: the guard stops it."""
    geo = get_geocoder("amap", api_key="k", min_delay=0, max_retries=0, proxies={})
    with pytest.raises(GeocoderUnavailable):
        geo.geocode("西湖")
    assert only_localhost == ["restapi.amap.com:443"]
    only_localhost.clear()
