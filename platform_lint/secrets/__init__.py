"""Hardcoded secrets: detection that is precise, structure-aware and never leaks.

Who reports what (so one secret is reported once):

- The text scan (`checks/secrets.py`, rules `hardcoded-provider-token` and
  `credentials-in-url`) reads every text file line by line and reports what
  has a fixed shape wherever it is: provider tokens, private keys, Docker
  `auth` entries, passwords in URLs and connection strings.
- Generic `secret-like name = literal` assignments are judged once per file:
  by the structure-aware checks (`hardcoded-secret-in-manifest`,
  `-in-terraform`, `-in-pipeline`) in the files those read as parsed data
  (Terraform, CI pipelines, YAML holding Kubernetes objects, see
  `structured.judged_structurally`), and by the text rule
  `hardcoded-secret-assignment` in every other file (.env, shell, INI,
  properties, JSON, Compose, Helm values, .tfvars...).
- A structure-aware check skips a value in which the text scan already finds a
  token or URL credentials. What the text cannot see it reports whatever the
  shape: base64-decoded Kubernetes `Secret.data`.

Modules: `patterns` (provider catalogue), `placeholders` (values that are not
secrets), `names` (secret-like names), `entropy`, `detect` (the scans),
`identity` (`redact`, `fingerprint`), `structured` (the split above).
Messages and properties carry `identity.redact(...)` and the fingerprint,
never the secret's text.
"""
