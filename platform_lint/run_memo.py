"""A whole run's result remembered: `check` of an unchanged repository again
costs a file listing and a `stat` of each file, not a scan.

Only a plain scan of a whole tree is remembered (no files named, no change
described: `--diff`, `--staged` and `--changed-files` runs ask git, and
pre-commit's named files are one-file runs); anything else runs as before.
The result is a function of the inputs the key covers, and only of them:

- the tool: its version, the Python running it, the stat of every source,
  rule and schema file of the package, and the names (with versions) of the
  installed distributions on `sys.path` (`_tool`);
- the command line options that change the result (`--select`, `--ignore`,
  `--config`, `--rule-dir`, `--baseline`, `--team`, `--include-examples`),
  the root as written and resolved, the working directory;
- the environment the scan reads (`PLATFORM_LINT_FINGERPRINT_KEY`, hashed
  with the rest, never stored; the acting-team variables), today's date
  (exemptions expire, the repository document is dated);
- who runs (effective user, group and groups: what the scan may read; a
  listed file this process may not read turns the memo off);
- the config file found, the baseline and every user rule file: path, stat
  and a digest of the bytes;
- in the entry, checked before use: every file the scan lists (listed again
  as discovery lists them, with the config's `exclude`) and each one's stat.

A stat stands for a file's bytes only because it cannot be stale: the entry
is written only when every file's (and the tool's and the config's) change
time lies clearly before the run began (`_racy`, git's racy-timestamp rule),
and it is taken before the scan reads anything, so a file written during or
after the scan has a later change time and misses. A run where a file is
racy, is not a regular file (a symlink, a FIFO) or where the config names
rule directories (resolved through links the key does not follow) is not
remembered; a result with internal errors, over-budget files (they depend
on CPU time) or unreadable files is not either, nor one whose day turned or
whose root resolved elsewhere by its end. A config or baseline that is not a
regular file (a pipe reads once) or a config found outside the root (the scan
refuses it unread) turns the memo off before anything is read. An entry
another user wrote (a shared cache folder) is never read; `runs/` is made
private to its owner.

Output stays outside the memo: the `ScanResult` is stored and the reporters
run on it, so terminal width, colour and format never reach the key, and the
output is byte for byte a cold run's. The entry holds what the JSON report
shows (never a secret's text: findings are scrubbed before they are made).
Entries live beside the per-file cache (`$PLATFORM_LINT_CACHE_DIR` or the
user cache folder), are written whole under a temporary name and renamed,
are refused unless they parse to the right shape for their key, and at most
`MAX_ENTRIES` of together at most `MAX_BYTES` are kept (least recently used go first).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from platform_lint import __version__
from platform_lint.finding import Severity
from platform_lint.scan_result import (
    NotStorable,
    ScanResult,
    as_int,
    as_str,
    decode_result,
    encode_result,
)

if TYPE_CHECKING:
    from platform_lint.rules import Rule
    from platform_lint.run import Run

FORMAT = "platform-lint-run-memo/1"
MAX_ENTRIES = 64
MAX_BYTES = 256 * 2**20
ENVIRONMENT = ("PLATFORM_LINT_FINGERPRINT_KEY", "PLATFORM_LINT_TEAM", "GITHUB_ACTOR", "CI",
               "GITHUB_ACTIONS")
"""Every variable a scan reads (`run.FINGERPRINT_KEY_VARIABLE`, `changes.acting_team`)."""
_UNSTABLE = frozenset({"internal-error", "file-too-complex"})
_UNREADABLE = "unreadable:"
"""A skip reason (`discovery`) that depends on who runs, not on the files."""
_FINE_NS = 100_000_000
"""A change time this close to the run's start may share a clock tick with a later write."""
_COARSE_NS = 2_000_000_000
"""The same for a file system keeping whole seconds (a change time of no nanoseconds)."""

State = tuple[int, int, int, int, int]
"""(size, mtime_ns, ctime_ns, inode, device) of a regular file."""
_DIRECTORY: State = (-1, 0, 0, 0, 0)


class Recalled(NamedTuple):
    result: ScanResult
    rules: Mapping[str, Rule]
    """The rule pack, loaded when a reporter first reads it."""
    fail_on: int
    """The config's `fail_on` severity."""


