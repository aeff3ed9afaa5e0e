"""geoplan.read: every corpus plan reads; encodings, formats and bad inputs.

The .docx, .html and .pdf files are built in the test from a corpus plan, so
the same text arrives through each reader and must come out the same.
"""

from __future__ import annotations

import codecs
import os

import pytest

from conftest import corpus_file
from geoplan.errors import PlanReadError
from geoplan.normalize import normalize
from geoplan.read import read_plan
from geoplan.read.encoding import decode_bytes, utf16_without_bom
from geoplan.read.docx import table_row

PREFIXES = ["000", "001", "002", "003", "004"]
pytestmark = pytest.mark.corpus


# ------------------------------------------------------------------ corpus
@pytest.mark.parametrize("prefix", PREFIXES)
def test_corpus_plan_reads(prefix):
    path = corpus_file(prefix)
    raw = read_plan(path)
    assert raw.format == "txt"
    assert raw.encoding == "utf-8"
    assert raw.doc == path.stem
    assert "\r" not in raw.text
    assert raw.text == path.read_text(encoding="utf-8").replace("\r\n", "\n")


def test_read_plan_accepts_str_paths():
    path = corpus_file("000")
    assert read_plan(str(path)).text == read_plan(path).text


# --------------------------------------------------------------- encodings
@pytest.mark.parametrize(
    "codec, bom, expected",
    [
        ("gb18030", b"", "gb18030"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
    ],
)
@pytest.mark.parametrize("prefix", ["000", "002", "004"])
def test_encoding_round_trip(tmp_path, prefix, codec, bom, expected):
    src = corpus_file(prefix)
    reference = normalize(read_plan(src))
    target = tmp_path / f"{prefix}_{codec}.txt"
    target.write_bytes(bom + src.read_text(encoding="utf-8").encode(codec))
    raw = read_plan(target)
    assert raw.encoding == expected
    assert raw.text == reference.raw.text
    assert normalize(raw).text == reference.text


def test_gbk_file_decodes_as_gb18030(tmp_path):
    src = corpus_file("000")
    target = tmp_path / "gbk.txt"
    target.write_bytes(src.read_text(encoding="utf-8").encode("gbk"))
    raw = read_plan(target)
    assert raw.encoding == "gb18030"
    assert "青浦区" in raw.text


def test_crlf_and_cr_newlines_become_lf(tmp_path):
    src = corpus_file("000").read_text(encoding="utf-8")
    for sep, name in (("\r\n", "crlf"), ("\r", "cr")):
        target = tmp_path / f"{name}.txt"
        target.write_bytes(src.replace("\n", sep).encode("utf-8"))
        raw = read_plan(target)
        assert "\r" not in raw.text
        assert raw.text == src


def test_utf16_sniffing_needs_nul_pattern():
    assert utf16_without_bom("青浦区规划 2022\n".encode("utf-16-le")) == "utf-16-le"
    assert utf16_without_bom("青浦区规划 2022\n".encode("utf-16-be")) == "utf-16-be"
    assert utf16_without_bom("青浦区规划 2022\n".encode("utf-8")) is None


def test_wrong_meta_charset_loses_to_valid_utf8(tmp_path):
    text, enc = decode_bytes("规划".encode("utf-8"), tmp_path / "x", declared="gb2312")
    assert (text, enc) == ("规划", "utf-8")
    text, enc = decode_bytes("规划".encode("gbk"), tmp_path / "x", declared="gb2312")
    assert (text, enc) == ("规划", "gb18030")


# ------------------------------------------------------------------ formats
def _canon_lines(text: str) -> list[str]:
    """Lines with table rows freed of trailing empty cells (docx pads short rows)."""
    out = []
    for line in text.split("\n"):
        if "|" in line:
            cells = [c.strip() for c in line.split("|")]
            while cells and not cells[-1]:
                cells.pop()
            line = " | ".join(cells)
        out.append(line)
    return out


def _blocks(text: str) -> list[tuple[str, list[list[str]] | str]]:
    """Consecutive ``|`` lines grouped into tables; other lines are paragraphs."""
    blocks: list = []
    for line in text.split("\n"):
        if "|" in line:
            cells = [c.strip() for c in line.split("|")][:-1]
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(cells)
            else:
                blocks.append(("table", [cells]))
        else:
            blocks.append(("p", line))
    return blocks


@pytest.mark.parametrize("prefix", ["000", "003"])
def test_docx_reads_like_txt(tmp_path, prefix):
    import docx

    src = corpus_file(prefix)
    text = read_plan(src).text
    document = docx.Document()
    for kind, content in _blocks(text):
        if kind == "p":
            document.add_paragraph(content)
        else:
            width = max(len(r) for r in content)
            table = document.add_table(rows=len(content), cols=width)
            for r, row in enumerate(content):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    target = tmp_path / f"{prefix}.docx"
    document.save(target)
    raw = read_plan(target)
    assert raw.format == "docx"
    assert any("|" in line for line in raw.text.split("\n")), "tables must become | rows"
    assert _canon_lines(normalize(raw).text) == _canon_lines(normalize(read_plan(src)).text)


def test_docx_table_row_shape_matches_corpus():
    assert table_row(["序号", "领域", "单位"]) == "序号 | 领域 | 单位 |"
    assert table_row(["8左右", ""]) == "8左右 |  |"


def _html(text: str, charset: str) -> str:
    from html import escape

    body = []
    for kind, content in _blocks(text):
        if kind == "p":
            body.append(f"<p>{escape(content)}</p>" if content else "<br>")
        else:
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in content)
            body.append(f"<table><tbody>{rows}</tbody></table>")
    return (
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        "<title>规划</title><style>p {color: red}</style><script>var 首页 = 1;</script></head><body>"
        "<header>上海市人民政府门户网站</header><nav>首页 &gt; 政务公开 &gt; 规划计划</nav>"
        '<div class="content">' + "\n".join(body) + "</div>"
        "<footer>主办单位：某某区人民政府办公室 版权所有</footer><script>track();</script></body></html>"
    )


