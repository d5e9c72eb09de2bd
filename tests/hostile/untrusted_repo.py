"""Running the CLI on a repository written by an attacker, and what its output must never hold."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from platform_lint.cli import main

_EXCEPTION = re.compile(r"Traceback|\b[A-Za-z_]+(?:Error|Exception)\b(?::|\(|$)")

RULE_HEAD = """id: {id}
title: A rule from the scanned repository
severity: error
category: resilience
scope: {{documents: [kubernetes]}}
docs: {{summary: s, why: w, fix: f, bad: b, good: g}}
"""


def rule_file(rule_id: str, body: str) -> str:
    """A user rule: the fixed head, then `body` (its `schema:`/`message:` lines)."""
    return RULE_HEAD.format(id=rule_id) + body


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one in-process run."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_no_exception_text(*texts: str) -> None:
    for text in texts:
        found = _EXCEPTION.search(text)
        assert found is None, f"exception text {found.group(0)!r} in: {text}"


@contextmanager
def listener() -> Iterator[tuple[str, list[int]]]:
    """A TCP listener on 127.0.0.1: (its address, a list that holds 1 per
    connection seen once the block ends). Connections wait in the backlog, so
    one is seen however fast the run was: no race."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    seen: list[int] = []
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}", seen
    finally:
        while True:
            try:
                connection, _ = server.accept()
            except BlockingIOError:
                break
            connection.close()
            seen.append(1)
        server.close()


def private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A cache directory of this test's own (`~/.cache` is shared by every run)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache
