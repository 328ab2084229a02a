"""``corelet fmt FILE...``: print a program in the canonical layout (``corelet.language.format``),
or rewrite the files in place (``--write``, all-or-nothing), or only say which files it would change
(``--check``, exit status 1 when any)."""

from __future__ import annotations

import argparse


def add_parser(sub, parents) -> None:
    p = sub.add_parser("fmt", parents=parents, help="lay out .corelet files in the canonical way",
                       description="Print FILE in the canonical layout (docs/language.md, "
                                   "'Formatting'); only white space changes, comments are kept.")
    p.add_argument("files", nargs="+", metavar="FILE", help=".corelet source file")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true",
                      help="rewrite the files that change, in place (all or none)")
    mode.add_argument("--check", action="store_true",
                      help="write nothing; list the files that would change and exit 1 if any")
    p.set_defaults(handler=lambda args: run(args, p))


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from corelet.chip import ToolchainError
    from corelet.chip.files import write_all
    from corelet.language._loader import read_source
    from corelet.language.format import format_source

    if len(args.files) > 1 and not (args.write or args.check):
        parser.error("several files are formatted only with --write or --check")  # exit 2
    changed = {}
    for path in args.files:
        text = read_source(path)
        formatted = format_source(text, path)
        if formatted != text:
            changed[path] = formatted
        if not (args.write or args.check):
            print(formatted, end="")
    if args.check:
        for path in changed:
            print(f"would reformat {path}")
        return 1 if changed else 0
    if args.write:
        try:
            write_all(changed)  # every file or none, each through a temporary file and a rename
        except OSError as err:
            raise ToolchainError(f"cannot write {err.filename or ''}: {err.strerror or err}") from None
        for path in changed:
            print(f"reformatted {path}")
    return 0
