"""The catalogue of fixed-shape provider tokens and private keys.

Each entry has literal `keywords`, at least one of which must occur on a line
(or, for `multiline` entries, in the text) before its regex runs there: that
keyword prefilter (`prefilter.py`) is what keeps the scan fast, since most
lines contain none. Every match of the regex must contain one of them, and the
longer they are the fewer lines reach the regex. Keywords of `caseless`
entries match in any case. A regex's `secret` group, or the whole match, is
the secret. `marker` is the public prefix a redacted form may show (at most
five characters: longer ones would reveal more than a kind name does).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from functools import cache

from platform_lint.records import record
from platform_lint.secrets.entropy import looks_random

_ASSIGN = r"""["']?\s*(?:=>|:=|[:=])\s*["']?"""
"""Between a name and its value, in YAML, JSON, HCL, shell, INI and Ruby."""


@record(frozen=True)
class Provider:
    kind: str
    title: str
    pattern: str
    keywords: tuple[str, ...]
    marker: str = ""
    caseless: bool = False
    multiline: bool = False
    valid: Callable[[str], bool] | None = None


def _random(secret: str) -> bool:
    return looks_random(secret, min_length=20)


def _pem_body(secret: str) -> bool:
    """A real key body: plenty of base64, not an elided `...` example."""
    return "..." not in secret and len(re.findall(r"[A-Za-z0-9+/]", secret.replace("\\n", ""))) >= 64


def _docker_auth(secret: str) -> bool:
    """`auth` in a Docker config.json is base64 of `user:password`."""
    try:
        decoded = base64.b64decode(secret, validate=True).decode("utf-8")
    except ValueError:  # not base64 (binascii.Error), not ASCII, not UTF-8 (UnicodeDecodeError)
        return False
    user, sep, password = decoded.partition(":")
    return bool(sep and user and len(password) >= 6 and decoded.isprintable())


def _tutorial_jwt(token: str) -> bool:
    """The sample token of jwt.io and countless tutorials (John Doe, subject 1234567890)."""
    try:
        payload = base64.urlsafe_b64decode(token.split(".")[1] + "==")
    except (binascii.Error, ValueError):
        return False
    return b'"John Doe"' in payload or b'"1234567890"' in payload


def _pem(kind: str, title: str, label: str) -> Provider:
    return Provider(
        kind,
        title,
        rf"-----BEGIN {label}-----(?P<secret>(?:(?!-----)[\s\S]){{0,16384}})-----END {label}-----",
        ("PRIVATE KEY",),
        multiline=True,
        valid=_pem_body,
    )


# Every repetition that a match may start in front of is bounded (`{0,64}`) or
# possessive: an open-ended run before a keyword made a long line quadratic.
# And no match starts inside a run of its own alphabet: `\b` lets `eyJ` start
# after every `-` of `eyJ-eyJ-eyJ-...`, and each start scanned the rest of the
# run, so tokens whose alphabet holds `-` start after a lookbehind on it.
CATALOGUE: tuple[Provider, ...] = (
    Provider(
        "aws-access-key-id",
        "AWS access key id",
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
        ("AKIA", "ASIA", "ABIA", "ACCA"),
        marker="AKIA",
    ),
    Provider(
        "aws-secret-access-key",
        "AWS secret access key",
        r"(?i:secret_?access_?key|secret_key|secretkey|secret-access-key|secret-key)"
        + _ASSIGN
        + r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        ("secret",),
        caseless=True,
        valid=_random,
    ),
    Provider("github-pat", "GitHub personal access token", r"\bghp_[A-Za-z0-9]{36}\b", ("ghp_",), "ghp_"),
    Provider("github-oauth-token", "GitHub OAuth token", r"\bgho_[A-Za-z0-9]{36}\b", ("gho_",), "gho_"),
    Provider(
        "github-user-token", "GitHub user-to-server token", r"\bghu_[A-Za-z0-9]{36}\b", ("ghu_",), "ghu_"
    ),
    Provider(
        "github-app-token", "GitHub app installation token", r"\bghs_[A-Za-z0-9]{36}\b", ("ghs_",), "ghs_"
    ),
    Provider("github-refresh-token", "GitHub refresh token", r"\bghr_[A-Za-z0-9]{36}\b", ("ghr_",), "ghr_"),
    Provider(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        r"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b",
        ("github_pat_",),
    ),
    Provider("gitlab-pat", "GitLab personal access token", r"\bglpat-[A-Za-z0-9_-]{20}\b", ("glpat-",)),
    Provider(
        "gitlab-runner-token", "GitLab runner authentication token", r"\bglrt-[A-Za-z0-9_-]{20}\b", ("glrt-",)
    ),
    Provider(
        "gitlab-runner-registration-token",
        "GitLab runner registration token",
        r"\bGR1348941[A-Za-z0-9_-]{20}\b",
        ("GR1348941",),
    ),
    Provider("gitlab-deploy-token", "GitLab deploy token", r"\bgldt-[A-Za-z0-9_-]{20}\b", ("gldt-",)),
    Provider(
        "gitlab-ci-job-token",
        "GitLab CI job token",
        r"\bglcbt-(?:[0-9a-zA-Z]{1,5}_)?[A-Za-z0-9_-]{20}\b",
        ("glcbt-",),
    ),
    Provider(
        "slack-token",
        "Slack token",
        r"\bxox[abeoprs]-(?:[0-9]{8,13}-){1,3}[A-Za-z0-9-]{10,64}\b",
        tuple(f"xox{c}-" for c in "abeoprs"),
        "xox",
    ),
    Provider(
        "slack-app-token",
        "Slack app-level token",
        r"\bxapp-\d-[A-Z0-9]{9,12}-\d{10,13}-[a-f0-9]{32,64}\b",
        ("xapp-",),
    ),
    Provider(
        "slack-webhook",
        "Slack incoming webhook URL",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/"
        r"(?P<secret>T[A-Z0-9]{6,12}/[A-Z0-9]{6,12}/[A-Za-z0-9]{20,})",
        ("hooks.slack.com",),
    ),
    Provider(
        "stripe-secret-key",
        "Stripe live secret key",
        r"\b[sr]k_live_[A-Za-z0-9]{24,99}\b",
        ("sk_live_", "rk_live_"),
    ),
    Provider("twilio-api-key", "Twilio API key", r"\bSK[0-9a-f]{32}\b", ("SK",), valid=_random),
    Provider(
        "sendgrid-api-key",
        "SendGrid API key",
        r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
        ("SG.",),
    ),
    Provider("npm-token", "npm access token", r"\bnpm_[A-Za-z0-9]{36}\b", ("npm_",), "npm_"),
    Provider(
        "npmrc-auth-token",
        "npm registry auth token in .npmrc",
        r"_authToken\s*=\s*(?P<secret>[A-Za-z0-9._~+/=-]{20,})",
        ("_authToken",),
        valid=_random,
    ),
    Provider(
        "pypi-token",
        "PyPI upload token",
        r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
        ("pypi-AgEIcHlwaS5vcmc",),
    ),
    Provider(
        "dockerhub-pat", "Docker Hub personal access token", r"\bdckr_pat_[A-Za-z0-9_-]{27}\b", ("dckr_pat_",)
    ),
    Provider(
        "docker-config-auth",
        "registry credentials in a Docker config.json",
        r'"auth"\s*:\s*"(?P<secret>[A-Za-z0-9+/]{8,}={0,2})"',
        ('"auth"',),
        valid=_docker_auth,
    ),
    Provider("google-api-key", "Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b", ("AIza",), "AIza"),
    Provider(
        "gcp-service-account-key",
        "Google Cloud service account key",
        r'"private_key_id"\s*:\s*"(?P<secret>[0-9a-f]{40})"',
        ('"private_key_id"',),
    ),
    Provider(
        "gcp-oauth-client-secret", "Google OAuth client secret", r"\bGOCSPX-[A-Za-z0-9_-]{28}\b", ("GOCSPX-",)
    ),
    Provider(
        "azure-storage-key",
        "Azure storage account key",
        r"AccountKey=(?P<secret>[A-Za-z0-9+/]{86}==)",
        ("AccountKey=",),
    ),
    Provider(
        "azure-shared-access-key",
        "Azure Service Bus / Event Hubs shared access key",
        r"SharedAccessKey=(?P<secret>[A-Za-z0-9+/]{43}=)",
        ("SharedAccessKey=",),
    ),
    Provider(
        "azure-sas-token",
        "Azure shared access signature",
        r"\bsv=\d{4}-\d\d-\d\d&[^\s\"']{0,2048}?\bsig=(?P<secret>[A-Za-z0-9%+/]{40,}(?:%3D|=)*)",
        ("sig=",),
    ),
    Provider(
        "azure-ad-client-secret",
        "Azure AD client secret",
        r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])",
        ("Q~",),
    ),
    Provider(
        "vault-service-token", "HashiCorp Vault token", r"\bhv[sb]\.[A-Za-z0-9_-]{90,}", ("hvs.", "hvb.")
    ),
    Provider(
        "terraform-cloud-token",
        "Terraform Cloud / Enterprise API token",
        r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}\b",
        (".atlasv1.",),
    ),
    Provider(
        "datadog-api-key",
        "Datadog API key",
        r"(?i:(?:datadog|dd)[_-]?api[_-]?key)" + _ASSIGN + r"(?P<secret>[a-f0-9]{32})\b",
        ("datadog", "dd_", "dd-"),
        caseless=True,
        valid=_random,
    ),
    Provider(
        "datadog-app-key",
        "Datadog application key",
        r"(?i:(?:datadog|dd)[_-]?app(?:lication)?[_-]?key)" + _ASSIGN + r"(?P<secret>[a-f0-9]{40})\b",
        ("datadog", "dd_", "dd-"),
        caseless=True,
        valid=_random,
    ),
    Provider(
        "openai-api-key",
        "OpenAI API key",
        r"(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b",
        ("T3BlbkFJ",),
        "sk-",
    ),
    Provider(
        "anthropic-api-key",
        "Anthropic API key",
        r"\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,}",
        ("sk-ant-",),
        "sk-",
    ),
    Provider(
        "shopify-token",
        "Shopify access token",
        r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b",
        ("shpat_", "shpca_", "shppa_", "shpss_"),
    ),
    Provider(
        "heroku-api-key",
        "Heroku API key",
        r"(?i:heroku[a-z_-]{0,40}?(?:key|token))"
        + _ASSIGN
        + r"(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"
        r"|\bHRKU-[A-Za-z0-9_-]{60}\b",
        ("heroku", "hrku-"),
        caseless=True,
    ),
    Provider(
        "mailchimp-api-key",
        "Mailchimp API key",
        r"\b[0-9a-f]{32}-us\d{1,2}\b",
        ("-us",),
        valid=lambda s: _random(s[:32]),
    ),
    Provider(
        "digitalocean-token",
        "DigitalOcean token",
        r"\bdo[opr]_v1_[a-f0-9]{64}\b",
        ("doo_v1_", "dop_v1_", "dor_v1_"),
    ),
    Provider(
        "huggingface-token",
        "Hugging Face access token",
        r"\bhf_[A-Za-z]{34}\b",
        ("hf_",),
        "hf_",
        valid=_random,
    ),
    Provider(
        "grafana-token",
        "Grafana service account token",
        r"\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b",
        ("glsa_",),
    ),
    Provider("newrelic-api-key", "New Relic user API key", r"\bNRAK-[A-Z0-9]{27}\b", ("NRAK-",), "NRAK-"),
    Provider(
        "postman-api-key", "Postman API key", r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b", ("PMAK-",), "PMAK-"
    ),
    Provider("pulumi-token", "Pulumi access token", r"\bpul-[a-f0-9]{40}\b", ("pul-",), "pul-"),
    Provider(
        "age-secret-key",
        "age secret key",
        r"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b",
        ("AGE-SECRET-KEY-1",),
    ),
    Provider(
        "jwt",
        "JSON Web Token",
        r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}",
        ("eyJ",),
        valid=lambda token: not _tutorial_jwt(token),
    ),
    Provider(
        "pkcs12-bundle",
        "PKCS#12 key bundle",
        r"(?<![A-Za-z0-9_.-])(?i:[a-z0-9_.-]{0,64}?(?:pfx|p12|pkcs12)[a-z0-9_.-]{0,64}+)"
        + _ASSIGN
        + r"(?P<secret>MII[A-Za-z0-9+/]{100,}={0,2})",
        ("pfx", "p12", "pkcs12"),
        caseless=True,
    ),
    _pem("rsa-private-key", "RSA private key", "RSA PRIVATE KEY"),
    _pem("dsa-private-key", "DSA private key", "DSA PRIVATE KEY"),
    _pem("ec-private-key", "EC private key", "EC PRIVATE KEY"),
    _pem("openssh-private-key", "OpenSSH private key", "OPENSSH PRIVATE KEY"),
    _pem("pkcs8-private-key", "PKCS#8 private key", "PRIVATE KEY"),
    _pem("encrypted-private-key", "encrypted PKCS#8 private key", "ENCRYPTED PRIVATE KEY"),
    _pem("pgp-private-key", "PGP private key block", "PGP PRIVATE KEY BLOCK"),
)


@cache
def regex(index: int) -> re.Pattern[str]:
    """The regex of `CATALOGUE[index]`, compiled on first use: the keyword
    prefilter lets a typical run need only a few of them."""
    # ASCII, so that `\b` sees a boundary between `令牌` and a `ghp_` right after it.
    return re.compile(CATALOGUE[index].pattern, re.ASCII)


@cache
def by_kind() -> dict[str, Provider]:
    return {p.kind: p for p in CATALOGUE}
