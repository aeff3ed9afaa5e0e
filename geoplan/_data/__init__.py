"""Installed copies of the top-level ``layers/`` and ``maps/`` data folders.

In a source checkout these packages are mapped onto the repository's own
folders (see ``[tool.setuptools.package-dir]``), so editing ``layers/*.geojson``
changes what an editable install reads.
"""
