"""Which command-line arguments are credentials: by the option's name, only literals."""

from __future__ import annotations

import pytest

from platform_lint.secrets.arguments import find_credential_arguments
from platform_lint.secrets.identity import scrub

FOUND = [  # (text, the credential, the option)
    ("docker login -u bot -p Hunter2pass registry.example.com", "Hunter2pass", "-p"),
    ("docker login -u bot -pHunter2pass", "Hunter2pass", "-p"),
    ("podman login quay.io -u bot -p 'Quay pass 1'", "Quay pass 1", "-p"),
    ("helm registry login r.example.com -u x -p HelmPw1", "HelmPw1", "-p"),
    ("az login -u ops@example.com -p AzPw123", "AzPw123", "-p"),
    ("sshpass -p s3cr3t ssh deploy@host", "s3cr3t", "-p"),
    ("sudo DEBUG=1 sshpass -pS3cret ssh host", "S3cret", "-p"),
    ("mysql -u root -pRootPw1 app", "RootPw1", "-p"),
    ("mysqldump -uroot -p'Dump pw' app", "Dump pw", "-p"),
    ("redis-cli -h cache -a R3disPw ping", "R3disPw", "-a"),
    ("./notify --token abc123tok --channel releases", "abc123tok", "--token"),
    ("./notify --token=abc123tok", "abc123tok", "--token"),
    ("mysql --password Passw0rd -h db", "Passw0rd", "--password"),
    ('helm repo add x https://x --username u --password "hunter 22"', "hunter 22", "--password"),
    ("gitlab-runner register --registration-token GR1348941xyz", "GR1348941xyz", "--registration-token"),
    ("tool --api-key ak_1234", "ak_1234", "--api-key"),
    ("tool --client_secret cs_999", "cs_999", "--client_secret"),
    ("curl -fsS -u admin:Adm1nPw https://ci.example.com", "Adm1nPw", "-u"),
    ("curl --user 'admin:Adm1n Pw' https://ci.example.com", "Adm1n Pw", "--user"),
    ("openssl pkcs12 -in a.p12 -passin pass:KeyPw99 -out a.pem", "KeyPw99", "-passin"),
    ("keytool -list -keystore k.jks -storepass Store-Pw", "Store-Pw", "-storepass"),
    ("docker login \\\n  -u bot \\\n  -p Hunter2pass", "Hunter2pass", "-p"),
    ("sh -c 'mysql -u root -pInner1 app'", "Inner1", "-p"),
    ("make deploy && kubectl --token kT0k3n apply -f x.yaml", "kT0k3n", "--token"),
]

NOT_FOUND = [
    "docker login -u bot --password-stdin registry.example.com",
    "echo $TOKEN | docker login -u bot --password-stdin",
    'docker login -u bot -p "${{ secrets.REGISTRY_PASSWORD }}"',
    "docker login -u bot -p $REGISTRY_PASSWORD",
    "docker login -u $(DOCKER_USER) -p $(DOCKER_PASSWORD)",
    "docker run -p 8080:80 nginx",
    "docker run -p 8080:80 image login",
    "mysql -u root -p app",
    'mysql -u root -p"$MYSQL_PASSWORD" app',
    "sshpass -p %SSH_PASSWORD% ssh host",
    "./notify --token $(cat /run/secrets/notify)",
    "./notify --token-file /run/secrets/notify",
    "./notify --token <token>",
    'curl -u "admin:$ADMIN_PASSWORD" https://x',
    "curl -u admin https://x",
    "ansible-playbook --ask-vault-pass site.yml",
    "pg_dump --no-password app",
    "gh auth login --with-token < token.txt",
    "jest --pass-with-no-tests src",
    "tar -p -xf archive.tar",
    "docker build --secret id=npmrc,src=.npmrc .",
]


@pytest.mark.parametrize(("text", "secret", "option"), FOUND)
def test_a_literal_given_to_a_credential_option_is_found_where_it_is(
    text: str, secret: str, option: str
) -> None:
    found = find_credential_arguments(text)
    assert [(text[s.start:s.end], s.name) for s in found] == [(secret, option)]
    assert secret not in scrub(text)


@pytest.mark.parametrize("text", NOT_FOUND)
def test_variables_placeholders_and_flags_are_not_credentials(text: str) -> None:
    assert find_credential_arguments(text) == []
    assert scrub(text) == text
