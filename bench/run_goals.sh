#!/usr/bin/env bash
# Install platform-lint from this checkout into bench/.work/venv the way pip and
# pre-commit install it (a wheel, bytecode compiled), then measure issue 11's goals
# against Checkov (from /work/checkov-venv or bench/.work/checkov-venv, a venv of its
# own: `python3 -m venv bench/.work/checkov-venv && bench/.work/checkov-venv/bin/pip
# install checkov`). Arguments go to bench/goals.py (--rounds N, --goals a,b).
set -euo pipefail
cd "$(dirname "$0")/.."
unset PYTHONDONTWRITEBYTECODE
python3 -m venv bench/.work/venv
bench/.work/venv/bin/pip install --quiet --force-reinstall --no-deps .
bench/.work/venv/bin/pip install --quiet .
checkov=()
for candidate in bench/.work/checkov-venv/bin/checkov /work/checkov-venv/bin/checkov; do
  if [ -x "$candidate" ]; then checkov=(--checkov "$(cd "$(dirname "$candidate")" && pwd)/checkov"); break; fi
done
bench/.work/venv/bin/python bench/goals.py --lint "$PWD/bench/.work/venv/bin/platform-lint" "${checkov[@]}" "$@"
