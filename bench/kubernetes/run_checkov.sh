#!/usr/bin/env bash
# Install Checkov in its own virtualenv under bench/.work/ (gitignored) and run its
# Kubernetes checks over the two corpus repositories the comparison covers.
# Output: bench/.work/checkov-<repo>.json (Checkov's own JSON report, unmodified).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/bench/.work"
corpus="${CORPUS:-$(cd "$root/.." && pwd)/shared/corpus}"
version="${CHECKOV_VERSION:-3.3.30}"

mkdir -p "$work"
if [ ! -x "$work/checkov-venv/bin/checkov" ]; then
  python3 -m venv "$work/checkov-venv"
  "$work/checkov-venv/bin/pip" install --quiet --upgrade pip
  "$work/checkov-venv/bin/pip" install --quiet "checkov==$version"
fi
"$work/checkov-venv/bin/checkov" --version

run() {  # run <output-name> <directory>
  # Checkov exits 1 when it finds something; that is not a failure here.
  "$work/checkov-venv/bin/checkov" --skip-download --framework kubernetes -o json \
    --directory "$2" >"$work/checkov-$1.json" || true
  echo "wrote $work/checkov-$1.json"
}
run kubernetes-goat "$corpus/madhuakula+kubernetes-goat"
run microservices-demo "$corpus/GoogleCloudPlatform+microservices-demo/kubernetes-manifests"
run fixtures "$root/fixtures/rules"
run cases "$here/cases"
