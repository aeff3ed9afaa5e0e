"""Normalize a raw plan into clean, canonical text that maps back to the raw.

:func:`normalize` runs the steps below in order on a
:class:`~geoplan.normalize.tracked.Tracked` text, so every character of the
result knows its index in ``raw.text``:

1. invisible characters and exotic spaces (:mod:`.spaces`);
2. pinyin glosses ``區(qū)`` (:mod:`.gloss`), before conversion so the Latin is intact;
3. Traditional → Simplified, one for one (:mod:`.t2s`);
4. punctuation and full-width digits/Latin to one canonical form (:mod:`.punct`);
5. case of lower-cased Latin names ``g60`` → ``G60`` (:mod:`.case`);
   then a plan pasted without line breaks split at sentences and headings (:mod:`.runon`);
6. web-junk lines cut (:mod:`.junk`);
7. PDF artefacts, only if the text looks PDF-extracted (:mod:`.pdf`);
8. spaced-out words, space runs, blank lines (:mod:`.spaces`);
9. notice header and footers located: ``body_start`` and ``junk_spans`` (:mod:`.junk`).

:func:`normalize_string` applies the character-level steps (3–5) to a bare
string, so a gazetteer name or an evaluation surface can be compared with
normalized text.
"""

from __future__ import annotations

from geoplan.normalize import case, gloss, junk, pdf, punct, runon, spaces, t2s
from geoplan.normalize.tracked import Tracked
from geoplan.records import NormalizedText, RawDocument

__all__ = ["normalize", "normalize_string", "Tracked"]


def normalize(raw: RawDocument) -> NormalizedText:
    t = Tracked(raw.text)
    t = spaces.clean_invisible(t)
    t = gloss.strip_glosses(t)
    t = t2s.to_simplified(t)
    t = punct.unify(t)
    t = case.restore_case(t)
    t = runon.split_run_on(t)
    t = junk.cut_spam(t)
    t = pdf.repair(t, force=raw.format == "pdf")
    t = spaces.tidy(t)
    body_start, header = junk.notice_header(t.text)
    footers = junk.footer_lines(t.text)
    return NormalizedText(
        raw=raw,
        text=t.text,
        offsets=t.offsets(),
        body_start=body_start,
        junk_spans=tuple(header + footers),
    )


def normalize_string(s: str, traditional: bool | None = None) -> str:
    """Canonical form of a short string: Simplified, canonical punctuation and case.

    ``traditional=None`` converts only if the string looks Traditional (any
    character changes); glosses, junk and PDF repairs do not apply to names.
    """
    t = spaces.clean_invisible(Tracked(s))
    t = gloss.strip_glosses(t)
    t = t2s.to_simplified(t, force=traditional is not False)
    t = punct.unify(t)
    t = case.restore_case(t)
    return t.text.strip()
