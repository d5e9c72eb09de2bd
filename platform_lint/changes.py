"""What a change touches, and which team is making it.

This is the one place that runs git and reads the environment for ownership;
checks only see the result, a synthetic document of kind "change" whose
single object's value is

    {"files": [{"path", "status": added|modified|deleted|renamed, "old_path"}],
     "team": str | None, "team_source": str, "mode": "change" | "full",
     "email": str | None, "actor": str | None, "tree": [str] | None}

`team` is the acting team when given (`--team`, `PLATFORM_LINT_TEAM`); else
the checks map `email` (git `user.email`) or `actor` (`GITHUB_ACTOR` in CI)
to the team whose charter or configuration lists it. `tree` is every file of
the repository when known (always in full mode).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from platform_lint.errors import PlatformLintError
from platform_lint.model import Document, Span
from platform_lint.records import record

Status = Literal["added", "modified", "deleted", "renamed"]
Mode = Literal["change", "full"]

_STATUS: dict[str, Status] = {"A": "added", "C": "added", "M": "modified", "T": "modified",
                              "U": "modified", "D": "deleted", "R": "renamed"}
_NAME_STATUS = re.compile(r"^(?P<status>[ACDMRTU])(?P<score>\d{0,3})$")


class ChangeError(PlatformLintError, RuntimeError):
    """git could not say what changed (not a repository, unknown base...)."""


@record(frozen=True)
class ChangedFile:
    path: str
    status: Status = "modified"
    old_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "old_path": self.old_path}


@record(frozen=True)
class Acting:
    """Who is making the change, as far as the command line, env and git tell."""

    team: str | None = None
    source: str = ""
    email: str | None = None
    actor: str | None = None


def _git(root: Path, *args: str) -> str:
    import subprocess  # only a run that reads git pays for it (~4 ms)

    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=False)
    except FileNotFoundError:
        raise ChangeError("git is not installed") from None
    if done.returncode != 0:
        raise ChangeError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def _name_status(output: str) -> list[ChangedFile]:
    """`git diff --name-status -z` output; renames count under both paths."""
    fields = output.split("\0")
    out: list[ChangedFile] = []
    i = 0
    while i < len(fields) and fields[i]:
        code = fields[i][0]
        status = _STATUS.get(code, "modified")
        if code in "RC":
            old, new = fields[i + 1], fields[i + 2]
            out.append(ChangedFile(new, status, old if code == "R" else None))
            i += 3
        else:
            out.append(ChangedFile(fields[i + 1], status))
            i += 2
    return out


def staged_files(root: Path) -> list[ChangedFile]:
    """The files staged for commit (what a pre-commit hook is about to commit)."""
    return _name_status(_git(root, "diff", "--cached", "--name-status", "-M", "-z"))


def diff_files(root: Path, base: str) -> list[ChangedFile]:
    """The files changed on this branch since it left `base` (`git diff BASE...HEAD`).
    `base` is resolved to a commit id first, so `--diff=--output=FILE` is a
    revision that does not exist, never an option to git."""
    from platform_lint.revision import RevisionError, merge_base, resolve_commit

    try:
        since = merge_base(root, resolve_commit(root, base), named=base)
    except RevisionError as exc:
        raise ChangeError(f"--diff: {exc}") from None
    return _name_status(_git(root, "diff", "--name-status", "-M", "-z", "--end-of-options",
                             since, "HEAD", "--"))


def repository_path(path: str) -> str:
    """A path as CODEOWNERS sees it: `./a/b` is `a/b`; `./.github/x` keeps its
    `.github` (stripping the characters `./` would not). An absolute path stays
    one: it names a file on disk, which may lie outside the repository."""
    while path.startswith("./"):
        path = path[2:].lstrip("/")
    return path


def parse_changed_files(text: str) -> list[ChangedFile]:
    """A `--changed-files` list: one path a line, or `git diff --name-status` lines.

    `M path`, `A path`, `D path` and `R100 old new` (tab- or space-separated)
    are understood; a bare path counts as modified; `./path` is `path`. Blank lines and `#`
    comments are ignored.
    """
    out: list[ChangedFile] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        match = _NAME_STATUS.match(parts[0]) if len(parts) > 1 else None
        if match is None:
            out.append(ChangedFile(repository_path(line)))
            continue
        code = match["status"]
        if code in "RC" and len(parts) == 3:
            old = repository_path(parts[1]) if code == "R" else None
            out.append(ChangedFile(repository_path(parts[2]), _STATUS[code], old))
        else:
            out.append(ChangedFile(repository_path(parts[-1]), _STATUS[code]))
    return out


def read_changed_files(path: Path) -> list[ChangedFile]:
    """`--changed-files FILE` (`-` reads standard input)."""
    import sys

    # surrogateescape: a file name that is not UTF-8 still names its file.
    try:
        raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise ChangeError(f"--changed-files {path}: cannot read: {exc.strerror or exc}") from None
    return parse_changed_files(raw.decode("utf-8", "surrogateescape"))


def given_files(paths: Iterable[str]) -> list[ChangedFile]:
    """Files named on the command line (as pre-commit passes them): modified, or
    deleted when they no longer exist."""
    return [ChangedFile(p, "modified" if Path(p).exists() else "deleted") for p in paths]


def acting_team(explicit: str | None, root: Path,
                env: Mapping[str, str] | None = None) -> Acting:
    """`--team`, else `PLATFORM_LINT_TEAM`, else the identities the checks map to a team:
    `git config user.email` and, in CI, `GITHUB_ACTOR`."""
    env = os.environ if env is None else env
    if explicit:
        return Acting(explicit, "--team")
    if env.get("PLATFORM_LINT_TEAM"):
        return Acting(env["PLATFORM_LINT_TEAM"], "PLATFORM_LINT_TEAM")
    try:
        email = _git(root, "config", "user.email").strip() or None
    except ChangeError:
        email = None
    in_ci = bool(env.get("CI") or env.get("GITHUB_ACTIONS"))
    actor = env.get("GITHUB_ACTOR") if in_ci else None
    return Acting(None, "", email, actor or None)


def change_document(files: Sequence[ChangedFile], acting: Acting, mode: Mode = "change",
                    tree: Sequence[str] | None = None) -> Document:
    """The synthetic document the ownership rules read (kind "change")."""
    data = {
        "files": [f.to_dict() for f in files],
        "team": acting.team,
        "team_source": acting.source,
        "email": acting.email,
        "actor": acting.actor,
        "mode": mode,
        "tree": list(tree) if tree is not None else ([f.path for f in files]
                                                     if mode == "full" else None),
    }
    return Document(path=".", kind="change", data=data, spans={(): Span.point(1)})


def full_repository(paths: Sequence[str], acting: Acting | None = None) -> Document:
    """The change document for a whole-repository scan: every file, mode "full"."""
    return change_document([ChangedFile(p) for p in paths], acting or Acting(), "full", paths)


def change_from_text(text: str) -> Document:
    """A change written out by hand (test fixtures' `CHANGE` sidecar): an optional
    `team: NAME` line, then `--changed-files` lines."""
    team = None
    rest: list[str] = []
    for line in text.splitlines():
        if line.strip().lower().startswith("team:"):
            team = line.split(":", 1)[1].strip()
        else:
            rest.append(line)
    acting = Acting(team, "CHANGE file") if team else Acting()
    return change_document(parse_changed_files("\n".join(rest)), acting)


@record(frozen=True)
class ChangeRequest:
    """What the command line says about the change under check."""

    team: str | None = None
    diff_base: str | None = None
    changed_files: str | None = None
    staged: bool = False

    def resolve(self, root: Path, only: list[str] | None) -> tuple[list[str] | None, list[Document]]:
        """The files to check and the change document; a plain scan of a whole
        tree (no files named, no change described) has no change document."""
        if self.diff_base:
            files = diff_files(root, self.diff_base)
        elif self.changed_files:
            files = read_changed_files(Path(self.changed_files))
        elif self.staged:
            files = staged_files(root)
        elif only is not None:
            files = given_files(only)
        else:
            return None, []
        present = [f.path for f in files if f.status != "deleted" and (root / f.path).is_file()]
        return (only if only is not None else present), [
            change_document(files, acting_team(self.team, root))]
