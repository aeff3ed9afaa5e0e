"""Plans built in worker processes give the same result as one by one."""

from __future__ import annotations

import json

from geoplan.pipeline import build


def _unreadable(tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip archive")
    return bad


def test_jobs_give_the_same_result_as_one_process(corpus_files, gazetteer, tmp_path):
    plans = [*sorted(corpus_files)[:3], _unreadable(tmp_path)]
    one = build(plans, gazetteer=gazetteer, jobs=1)
    two = build(plans, gazetteer=gazetteer, jobs=2)
    assert [p.doc for p in two.plans] == [p.doc for p in one.plans]
    assert two.errors == one.errors and len(one.errors) == 1
    assert json.dumps(two.report, ensure_ascii=False, sort_keys=True) == json.dumps(
        one.report, ensure_ascii=False, sort_keys=True
    )
    cols = [c for c in one.layers.features.columns if c != "geometry"]
    assert one.layers.features[cols].equals(two.layers.features[cols])
    assert list(one.layers.features.geometry.to_wkt()) == list(two.layers.features.geometry.to_wkt())
    assert one.layers.mentions.equals(two.layers.mentions)
    assert one.layers.unresolved.equals(two.layers.unresolved)


def test_progress_sees_every_plan_with_its_characters(corpus_files, gazetteer, tmp_path):
    plans = [*sorted(corpus_files)[:2], _unreadable(tmp_path)]
    seen = []

    def progress(done):
        for d in done:
            seen.append((d.index, d.chars, d.error is None))
            yield d

    result = build(plans, gazetteer=gazetteer, jobs=2, progress=progress)
    assert sorted(i for i, _, _ in seen) == [0, 1, 2]
    by_index = {i: (chars, ok) for i, chars, ok in seen}
    assert by_index[2] == (0, False)
    assert [by_index[i][0] for i in (0, 1)] == [len(p.norm.text) for p in result.plans]


def test_maps_drawn_by_workers_are_the_maps_one_process_draws(corpus_files, gazetteer, tmp_path):
    """With jobs > 1 the maps are drawn in worker processes: the same files, each a whole page."""
    plans = sorted(corpus_files)[:2]
    one = build(plans, tmp_path / "one", gazetteer=gazetteer, jobs=1)
    two = build(plans, tmp_path / "two", gazetteer=gazetteer, jobs=2)
    names_one = sorted(p.name for p in (tmp_path / "one" / "maps").glob("*.html"))
    names_two = sorted(p.name for p in (tmp_path / "two" / "maps").glob("*.html"))
    assert names_two == names_one and "index.html" in names_one and len(names_one) > 2
    for name in names_one:
        page = (tmp_path / "two" / "maps" / name).read_text(encoding="utf-8")
        assert page.rstrip().endswith("</html>")
        # the same features on each map: every feature id of the one-process page is on the other
        ids = [f for f in one.layers.features["id"] if f in (tmp_path / "one" / "maps" / name).read_text(encoding="utf-8")]
        assert all(i in page for i in ids)
    assert two.written["map"] == tmp_path / "two" / "maps" / "index.html"
