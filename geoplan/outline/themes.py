"""Give every node of the task tree a theme (交通, 生态, 产业 …).

A planner reads a section's theme off its title first ("构筑综合立体交通网络" is
about transport whatever else its paragraph mentions) and only falls back on the
body when the title is generic ("推动先行启动区建设取得新进展").  So a node's score
per theme is its title keywords times ``title_weight`` plus its *own* text's
keyword share (text of child nodes excluded) times ``text_share_weight``, scaled
down for a text too short to say much (``text_saturation``).  When no
theme clearly wins, the node takes its parent's theme: a lead under
"(五)建设枢纽门户城市" that only says "深度参与…" stays in its section's theme.
A top-level part whose theme only its intro text gave (no title keyword) passes
nothing down: that intro sums up many chapters, so its lean is no claim on them
(features there are themed by their sentences and kinds).
Taxonomy, colours and weights are data: ``maps/themes.toml``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from geoplan import vocab
from geoplan.records import Mention, Outline, TaskNode
from geoplan.vocab import Theme, ThemeVocab

#: the records of ``themes.toml`` (see :mod:`geoplan.vocab`), under the outline's names
ThemeInfo = Theme
ThemeTaxonomy = ThemeVocab


def load_themes(path: Path | None = None) -> ThemeTaxonomy:
    """Read ``maps/themes.toml`` (or ``path``): themes in their ``order``, plus scoring."""
    return vocab.themes(path)


def keyword_scores(text: str, taxonomy: ThemeTaxonomy, cap: int | None = None) -> dict[str, float]:
    """Weighted keyword hits per theme.

    A keyword inside a longer keyword of the same theme is not counted twice
    (轨道交通 is one hit of 轨道, not also one of 交通) – approximated by counting
    longer keywords first and blanking them out.
    """
    scores: dict[str, float] = {}
    for theme in taxonomy.themes.values():
        rest = text
        total = 0.0
        for word in sorted(theme.keywords, key=len, reverse=True):
            n = rest.count(word)
            if n:
                total += theme.keywords[word] * (n if cap is None else min(n, cap))
                rest = rest.replace(word, "\0")
        if total:
            scores[theme.name] = total
    return scores


def own_text(node: TaskNode, text: str) -> str:
    """The node's text without the text of its children (its heading line included)."""
    start, end = node.span
    parts = []
    pos = start
    for child in node.children:
        parts.append(text[pos : child.span[0]])
        pos = max(pos, child.span[1])
    parts.append(text[pos:end])
    return "".join(parts)


def score_node(node: TaskNode, text: str, taxonomy: ThemeTaxonomy) -> tuple[dict[str, float], dict[str, float]]:
    """(combined score, title part) per theme for one node."""
    title = {t: s * taxonomy.title_weight for t, s in keyword_scores(node.title, taxonomy, cap=1).items()}
    body = own_text(node, text)
    if node.title and body.find(node.title) >= 0:
        body = body.replace(node.title, "", 1)
    raw = keyword_scores(body, taxonomy, cap=taxonomy.text_cap)
    total = sum(raw.values())
    combined = dict(title)
    if total:
        # the share says which theme the text is about, the saturation how much it says
        strength = taxonomy.text_share_weight * min(1.0, total / taxonomy.text_saturation)
        for t, s in raw.items():
            combined[t] = combined.get(t, 0.0) + strength * s / total
    return combined, title


def decide(combined: Mapping[str, float], taxonomy: ThemeTaxonomy) -> str | None:
    """The clear winner of a score table, or None."""
    if not combined:
        return None
    ranked = sorted(combined.items(), key=lambda kv: (-kv[1], taxonomy.themes[kv[0]].order))
    best, score = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    if score < taxonomy.min_score or score < taxonomy.min_margin * runner:
        return None
    return best


def assign_themes(outline: Outline, text: str, taxonomy: ThemeTaxonomy | None = None) -> None:
    """Set ``theme`` and ``theme_source`` on every node, parents before children."""
    taxonomy = taxonomy or load_themes()
    outline.root.theme, outline.root.theme_source = taxonomy.default, "default"

    def walk(node: TaskNode) -> None:
        combined, title = score_node(node, text, taxonomy)
        best = decide(combined, taxonomy)
        parent = node.parent
        if best is not None:
            # the title decided if, on its own, it already favours the winner
            title_best = decide(title, taxonomy) if title else None
            node.theme = best
            node.theme_source = "title" if title_best == best else "text"
        elif parent is not None and (
            parent.theme_source in ("title", "inherited") or (parent.theme_source == "text" and parent.level > 1)
        ):
            # a top part's intro text sums up many chapters: its lean is no claim on them
            node.theme, node.theme_source = parent.theme, "inherited"
        else:
            node.theme, node.theme_source = taxonomy.default, "default"
        for child in node.children:
            walk(child)

    for top in outline.root.children:
        walk(top)


