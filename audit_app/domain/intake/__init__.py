"""The pure half of an import: what a file holds, and what is wrong with it.

``model`` (cells that know their place, raw visits, skipped rows, typed issues), the
``vocabulary`` and ``dates`` real files write, the ``branches`` directory, and ``check``:
raw visits + checklists + branches -> an intake report. No file, no database here.
"""
