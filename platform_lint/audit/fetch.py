"""Getting a repository's files at one commit, with git.

A git URL is fetched shallowly into a bare mirror in the cache folder (made on
first use, fetched again after), and its files are read from the fetched
commit with `git ls-tree` and one `git cat-file --batch`: no work tree is ever
checked out. A local git repository is read from its HEAD (or `ref`) the same
way when its work tree is clean; a local folder with uncommitted changes, or
no git at all, is read as it is, and identified by a hash of its content.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from platform_lint.discovery import Skipped, SourceFile, content_file, names_to_scan, path_matcher, read_file
from platform_lint.errors import PlatformLintError

GIT_TIMEOUT = 600.0
MAX_READ_BYTES = 256 * 1024 * 1024
"""The most bytes of files an audit holds of one repository (each within `max_file_size`): a
few kilobytes of packed objects, or of hard links, can name gigabytes of files. In path order,
a file that no longer fits is skipped with the reason."""
MAX_FILES = 250_000
"""The most files an audit lists of one commit; a commit with more fails with the reason."""
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


class FetchError(PlatformLintError):
    """A repository that cannot be fetched or read; the message is the reason (`git_exit`:
    the exit code of the git command that failed, if one did)."""

    def __init__(self, message: str, git_exit: int | None = None) -> None:
        super().__init__(message)
        self.git_exit = git_exit


def redact_url(url: str) -> str:
    """The URL without credentials (`https://user:token@host/...` -> `https://***@host/...`)."""
    return _USERINFO.sub("***@", url)


@dataclass(frozen=True, slots=True)
class Snapshot:
    commit: str
    """A commit id, or `worktree:<hash of the files>` for a folder read as it is."""
    files: list[SourceFile]
    skipped: list[Skipped]


def _environment(config: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    # No prompt may hang a unit, and no inventory URL may run a command (`ext::`).
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": "", "LC_ALL": "C",
            "GIT_ALLOW_PROTOCOL": os.environ.get("GIT_ALLOW_PROTOCOL", "file:git:http:https:ssh"),
            **_command_line_config([("core.fsmonitor", "false"), *config])}


def _failed(command: str, returncode: int, stderr: bytes) -> FetchError:
    lines = [m.strip() for m in stderr.decode("utf-8", "replace").splitlines() if m.strip()]
    first = next((m for m in lines if m.startswith(("fatal:", "error:"))), None)
    reason = (first or (lines[-1] if lines else f"exit code {returncode}"))
    reason = reason.removeprefix("fatal: ").removeprefix("error: ")
    return FetchError(redact_url(f"git {command}: {reason}"), returncode)


def _git(args: Sequence[str], *, cwd: Path | None = None, input_bytes: bytes | None = None,
         timeout: float = GIT_TIMEOUT, config: Sequence[tuple[str, str]] = ()) -> bytes:
    command = args[2] if args[0] == "-C" else args[0]
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=input_bytes, capture_output=True,
                              timeout=timeout, env=_environment(config), check=False,
                              stdin=None if input_bytes is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise FetchError(f"git {command} timed out") from None
    except OSError as exc:
        raise FetchError(f"cannot run git: {exc.strerror}") from None
    if done.returncode != 0:
        raise _failed(command, done.returncode, done.stderr)
    return done.stdout


def _tree_listing(git_dir: Path, commit: str, limit: int, timeout: float = GIT_TIMEOUT) -> bytes:
    """`git ls-tree -r` of `commit`, read as it comes and stopped past `limit` entries: a tree
    that names one subtree ten times, nine levels deep, lists 10**9 files from a few kilobytes
    of objects."""
    import tempfile
    import threading

    args = ["-C", str(git_dir), "ls-tree", "-r", "-z", "--long", "--full-tree", commit]
    chunks: list[bytes] = []
    entries = 0
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(["git", *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=errors, env=_environment())
        except OSError as exc:
            raise FetchError(f"cannot run git: {exc.strerror}") from None
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, stop)
        timer.start()
        with proc:
            try:
                assert proc.stdout is not None
                while chunk := proc.stdout.read(1 << 16):
                    chunks.append(chunk)
                    entries += chunk.count(b"\0")
                    if entries > limit:
                        proc.kill()
                        raise FetchError(f"the commit has more than {limit} files, the most an audit lists")
            finally:
                timer.cancel()
        if timed_out.is_set():
            raise FetchError("git ls-tree timed out")
        if proc.returncode != 0:
            errors.seek(0)
            raise _failed("ls-tree", proc.returncode, errors.read())
    return b"".join(chunks)


def _command_line_config(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """`pairs` as git's command-line config (after any the caller's environment holds): it
    wins over every config file, a local repository's own `.git/config` too."""
    count = os.environ.get("GIT_CONFIG_COUNT", "0")
    start = int(count) if count.isdigit() else 0
    env = {"GIT_CONFIG_COUNT": str(start + len(pairs))}
    for n, (key, value) in enumerate(pairs, start):
        env[f"GIT_CONFIG_KEY_{n}"], env[f"GIT_CONFIG_VALUE_{n}"] = key, value
    return env