def mention_scores(mention: Mention, kind: str = "", taxonomy: ThemeTaxonomy | None = None) -> dict[str, float]:
    """Weight per theme of one mention: its task, the sections around it, its sentence, its kind.

    The task's theme is the section's (see :func:`assign_themes`); an enclosing
    section counts when its title alone clearly names a theme; the sentence adds
    its keyword share, scaled down when it holds few keywords (``text_saturation``);
    the kind adds its theme (``[kinds]``): a metro line named in a sentence about a
    new town is still transport; a designation whose kind says nothing (a zone, a
    corridor) adds the theme its name ends on (:func:`head_theme`), outweighing
    its section alone: an 经济带 named under a new-town task is still 区域协同.
    In a 专栏 laid out as a table of entries (``Mention.in_list``) the box's title
    is a caption over mixed projects, so it weighs ``box_task_weight`` and the
    row's own sentence ``box_sentence_weight``: an industrial park in a row of a
    table of new towns is 产业, not the caption's 城市更新.
    """
    taxonomy = taxonomy or load_themes()
    scores: dict[str, float] = defaultdict(float)
    # a row of a table box: the caption weighs less than a section's title, the row's own sentence more
    row = mention.in_list
    if mention.theme and mention.theme != taxonomy.default and mention.theme in taxonomy.themes:
        scores[mention.theme] += taxonomy.box_task_weight if row else taxonomy.task_weight
    for title in [t for t in mention.task_path.split(" > ") if t][:-1]:
        best = decide({t: s * taxonomy.title_weight for t, s in keyword_scores(title, taxonomy, cap=1).items()}, taxonomy)
        if best is not None:
            scores[best] += taxonomy.ancestor_weight
    sentence = keyword_scores(mention.sentence, taxonomy, cap=taxonomy.text_cap)
    total = sum(sentence.values())
    if total:
        weight = taxonomy.box_sentence_weight if row else taxonomy.sentence_weight
        strength = weight * min(1.0, total / taxonomy.text_saturation)
        for t, s in sentence.items():
            scores[t] += strength * s / total
    if kind in taxonomy.kinds:
        scores[taxonomy.kinds[kind]] += taxonomy.kind_weight
    elif kind in taxonomy.named_kinds:
        said = head_theme(mention.name, taxonomy)
        if said is not None:
            scores[said] += taxonomy.name_weight
    return dict(scores)


def head_theme(name: str, taxonomy: ThemeTaxonomy) -> str | None:
    """The theme of the last strong keyword in a designation's name, or None.

    A Chinese name puts its head last: 宁杭生态经济带 is an 经济带 (区域协同) and
    江北空铁智造走廊 a 走廊 for 智造 (产业).  Weak keywords (weight below
    ``name_min_weight``: 廊道, 合作, 改革) are generic forms, not what the
    place is for, so 合淮产业廊道 stays 产业.  On the same end the longer
    keyword wins (城市带 over 带-less 城市).
    """
    best: tuple[int, int, str] | None = None
    for theme in taxonomy.themes.values():
        for word, weight in theme.keywords.items():
            if weight < taxonomy.name_min_weight:
                continue
            at = name.rfind(word)
            if at < 0:
                continue
            key = (at + len(word), len(word), theme.name)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None


def _best(scores: Mapping[str, float], taxonomy: ThemeTaxonomy, prefer: str = "") -> str | None:
    """The heaviest theme; on a tie ``prefer`` (the task's theme), then legend order.

    A tie between the sentence and the section is the section's: the planner
    put the place under that task.
    """
    if not scores:
        return None
    return max(scores.items(), key=lambda kv: (round(kv[1], 6), kv[0] == prefer, -taxonomy.themes[kv[0]].order))[0]


def feature_themes(mentions: Sequence[Mention], kind: str = "", taxonomy: ThemeTaxonomy | None = None) -> tuple[str, list[str]]:
    """(theme, themes) of one place or project from its mentions and its kind.

    ``theme`` is the best theme of the first task mention (:func:`mention_scores`),
    else of all its mentions together; ``themes`` every theme a planner could look
    for it under: that theme, each mention's best and task theme, and its kind's
    (or, for a designation, its name's: see :func:`head_theme`).
    ``其他`` only when nothing in the sentences, the tasks or the kind says more.
    """
    taxonomy = taxonomy or load_themes()
    # a mention before the first heading (the title, a preamble) sits in no task
    task = [m for m in mentions if m.is_task and m.task_id] or [m for m in mentions if m.is_task] or list(mentions)
    per_mention = [mention_scores(m, kind, taxonomy) for m in task]
    theme = _best(per_mention[0], taxonomy, task[0].theme) if per_mention else None
    if theme is None:
        total: dict[str, float] = defaultdict(float)
        for scores in per_mention:
            for t, s in scores.items():
                total[t] += s
        theme = _best(total, taxonomy)
    if theme is None:
        return taxonomy.default, [taxonomy.default]
    counts = Counter(b for b in (_best(s, taxonomy, m.theme) for s, m in zip(per_mention, task)) if b is not None)
    counts.update(m.theme for m in task if m.theme in taxonomy.themes and m.theme != taxonomy.default)
    if kind in taxonomy.kinds:
        counts[taxonomy.kinds[kind]] += 1
    elif kind in taxonomy.named_kinds and task:
        said = head_theme(task[0].name, taxonomy)
        if said is not None:
            counts[said] += 1
    themes = [theme] + [t for t, _ in counts.most_common() if t != theme]
    return theme, themes
