"""Which files a scan reads, and which it sets aside (and why).

Inside a git checkout git gives the file list, so `.gitignore` (every level,
plus global excludes) is honoured exactly; elsewhere a walk honours the
`.gitignore` files at every level, a deeper one deciding over a higher one.
Symlinks are never followed out of the root; binary and oversized files are
skipped with a reason that is counted and can be listed.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from platform_lint.records import record

BINARY_PROBE = 8192
PathMatcher = Callable[[str], bool]


def printable(name: str) -> str:
    """A file name as text any output can carry: bytes that are not UTF-8 (kept by
    `surrogateescape`) and control characters as `\\xNN`, the rest as it is."""
    if name.isprintable():
        return name
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that did not come from a byte
        raw = name.encode("utf-8", "backslashreplace")
    text = raw.decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@record(frozen=True)
class SourceFile:
    path: str
    """Relative to the scan root, with forward slashes; `printable` (a name that is
    not valid UTF-8 is read by its bytes and known by its escaped form)."""
    content: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", printable(self.path))


@record(frozen=True)
class Skipped:
    path: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", printable(self.path))


def _git_files(root: Path) -> list[str] | None:
    import subprocess  # only a run inside a git checkout pays for it (~4 ms)

    try:
        out = subprocess.run(  # no fsmonitor: a command named by the repository's own config
            ["git", "-c", "core.fsmonitor=false", "-C", str(root), "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return sorted({p for p in out.decode("utf-8", "surrogateescape").split("\0") if p})


def _walk(root: Path) -> list[str]:
    """Every file under `root`, honouring `.gitignore` files at every level."""
    found: list[str] = []
    levels: dict[str, list[_Ignore]] = {}  # directory prefix -> the .gitignore files that apply
    for directory, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(directory, root).replace(os.sep, "/")
        prefix = "" if rel_dir == "." else f"{rel_dir}/"
        chain = levels.pop(prefix, [])  # set when the parent directory was walked
        own = _ignore_file(Path(directory) / ".gitignore", prefix) if ".gitignore" in filenames else None
        chain = [*chain, own] if own is not None else chain
        dirnames[:] = sorted(d for d in dirnames if d != ".git" and not _ignored(chain, f"{prefix}{d}/"))
        # A symlinked directory is not walked into; listed like a file, it is skipped with a reason.
        found.extend(f"{prefix}{d}" for d in dirnames if os.path.islink(os.path.join(directory, d)))
        for d in dirnames:
            levels[f"{prefix}{d}/"] = chain
        found.extend(f"{prefix}{f}" for f in filenames if not _ignored(chain, f"{prefix}{f}"))
    return sorted(found)


class _Ignore(NamedTuple):  # not a dataclass: building one at import costs a few compiles
    prefix: str
    """The directory of the .gitignore, relative to the root, with a trailing slash."""
    decide: Callable[[str], bool | None]
    """True: ignored, False: re-included by a `!` pattern, None: no pattern matches."""


def _ignore_file(path: Path, prefix: str) -> _Ignore | None:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return None
    try:
        spec = gitignore_spec(lines)
    except (ValueError, re.error):  # as git does, a pattern it cannot read (`!` alone) is passed over
        spec = gitignore_spec([ln for ln in lines if pattern_problem(ln) is None])
    return _Ignore(prefix, lambda rel: spec.check_file(rel).include)


def _ignored(chain: list[_Ignore], path: str) -> bool:
    """Git's answer: the deepest .gitignore with a pattern matching `path` decides."""
    for ignore in reversed(chain):
        decided = ignore.decide(path[len(ignore.prefix) :])
        if decided is not None:
            return bool(decided)
    return False


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` is not a usable gitignore-style pattern (`!` alone, a bad range), or None.
    A pattern of a plain shape (`plain_regex`) is usable without asking pathspec."""
    if plain_regex(pattern) is not None:
        return None
    try:
        gitignore_spec([pattern])
    except (ValueError, re.error) as exc:
        return str(exc) if isinstance(exc, re.error) else f"{pattern!r} is not a valid gitignore pattern"
    return None


def path_matcher(patterns: Iterable[str]) -> PathMatcher | None:
    """A predicate for gitignore-style `patterns`, or None when there are none.
    Patterns of the plain shapes (`plain_regex`) need no pathspec: its import and
    compiling cost more than a one-file run's judging (the `contexts` defaults)."""
    kept = [p for p in patterns if p.strip() and not p.lstrip().startswith("#")]
    if not kept:
        return None
    plain = [plain_regex(p) for p in kept]
    if all(plain):
        match = re.compile("|".join(r for r in plain if r)).match
        return lambda path: match(_relative_name(path)) is not None
    match_file: PathMatcher = gitignore_spec(kept).match_file
    return match_file


def gitignore_spec(lines: list[str], *, helm: bool = False) -> Any:
    """pathspec's gitignore patterns of `lines` (with `helm`, as a `.helmignore` reads them:
    pathspec's GitIgnoreSpec), compiled without Python's FutureWarning on stderr: `[[x]` is
    a class holding `[` (as git reads it), which `re` warns may change."""
    import warnings

    import pathspec

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        if helm:
            return pathspec.GitIgnoreSpec.from_lines(lines)
        return _in_sets(lines)


_SET_LINES = 1000
"""Lines compiled into one of pathspec's RE2 sets: RE2 refuses a set past its memory
bound, which 5,000 lines like `**/a1/**/b/**/*.x` (100 KB) are past."""


def _in_sets(lines: list[str]) -> Any:
    """pathspec's gitignore patterns of `lines`, compiled `_SET_LINES` at a time (a chunk
    RE2 refuses, in halves); a single pattern RE2 refuses is a ValueError, as one that
    cannot be read is."""
    import pathspec
    import re2

    specs: list[Any] = []
    pending = [lines[start : start + _SET_LINES] for start in range(0, len(lines) or 1, _SET_LINES)][::-1]
    while pending:
        chunk = pending.pop()
        try:
            specs.append(pathspec.PathSpec.from_lines("gitignore", chunk))
        except re2.error:
            if len(chunk) <= 1:
                raise ValueError(f"{chunk[0][:80]!r}... is too large a gitignore pattern") from None
            pending += [chunk[len(chunk) // 2 :], chunk[: len(chunk) // 2]]
    return specs[0] if len(specs) == 1 else _Sets(specs)


class _Sets(NamedTuple):
    """PathSpecs of consecutive chunks of one list of patterns, read as one: the last
    chunk with a matching pattern decides, as the last matching pattern does."""

    specs: list[Any]

    def check_file(self, file: str) -> Any:
        for spec in reversed(self.specs):
            result = spec.check_file(file)
            if result.include is not None:
                return result
        return result

    def match_file(self, file: str) -> bool:
        return bool(self.check_file(file).include)


_PLAIN_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/*")


def plain_regex(pattern: str) -> str | None:
    """The regex pathspec makes of a gitignore `pattern` of a plain shape (segments
    of letters, digits, `._-` and `*`; a leading `/` or `**/`; a trailing `/`), or
    None for any other (`!`, `?`, `[...]`, escapes, `**` elsewhere, a last segment `*`).
    A pattern with a `/` before its end is anchored at the root; `*` alone as a
    segment is one or more characters, within a segment any run but `/`."""
    if not pattern or not _PLAIN_CHARACTERS.issuperset(pattern):
        return None
    floating = pattern.startswith("**/")
    body = pattern[3:] if floating else pattern
    directory = body.endswith("/")
    body = body.removesuffix("/")
    anchored = not floating and "/" in body
    segments = body.removeprefix("/").split("/") if anchored else body.split("/")
    if "**" in body or {"", ".", ".."} & set(segments) or segments[-1] == "*":
        return None
    parts = ("[^/]+" if s == "*" else "[^/]*".join(map(re.escape, s.split("*"))) for s in segments)
    return ("^" if anchored else "^(?:.+/)?") + "/".join(parts) + ("/" if directory else "(?:/|$)")


def _relative_name(path: str) -> str:
    """A path as pathspec matches it: without one leading `/` or `./`."""
    return path[1:] if path.startswith("/") else path[2:] if path.startswith("./") else path


def _symlink_problem(root: Path, path: Path) -> str | None:
    """Why a symlink is not read, if it is not: it leads out of `root`, nowhere, or round."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a loop, on Python 3.11
        return "broken or looping symlink"
    try:
        target.relative_to(root)
    except ValueError:
        return "symlink outside the scanned root"
    return None


def outside_root(root: Path, name: str) -> Skipped | None:
    """A skip for a `name` that does not lead to a place inside `root` (resolved)."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or "\0" in name:
        return Skipped(name, "outside the scanned root")
    try:
        (root / name).parent.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return Skipped(name, "outside the scanned root (through a symlinked directory)")
    return None


def discover(
    root: Path,
    only: Sequence[str] | None,
    *,
    exclude: Sequence[str] = (),
    max_size: int,
) -> tuple[list[SourceFile], list[Skipped]]:
    """Read the files to scan under `root` (or just `only`, relative to root).

    A name in `only` comes from outside (the command line, a change list): one
    that is absolute, climbs out with `..` or passes through a directory
    symlinked out of `root` is not read but skipped, so it is reported."""
    root = root.resolve()
    names = names_to_scan(root, only, exclude)
    files: list[SourceFile] = []
    skipped: list[Skipped] = []
    for name in names:
        result = (outside_root(root, name) if only is not None else None) or _read(root, name, max_size)
        if isinstance(result, Skipped):
            skipped.append(result)
        elif result is not None:
            files.append(result)
    return files, skipped


def names_to_scan(root: Path, only: Sequence[str] | None, exclude: Sequence[str] = ()) -> list[str]:
    """The files a scan reads (all of them, or just `only`), none of them read yet."""
    return list_paths(root, exclude) if only is None else _kept(sorted(set(only)), exclude)


def read_file(root: str, name: str, max_size: int) -> SourceFile | Skipped | None:
    """One file below `root` (already resolved), or why it is skipped; None if it is gone.
    Names from outside (see `discover`) are first checked with `outside_root`."""
    return _read(Path(root), name, max_size)


def list_paths(root: Path, exclude: Sequence[str] = ()) -> list[str]:
    """Every file under `root` that is not ignored, relative to it; nothing is read."""
    root = root.resolve()
    listed = _git_files(root) if (root / ".git").exists() or _in_git(root) else None
    return _kept(listed if listed is not None else _walk(root), exclude)


def _kept(names: list[str], exclude: Sequence[str]) -> list[str]:
    excluded = path_matcher(exclude)
    return names if excluded is None else [n for n in names if not excluded(n)]


def _in_git(root: Path) -> bool:
    return any((parent / ".git").exists() for parent in root.parents)


def _read(root: Path, name: str, max_size: int) -> SourceFile | Skipped | None:
    content = read_bytes(root, name, max_size)
    return content if not isinstance(content, bytes) else content_file(name, content)


def read_bytes(root: Path, name: str, max_size: int) -> bytes | Skipped | None:
    """A file's bytes, text or not (a chart's `.tgz` subchart), with `read_file`'s
    bounds: no symlink out of `root`, nothing larger than `max_size`."""
    plain = _plain_file(os.path.join(root, name))
    if plain is not None:  # a regular file, not a symlink: one lstat, then read
        size, full = plain
        if size > max_size:
            return Skipped(name, f"larger than {max_size} bytes")
        try:
            with open(full, "rb") as handle:
                return handle.read()
        except OSError as exc:
            return Skipped(name, f"unreadable: {exc.strerror}")
    path = root / name
    problem = _symlink_problem(root, path) if path.is_symlink() else None
    if problem is not None:
        return Skipped(name, problem)
    try:
        if not path.is_file():
            return _not_a_file(path, name)
        size = path.stat().st_size
        if size > max_size:
            return Skipped(name, f"larger than {max_size} bytes")
        return path.read_bytes()
    except OSError as exc:
        return Skipped(name, f"unreadable: {exc.strerror}")


def _plain_file(full: str) -> tuple[int, str] | None:
    """(size, path) of a regular file that is no symlink; None for anything else
    (a symlink, a FIFO, a directory, a name that is gone), which `read_bytes` looks at closer."""
    try:
        status = os.lstat(full)
    except OSError:
        return None
    return (status.st_size, full) if stat.S_ISREG(status.st_mode) else None


def _not_a_file(path: Path, name: str) -> Skipped | None:
    """Why a name that is not a regular file is skipped: a symlinked directory or a
    FIFO, socket or device (never opened: reading a FIFO blocks). None when it is gone
    (deleted in the work tree) or a directory itself (a submodule)."""
    if path.is_symlink() and path.is_dir():
        return Skipped(name, "symlinked directory (not followed)")
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return None
    kind = "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
    return Skipped(name, f"not a regular file ({kind})")


def content_file(name: str, content: bytes) -> SourceFile | Skipped:
    """A file's bytes as the scan reads them, wherever they came from (disk, git objects)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with a byte-order mark (Windows tools write it): text, read as UTF-8.
        try:
            content = content.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return Skipped(name, "binary")
    if b"\0" in content[:BINARY_PROBE]:
        return Skipped(name, "binary")
    return SourceFile(name, content)
