"""The same plan as a planner may receive it (GB18030, UTF-16, Word, PDF, web page) gives the same task tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from geoplan.normalize import normalize
from geoplan.outline import build_outline
from geoplan.read import read_plan

from conftest import corpus_file

pytestmark = pytest.mark.corpus

CJK_FONTS = [
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
]


def _tree(path: Path) -> list[tuple[str, str]]:
    outline = build_outline(normalize(read_plan(path)))
    return [(n.id, n.title) for n in outline.nodes]


@pytest.fixture(scope="module")
def plan_text() -> str:
    return corpus_file("000").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def reference(plan_text, tmp_path_factory) -> list[tuple[str, str]]:
    p = tmp_path_factory.mktemp("ref") / "plan.txt"
    p.write_text(plan_text, encoding="utf-8")
    tree = _tree(p)
    assert len(tree) > 40
    return tree


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-16-be", "utf-8-sig"])
def test_text_encodings(plan_text, reference, tmp_path, encoding):
    p = tmp_path / f"plan-{encoding}.txt"
    data = plan_text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    p.write_bytes(data)
    assert _tree(p) == reference


def test_docx(plan_text, reference, tmp_path):
    import docx

    d = docx.Document()
    for line in plan_text.split("\n"):
        d.add_paragraph(line)
    p = tmp_path / "plan.docx"
    d.save(p)
    assert _tree(p) == reference


def test_html(plan_text, reference, tmp_path):
    from html import escape

    body = "\n".join(f"<p>{escape(line)}</p>" for line in plan_text.split("\n"))
    p = tmp_path / "plan.html"
    p.write_text(f"<html><head><meta charset='gb18030'><title>规划</title></head><body>{body}</body></html>", encoding="gb18030")
    assert _tree(p) == reference


def test_pdf(plan_text, reference, tmp_path):
    """A PDF with a text layer, lines wrapped by the page width as PDF exports do."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = next((f for f in CJK_FONTS if f.exists()), None)
    if font is None:
        pytest.skip("no CJK TrueType font installed (Debian fonts-droid-fallback or fonts-noto-cjk)")
    pdfmetrics.registerFont(TTFont("CJK", str(font), subfontIndex=0))
    p = tmp_path / "plan.pdf"
    c = canvas.Canvas(str(p), pagesize=A4)
    width, height = A4
    y = height - 50
    per_line = 38
    c.setFont("CJK", 11)
    for para in plan_text.split("\n"):
        chunks = [para[i : i + per_line] for i in range(0, len(para), per_line)] or [""]
        for chunk in chunks:
            if y < 50:
                c.showPage()
                c.setFont("CJK", 11)
                y = height - 50
            _draw_mixed(c, 40, y, chunk)
            y -= 15
    c.save()
    assert _tree(p) == reference


def _draw_mixed(c, x: float, y: float, text: str) -> None:
    """CJK in the CJK font, the rest (Latin, digits, curly quotes) in Helvetica, which has those glyphs."""
    import re

    t = c.beginText(x, y)
    cjk = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
    for run in re.findall(f"[{cjk}]+|[^{cjk}]+", text):
        t.setFont("CJK" if re.match(f"[{cjk}]", run) else "Helvetica", 11)
        t.textOut(run)
    c.drawText(t)
