"""Every message about a file has the secrets found in that file taken out of it
(`hit_findings.findings_of`). A file of many short secret lines is many findings
and as many secrets: the secrets are looked up once per file, not walked again
for every finding. 50,000 lines of `password=...` (1.1 MB) ran for more than two
minutes before, 2.5 billion `str.replace` calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bounded import assert_no_exception_text, check

from platform_lint.finding import Hit
from platform_lint.hit_findings import findings_of
from platform_lint.model import Document, Obj, Span
from platform_lint.rules import load_rules
from repo_helpers import write


class Counted(frozenset[str]):
    """A set of secrets that counts the elements drawn from it."""

    drawn = 0

    def __iter__(self) -> Iterator[str]:
        for secret in super().__iter__():
            Counted.drawn += 1
            yield secret


def test_the_secrets_of_a_file_are_drawn_once_for_all_its_findings() -> None:
    rule = load_rules()["hardcoded-secret-assignment"]
    doc = Document(path="notes.txt", kind="text", data=None)
    obj = Obj(doc=doc, kind="text", name=doc.path)
    secrets = [f"s3cr3t{i:05d}x" for i in range(2000)]
    hits = [(rule, rule.severity, Hit(obj=obj, message=f"line {i} quotes {s} and {secrets[i - 1]}",
                                      span=Span.point(i + 1, 1), secret=s))
            for i, s in enumerate(secrets)]
    Counted.drawn = 0
    found = findings_of(hits, "", {doc.path: Counted(secrets)})
    assert Counted.drawn <= 2 * len(secrets)  # was len(secrets) for each finding: 4,000,000
    assert [f.message for f in found[:2]] == [
        "line 0 quotes [redacted] and [redacted]", "line 1 quotes [redacted] and [redacted]"]
    assert not any("s3cr3t" in f.message for f in found)


def test_a_secret_inside_another_is_redacted_with_it() -> None:
    rule = load_rules()["hardcoded-secret-assignment"]
    doc = Document(path="notes.txt", kind="text", data=None)
    obj = Obj(doc=doc, kind="text", name=doc.path)
    hit = Hit(obj=obj, message="a hunter2hunter2 b hunter2x c", span=Span.point(1, 1))
    secrets = {doc.path: frozenset({"hunter2", "hunter2hunter2"})}
    (found,) = findings_of([(rule, rule.severity, hit)], "", secrets)
    assert "hunter2" not in found.message


def test_a_file_of_many_short_secret_lines_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"notes.txt": "".join(f"password=hunter{i:06d}q\n" for i in range(20000))})
    code, out, _cost = check(
        capsys, tmp_path, "--no-cache", "--jobs", "1", "--select", "secrets", memory="none")
    assert code == 1
    assert out.count("[hardcoded-secret-assignment]") == 20000
    assert "hunter0" not in out
    assert_no_exception_text(out)