def _inert_filters(path: Path, timeout: float) -> list[tuple[str, str]]:
    """Every filter driver the config of the local repository at `path` defines, made a no-op.
    Its `.git/config` came with the folder, as untrusted as its files, and `git status` runs a
    clean filter on each file whose stat data has changed."""
    try:
        names = _git(["-C", str(path), "config", "--null", "--name-only", "--get-regexp", r"^filter\."],
                     timeout=timeout)
    except FetchError:  # none (exit code 1), or a config git cannot read: `status` will say so
        return []
    drivers = {name.rsplit(".", 1)[0] for name in names.decode("utf-8", "surrogateescape").split("\0")
               if name.count(".") >= 2}
    return [(f"{driver}.{key}", value) for driver in sorted(drivers)
            for key, value in (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false"))]


def mirror_path(cache: Path, url: str) -> Path:
    safe = redact_url(url)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", safe.rsplit("/", 1)[-1].removesuffix(".git"))[:40]
    return cache / f"{stem or 'repo'}-{hashlib.sha256(safe.encode()).hexdigest()[:12]}.git"


def fetch_remote(url: str, ref: str | None, cache: Path, timeout: float = GIT_TIMEOUT) -> tuple[Path, str]:
    """Fetch `ref` (default: the remote's HEAD) at depth 1 into the cached mirror."""
    mirror = mirror_path(cache, url)
    if not (mirror / "HEAD").is_file():
        mirror.mkdir(parents=True, exist_ok=True)
        _git(["init", "--bare", "--quiet", str(mirror)], timeout=timeout)
    _git(["-C", str(mirror), "fetch", "--depth", "1", "--no-tags", "--quiet", "--", url, ref or "HEAD"],
         timeout=timeout)
    commit = _git(["-C", str(mirror), "rev-parse", "FETCH_HEAD^{commit}"], timeout=timeout)
    return mirror, commit.decode().strip()


def local_commit(path: Path, ref: str | None, timeout: float = GIT_TIMEOUT) -> str | None:
    """The commit to read from a local repository, or None to read its work tree as it is."""
    if not path.is_dir():
        raise FetchError(f"{path}: no such directory")
    if not (path / ".git").exists() and not (path / "objects").is_dir():
        return None  # not a repository (or not its top): read the folder
    if ref is None and (path / ".git").exists():
        # One call says both: the HEAD commit (`# branch.oid`) and whether anything is uncommitted.
        # Submodules are never read, so never looked into (their configs are theirs, too).
        status = _git(["-C", str(path), "status", "--porcelain=v2", "--branch", "--untracked-files=normal",
                       "--ignore-submodules=all"], config=_inert_filters(path, timeout), timeout=timeout)
        lines = status.decode("utf-8", "surrogateescape").splitlines()
        if any(not line.startswith("# ") for line in lines):
            return None
        head = next((line.split()[2] for line in lines if line.startswith("# branch.oid ")), "(initial)")
        if head != "(initial)":
            return head
        raise FetchError(f"{path}: the repository has no commit yet")
    try:
        return _git(["-C", str(path), "rev-parse", "--verify", "--quiet", "--end-of-options",
                     f"{ref or 'HEAD'}^{{commit}}"], timeout=timeout).decode().strip()
    except FetchError as exc:
        if exc.git_exit != 1:  # --verify --quiet: 1, and nothing said, for a name of no commit
            raise
        raise FetchError(f"{path}: {'the ref ' + repr(ref) if ref else 'HEAD'} names no commit") from None


def _over_budget(name: str, budget: int) -> Skipped:
    return Skipped(name, f"past the {budget} bytes an audit reads of one repository")


def read_commit(git_dir: Path, commit: str, max_size: int, exclude: Sequence[str] = (),
                budget: int = MAX_READ_BYTES, max_files: int = MAX_FILES) -> Snapshot:
    """Every file of `commit`: symlinks and submodules set aside, large and binary files skipped,
    and those past the `budget` of bytes too; a commit of more than `max_files` files fails."""
    listing = _tree_listing(git_dir, commit, max_files)
    excluded = path_matcher(exclude)
    wanted: list[tuple[str, str]] = []
    skipped: list[Skipped] = []
    left = budget
    for record in listing.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        meta, name = record.split("\t", 1)
        mode, kind, sha, size = meta.split()
        if kind != "blob" or (excluded is not None and excluded(name)):
            continue  # a submodule, or excluded by the config
        if mode == "120000":
            skipped.append(Skipped(name, "symlink (an audit reads the commit and follows no links)"))
        elif int(size) > max_size:
            skipped.append(Skipped(name, f"larger than {max_size} bytes"))
        elif int(size) > left:
            skipped.append(_over_budget(name, budget))
        else:
            left -= int(size)
            wanted.append((name, sha))
    files: list[SourceFile] = []
    for name, content in zip((n for n, _ in wanted), _blobs(git_dir, [s for _, s in wanted]), strict=True):
        read = content_file(name, content)
        if isinstance(read, Skipped):
            skipped.append(read)
        else:
            files.append(read)
    return Snapshot(commit, files, sorted(skipped, key=lambda s: s.path))


def _blobs(git_dir: Path, shas: list[str]) -> list[bytes]:
    """The contents of `shas`, in order, from one `git cat-file --batch`."""
    if not shas:
        return []
    out = _git(["-C", str(git_dir), "cat-file", "--batch"], input_bytes="\n".join(shas).encode() + b"\n")
    blobs: list[bytes] = []
    pos = 0
    for _ in shas:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        start = header_end + 1
        blobs.append(out[start : start + size])
        pos = start + size + 1
    return blobs


def read_folder(root: Path, max_size: int, exclude: Sequence[str] = (),
                budget: int = MAX_READ_BYTES) -> Snapshot:
    """A folder as it is on disk, identified by a hash of its paths and contents; the files
    past the `budget` of bytes are skipped (one file of at most `max_size` read past it)."""
    root = root.resolve()
    files: list[SourceFile] = []
    skipped: list[Skipped] = []
    left = budget
    for name in names_to_scan(root, None, exclude):
        read = read_file(str(root), name, max_size) if left > 0 else _over_budget(name, budget)
        if isinstance(read, SourceFile) and len(read.content) > left:
            read = _over_budget(name, budget)
        if isinstance(read, Skipped):
            skipped.append(read)
        elif read is not None:
            left -= len(read.content)
            files.append(read)
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f.path}\0{len(f.content)}\0".encode("utf-8", "surrogateescape"))
        digest.update(f.content)
    return Snapshot(f"worktree:{digest.hexdigest()[:40]}", files, skipped)


def tree_bytes(path: Path) -> int:
    """The size of a local repository's HEAD commit (0 when unknown): for scheduling only, in the
    parent, so as bounded as a unit's listing and quicker."""
    try:
        listing = _tree_listing(path, "HEAD", MAX_FILES, timeout=30)
    except FetchError:
        return 0
    return sum(int(fields[3]) for record in listing.split(b"\0")
               if len(fields := record.split(b"\t", 1)[0].split()) == 4 and fields[3].isdigit())