@pytest.mark.parametrize("prefix, charset, codec", [("003", "utf-8", "utf-8"), ("000", "gb2312", "gb18030"), ("001", "gbk", "gb18030")])
def test_html_reads_like_txt(tmp_path, prefix, charset, codec):
    src = corpus_file(prefix)
    text = read_plan(src).text
    target = tmp_path / f"{prefix}.html"
    target.write_bytes(_html(text, charset).encode(codec))
    raw = read_plan(target)
    assert raw.format == "html"
    assert raw.encoding == ("utf-8" if codec == "utf-8" else "gb18030")
    for chrome in ("门户网站", "政务公开", "track()", "color: red", "版权所有"):
        assert chrome not in raw.text
    assert _canon_lines(normalize(raw).text) == _canon_lines(normalize(read_plan(src)).text)


def _pdf(text: str, path, width: int = 38) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    y = 800
    c.setFont("STSong-Light", 11)
    for line in text.split("\n"):
        # table rows are drawn whole (a real PDF table keeps a row on one baseline)
        step = len(line) + 1 if "|" in line else width
        chunks = [line[i : i + step] for i in range(0, len(line), step)] or [""]
        for chunk in chunks:
            if y < 50:
                c.showPage()
                c.setFont("STSong-Light", 11)
                y = 800
            c.drawString(40, y, chunk)
            y -= 16
    c.save()


@pytest.mark.parametrize("prefix", ["000", "004"])
def test_pdf_reads_like_txt_modulo_wrapping(tmp_path, prefix):
    src = corpus_file(prefix)
    reference = normalize(read_plan(src)).text
    body = reference[:6000]
    target = tmp_path / f"{prefix}.pdf"
    _pdf(body, target)
    raw = read_plan(target)
    assert raw.format == "pdf"
    got = normalize(raw).text
    assert got.replace("\n", "") == body.replace("\n", "")
    # wrapping is undone: headings stay lines of their own, paragraphs are rejoined
    ref_lines = body.split("\n")
    got_lines = got.split("\n")
    assert len(got_lines) <= len(ref_lines) * 1.3
    headings = [l for l in ref_lines if l.startswith(("一、", "二、", "第一章", "（一）"))]
    assert headings and all(h in got_lines for h in headings)


def test_pdf_without_text_layer(tmp_path):
    from reportlab.pdfgen import canvas

    target = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(target))
    c.rect(100, 100, 300, 300, fill=1)
    c.showPage()
    c.rect(50, 50, 100, 100, fill=1)
    c.save()
    with pytest.raises(PlanReadError, match="no text layer") as info:
        read_plan(target)
    assert "scan.pdf" in str(info.value)


# -------------------------------------------------------------- bad inputs
def _expect(path, fragment, **kw):
    with pytest.raises(PlanReadError) as info:
        read_plan(path, **kw)
    message = str(info.value)
    assert os.path.basename(path) in message
    assert fragment in message
    return message


def test_missing_file(tmp_path):
    _expect(tmp_path / "nope.txt", "not found")


def test_directory(tmp_path):
    d = tmp_path / "plans.txt"
    d.mkdir()
    _expect(d, "directory")


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    _expect(p, "empty")


def test_whitespace_only_file(tmp_path):
    p = tmp_path / "blank.txt"
    p.write_bytes(b" \n\r\n\t  \n")
    _expect(p, "whitespace")
    p16 = tmp_path / "blank16.txt"
    p16.write_bytes(codecs.BOM_UTF16_LE + "  \n \n".encode("utf-16-le"))
    _expect(p16, "whitespace")


def test_png_file(tmp_path):
    p = tmp_path / "map.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _expect(p, "PNG")


def test_png_with_unknown_suffix(tmp_path):
    p = tmp_path / "map.dat"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _expect(p, "PNG")


def test_random_bytes(tmp_path):
    import random

    rng = random.Random(42)
    p = tmp_path / "noise.txt"
    p.write_bytes(bytes(rng.randrange(256) for _ in range(20000)))
    _expect(p, "")  # any PlanReadError naming the file


def test_zip_that_is_not_docx(tmp_path):
    import zipfile

    p = tmp_path / "archive.txt"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("a.txt", "青浦区" * 100)
    _expect(p, "ZIP")
    q = tmp_path / "fake.docx"
    q.write_bytes(p.read_bytes())
    _expect(q, "docx")


def test_text_without_chinese(tmp_path):
    p = tmp_path / "english.txt"
    p.write_text("This is the annual report of a company.\n" * 200, encoding="utf-8")
    _expect(p, "not a plan")


def test_too_large(tmp_path):
    src = corpus_file("000")
    size = src.stat().st_size
    message = _expect(src, "too large", max_bytes=1000)
    assert f"{size:,}" in message and "1,000" in message


def test_legacy_doc(tmp_path):
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    _expect(p, ".docx")


def test_unknown_suffix_is_sniffed(tmp_path):
    src = corpus_file("001")
    p = tmp_path / "plan.dat"
    p.write_bytes(src.read_bytes())
    assert read_plan(p).format == "txt"
    h = tmp_path / "page.asp"
    h.write_text(_html(read_plan(src).text, "utf-8"), encoding="utf-8")
    assert read_plan(h).format == "html"
