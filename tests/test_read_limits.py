"""Reader limits: a zip bomb, a huge PDF or an endless text is refused while streaming, naming the limit.

Reproducer (issue 19): a 1 MB ``.docx`` whose ``word/document.xml`` unpacks to
hundreds of MB took gigabytes of memory and ended the whole build with a
MemoryError.  Now it is one unreadable plan (exit 3); the others are written.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from geoplan.cli import main
from geoplan.errors import PlanReadError
from geoplan.read import limits, read_plan

PLAN = "上海市青浦区交通建设要点\n一、主要任务\n(一)交通\n1.建设朱家角站周边接驳道路，推进淀山湖岸线修复。\n"


def _docx(path: Path, text: str = PLAN, padding: int = 0) -> Path:
    """A valid .docx; ``padding`` bytes of an XML comment make document.xml as large as wanted."""
    import docx

    base = path.with_suffix(".base.docx")
    d = docx.Document()
    for line in text.splitlines():
        d.add_paragraph(line)
    d.save(base)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "word/document.xml" or not padding:
                dst.writestr(info, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            member = zipfile.ZipInfo("word/document.xml")
            member.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(member, "w", force_zip64=True) as out:
                out.write(head + b"<w:body><!--")
                chunk = b"a" * (1 << 20)
                for _ in range(padding // len(chunk)):
                    out.write(chunk)
                out.write(b"-->" + tail)
    base.unlink()
    return path


@pytest.fixture
def small_limits(monkeypatch):
    """Limits small enough that a test needs only a few MB to pass them."""
    lim = replace(limits.LIMITS, max_member_bytes=4_000_000, max_total_bytes=6_000_000, max_chars=2_000)
    monkeypatch.setattr(limits, "LIMITS", lim)
    return lim


def test_plain_docx_still_reads(tmp_path):
    raw = read_plan(_docx(tmp_path / "plan.docx"))
    assert "朱家角站" in raw.text


def test_zip_bomb_is_refused_with_default_limits(tmp_path):
    bomb = _docx(tmp_path / "bomb.docx", padding=300 << 20)
    assert bomb.stat().st_size < 2_000_000  # packed small, unpacks to 300 MB
    with pytest.raises(PlanReadError) as err:
        read_plan(bomb)
    msg = str(err.value)
    assert "bomb.docx" in msg and "word/document.xml" in msg and "max_member_bytes = 100,000,000" in msg


def test_ratio_limit_while_streaming(tmp_path):
    """Under the size limits, but packed a thousand fold: refused after a few MB of decompression."""
    bomb = _docx(tmp_path / "dense.docx", padding=40 << 20)
    with pytest.raises(PlanReadError, match=r"dense\.docx: word/document\.xml unpacks more than 100 times.*max_ratio = 100"):
        read_plan(bomb)


def test_member_size_limit_while_streaming(tmp_path, small_limits, monkeypatch):
    monkeypatch.setattr(small_limits, "max_ratio", 1e9)
    bomb = _docx(tmp_path / "big.docx", padding=8 << 20)
    with pytest.raises(PlanReadError, match=r"big\.docx.*max_member_bytes = 4,000,000"):
        read_plan(bomb)


def test_total_size_limit_across_members(tmp_path, small_limits, monkeypatch):
    """Each member under the limit, together over it: counted as they stream."""
    monkeypatch.setattr(small_limits, "max_ratio", 1e9)
    path = _docx(tmp_path / "parts.docx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):
            zf.writestr(f"word/media/pad{i}.bin", b"b" * 3_000_000)
    with pytest.raises(PlanReadError, match=r"parts\.docx.*max_total_bytes = 6,000,000"):
        read_plan(path)


def test_text_limit_names_the_file(tmp_path, small_limits):
    plan = tmp_path / "long.txt"
    plan.write_text(PLAN * 100, encoding="utf-8")
    with pytest.raises(PlanReadError, match=r"long\.txt.*max_chars = 2,000"):
        read_plan(plan)


def test_pdf_page_limit(tmp_path, monkeypatch):
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "many.pdf"
    c = canvas.Canvas(str(pdf))
    for i in range(6):
        c.drawString(72, 720, f"page {i}")
        c.showPage()
    c.save()
    monkeypatch.setattr(limits, "LIMITS", replace(limits.LIMITS, max_pages=5))
    with pytest.raises(PlanReadError, match=r"many\.pdf.*6 pages.*max_pages = 5"):
        read_plan(pdf)
    monkeypatch.setattr(limits, "LIMITS", limits.ReadLimits(max_chars=10))
    with pytest.raises(PlanReadError, match=r"many\.pdf.*max_chars = 10"):
        read_plan(pdf)


def test_build_goes_on_after_a_bomb(tmp_path, gazetteer):
    good = tmp_path / "good.txt"
    good.write_text(PLAN, encoding="utf-8")
    bomb = _docx(tmp_path / "bomb.docx", padding=40 << 20)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(bomb), str(good), "--out", str(out)])
    assert res.exit_code == 3, res.output
    assert "bomb.docx" in res.output and "max_ratio" in res.output
    assert "Traceback" not in res.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [p["doc"] for p in report["plans"]] == ["good"]
    assert "max_ratio" in report["errors"][0]["error"]
