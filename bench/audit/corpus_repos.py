"""Build local git repositories from the folders of ../shared/corpus (one commit each).

    python bench/audit/corpus_repos.py OUT

Each folder listed in corpus/MANIFEST.tsv becomes OUT/<dir> with the folder's
files committed; OUT is made anew. The audit benchmarks and the corpus audit
test read these (`platform-lint audit run --discover OUT`).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
_GIT = ("-c", "user.email=corpus@example.invalid", "-c", "user.name=corpus", "-c", "commit.gpgsign=false",
        "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false")


def corpus_folders(corpus: Path = CORPUS) -> list[str]:
    with (corpus / "MANIFEST.tsv").open(newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    return [row["dir"] for row in rows if (corpus / row["dir"]).is_dir()]


def build(out: Path, corpus: Path = CORPUS) -> list[Path]:
    shutil.rmtree(out, ignore_errors=True)
    repos = []
    for name in corpus_folders(corpus):
        repo = out / name
        shutil.copytree(corpus / name, repo, symlinks=True)
        for args in (("init", "-q"), ("add", "-A", "-f"), ("commit", "-q", "-m", f"{name} from the corpus")):
            subprocess.run(["git", *_GIT, *args], cwd=repo, check=True, capture_output=True)
        repos.append(repo)
    return repos


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for repo in build(Path(sys.argv[1]).resolve()):
        print(repo)
