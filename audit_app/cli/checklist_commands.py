"""The checklists: list, show and validate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit_app.cli.app import checklists_app
from audit_app.cli.common import fail, guarded, print_json, print_rows
from audit_app.cli.printer import say


@checklists_app.command("list")
@guarded
def checklists_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List every checklist version in the checklist folder."""
    from audit_app.services.checklists import catalogue

    rows = [
        {
            "id": c.id,
            "version": c.version,
            "title": c.title_in(),
            "channel": c.channel,
            "sections": len(c.sections),
            "items": len(c.items),
            "languages": c.languages,
            "content_hash": c.content_hash,
        }
        for c in catalogue()
    ]
    if as_json:
        print_json(rows)
        return
    print_rows(rows, ["id", "version", "title", "channel", "sections", "items"])


@checklists_app.command("show")
@guarded
def checklists_show(
    checklist: Annotated[str, typer.Argument(help="Checklist id, id@version or a YAML path.")],
    language: Annotated[str | None, typer.Option(help="Language of the texts.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the definition as JSON.")] = False,
    as_yaml: Annotated[bool, typer.Option("--yaml", help="Print the definition as YAML.")] = False,
) -> None:
    """Show a checklist's sections and items."""
    from audit_app.domain.answers import allowed_answers
    from audit_app.domain.checklist import ChoiceItem, localized
    from audit_app.services.checklists import checklist_yaml, resolve_checklist

    found = resolve_checklist(checklist)
    if as_json:
        print_json(found.to_data())
        return
    if as_yaml:
        say(checklist_yaml(found), nl=False)
        return
    say(f"{found.id} v{found.version}: {found.title_in(language)}")
    say(
        f"pass mark {found.pass_mark:g}; critical rule: {found.critical_rule.describe()}; "
        f"content hash {found.content_hash[:12]}"
    )
    for section in found.sections:
        weight = f" (weight {section.weight:g})" if section.weight is not None else ""
        say(f"\n[{section.id}] {localized(section.title, language, found.language)}{weight}")
        for item in section.items:
            flags = [
                flag
                for flag, on in (("critical", item.critical), ("N/A allowed", item.na_allowed))
                if on
            ]
            extra = f" [{', '.join(flags)}]" if flags else ""
            if isinstance(item, ChoiceItem):
                extra += f" (codes: {', '.join(o.value for o in item.options)})"
            say(
                f"  {item.id:32} {localized(item.text, language, found.language)}"
                f"  -> {allowed_answers(item, language)}{extra}"
            )


@checklists_app.command("validate")
@guarded
def checklists_validate(
    paths: Annotated[list[Path], typer.Argument(help="Checklist YAML files.")],
) -> None:
    """Validate checklist files; name the file, the place in it and the reason of each problem."""
    from audit_app.services.checklists import validate_files

    results = validate_files(paths)
    for result in results:
        if result.ok and result.checklist is not None:
            c = result.checklist
            say(f"ok    {result.path}: {c.id} v{c.version}, {len(c.items)} items")
        else:
            for problem in result.problems:
                where = f" {problem.location}:" if problem.location else ""
                say(f"error {result.path}:{where} {problem.reason}", err=True)
    bad = sum(not r.ok for r in results)
    if bad:
        raise fail(f"{bad} of {len(results)} checklist file(s) are invalid")


@checklists_app.command("import")
@guarded
def checklists_import(
    path: Annotated[Path, typer.Argument(help="A spreadsheet of questions (.xlsx or .csv).")],
    checklist_id: Annotated[str, typer.Option("--id", help="The checklist's id.")],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the YAML here instead of registering it."),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="Title (default: the sheet's or the file's name).")
    ] = None,
    version: Annotated[
        int | None,
        typer.Option(help="Version number (default: the file's Checklist sheet, else 1)."),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(help="Language of a Question column whose header names none (default en)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Make a checklist from a spreadsheet of questions (section, question, type, options
    with points, weight, critical, N/A, applies if, guidance): written as YAML with -o, else
    registered in the checklists folder. Every problem is named at its cell; nothing is
    written when there is any."""
    from audit_app.services.checklist_sheets import (
        ChecklistSheetRefused,
        import_checklist_file,
        register_checklist,
        write_checklist_yaml,
    )

    try:
        result = import_checklist_file(
            path, checklist_id=checklist_id, title=title, version=version, language=language
        )
    except ChecklistSheetRefused as refused:
        if as_json:
            print_json(refused.result.to_dict())
        else:
            for issue in refused.result.issues:
                say(f"error {path.name}: {issue}", err=True)
        raise fail(str(refused)) from None
    checklist = result.checklist
    assert checklist is not None
    written = write_checklist_yaml(checklist, output) if output else register_checklist(checklist)
    if as_json:
        print_json({**result.to_dict(), "written": str(written)})
        return
    where = f"sheet '{result.sheet}', header in row" if result.sheet else "header on line"
    say(
        f"ok    {path.name}: {where} {result.header_row}, "
        f"{result.questions} question(s) in {len(checklist.sections)} section(s)"
    )
    say(f"wrote {checklist.id} v{checklist.version} to {written}")


@checklists_app.command("export")
@guarded
def checklists_export(
    checklist: Annotated[str, typer.Argument(help="Checklist id, id@version or a YAML path.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx file to write.")],
) -> None:
    """Write a checklist as a spreadsheet of questions (the shape `checklists import` reads)."""
    from audit_app.services.checklist_sheets import export_checklist_workbook, write_bytes

    if output.suffix.lower() != ".xlsx":
        raise fail(f"{output.name}: write the checklist to an .xlsx file")
    written = write_bytes(output, export_checklist_workbook(checklist))
    say(f"wrote {written}")
