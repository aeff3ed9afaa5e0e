"""Size and load time of the planner's map for 100, 1,000 and 10,000 features.

Why: a city-wide plan names a few hundred places, a bureau's project layer can
hold thousands; this shows whether the single-file page stays mailable and
opens in seconds.  Load time is measured in headless Chromium from navigation
to the moment every feature is in the ``geoplanMap`` registry and drawn
(``load`` event plus the clusters built).  Run::

    python bench/bench_map.py [--sizes 100 1000 10000] [--assets inline] [--repeat 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

try:
    from geoplan.map import render_map
except ModuleNotFoundError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from geoplan.map import render_map

import geopandas as gpd  # noqa: E402

from geoplan.map.sample import synthetic_layer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
THEMES = ["交通", "生态", "产业", "公共服务", "文旅", "科创"]
NO_BASEMAP = gpd.GeoDataFrame(columns=["name", "kind", "geometry"], geometry="geometry", crs="EPSG:4326")


def load_ms(browser, path: Path) -> tuple[float, int, list[str]]:
    """Milliseconds until the map's registry has drawn everything; visible count; remote requests."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    remote: list[str] = []
    page.on("request", lambda r: r.url.startswith(("file:", "data:")) or remote.append(r.url))
    t0 = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load", timeout=300_000)
    page.wait_for_function("window.geoplanMap && geoplanMap.visibleCount() === geoplanMap.locatedCount",
                           timeout=300_000)
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    ms = (time.perf_counter() - t0) * 1000
    visible = page.evaluate("geoplanMap.visibleCount()")
    page.close()
    return ms, visible, remote


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--assets", choices=["inline", "files"], default="inline")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    print(f"{'features':>9} {'render s':>9} {'HTML KiB':>9} {'load ms (best)':>15} {'visible':>8}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n in args.sizes:
            layer = synthetic_layer(n, THEMES, (121.0, 31.1), spread_deg=0.6, seed=n)
            out = Path(tmp) / f"map-{n}.html"
            t0 = time.perf_counter()
            render_map(layer, out, title=f"{n} features", assets=args.assets, basemap=NO_BASEMAP)
            render_s = time.perf_counter() - t0
            runs = [load_ms(browser, out) for _ in range(args.repeat)]
            best = min(r[0] for r in runs)
            visible = runs[-1][1]
            if any(r[2] for r in runs):
                print(f"  remote requests! {runs[0][2][:3]}", file=sys.stderr)
            print(f"{n:>9} {render_s:>9.2f} {out.stat().st_size / 1024:>9.0f} {best:>15.0f} {visible:>8}")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
