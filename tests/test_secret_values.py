"""The one walk the secret checks share (`checks/secret_values.py`) and the cheap
tests that let it pass over values: they may admit values that hold nothing, never
leave out one that holds a secret."""

from __future__ import annotations

import copy

from fixture_harness import FIXTURES
from platform_lint import budget
from platform_lint.checks.secret_values import Literals, literals
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


def _schema(size: int) -> dict[str, object]:
    """A CRD-like subtree of `size` mappings holding nothing the secret checks keep."""
    return {"properties": {f"field{i}": {"type": "string", "description": f"field {i}"} for i in range(size)}}


def _as_found(found: Literals) -> tuple[object, ...]:
    return found.named, found.strings, found.commands


def test_a_shared_subtree_that_held_nothing_is_passed_over_only_where_it_is_walked_alike() -> None:
    barren = _schema(400)
    login = {"command": ["sh", "-c", "docker login -p Hunter22x reg.io"], "schema": barren}
    # Under `args` no command line is looked for: there `login` holds nothing, elsewhere it does.
    node = {"a": barren, "b": [barren], "args": [login], "spec": login, "env": {"TOKEN": {"value": "t0ken9"}}}
    found = literals(node)
    assert found.commands == [[("sh", ("spec", "command", 0)), ("-c", ("spec", "command", 1)),
                               ("docker login -p Hunter22x reg.io", ("spec", "command", 2))]]
    for arguments in (False, True):
        alike = literals(copy.deepcopy(node), arguments=arguments)
        assert _as_found(literals(node, arguments=arguments)) == _as_found(alike)


def test_what_a_file_walked_is_remembered_while_that_file_is_judged_only() -> None:
    """Documents never change once parsed; this one does, to show where the walk looks again."""
    barren = _schema(400)
    with budget.metered(budget.Budgets()):
        assert _as_found(literals({"x": barren})) == ([], [], [])
        barren["password"] = "Hunter22xyz"
        assert literals({"y": barren}).named == []  # passed over: it held nothing in this file
    with budget.metered(budget.Budgets()):
        assert literals({"z": barren}).named == [("password", "Hunter22xyz", ("z", "password"))]
