"""The base of every element geoplan puts on a map page: its output goes in as it is.

branca's ``MacroElement.render`` wraps what each macro produced in an
``Element``, which compiles it as a Jinja template a second time.  The output
holds plan text (names, quotes in the feature data), so a plan that writes
``{{ 7*7 }}`` showed "49", and a stray ``{%`` broke the page; for a map of
10,000 features the second compile of megabytes also cost over a second.
:class:`RawHTML` inserts text without a template and :class:`PageElement` is
``MacroElement`` rendering through it.
"""

from __future__ import annotations

from branca.element import Element, Figure, MacroElement


class RawHTML(Element):
    """Markup put into the page as it is (no Jinja pass)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html = html

    def render(self, **kwargs: object) -> str:
        return self.html


class PageElement(MacroElement):
    """A ``MacroElement`` whose ``header``/``html``/``script`` macros are rendered once, never re-templated."""

    def render(self, **kwargs: object) -> None:
        figure = self.get_root()
        assert isinstance(figure, Figure), "a map element must be added to a map in a Figure"
        module = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = module.get(part)
            if macro is not None:
                getattr(figure, part).add_child(RawHTML(str(macro(self, kwargs))), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)
