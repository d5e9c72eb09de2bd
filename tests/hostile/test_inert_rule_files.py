"""A rule file from a scanned repository is data: its JSON Schema refers only to
itself, its message fills two named fields, and a broken one is a clear error."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from referencing.exceptions import Unresolvable
from untrusted_repo import assert_no_exception_text, cli, listener, private_cache, rule_file

from platform_lint.validation import schema_errors
from repo_helpers import write

CONFIG = {".platform-lint.yaml": "rule_dirs: [policies]\n"}
ONE_REPLICA = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n"
# rule_file() puts the body at line 7.


def _repo(tmp_path: Path, body: str) -> Path:
    repo = tmp_path / "repo"
    write(repo, {**CONFIG, "policies/user-rule.yaml": rule_file("user-rule", body),
                 "k8s/web.yaml": ONE_REPLICA})
    return repo


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('schema:\n  properties:\n    spec: {$ref: "http://ADDR/spec.json"}\n',
         "9:12: schema.properties.spec.$ref"),
        ('schema:\n  $ref: "http://ADDR/spec.json#/$defs/a"\n', "8:3: schema.$ref"),
        ('schema:\n  allOf:\n    - $dynamicRef: "//ADDR/x"\n', "9:7: schema.allOf.0.$dynamicRef"),
        ('schema:\n  $id: "http://ADDR/"\n  $ref: "#/$defs/a"\n  $defs: {a: {}}\n', "8:3: schema.$id"),
        ('schema:\n  $schema: "http://ADDR/dialect"\n', "8:3: schema.$schema"),
    ],
)
def test_a_reference_off_the_rule_file_is_a_rule_error_and_nothing_connects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    body: str, where: str,
) -> None:
    private_cache(monkeypatch, tmp_path)
    with listener() as (address, seen):
        repo = _repo(tmp_path, body.replace("ADDR", address))
        code, out, err = cli(capsys, "check", str(repo))
    assert seen == []
    assert code == 2
    assert f"policies/user-rule.yaml:{where}" in err
    assert_no_exception_text(out, err)


def test_a_file_reference_is_never_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`$ref: file:///...` once printed the file (a private key) in an internal error."""
    private_cache(monkeypatch, tmp_path)
    key = tmp_path / "outside" / "id_ed25519.json"
    write(key.parent, {key.name: '{"k": "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAA"}'})
    repo = _repo(tmp_path, f'schema:\n  properties:\n    spec: {{$ref: "{key.as_uri()}"}}\n')
    code, out, err = cli(capsys, "check", str(repo))
    assert code == 2
    assert "policies/user-rule.yaml:9:12: schema.properties.spec.$ref" in err
    assert "PRIVATE KEY" not in out + err and "b3BlbnNzaC1rZXkt" not in out + err
    assert_no_exception_text(out, err)


def test_the_validator_itself_retrieves_nothing() -> None:
    """Behind the loader's check: the validator resolves a remote `$ref` to nothing."""
    with listener() as (address, seen), pytest.raises(Unresolvable):
        list(schema_errors({"spec": 1}, {"properties": {"spec": {"$ref": f"http://{address}/s"}}}))
    assert seen == []


def test_references_within_the_rule_and_to_the_project_schemas_resolve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    private_cache(monkeypatch, tmp_path)
    body = ("schema:\n  properties:\n    spec:\n      properties:\n"
            '        replicas: {$ref: "#/$defs/several"}\n'
            '  not: {$ref: "https://platform-lint.dev/schemas/baseline.schema.json"}\n'
            "  $defs:\n    several: {minimum: 2}\n")
    code, out, err = cli(capsys, "check", str(_repo(tmp_path, body)), "--select", "user-rule")
    assert code == 1, err
    assert "k8s/web.yaml:5:3: error [user-rule] spec.replicas: 1 is less than the minimum of 2" in out
    assert_no_exception_text(out, err)


@pytest.mark.parametrize(
    "message",
    ["{error:>999999999}", "{error.__class__.__mro__[1].__subclasses__}", "{0}", "{error[0]}", "{}",
     "{path!r}"],
)
def test_a_message_knows_only_its_named_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, message: str
) -> None:
    """`str.format` once filled messages: 8.8 GB for a width, Python internals by attribute."""
    private_cache(monkeypatch, tmp_path)
    repo = _repo(tmp_path, f"schema: {{properties: {{spec: {{type: string}}}}}}\nmessage: '{message}'\n")
    tracemalloc.start()
    try:
        code, out, err = cli(capsys, "check", str(repo))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 2
    assert f"policies/user-rule.yaml:8:1: message: {message} is not a field" in err
    assert "subclasses" not in out and "<class" not in out + err
    assert peak < 200 * 2**20
    assert_no_exception_text(out, err)


def test_a_message_fills_error_and_path_and_writes_doubled_braces_as_braces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    private_cache(monkeypatch, tmp_path)
    body = ("schema: {properties: {spec: {properties: {replicas: {minimum: 2}}}}}\n"
            "message: 'use {{ replicas: 2 }} at {path} ({error})'\n")
    code, out, _ = cli(capsys, "check", str(_repo(tmp_path, body)), "--select", "user-rule")
    assert code == 1
    assert ("k8s/web.yaml:5:3: error [user-rule] use { replicas: 2 } at spec.replicas "
            "(1 is less than the minimum of 2)") in out


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("schema:\n  properties:\n    spec: {type: 5}\n",
         "9:12: schema.properties.spec.type: 5 is not one of"),
        ("schema:\n  properties:\n    name: {pattern: '(unclosed'}\n",
         "9:12: schema.properties.name.pattern: '(unclosed' is not a 'regex'"),
        ("schema:\n  patternProperties:\n    '[z-a]': {}\n",
         "8:3: schema.patternProperties: '[z-a]' is not a 'regex'"),
        ("schema:\n  minProperties: -1\n", "8:3: schema.minProperties: -1 is less than the minimum of 0"),
    ],
)
def test_an_invalid_user_rule_names_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    body: str, where: str,
) -> None:
    private_cache(monkeypatch, tmp_path)
    code, out, err = cli(capsys, "check", str(_repo(tmp_path, body)))
    assert code == 2
    assert f"policies/user-rule.yaml:{where}" in err
    assert out == ""
    assert_no_exception_text(out, err)


@pytest.mark.parametrize("kind", ["directory", "dangling symlink", "looping symlink"])
def test_a_rule_file_that_cannot_be_read_is_a_rule_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    private_cache(monkeypatch, tmp_path)
    repo = tmp_path / "repo"
    write(repo, {**CONFIG, "k8s/web.yaml": ONE_REPLICA})
    odd = repo / "policies" / "odd.yaml"
    odd.parent.mkdir()
    if kind == "directory":
        odd.mkdir()
    else:
        odd.symlink_to("nowhere.yaml" if kind == "dangling symlink" else "odd.yaml")
    code, out, err = cli(capsys, "check", str(repo))
    assert code == 2
    assert "policies/odd.yaml: cannot read:" in err
    assert_no_exception_text(out, err)
