"""Secret-scan throughput on the text of ../shared/corpus, against detect-secrets.

    .venv/bin/python bench/secrets/run.py [CORPUS]

Times platform-lint's three text checks (provider tokens, URL credentials,
generic assignments: what runs on every text file) in this process on one
core, over every text file of the corpus, repeated to get a stable figure.
Then installs detect-secrets from PyPI into bench/.work/venv (gitignored) and
times `detect-secrets scan` on the same files, whole process, in the same run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from platform_lint.checks import secrets as checks
from platform_lint.sources import text_document, text_objects

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / ".work"
DEFAULT_CORPUS = HERE.parents[2] / "shared" / "corpus"
REPEAT = 20


def text_files(root: Path) -> list[tuple[Path, str]]:
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts):
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue
        try:
            out.append((path, data.decode("utf-8")))
        except UnicodeDecodeError:
            continue
    return out


def ours(files: list[tuple[Path, str]], root: Path) -> tuple[float, int]:
    objs = [next(text_objects(text_document(str(p.relative_to(root)), t))) for p, t in files]
    fns = (checks.provider_token, checks.url_credentials, checks.assignment)
    best, hits = float("inf"), 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        hits = sum(1 for obj in objs for fn in fns for _ in fn(obj, {}))
        best = min(best, time.perf_counter() - start)
    return best, hits


def detect_secrets(files: list[tuple[Path, str]], root: Path) -> tuple[float, float, int, str]:
    """Whole-process time on the files, its start-up time alone, findings, version."""
    venv = WORK / "venv"
    exe = venv / "bin" / "detect-secrets"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "detect-secrets"], check=True)
    version = subprocess.run([str(exe), "--version"], check=True, capture_output=True, text=True)
    # detect-secrets ignores paths outside its working directory: run it from the corpus root.
    rel = [str(p.relative_to(root)) for p, _ in files]
    empty = WORK / "empty.txt"
    empty.write_text("")
    startup, _ = _best_of_3([str(exe), "scan", str(empty)], WORK)
    best, out = _best_of_3([str(exe), "scan", *rel], root)
    hits = sum(len(v) for v in json.loads(out)["results"].values())
    return best, startup, hits, version.stdout.strip()


def _best_of_3(args: list[str], cwd: Path) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(3):
        start = time.perf_counter()
        out = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=True).stdout
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    files = text_files(root)
    size = sum(len(t.encode()) for _, t in files)
    mb = size / 1e6
    print(f"corpus: {root} - {len(files)} text files, {mb:.2f} MB")
    seconds, hits = ours(files, root)
    print(f"platform-lint text scan: {seconds:.3f} s per pass (best of {REPEAT}),")
    print(f"  {mb / seconds:.1f} MB/s, {hits} findings")
    ds_seconds, startup, ds_hits, version = detect_secrets(files, root)
    scan = ds_seconds - startup
    print(f"detect-secrets {version}: {ds_seconds:.3f} s whole process, {startup:.3f} s of it start-up")
    print(f"  {mb / ds_seconds:.1f} MB/s whole process, {mb / scan:.1f} MB/s without start-up,")
    print(f"  {ds_hits} findings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
