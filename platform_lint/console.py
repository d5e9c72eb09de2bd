"""The installed `platform-lint` command (and `python -m platform_lint`).

The cyclic garbage collector is off from the first import to the end of set-up
(`cli._set_up_done`): all that set-up builds (modules, classes, the rules, the
config) lives as long as the process, so passes over it are wasted work, which
in a one-file run came to about a twentieth of the whole.
"""

from __future__ import annotations


def main() -> int:
    import gc

    gc.disable()
    from platform_lint import cli

    cli.collector_paused.add("console")
    return cli.main()
