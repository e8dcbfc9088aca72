"""Which cells of an .xlsx sheet are shown as percentages.

Excel keeps a cell shown as 93 % as 0.93 and a 93 typed into a General cell as 93; the
values alone cannot tell the two apart, their number formats can. calamine gives values
only, so the formats are read here from the workbook's parts: the styles whose number
format is a percentage (built-in 9 and 10, or a custom format with ``%``), then the cells
of one sheet that use them (a scan of the sheet's ``<c>`` tags, no XML tree built).

Called on a file that ``source.container`` has already checked (sizes, no DOCTYPE); the
small parts (workbook, relationships, styles) are parsed with defusedxml all the same.
"""

from __future__ import annotations

import io
import re
import zipfile
from posixpath import join, normpath

from defusedxml import ElementTree  # type: ignore[import-untyped]

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PERCENT_BUILT_IN = frozenset({9, 10})
_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]')


def percent_cells(data: bytes, sheet_name: str) -> frozenset[str]:
    """Refs (``E7``) of the cells of ``sheet_name`` whose number format is a percentage;
    empty for anything that is not a readable .xlsx (the caller reads values as before)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            styles = _percent_styles(archive)
            if not styles:
                return frozenset()
            part = _sheet_part(archive, sheet_name)
            if part is None:
                return frozenset()
            xml = archive.read(part)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ElementTree.ParseError):
        return frozenset()
    ids = b"|".join(str(style).encode("ascii") for style in sorted(styles))
    tagged = re.compile(rb'<c\s[^>]*?\bs="(?:' + ids + rb')"[^>]*>')  # only the styled cells
    found: set[str] = set()
    for match in tagged.finditer(xml):
        ref = _REF.search(match.group(0))
        if ref is not None:
            found.add(ref.group(1).decode("ascii", "replace"))
    return frozenset(found)


def is_percent_format(code: str) -> bool:
    """``0%``, ``0.0%``, ``#,##0.00 %``: a ``%`` outside quotes and brackets."""
    return "%" in _QUOTED.sub("", code)


def _percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes into ``cellXfs`` (a cell's ``s``) whose number format is a percentage."""
    try:
        root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return set()
    percent_ids = set(PERCENT_BUILT_IN)
    formats = root.find(f"{MAIN}numFmts")
    for number_format in formats if formats is not None else ():
        code = number_format.get("formatCode") or ""
        if is_percent_format(code) and (number_format.get("numFmtId") or "").isdigit():
            percent_ids.add(int(number_format.get("numFmtId") or 0))
    cell_formats = root.find(f"{MAIN}cellXfs")
    styles: set[int] = set()
    for index, xf in enumerate(cell_formats if cell_formats is not None else ()):
        number = xf.get("numFmtId") or "0"
        if number.isdigit() and int(number) in percent_ids:
            styles.add(index)
    return styles


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relationship = None
    sheets = workbook.find(f"{MAIN}sheets")
    for sheet in sheets if sheets is not None else ():
        if sheet.get("name") == sheet_name:
            relationship = sheet.get(f"{DOC_RELS}id")
            break
    if relationship is None:
        return None
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for entry in relationships.findall(f"{RELS}Relationship"):
        if entry.get("Id") == relationship:
            target = entry.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
    return None
