#!/usr/bin/env bash
# Run Checkov's Terraform checks over the Terraform corpus repositories.
# Reuses the Checkov virtualenv that bench/kubernetes/run_checkov.sh installs (run that first
# if bench/.work/checkov-venv is missing).
# Output: bench/.work/checkov-tf-<repo>.json (Checkov's own JSON report, unmodified).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/bench/.work"
corpus="${CORPUS:-$(cd "$root/.." && pwd)/shared/corpus}"
checkov="$work/checkov-venv/bin/checkov"

if [ ! -x "$checkov" ]; then
  echo "no Checkov at $checkov: run bench/kubernetes/run_checkov.sh first" >&2
  exit 1
fi
"$checkov" --version

run() {  # run <output-name> <directory>
  # Checkov exits 1 when it finds something; that is not a failure here.
  "$checkov" --skip-download --framework terraform -o json --quiet \
    --directory "$2" >"$work/checkov-tf-$1.json" || true
  echo "wrote $work/checkov-tf-$1.json"
}
run terragoat "$corpus/bridgecrewio+terragoat"
run gitlab-infra-orchestrator "$corpus/aws-samples+sample-terraform-gitlab-infra-orchestrator"
run gitops-demo-aws "$corpus/gitlab-gitops-demo+aws"
run private-aks "$corpus/Azure-Samples+private-aks-cluster-terraform-devops"
run microservices-demo "$corpus/GoogleCloudPlatform+microservices-demo/terraform"
run fixtures "$root/fixtures/rules"
