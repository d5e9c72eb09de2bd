"""The one walk the secret checks share (`checks/secret_values.py`) and the cheap
tests that let it pass over values: they may admit values that hold nothing, never
leave out one that holds a secret."""

from __future__ import annotations

from fixture_harness import FIXTURES
from platform_lint.checks.secret_values import literals
from platform_lint.secrets.arguments import find_credential_arguments, may_hold_arguments
from platform_lint.secrets.detect import (
    find_assignments,
    find_tokens,
    find_url_credentials,
    has_keywords,
    may_hold_assignment,
)

TRICKY = [
    "PaSsWoRd=hunter2xyz", "DB_PWD: s3cr3tValue", "export API_TOKEN=abcd1234efgh",
    "--client-secret=Zx9_longvalue", "auth := 'K8tr!vaLue9'", "credentials => 'a9Bc0dE1fG2h'",
    "AUTH_KEY=\u212a9abcdef1234", "mysql -pHunter22 db", "docker login -p s3cret reg.io",
    "curl -u admin:Adm1nPass https://x", "redis-cli -a R3disPass", "no operator password here",
]


def _lines() -> list[str]:
    found = list(TRICKY)
    for path in sorted((FIXTURES / "secrets").rglob("*")):
        if path.is_file():
            found.extend(path.read_text(errors="replace").splitlines())
    return found


def test_the_prefilters_admit_every_text_the_scans_find_something_in() -> None:
    lines = _lines()
    assert len(lines) > 500
    with_assignments = [t for t in lines if find_assignments(t)]
    with_arguments = [t for t in lines if find_credential_arguments(t)]
    assert len(with_assignments) > 30 and len(with_arguments) >= 5
    assert all(may_hold_assignment(t) for t in with_assignments)
    assert all(may_hold_arguments(t) for t in with_arguments)
    assert not may_hold_assignment("a plain description of the field, nothing else")
    scanned = [t for t in lines if find_tokens(t) or find_url_credentials(t) or find_assignments(t)]
    assert len(scanned) > len(with_assignments)
    assert all(has_keywords(t) for t in scanned)  # what lets `identity.scrub` pass a message over
    assert not has_keywords("container app has no liveness probe")


def test_one_walk_finds_named_literals_strings_and_command_lines_in_walk_order() -> None:
    node = {
        "env": [{"name": "DB_PASSWORD", "value": "hunter2xyz"}, {"name": "MODE", "value": "fast"}],
        "variables": {"API_TOKEN": {"value": "t0ken-value"}, "REGION": {"default": "eu"}},
        "command": ["sh", "-c", "docker login -p X r"],
        "args": [{"script": "under args, not a command line: token=abc"}],
        "steps": [{"run": "export SECRET_KEY=abc && make", "description": "builds it"}],
        "token": "plain",
    }
    found = literals(node)
    assert found.named == [
        ("DB_PASSWORD", "hunter2xyz", ("env", 0, "value")),
        ("API_TOKEN", "t0ken-value", ("variables", "API_TOKEN", "value")),
        ("token", "plain", ("token",)),
    ]
    # Only strings that may hold an assignment; "builds it", "fast", "eu" are passed over.
    assert found.strings == [
        ("under args, not a command line: token=abc", ("args", 0, "script")),
        ("export SECRET_KEY=abc && make", ("steps", 0, "run")),
    ]
    assert found.commands == [
        [("sh", ("command", 0)), ("-c", ("command", 1)), ("docker login -p X r", ("command", 2))],
        [("export SECRET_KEY=abc && make", ("steps", 0, "run"))],
    ]
    with_arguments = literals(node, arguments=True).strings
    assert ("docker login -p X r", ("command", 2)) in with_arguments


def test_a_string_alone_is_walked_too() -> None:
    assert literals("password: hunter2xyz").strings == [("password: hunter2xyz", ())]
    assert literals(42).strings == []
