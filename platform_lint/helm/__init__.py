"""Helm charts rendered in pure Python: Go text/template, Sprig and Helm's functions,
go-yaml's output, values and subcharts. See ARCHITECTURE.md ("Helm charts")."""

from __future__ import annotations


def words(text: str) -> tuple[str, ...]:
    """A whitespace-separated word list (keeps long constant tables readable)."""
    return tuple(text.split())
