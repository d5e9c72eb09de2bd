"""What checks report (`Hit`) and what the engine makes of it (`Finding`)."""

from __future__ import annotations

import enum
from typing import Any

from platform_lint.model import Obj, Path, Span
from platform_lint.records import field, record


class Severity(enum.IntEnum):
    """Ordered so that a larger value is more severe."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]

    def __str__(self) -> str:
        return self.name.lower()


@record(frozen=True)
class Hit:
    """A check's report: what is wrong and where, relative to `obj`.

    `path` is relative to `obj.path`; `key` asks for the key's position rather
    than the value's. `span` overrides both (for checks that read raw text).
    `fingerprint` is a stable identity for baselines (secrets pass a keyed hash
    of the secret); without one the engine derives it from the location path.
    `secret` is the text a secret rule found: the engine removes it from every
    other message about the same file, and it goes no further.
    """

    obj: Obj
    message: str
    path: Path = ()
    key: bool = False
    span: Span | None = None
    fingerprint: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    secret: str | None = field(default=None, repr=False)


@record(frozen=True)
class Finding:
    """A rule violation ready for reporting: everything is plain and serialisable."""

    rule_id: str
    severity: Severity
    path: str
    span: Span
    message: str
    fingerprint: str
    category: str = ""
    properties: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.col, self.rule_id, self.message)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule_id,
            "severity": str(self.severity),
            "category": self.category,
            "path": self.path,
            "line": self.span.line,
            "column": self.span.col,
            "end_line": self.span.end_line,
            "end_column": self.span.end_col,
            "message": self.message,
            "fingerprint": self.fingerprint,
        }
        if self.properties:
            out["properties"] = self.properties
        return out
