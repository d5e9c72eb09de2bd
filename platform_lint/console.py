"""The installed `platform-lint` command (and `python -m platform_lint`).

The command owns the process's cycle collector (`collector`): off through set-up,
what set-up and the parsers build frozen out of later collections. A plain `check`
call (flags, options with values and paths) runs without importing click
(`check_cmd`). It also owns `re`'s compiler (`regex_programs`): the patterns written
in the program are compiled from programs kept by earlier runs. Python's warnings are
not shown unless asked for with -W or PYTHONWARNINGS (the tests make `re`'s FutureWarning
an error).
"""

from __future__ import annotations


def main() -> int:
    import sys

    from platform_lint import collector, regex_programs

    if not sys.warnoptions:  # a user reads findings, not Python's warnings (-W still shows them)
        import warnings

        warnings.simplefilter("ignore")
    collector.take_over()
    regex_programs.take_over()
    try:
        from platform_lint import check_cmd

        code = check_cmd.main(sys.argv[1:])
        if code is None:
            from platform_lint.cli import click_main

            code = click_main(sys.argv[1:])
    finally:
        regex_programs.finish()
    collector.finish()
    return code
