"""The installed `platform-lint` command (and `python -m platform_lint`).

The cyclic garbage collector is off from the first import to the end of set-up
(`set_up_done`): all that set-up builds (modules, classes, the rules, the
config) lives as long as the process, so passes over it are wasted work, which
in a one-file run came to about a twentieth of the whole. A plain `check` call
(flags, options with values and paths) runs without importing click
(`check_cmd`). What the run leaves alive when it ends is frozen too: the
collection at exit would walk all of it (about a twentieth of a run over many
charts) only to find the few cycles that the process's end frees anyway.
"""

from __future__ import annotations

import gc

collector_paused: set[str] = set()
"""Holds "console" from when `main` turns the cycle collector off to the end of set-up."""


def main() -> int:
    import sys

    gc.disable()
    collector_paused.add("console")
    from platform_lint import check_cmd

    code = check_cmd.main(sys.argv[1:])
    if code is None:
        from platform_lint.cli import click_main

        code = click_main(sys.argv[1:])
    gc.freeze()
    return code


def set_up_done() -> None:
    """Set-up built what lives as long as the process (modules, rules, config): it is left
    out of every later collection, the one at exit too (`gc.freeze`), and the collector
    runs from here on. Nothing changes unless `main` turned the collector off: a program
    calling `cli.main` keeps its own collector settings."""
    if collector_paused:
        collector_paused.clear()
        gc.freeze()
        gc.enable()
