"""jieba's tables read once per process, cached on disk, and copied per tokenizer."""

from __future__ import annotations

import pytest

from geoplan.extract import tokenizer


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """An empty cache folder and no tables read yet in this process."""
    monkeypatch.setenv("GEOPLAN_CACHE", str(tmp_path))
    tokenizer.base.cache_clear()
    yield tmp_path
    tokenizer.base.cache_clear()


def test_tables_equal_a_tokenizer_jieba_builds_itself(own_cache):
    import jieba
    import jieba.posseg

    tok = jieba.Tokenizer()
    tok.initialize()
    pos = jieba.posseg.POSTokenizer(tok)
    mine, my_pos = tokenizer.fresh()
    assert mine.FREQ == tok.FREQ and mine.total == tok.total
    assert my_pos.word_tag_tab == pos.word_tag_tab
    text = "推进青浦新城中央商务区和淀山湖沿岸的生态廊道建设。"
    assert [(p.word, p.flag) for p in my_pos.cut(text)] == [(p.word, p.flag) for p in pos.cut(text)]


def test_cache_file_is_written_once_and_read_back(own_cache):
    first = tokenizer.base()
    files = list(own_cache.glob("jieba-*.marshal"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    tokenizer.base.cache_clear()
    again = tokenizer.base()
    assert again.freq == first.freq and again.total == first.total
    assert files[0].stat().st_mtime_ns == stamp  # read, not rewritten


def test_a_broken_cache_file_is_rebuilt(own_cache):
    good = tokenizer.base()
    (path,) = own_cache.glob("jieba-*.marshal")
    path.write_bytes(b"\x00broken")
    tokenizer.base.cache_clear()
    assert tokenizer.base().freq == good.freq


def test_words_added_to_one_tokenizer_stay_out_of_the_next(own_cache):
    word = "甪直泖港湾区"
    tok, pos = tokenizer.fresh()
    tok.add_word(word, freq=2000, tag="ns")
    assert [p.word for p in pos.cut(f"建设{word}。")].count(word) == 1
    other, other_pos = tokenizer.fresh()
    assert word not in other.FREQ and word not in other_pos.word_tag_tab
    assert other.total == tokenizer.base().total
