"""Errors raised while loading or rendering a chart, each at a file and line."""

from __future__ import annotations


class TemplateError(Exception):
    """A template that cannot be parsed or executed: `file` and `line` locate the cause."""

    def __init__(self, message: str, file: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file else ""
        return f"{where}{self.message}"


class RenderLimit(TemplateError):
    """A bound was hit: include depth, output size or loop iterations."""


class FuncError(ValueError):
    """A template function refusing its arguments, in the words Helm uses: the message is
    the user's to read (any other exception a function raises is Python's, and is not)."""
