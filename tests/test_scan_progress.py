"""The progress bar: drawn on a real terminal, never into a pipe or under pre-commit."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import struct
import termios

from platform_lint.scan_progress import terminal_progress


def _read_until_closed(master: int) -> str:
    """Everything written to the pty: its slave end is closed, so reads end in EOF or EIO."""
    chunks: list[bytes] = []
    while select.select([master], [], [], 5)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # Linux reports a closed slave as EIO
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return b"".join(chunks).decode()


def test_a_terminal_gets_a_bar_that_is_cleared_at_the_end() -> None:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    with os.fdopen(slave, "w") as terminal:
        advance = terminal_progress(terminal, env={}, delay=0)
        assert advance is not None
        for done in range(1, 4):
            advance(done, 3)
        terminal.flush()
    drawn = _read_until_closed(master)
    assert "checking" in drawn and "/3" in drawn
    assert drawn.rstrip(" ").endswith("\r")  # cleared: the report starts on a clean line


def test_no_bar_into_a_pipe_or_under_pre_commit() -> None:
    assert terminal_progress(io.StringIO(), env={}) is None
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as terminal:
        assert terminal_progress(terminal, env={"PRE_COMMIT": "1"}) is None
    os.close(master)
