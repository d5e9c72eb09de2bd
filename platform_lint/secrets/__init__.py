"""Hardcoded secrets: detection that is precise, structure-aware and never leaks.

Who reports what (so one secret is reported once):

- The text scan (`checks/secrets.py`, rules `hardcoded-provider-token` and
  `credentials-in-url`) reads every text file line by line and reports what
  has a fixed shape wherever it is: provider tokens, private keys, Docker
  `auth` entries, passwords in URLs and connection strings.
- Generic `secret-like name = literal` assignments are judged once per line:
  by the structure-aware checks (`hardcoded-secret-in-manifest`,
  `-in-terraform`, `-in-pipeline`) on the lines that parsed into Kubernetes
  objects, Terraform blocks or pipelines (the text document's `model` lists
  those regions), and by `hardcoded-secret-assignment` everywhere else: on
  the parsed values of YAML documents that are not Kubernetes objects (Helm
  values, Compose), and on every other line of text (.env, shell, INI,
  properties, JSON, .tfvars, files that fail to parse).
- A structure-aware check skips a secret in whose source text the text scan
  already finds a token or URL credentials. What the text cannot see it
  reports whatever the shape: base64-decoded Kubernetes `Secret.data`, a
  key and its value on separate lines.
- The engine scrubs every finding's message with `identity.scrub`, so a rule
  that quotes source text (a deploy command) never shows a secret in it:
  what the scans above find, and credentials given to command-line options
  (`arguments`: `docker login -p X`, `--token X`, `mysql -pX`), which
  `hardcoded-secret-in-pipeline` also reports in pipeline scripts.

Modules: `patterns` (provider catalogue), `placeholders` (values that are not
secrets), `names` (secret-like names), `entropy`, `detect` (the scans),
`arguments` (credentials given to command-line options),
`identity` (`redact`, `fingerprint`, `scrub`), `prefilter` (the keyword pass).
Messages and properties carry `identity.redact(...)` and the fingerprint,
never the secret's text.
"""
