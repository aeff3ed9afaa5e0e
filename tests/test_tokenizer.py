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
    files = list(own_cache.glob("jieba-*.pickle"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    tokenizer.base.cache_clear()
    again = tokenizer.base()
    assert again.freq == first.freq and again.total == first.total
    assert files[0].stat().st_mtime_ns == stamp  # read, not rewritten


def test_a_broken_cache_file_is_rebuilt(own_cache):
    good = tokenizer.base()
    (path,) = own_cache.glob("jieba-*.pickle")
    path.write_bytes(b"\x00broken")
    tokenizer.base.cache_clear()
    assert tokenizer.base().freq == good.freq


def test_a_cache_file_others_may_write_is_never_unpickled(own_cache):
    """Unpickling runs code: a cache file writable by others is rebuilt, not loaded."""
    import os
    import pickle

    from geoplan.paths import private_file

    good = tokenizer.base()
    (path,) = own_cache.glob("jieba-*.pickle")
    # a planted file of the right shape: loaded, it would replace jieba's tables
    path.write_bytes(pickle.dumps(({"植入": 1}, 1, {})))
    os.chmod(path, 0o666)
    assert not private_file(path)
    tokenizer.base.cache_clear()
    assert tokenizer.base().freq == good.freq
    os.chmod(path, 0o644)
    assert private_file(path)


def test_words_added_to_one_tokenizer_stay_out_of_the_next(own_cache):
    word = "甪直泖港湾区"
    tok, pos = tokenizer.fresh()
    tok.add_word(word, freq=2000, tag="ns")
    assert [p.word for p in pos.cut(f"建设{word}。")].count(word) == 1
    other, other_pos = tokenizer.fresh()
    assert word not in other.FREQ and word not in other_pos.word_tag_tab
    assert other.total == tokenizer.base().total


def test_cached_tags_are_the_tags_jieba_parses(own_cache):
    first = tokenizer.base()
    tokenizer.base.cache_clear()
    again = tokenizer.base()  # from the cache file this time
    assert again.tags == first.tags and len(again.tags) > 300_000


def test_a_process_with_a_warm_cache_gets_posseg_default_tags(own_cache):
    """Read from the cache, ``jieba.posseg`` is imported without its parse yet still has its table."""
    import subprocess
    import sys

    tokenizer.base()  # writes the cache
    code = (
        "from geoplan.extract import tokenizer\n"
        "t = tokenizer.base()\n"
        "import jieba, jieba.posseg\n"
        "assert 'get_dict_file' not in vars(jieba.dt)  # jieba's own tokenizer left as it was\n"
        "assert len(t.tags) > 300_000 and jieba.posseg.dt.word_tag_tab == t.tags\n"
    )
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)


#: blocks of Han characters between punctuation, quotes, brackets, codes and spaces
SENTENCE = "推进“青浦新城”中央商务区（CBD）和G50沪渝高速、淀山湖 沿岸的生态廊道建设，共建长三角示范区。"


@pytest.fixture
def cut():
    """The sentence's tokens as one eager ``posseg.cut`` of it gives them: (start, end, word, flag)."""
    _, pos = tokenizer.fresh()
    out, p = [], 0
    for pair in pos.cut(SENTENCE):
        out.append((p, p + len(pair.word), pair.word, pair.flag))
        p += len(pair.word)
    return pos, out


def _as_tuple(t):
    return None if t is None else (t.start, t.end, t.word, t.flag)


def test_block_by_block_tokens_equal_one_cut_of_the_sentence(cut):
    pos, eager = cut
    lazy = tokenizer.SentenceTokens(pos, SENTENCE, 0, len(SENTENCE))
    assert [_as_tuple(t) for t in lazy] == eager
    assert len(lazy) == len(eager) and _as_tuple(lazy[3]) == eager[3]


def test_position_queries_agree_with_the_eager_cut(cut):
    pos, eager = cut
    starts, ends = {t[0] for t in eager}, {t[1] for t in eager}
    for p in range(-1, len(SENTENCE) + 2):
        lazy = tokenizer.SentenceTokens(pos, SENTENCE, 0, len(SENTENCE))  # nothing cut yet
        assert lazy.starts_at(p) == (p in starts), p
        assert lazy.ends_at(p) == (p in ends), p
        assert (p in tokenizer.SentenceTokens(pos, SENTENCE, 0, len(SENTENCE)).ends) == (p in ends), p
        covering = next((t for t in eager if t[0] < p <= t[1]), None)
        assert _as_tuple(lazy.covering(p)) == covering, p
        if covering is not None:
            back = lazy.back_from(p)
            seen, j = [], 0
            while back.has(j):
                seen.append(_as_tuple(back[j]))
                j += 1
            assert seen == eager[eager.index(covering) :: -1], p
    for a, b, word, flag in eager:
        assert _as_tuple(tokenizer.SentenceTokens(pos, SENTENCE, 0, len(SENTENCE)).exact(a, b)) == (a, b, word, flag)


def test_only_the_blocks_asked_about_are_cut(cut):
    pos, _ = cut
    lazy = tokenizer.SentenceTokens(pos, SENTENCE, 0, len(SENTENCE))
    at = SENTENCE.index("示范区")
    assert lazy.covering(at + 3).word.endswith("区")
    cut_blocks = [k for k, toks in enumerate(lazy._cut) if toks is not None]
    assert len(cut_blocks) == 1 and lazy._pieces[cut_blocks[0]][0] < at < lazy._pieces[cut_blocks[0]][1]
