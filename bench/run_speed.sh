#!/usr/bin/env bash
# Install platform-lint from this checkout into bench/.work/venv the way pip and
# pre-commit install it (a wheel, bytecode compiled), then time whole processes.
set -euo pipefail
cd "$(dirname "$0")/.."
unset PYTHONDONTWRITEBYTECODE
python3 -m venv bench/.work/venv
bench/.work/venv/bin/pip install --quiet --force-reinstall --no-deps . 
bench/.work/venv/bin/pip install --quiet .
checkov=()
if [ -x bench/.work/checkov-venv/bin/checkov ]; then checkov=(--checkov "$PWD/bench/.work/checkov-venv/bin/checkov"); fi
bench/.work/venv/bin/python bench/speed.py --lint "$PWD/bench/.work/venv/bin/platform-lint" "${checkov[@]}" "$@"
