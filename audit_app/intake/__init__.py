"""Reading files from outside into raw visits: the impure half of an import.

An import, end to end::

    bytes --source--> a grid of cells (or one typed refusal)
          --layouts--> raw visits with their sheet and rows, and the rows skipped
          --domain.intake.check--> checked visits and typed issues (pure)
          --services.imports--> identity, de-duplication, one transaction, the log

- ``source``: the caps (``limits``), the container checks (zip bombs, macros, encryption),
  CSV text (``tabular``) and workbooks (calamine) as grids (``grid``), safe names.
- ``layouts``: our own (``ours``: templates, long and wide CSV) and the mapping ``profile``
  layouts (agencies' workbooks), each reading a file into a ``ReadResult``.
- ``templates`` writes fill-in workbooks; ``export`` writes scores to Excel and CSV.
"""
