"""JSON that can sit inside a ``<script>`` element whatever the plan says.

Plan text ends up in the page as data (popups, names for the search box).  A
quote containing ``</script>`` would otherwise close the script element and run
whatever follows, so ``<``, ``>``, ``&`` and the two JavaScript line
separators are written as ``\\u`` escapes, which JSON and JavaScript decode
back to the same characters.
"""

from __future__ import annotations

import json
from typing import Any

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(obj: Any) -> str:
    """``json.dumps`` for embedding in HTML script text (compact, UTF-8 kept)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in _ESCAPES.items():
        text = text.replace(ch, esc)
    return text
