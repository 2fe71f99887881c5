"""The book's own package: one module per job.

- ``data``: load the tables in ``data/``, validating each against ``data/datapackage.json`` first.
- ``datapackage``: read and update the descriptor (checksums, the Data and sources page).
- ``refresh_ucdp``: regenerate the UCDP aggregate tables from a newer UCDP GED download.
- ``theme``: the chart theme (palette, sizes) shared by every chart.
- ``charts``: chart builders and the ``show`` helper (caption, text description, data table).
- ``models``: small computations used by both the static charts and the live widgets.
- ``widgets``: ipywidgets explorers for class and Binder.
- ``selfcheck``: self-check questions that work on the static site.
- ``render``: picks the Altair renderer for the book build, JupyterLab offline, or online.
"""

__version__ = "0.1.0"
