"""Files as they were at a git revision, read from git objects (no checkout),
and the lines a diff adds.

Every revision a user names is resolved once with `git rev-parse --verify
--end-of-options`, so a name starting with `-` is never read as an option;
later git calls only ever see the full commit id it resolved to.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from platform_lint.discovery import Skipped, SourceFile, content_file, path_matcher
from platform_lint.errors import PlatformLintError

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
"""git's id of the empty tree: the base of a repository with no commit yet."""

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")
_SAFE = ("-c", "core.quotePath=false", "-c", "diff.noprefix=false")


class RevisionError(PlatformLintError, RuntimeError):
    """git cannot resolve or read a revision."""


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *_SAFE, *args], cwd=root, input=stdin, capture_output=True,
                              check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or "failed"
        raise RevisionError(f"git {args[0]}: {message}")
    return done.stdout


def resolve_commit(root: Path, revision: str) -> str:
    """The full id of the commit `revision` names; never read as an option."""
    if not revision or "\0" in revision or "\n" in revision:
        raise RevisionError(f"{revision!r} is not a revision")
    try:
        out = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    except RevisionError:
        raise RevisionError(f"{revision!r} is not a commit in this repository") from None
    return out.decode().strip()


def merge_base(root: Path, commit: str, head: str = "HEAD", named: str | None = None) -> str:
    """Where the branch at `head` left `commit` (what `git diff commit...head` compares with).
    There is none in a shallow clone whose history stops short of it, or across unrelated
    histories: an error naming `commit` as the user wrote it (`named`) says which."""
    try:
        return _git(root, "merge-base", "--end-of-options", commit, head).decode().strip()
    except RevisionError:
        shallow = _git(root, "rev-parse", "--is-shallow-repository").strip() == b"true"
    why = ("in this shallow clone; fetch their history (git fetch --unshallow, or "
           "actions/checkout with fetch-depth: 0)" if shallow else "(unrelated histories)")
    raise RevisionError(f"{named or commit!r} and HEAD share no commit {why}")


def head_commit(root: Path) -> str | None:
    """HEAD's commit id, or None in a repository with no commit yet."""
    try:
        return resolve_commit(root, "HEAD")
    except RevisionError:
        return None


def repo_prefix(root: Path) -> str:
    """`root` relative to the repository's top level, with a trailing slash ("" at the top)."""
    return _git(root, "rev-parse", "--show-prefix").decode("utf-8", "surrogateescape").strip()


@dataclass(frozen=True, slots=True)
class Entry:
    mode: str
    object_id: str
    size: int


def tree_entries(root: Path, commit: str) -> dict[str, Entry]:
    """Every file at `commit` below `root`, by path relative to `root`."""
    if commit == EMPTY_TREE:
        return {}
    prefix = repo_prefix(root)
    out = _git(root, "ls-tree", "-r", "-z", "-l", "--full-tree", commit)
    entries: dict[str, Entry] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, object_id, size = meta.split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind != b"blob" or not path.startswith(prefix):
            continue  # submodules are commits, not files
        entries[path[len(prefix):]] = Entry(mode.decode(), object_id.decode(),
                                            int(size) if size != b"-" else 0)
    return entries


def read_files(
    root: Path,
    entries: Mapping[str, Entry],
    names: Iterable[tuple[str, str]],
    *,
    exclude: Sequence[str] = (),
    max_size: int,
) -> tuple[list[SourceFile], list[Skipped]]:
    """The files `names` lists as (path at the revision, path to show it under),
    read from git objects with one `git cat-file --batch`; skipped like discovery
    skips files on disk (excluded, oversized, symlinks, binary)."""
    excluded = path_matcher(exclude)
    wanted: list[tuple[str, str, Entry]] = []
    skipped: list[Skipped] = []
    for at, shown in names:
        entry = entries.get(at)
        if entry is None or (excluded is not None and excluded(shown)):
            continue
        if entry.mode == "120000":
            skipped.append(Skipped(shown, "symlink (not followed at the base revision)"))
        elif entry.size > max_size:
            skipped.append(Skipped(shown, f"larger than {max_size} bytes"))
        else:
            wanted.append((at, shown, entry))
    blobs = _cat_blobs(root, [e.object_id for _, _, e in wanted])
    files: list[SourceFile] = []
    for _at, shown, entry in wanted:
        made = content_file(shown, blobs[entry.object_id])
        if isinstance(made, Skipped):
            skipped.append(made)
        else:
            files.append(made)
    return files, skipped


def _cat_blobs(root: Path, object_ids: Sequence[str]) -> dict[str, bytes]:
    unique = sorted(set(object_ids))
    if not unique:
        return {}
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in unique).encode())
    blobs: dict[str, bytes] = {}
    at = 0
    for _ in unique:
        header_end = out.index(b"\n", at)
        object_id, _kind, size = out[at:header_end].split()
        start = header_end + 1
        blobs[object_id.decode()] = out[start:start + int(size)]
        at = start + int(size) + 1
    return blobs


def added_lines(root: Path, base: str, *, staged: bool) -> dict[str, set[int]]:
    """For each file the change touches, the lines (numbered as in the new
    version) that it adds or changes: `git diff -U0` from `base` to HEAD, or
    of the index when `staged`."""
    prefix = repo_prefix(root)
    args = ["diff", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "-M",
            "--src-prefix=a/", "--dst-prefix=b/"]
    args += ["--cached", base] if staged else [base, "HEAD"]
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in _git(root, *args, "--").split(b"\n"):
        if line.startswith(b"+++ "):
            path = _diff_path(line[4:])
            current = None
            if path is not None and path.startswith(prefix):
                current = out.setdefault(path[len(prefix):], set())
        elif current is not None and line.startswith(b"@@ "):
            match = _HUNK.match(line)
            if match:
                start = int(match["start"])
                count = int(match["count"]) if match["count"] is not None else 1
                current.update(range(start, start + count))
    return out


def _diff_path(raw: bytes) -> str | None:
    """The path after `+++ ` (None for /dev/null); C-quoted when it holds odd characters."""
    if raw.startswith(b'"') and raw.endswith(b'"'):
        raw = _unquote(raw[1:-1])
    if not raw.startswith(b"b/"):
        return None
    return raw[2:].decode("utf-8", "surrogateescape")


_ESCAPES = {b"n": b"\n", b"t": b"\t", b'"': b'"', b"\\": b"\\", b"a": b"\a", b"b": b"\b",
            b"f": b"\f", b"r": b"\r", b"v": b"\v"}


def _unquote(text: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i:i + 1]
        if char == b"\\" and i + 1 < len(text):
            nxt = text[i + 1:i + 2]
            if nxt.isdigit() and i + 3 < len(text) + 1:
                out.append(int(text[i + 1:i + 4], 8))
                i += 4
                continue
            out += _ESCAPES.get(nxt, nxt)
            i += 2
            continue
        out += char
        i += 1
    return bytes(out)
