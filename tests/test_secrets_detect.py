"""Unit tests of the secret detectors, the redaction and the checks called directly."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixture_harness import all_rules, scan_fixture
from platform_lint.checks import secrets as checks
from platform_lint.model import Document, Obj
from platform_lint.secrets import detect, names, placeholders
from platform_lint.secrets.identity import fingerprint, redact, rekeyed, scrub
from platform_lint.secrets.patterns import CATALOGUE, regex

TOKEN = "ghp_" + "Zq3" * 12  # 36 characters after the marker
PASSWORD = "Vb7#qLm2xR9w"


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("clientSecret", True),
        ("aws_secret_access_key", True),
        ("api-key", True),
        ("spring.datasource.password", True),
        ("secretKeyRef", False),
        ("secret_name", False),
        ("password_length", False),
        ("kms_key_id", False),
        ("ssh_public_key", False),
        ("max_tokens", False),
        ("monkey", False),
        ("auth.existingSecret", False),
        ("checksum/secret", False),
        ("SECRET_SHA", False),
    ],
)
def test_secret_like_names(name: str, secret: bool) -> None:
    assert names.is_secret_name(name) is secret


def test_the_names_judged_are_remembered_within_a_bound() -> None:
    for judged in (names.is_secret_name, names.is_password_name):
        judged.cache_clear()
        for i in range(names._NAMES_REMEMBERED + 1000):
            judged(f"key{i}")
        assert judged.cache_info().currsize == names._NAMES_REMEMBERED
    assert names.is_secret_name("DB_PASSWORD")


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("${DB_PASSWORD}", "reference"),
        ("${{ secrets.NPM_TOKEN }}", "reference"),
        ("{{ .Values.password }}", "reference"),
        ("var.db_password", "reference"),
        ("<your-token>", "placeholder"),
        ("changeme", "placeholder"),
        ("xxxxxxxx", "placeholder"),
        ("AKIAIOSFODNN7EXAMPLE", "placeholder"),
        ("vault:secret/data/db#password", "vault-path"),
        ("ENC[AES256_GCM,data:abc,type:str]", "encrypted"),
        ("sha256:" + "ab" * 32, "digest"),
        ("sha512-" + "Q" * 86 + "==", "digest"),
        ("6f1c2a9e-3b7d-4e8a-9c1f-2d3e4f5a6b7c", "uuid"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me@host", "public-key"),
        ("-----BEGIN CERTIFICATE-----\nMIIB", "certificate"),
        (PASSWORD, None),
    ],
)
def test_placeholder_reasons(value: str, why: str | None) -> None:
    assert placeholders.reason(value) == why


def test_example_keys_count_only_where_asked() -> None:
    assert placeholders.reason("AKIAIOSFODNN7EXAMPLE", allow_example=True) is None
    assert detect.find_tokens('key = "AKIAIOSFODNN7EXAMPLE"') == []
    assert [s.kind for s in detect.find_tokens("AKIAIOSFODNN7EXAMPLE", allow_example=True)] == [
        "aws-access-key-id"
    ]


def test_token_offsets_point_at_the_secret() -> None:
    text = f"a: 1\nexport GH={TOKEN} # ci\n"
    (found,) = detect.find_tokens(text)
    assert text[found.start : found.end] == TOKEN
    assert detect.Lines(tuple(text.splitlines())).position(found.start) == (2, 11)


@pytest.mark.parametrize(
    "line",
    [
        f"DB_PASSWORD={PASSWORD}",
        f"export DB_PASSWORD='{PASSWORD}'",
        f'"db_password": "{PASSWORD}",',
        f"db.password = {PASSWORD}",
        f"  password: {PASSWORD}",
        f'db_password = "{PASSWORD}"',
        f"ENV DB_PASSWORD={PASSWORD}",
        f"mysql --password={PASSWORD} -h db",
        f"$env:DB_PASSWORD = '{PASSWORD}'",
        f"command: DB_PASSWORD={PASSWORD} ./migrate",
        f"# c\nPASSWORD={PASSWORD}",
    ],
)
def test_assignments_in_every_syntax(line: str) -> None:
    (found,) = detect.find_assignments(line)
    assert line[found.start : found.end] == PASSWORD


def test_values_that_name_another_thing_are_not_secrets() -> None:
    """ExternalSecret keys and Helm `existingSecret` values name a Secret or a key."""
    for value in ("postgresqlAdminPassword", "payments-postgresql-credentials", "admin_password"):
        assert detect.judge("secretKey", value) is None
    assert detect.judge("secretKey", "Zq3Vb7qLm2xR9wTp4Kd8") is not None


def test_connection_strings_at_line_start_and_urls_without_a_user() -> None:
    text = f"# settings\nPassword={PASSWORD};Server=tcp:db.example.com;User Id=sa\n"
    assert [s.text for s in detect.find_url_credentials(text)] == [PASSWORD]
    assert [s.text for s in detect.find_url_credentials(f"REDIS_URL=redis://:{PASSWORD}@cache:6379/0")] == [
        PASSWORD
    ]


def test_tokens_right_after_non_ascii_letters() -> None:
    assert [s.kind for s in detect.find_tokens(f"令牌{TOKEN}")] == ["github-pat"]


def test_scrub_redacts_secrets_quoted_in_any_message() -> None:
    message = f"`kubectl --token={TOKEN} apply` and `helm --set db.password={PASSWORD}` deploy"
    scrubbed = scrub(message)
    assert TOKEN[4:] not in scrubbed and PASSWORD not in scrubbed
    assert scrubbed.startswith("`kubectl --token=[github-pat ghp_… (40 chars)] apply`")


def test_url_credentials_and_their_placeholders() -> None:
    (found,) = detect.find_url_credentials(f"url: postgres://app:{PASSWORD}@db:5432/app")
    assert found.text == PASSWORD
    assert detect.find_url_credentials("postgres://app:${PW}@db/app postgres://pg:pg@localhost") == []


def test_redaction_and_fingerprint() -> None:
    assert redact(TOKEN, "github-pat") == "github-pat ghp_… (40 chars)"
    assert redact(PASSWORD, "password") == "password (12 chars)"
    assert fingerprint(TOKEN) == fingerprint(TOKEN)
    acme = rekeyed(fingerprint(TOKEN), "acme")
    assert acme == rekeyed(fingerprint(TOKEN), "acme")
    assert acme not in (fingerprint(TOKEN), rekeyed(fingerprint(TOKEN), "other"))
    assert TOKEN not in repr(detect.find_tokens(TOKEN))


def _text_obj(path: str, text: str) -> Obj:
    doc = Document(path=path, kind="text", data=None, lines=tuple(text.splitlines()))
    return Obj(doc=doc, kind="text", name=path)


def test_text_checks_report_once_and_never_show_the_secret() -> None:
    obj = _text_obj(".env", f"GITHUB_TOKEN={TOKEN}\nDB_PASSWORD={PASSWORD}\n")
    tokens = list(checks.provider_token(obj, {}))
    generic = list(checks.assignment(obj, {}))
    assert [(h.span.line, h.span.col) for h in tokens if h.span] == [(1, 14)]
    assert [(h.span.line, h.span.col) for h in generic if h.span] == [(2, 13)]
    for hit in tokens + generic:
        assert TOKEN[4:10] not in hit.message + str(hit.properties)
        assert PASSWORD[:6] not in hit.message + str(hit.properties)
        assert hit.fingerprint and len(hit.fingerprint) == 32


def test_fingerprint_survives_a_line_move() -> None:
    before = list(checks.provider_token(_text_obj("a.sh", f"export T={TOKEN}\n"), {}))
    after = list(checks.provider_token(_text_obj("a.sh", f"\n\n# moved\nexport T={TOKEN}\n"), {}))
    assert before[0].fingerprint == after[0].fingerprint
    assert before[0].span != after[0].span


def test_generic_assignments_go_to_the_check_that_reads_their_lines(tmp_path: Path) -> None:
    """Lines parsed into Kubernetes objects, Terraform or pipelines are judged
    structurally; other YAML documents, and files that fail to parse, by text."""
    files = {
        "k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
        f"data:\n  DB_PASSWORD: {PASSWORD}\n---\npassword: {PASSWORD}\n",
        "k8s/broken.yaml": f'apiVersion: v1\nkind: Secret\nstringData:\n  password: "{PASSWORD}\n',
        "broken.tf": f'resource "aws_db_instance" "db" {{\n  password = "{PASSWORD}\n',
        "helm/values.yaml": f"password: {PASSWORD}\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    rules = [r for r in all_rules().values() if r.category == "secrets"]
    found = {(f.path, f.span.line, f.rule_id) for f in scan_fixture(tmp_path, rules, frozenset()).findings}
    assert found == {
        ("k8s/cm.yaml", 6, "hardcoded-secret-in-manifest"),
        ("k8s/cm.yaml", 8, "hardcoded-secret-assignment"),
        ("k8s/broken.yaml", 4, "hardcoded-secret-assignment"),
        ("broken.tf", 2, "hardcoded-secret-assignment"),
        ("helm/values.yaml", 1, "hardcoded-secret-assignment"),
    }


def _k8s(kind: str, value: dict[str, object]) -> Obj:
    doc = Document(path="k8s/x.yaml", kind="kubernetes", data=value)
    return Obj(doc=doc, kind=kind, name="x", value=value)


def test_kubernetes_secret_data_is_decoded_then_judged() -> None:
    import base64

    data = {
        "username": base64.b64encode(b"app").decode(),
        "password": base64.b64encode(PASSWORD.encode()).decode(),
        "placeholder": base64.b64encode(b"changeme").decode(),
        "ca.crt": base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n").decode(),
    }
    hits = list(checks.kubernetes(_k8s("Secret", {"kind": "Secret", "data": data}), {}))
    assert [h.path for h in hits] == [("data", "password")]


def test_container_env_literal_and_secret_key_ref() -> None:
    env = [
        {"name": "DB_PASSWORD", "value": PASSWORD},
        {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "api", "key": "token"}}},
    ]
    spec = {"template": {"spec": {"containers": [{"name": "api", "env": env}]}}}
    hits = list(checks.kubernetes(_k8s("Deployment", {"kind": "Deployment", "spec": spec}), {}))
    assert [h.path for h in hits] == [("spec", "template", "spec", "containers", 0, "env", 0, "value")]


def test_terraform_variable_default_and_provider_credentials() -> None:
    doc = Document(path="main.tf", kind="terraform", data={})
    variable = Obj(doc, "variable", "db_password", ("variable", "db_password"), {"default": PASSWORD})
    provider = Obj(
        doc,
        "provider",
        "aws",
        ("provider", "aws", 0),
        {"access_key": "AKIAIOSFODNN7EXAMPLE", "secret_key": "${var.secret_key}"},
    )
    assert [h.path for h in checks.terraform(variable, {})] == [("default",)]
    assert [h.path for h in checks.terraform(provider, {})] == [("access_key",)]


def test_pipeline_env_variables_and_with() -> None:
    data = {
        "variables": {"DEPLOY_TOKEN": {"value": "k" + PASSWORD * 2}},
        "jobs": {
            "a": {
                "env": {"NPM_PASSWORD": PASSWORD, "NPM_TOKEN": "${{ secrets.NPM_TOKEN }}"},
                "steps": [{"uses": "x/y@v1", "with": {"token": "${{ github.token }}"}}],
            }
        },
    }
    doc = Document(path=".gitlab-ci.yml", kind="pipeline", data=data)
    hits = list(checks.pipeline(Obj(doc, "gitlab-ci", doc.path, (), data), {}))
    assert sorted(h.path for h in hits) == [
        ("jobs", "a", "env", "NPM_PASSWORD"),
        ("variables", "DEPLOY_TOKEN", "value"),
    ]


def _fixture_texts() -> list[str]:
    root = Path(__file__).resolve().parents[1] / "fixtures" / "secrets"
    return [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()]


def test_every_regex_match_holds_a_keyword_of_its_provider() -> None:
    """The prefilter runs a provider's regex only near its keywords: a match
    holding none of them would be missed. Checked over the labelled set, where
    every provider has at least one true secret."""
    for index, provider in enumerate(CATALOGUE):
        pattern = regex(index)
        for text in _fixture_texts():
            for match in pattern.finditer(text):
                found = match.group(0)
                if provider.caseless:
                    found, keywords = found.lower(), [k.lower() for k in provider.keywords]
                else:
                    keywords = list(provider.keywords)
                assert any(k in found for k in keywords), (provider.kind, match.start())


def test_keywords_match_in_any_case_and_keep_offsets_after_non_ascii_text() -> None:
    """'İ' lower-cases to two characters: keywords are matched in the text
    itself, so offsets after it stay right."""
    text = f"title: {'İ' * 80}\ndb: Server=db;PassWord={PASSWORD};\nApi_KEY = 'Zq3Vb7qLm2xR9wTp4Kd8Hs'\n"
    assert [s.kind for s in detect.find_url_credentials(text)] == ["connection-string-password"]
    found = {s.name: text[s.start : s.end] for s in detect.find_assignments(text)}
    assert found == {"PassWord": PASSWORD, "Api_KEY": "Zq3Vb7qLm2xR9wTp4Kd8Hs"}


def test_line_numbers_count_only_real_line_breaks(tmp_path: Path) -> None:
    """A form feed or U+2028 inside a line does not start a new one (for editors and GitHub)."""
    (tmp_path / "app.env").write_text(f"A=1\fB=2\u2028C=3\r\nDB_PASSWORD={PASSWORD}\n")
    rules = [all_rules()["hardcoded-secret-assignment"]]
    (finding,) = scan_fixture(tmp_path, rules, frozenset()).findings
    assert (finding.span.line, finding.span.col) == (2, 13)


def test_no_message_about_a_file_quotes_a_secret_found_in_it(tmp_path: Path) -> None:
    """An unknown rule id in a suppression comment is quoted back; if it is a
    secret the file also assigns, the quote is redacted."""
    secret = "U7iNZm3xfaLOk6D9WoP0Lmu18AkgPagk"
    (tmp_path / "app.env").write_text(
        f"SECRET_KEY={secret}\n# platform-lint: ignore[hardcoded-secret-assignment, {secret}] x\n"
    )
    rules = list(all_rules().values())
    findings = scan_fixture(tmp_path, rules, frozenset(all_rules())).findings
    assert {f.rule_id for f in findings} == {"hardcoded-secret-assignment", "invalid-suppression"}
    assert not [f.message for f in findings if secret[:6] in f.message or secret[-6:] in f.message]


def test_a_rule_files_examples_never_carry_a_secret_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user rule's `docs.bad` with a real token is shown (SARIF help) and cached redacted."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rule_dir = tmp_path / "rules"
    rule_dir.mkdir()
    source = (Path(__file__).resolve().parents[1] / "rules" / "recreate-deploy-strategy.yaml").read_text()
    team_rule = source.replace("id: recreate-deploy-strategy", "id: team-recreate")
    team_rule = team_rule.replace("  bad: |\n", f"  bad: |\n    # GH_TOKEN={TOKEN}\n")
    (rule_dir / "team-rule.yaml").write_text(team_rule)
    from platform_lint.rules import load_rules

    rule = load_rules([rule_dir])["team-recreate"]
    assert "GH_TOKEN=[github-pat" in rule.docs["bad"]
    cached = "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
    assert cached and TOKEN[4:] not in cached
