"""The browser's half of geoplan's CSV rule, for the pages that download sheets.

Why a second copy of :mod:`geoplan.io.cells`: the feature table and the review
panel write CSV in the browser, from the data in the page, and a sheet the page
writes must be as safe in Excel (no formula injection) and as readable by
``--overrides`` as one the CLI writes.  ``map`` sits below ``io`` and cannot
import it, so the rule is restated here and ``tests/test_map_sheets.py`` runs
both on the same cells.  The script defines ``window.geoplanSheets``.
"""

from __future__ import annotations

import json

#: characters a spreadsheet reads as the start of a formula; the same as ``geoplan.io.cells.TRIGGERS``
TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

SHEET_JS = """
    window.geoplanSheets = window.geoplanSheets || (function () {
      var ESCAPED = %(escaped)s;
      // a text cell a spreadsheet would run gets an apostrophe in front (reversed by io.cells.unescape_cell)
      function escapeCell(v) {
        if (typeof v !== "string") { return v; }
        return v.length && ESCAPED.indexOf(v.charAt(0)) >= 0 ? "'" + v : v;
      }
      function quote(v) {
        var s = v === null || v === undefined ? "" : String(v);
        return /[",\\r\\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
      }
      // columns: names in order; rows: objects; UTF-8 with BOM so Excel on Chinese Windows reads it
      function csv(columns, rows) {
        var lines = [columns.map(quote).join(",")];
        rows.forEach(function (r) {
          lines.push(columns.map(function (c) { return quote(escapeCell(r[c] === undefined ? "" : r[c])); }).join(","));
        });
        return "\\ufeff" + lines.join("\\r\\n") + "\\r\\n";
      }
      function save(text, filename, type) {
        var url = URL.createObjectURL(new Blob([text], {type: type}));
        var a = document.createElement("a");
        a.href = url; a.download = filename; a.style.display = "none";
        document.body.appendChild(a); a.click(); a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
      }
      return {escapeCell: escapeCell, csv: csv, save: save};
    })();
""" % {"escaped": json.dumps([*TRIGGERS, "'"])}