class _LazyRules(Mapping[str, "Rule"]):
    """`rules.load_rules(dirs)`, loaded on first use (a JSON report needs none)."""

    def __init__(self, dirs: list[Path]) -> None:
        self._dirs = dirs
        self._rules: dict[str, Rule] | None = None

    def _loaded(self) -> dict[str, Rule]:
        if self._rules is None:
            from platform_lint.rules import load_rules

            self._rules = load_rules(self._dirs)
        return self._rules

    def __getitem__(self, rule_id: str) -> Rule:
        return self._loaded()[rule_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


class RunMemo:
    """One run's memo: `recall` before the set-up, or `before_scan` and `remember` around it."""

    def __init__(self, written: Path, root: Path, key: str, directory: Path, started: int,
                 racy: bool, rule_dirs: list[Path], today: dt.date) -> None:
        self.written = written
        self.root = root
        self.key = key
        self.file = directory / f"{key}.json"
        self.started = started
        self.rule_dirs = rule_dirs
        self.today = today
        self._open = not racy
        self._entry: dict[str, Any] | None = None

    @classmethod
    def open(cls, root: Path, *, config_path: str | None, select: Sequence[str],
             ignore: Sequence[str], baseline: str | None, team: str | None,
             rule_dirs: Sequence[str], include_examples: bool) -> RunMemo | None:
        """The memo of a plain whole-tree scan of `root`; None when an input cannot be
        read, or on Windows, where a file's `st_ctime` is when it was made, not changed."""
        if os.name == "nt":
            return None
        try:
            return cls._open_keyed(root, config_path, select, ignore, baseline, team, rule_dirs,
                                   include_examples)
        except OSError:
            return None

    @classmethod
    def _open_keyed(cls, root: Path, config_path: str | None, select: Sequence[str],
                    ignore: Sequence[str], baseline: str | None, team: str | None,
                    rule_dirs: Sequence[str], include_examples: bool) -> RunMemo:
        from platform_lint.cache_home import default_directory
        from platform_lint.config_files import find_config, outside

        started = time.time_ns()
        digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
        inputs = _Inputs(digest, started)
        inputs.add(*_tool(inputs))
        resolved = root.resolve()
        today = _today()
        inputs.add(os.fspath(root), os.fspath(resolved), os.getcwd(), today.isoformat())
        inputs.add(repr((os.geteuid(), os.getegid(), sorted(os.getgroups()))))  # what it may read
        inputs.add(repr((tuple(select), tuple(ignore), team, include_examples, tuple(rule_dirs))))
        for name in ENVIRONMENT:
            inputs.add(name, repr(os.environ.get(name)))
        config = Path(config_path) if config_path else find_config(root)
        if config is not None and not config_path and outside(config, resolved):
            raise OSError("a config outside the repository: the scan refuses it unread")
        inputs.file("config", config)
        inputs.file("baseline", Path(baseline) if baseline else None)
        dirs = [Path(d).resolve() for d in rule_dirs]
        for directory in dirs:
            inputs.add("rule-dir", os.fspath(directory))
            for name in sorted(os.listdir(directory)):
                if name.endswith((".yaml", ".yml")):
                    inputs.file(name, directory / name)
        return cls(root, resolved, inputs.digest.hexdigest(), default_directory() / "runs",
                   started, inputs.racy, dirs, today)

    def recall(self) -> Recalled | None:
        """The remembered result, if every file is as it was; else None."""
        try:
            with open(self.file, "rb") as handle:
                if os.fstat(handle.fileno()).st_uid != os.geteuid():
                    return None  # written by someone else (a shared cache folder): not trusted
                entry = json.loads(handle.read())
            if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != self.key:
                return None
            exclude = [as_str(p) for p in entry["exclude"]]
            if _states(self.root, exclude) != _decoded_states(entry["files"]):
                return None
            recalled = Recalled(decode_result(entry["result"]), _LazyRules(self.rule_dirs),
                                int(Severity(as_int(entry["fail_on"]))))
        except Exception:  # missing, unreadable, corrupt or foreign: a miss, never trusted
            return None
        with contextlib.suppress(OSError):
            os.utime(self.file)  # recently used: pruned last
        return recalled

    def before_scan(self, run: Run) -> None:
        """Note each file's state before the scan reads it (nothing when the run
        cannot be remembered)."""
        if not self._open or run.config.rule_dirs:
            self._open = False
            return
        exclude = list(run.config.exclude)
        states = _states(self.root, exclude)
        if states is None or any(_racy(s[2], self.started) for s in states.values()
                                 if s is not None and s is not _DIRECTORY):
            self._open = False
            return
        self._entry = {"format": FORMAT, "key": self.key, "exclude": exclude,
                       "files": [[name, *(state or ())] for name, state in states.items()],
                       "fail_on": int(run.config.fail_on)}

    def remember(self, result: ScanResult) -> None:
        """Store `result` for the next run, when `before_scan` found the run can be."""
        if (self._entry is None or result.errors or _today() != self.today
                or self.written.resolve() != self.root
                or any(s.reason.startswith(_UNREADABLE) for s in result.skipped)):
            return  # the day turned, the root moved, or a file could not be read: not stable
        if any(
                f.rule_id in _UNSTABLE for f in (*result.findings, *(s.finding for s in result.suppressed),
                                                 *(s.finding for s in result.hidden))):
            return
        try:
            text = json.dumps({**self._entry, "result": encode_result(result)},
                              separators=(",", ":"), allow_nan=False)
        except (NotStorable, ValueError):
            return
        directory = self.file.parent
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            temporary = directory / f"{self.file.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
            temporary.write_text(text, encoding="ascii")
            os.replace(temporary, self.file)  # atomic: a reader sees all of an entry or none
        except OSError:
            return  # a memo that cannot be written only costs speed
        prune(directory, MAX_ENTRIES)


def prune(directory: Path, keep: int, max_bytes: int = MAX_BYTES) -> None:
    """Keep the `keep` most recently used entries, fewer if together they pass
    `max_bytes` (and temporary files younger than an hour: another run's entry
    being written)."""
    entries: list[tuple[float, int, str]] = []
    now = time.time()
    try:
        listing = list(os.scandir(directory))
    except OSError:
        return
    for item in listing:
        with contextlib.suppress(OSError):
            info = item.stat(follow_symlinks=False)
            if item.name.endswith(".json"):
                entries.append((info.st_mtime, info.st_size, item.path))
            elif item.name.endswith(".tmp") and now - info.st_mtime > 3600:
                os.unlink(item.path)
    total = 0
    for rank, (_modified, size, path) in enumerate(sorted(entries, reverse=True)):
        total += size
        if rank >= keep or total > max_bytes:
            with contextlib.suppress(OSError):
                os.unlink(path)


class _Inputs:
    """The key's digest as inputs are added; `racy` once one may change unseen."""

    def __init__(self, digest: Any, started: int) -> None:
        self.digest = digest
        self.started = started
        self.racy = False

    def add(self, *parts: str) -> None:
        for part in parts:
            self.digest.update(part.encode("utf-8", "surrogateescape") + b"\0")

    def file(self, label: str, path: Path | None) -> None:
        """A file's path, stat and bytes (or that there is none)."""
        if path is None:
            self.add(label, "-")
            return
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a pipe reads once: the scan must have its bytes
            raise OSError(f"{path}: not a regular file")
        self.racy = self.racy or _racy(info.st_ctime_ns, self.started)
        self.add(label, os.fspath(path.resolve()), repr(_state(info)),
                 hashlib.sha256(path.read_bytes()).hexdigest())


def _tool(inputs: _Inputs) -> list[str]:
    """The package's sources, rules and schemas by stat, and the installed distributions."""
    from platform_lint.resources import data_dir

    package = Path(__file__).resolve().parent
    parts: list[str] = []
    for top in (package, data_dir("rules"), data_dir("schemas")):
        pending = [os.fspath(top)]
        while pending:
            with os.scandir(pending.pop()) as listing:
                for item in sorted(listing, key=lambda i: i.name):
                    if item.is_dir(follow_symlinks=False):
                        if item.name != "__pycache__":
                            pending.append(item.path)
                    elif item.name.endswith((".py", ".yaml", ".yml", ".json")):
                        info = item.stat(follow_symlinks=False)
                        inputs.racy = inputs.racy or _racy(info.st_ctime_ns, inputs.started)
                        parts.append(f"{item.path}\0{_state(info)}")
    for entry in sys.path:
        with contextlib.suppress(OSError):
            parts.extend(sorted(n for n in os.listdir(entry or ".")
                                if n.endswith((".dist-info", ".egg-info", ".egg-link", ".pth"))))
    return parts


def _states(root: Path, exclude: list[str]) -> dict[str, State | None] | None:
    """Each listed file's state (None: listed but gone), in listing order; None when
    one is neither a regular file nor a directory (a symlink, a FIFO)."""
    from platform_lint.discovery import list_paths

    out: dict[str, State | None] = {}
    base = os.path.join(root, "")  # joined as strings: a Path per file costs more than its lstat
    for name in list_paths(root, exclude):
        path = base + name
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            out[name] = None
            continue
        except OSError:
            return None
        if stat.S_ISDIR(info.st_mode):  # a submodule: listed, never read
            out[name] = _DIRECTORY
        elif stat.S_ISREG(info.st_mode):
            if not os.access(path, os.R_OK):
                return None  # the scan would skip it as unreadable
            out[name] = _state(info)
        else:
            return None
    return out


def _decoded_states(files: list[Any]) -> dict[str, State | None]:
    out: dict[str, State | None] = {}
    for name, *numbers in files:
        if len(numbers) not in (0, 5):
            raise ValueError("state")
        out[as_str(name)] = (as_int(numbers[0]), as_int(numbers[1]), as_int(numbers[2]),
                            as_int(numbers[3]), as_int(numbers[4])) if numbers else None
    return out


def _today() -> dt.date:
    """The date exemptions expire by (`engine.ScanOptions.today`)."""
    return dt.date.today()


def _state(info: os.stat_result) -> State:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def _racy(ctime_ns: int, started: int) -> bool:
    """Whether a write after `started` could leave this change time as it is."""
    margin = _COARSE_NS if ctime_ns % 1_000_000_000 == 0 else _FINE_NS
    return ctime_ns >= started - margin
