"""Compiled regex programs kept between runs (`regex_programs`): only patterns written in
the program are kept, a kept program gives the same pattern `re` compiles, and a corrupt,
foreign or refused file is ignored. Each case runs in a process of its own, since the
wrapped compiler belongs to the process."""

from __future__ import annotations

import json
import marshal
import os
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="Python 3.10 has no re._compiler to wrap")

_CASE = """
import json, re, sys
from platform_lint import regex_programs
regex_programs.take_over()
built = "".join(["run", "time-", sys.argv[1]])      # like a pattern from a scanned file
seen = {
    "literal": re.compile(r"(?P<word>kept-[a-z]+)\\s*=\\s*(\\d+)", re.I).pattern,
    "table": [re.compile(p).pattern for _, p in (("one", r"^table-(?:a|b)+$"), ("two", r"x{2,5}y"))],
    "built": re.compile(built).pattern,
    "bytes": re.compile(rb"bytes-[0-9]+").pattern.decode(),
}
pattern = re.compile(r"(?P<word>kept-[a-z]+)\\s*=\\s*(\\d+)", re.I)
found = pattern.match("KEPT-abc = 42")
seen["match"] = [found.group("word"), found.group(2), pattern.groupindex["word"], pattern.groups]
seen["kept"] = sorted(str(key[0]) for key in regex_programs._state["programs"])
regex_programs.finish()
print(json.dumps(seen))
"""


def _run_case(cache: Path, marker: str = "marker", *, env: dict[str, str] | None = None,
              command: tuple[str, ...] = (),
              preexec_fn: Callable[[], object] | None = None) -> dict[str, object]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)} if env is None else env
    done = subprocess.run([*command, sys.executable, "-c", _CASE, marker], check=True, capture_output=True,
                          text=True, env=env, timeout=120, preexec_fn=preexec_fn)
    assert done.stderr == ""
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _kept_file(cache: Path) -> Path:
    files = list((cache / "platform-lint").glob("regex-programs-*.marshal"))
    assert len(files) == 1
    return files[0]


def _kept_patterns(cache: Path) -> set[str | bytes]:
    _tag, _checksum, body = marshal.loads(_kept_file(cache).read_bytes())
    return {key[0] for key in marshal.loads(body)}


def test_literal_patterns_are_kept_and_give_the_same_matches(tmp_path: Path) -> None:
    first = _run_case(tmp_path)
    kept = _kept_patterns(tmp_path)
    assert r"(?P<word>kept-[a-z]+)\s*=\s*(\d+)" in kept
    assert {r"^table-(?:a|b)+$", r"x{2,5}y", rb"bytes-[0-9]+"} <= kept
    # built at run time: compiled as usual, never written down
    assert not any(b"runtime-" in (p if isinstance(p, bytes) else p.encode()) for p in kept)
    second = _run_case(tmp_path)
    assert first["match"] == second["match"] == ["KEPT-abc", "42", 1, 2]
    assert r"(?P<word>kept-[a-z]+)\s*=\s*(\d+)" in second["kept"]  # type: ignore[operator]
    assert second["built"] == "runtime-marker"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "foreign", "empty"])
def test_a_damaged_or_foreign_file_is_ignored_and_rewritten(tmp_path: Path, damage: str) -> None:
    _run_case(tmp_path)
    kept = _kept_file(tmp_path)
    data = kept.read_bytes()
    tag, checksum, body = marshal.loads(data)
    if damage == "garbage":
        kept.write_bytes(b"\x00not marshal at all\xff" * 10)
    elif damage == "truncated":
        kept.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":
        middle = len(body) // 2
        flipped = body[:middle] + bytes([body[middle] ^ 1]) + body[middle + 1:]
        kept.write_bytes(marshal.dumps((tag, checksum, flipped)))
    elif damage == "foreign":
        kept.write_bytes(marshal.dumps(("another-build", checksum, body)))
    else:
        kept.write_bytes(b"")
    seen = _run_case(tmp_path)
    assert seen["match"] == ["KEPT-abc", "42", 1, 2]
    assert r"^table-(?:a|b)+$" in _kept_patterns(tmp_path)  # learnt again, written whole


def test_a_program_the_interpreter_refuses_is_compiled_afresh(tmp_path: Path) -> None:
    _run_case(tmp_path)
    kept = _kept_file(tmp_path)
    tag, _checksum, body = marshal.loads(kept.read_bytes())
    programs = marshal.loads(body)
    for key, (flags, code, groups, groupindex, indexgroup) in list(programs.items()):
        programs[key] = (flags, [0xDEAD] * len(code), groups, groupindex, indexgroup)  # not SRE code
    body = marshal.dumps(programs)
    kept.write_bytes(marshal.dumps((tag, zlib.crc32(body), body)))
    seen = _run_case(tmp_path)
    assert seen["match"] == ["KEPT-abc", "42", 1, 2]
    _tag, _checksum, body = marshal.loads(kept.read_bytes())
    assert all(code != [0xDEAD] * len(code) for _f, code, *_rest in marshal.loads(body).values())


def test_a_file_whose_reading_runs_out_of_memory_is_ignored(tmp_path: Path) -> None:
    """Five bytes (a marshal list said to hold 2**31 - 1 items) ask for 16 GB: MemoryError,
    not a traceback, where memory is limited (here the address space, to 3 GB)."""
    import resource

    _run_case(tmp_path)
    _kept_file(tmp_path).write_bytes(b"[" + struct.pack("<i", 2**31 - 1))

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, resource.RLIM_INFINITY))

    seen = _run_case(tmp_path, preexec_fn=limited)
    assert seen["match"] == ["KEPT-abc", "42", 1, 2]


# A program `_sre` accepts and then crashes on (Python 3.11: a segmentation fault in
# `_sre.compile` itself): a crc32 is no defence against a file written on purpose.
_CRASHING: tuple[object, ...] = (
    32, [14, 8, 1, 2, 2, 1, 1, 123, 0, 16, 123, 13, 0, 9, 0, 40, 0, 134217728, 0, 0, 0, 0, 0, 1],
    0, {}, (None,))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_file_someone_else_wrote_is_never_trusted(tmp_path: Path) -> None:
    _run_case(tmp_path)
    kept = _kept_file(tmp_path)
    tag, _checksum, body = marshal.loads(kept.read_bytes())
    programs = marshal.loads(body)
    for key in programs:
        programs[key] = _CRASHING
    body = marshal.dumps(programs)
    kept.write_bytes(marshal.dumps((tag, zlib.crc32(body), body)))
    os.chown(kept, 65534, 65534)  # another user sharing the cache folder
    seen = _run_case(tmp_path)
    assert seen["match"] == ["KEPT-abc", "42", 1, 2]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not Path("/usr/bin/setpriv").exists(),
                    reason="needs root and setpriv to run as a user with no home")
def test_a_user_with_no_home_directory_runs_without_kept_programs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME")}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    tmp_path.chmod(0o777)
    command = ("/usr/bin/setpriv", "--reuid", "54321", "--regid", "54321", "--clear-groups")  # not in passwd
    seen = _run_case(tmp_path, env=env, command=command)
    assert seen["match"] == ["KEPT-abc", "42", 1, 2]


def test_a_file_that_cannot_be_replaced_leaves_no_temporary_behind(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _run_case(cache)
    kept = _kept_file(cache)
    kept.unlink()
    kept.mkdir()  # os.replace onto a folder fails
    _run_case(cache)
    assert sorted(p.name for p in kept.parent.iterdir()) == [kept.name]


def test_every_kept_program_equals_what_re_compiles(tmp_path: Path, example_scan_cache: Path) -> None:
    """What the command's own runs keep (the example repository's scan), each rebuilt
    by `_sre` and compared with `re`'s own compilation of the same text and flags."""
    import _sre  # type: ignore[import-not-found]

    _tag, _checksum, body = marshal.loads(_kept_file(example_scan_cache).read_bytes())
    programs = marshal.loads(body)
    assert len(programs) > 50
    for (pattern, flags), program in programs.items():
        assert _sre.compile(pattern, *program) == re.compile(pattern, flags)


def test_scanned_text_is_never_kept(example_scan_cache: Path) -> None:
    for kept in (example_scan_cache / "platform-lint").glob("regex-programs-*"):
        assert _MARKER.encode() not in kept.read_bytes()


def test_a_program_calling_cli_main_keeps_re_as_it_is(tmp_path: Path) -> None:
    case = ("import re._compiler as c, sys\nfrom platform_lint.cli import main\n"
            "try:\n    main(['check', '--no-cache', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print(c.compile.__module__)")
    target = tmp_path / "x.yaml"
    target.write_text("a: 1\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", case, str(target)], check=False, capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "re._compiler"
    assert not list(tmp_path.glob("platform-lint/regex-programs-*"))


_MARKER = "zq7regexmarker"


@pytest.fixture(scope="module")
def example_scan_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs of the installed command's entry point over a repository whose files,
    configuration and chart hold patterns and paths with a marker in them."""
    repo = tmp_path_factory.mktemp("repo")
    cache = tmp_path_factory.mktemp("cache")
    chart = repo / "charts" / "demo"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(f"name: {_MARKER}-value\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n"
        f"  matched: {{{{ regexMatch \"^{_MARKER}-[a-z]+$\" .Values.name | quote }}}}\n"
        f"  replaced: {{{{ regexReplaceAll \"{_MARKER}(-v)\" .Values.name \"x$1\" | quote }}}}\n")
    (repo / "CODEOWNERS").write_text(f"/{_MARKER}-dir/**/*.yaml @org/team\n")
    (repo / ".platform-lint.yaml").write_text(f"exclude:\n  - '{_MARKER}-*/**'\n")
    (repo / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
        "  template:\n    spec:\n      containers:\n        - name: web\n"
        f"          image: nginx:1.25\n          args: ['--filter={_MARKER}.*']\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    for _ in range(2):
        command = [sys.executable, "-m", "platform_lint", "check", "--no-cache", "--jobs", "1", "."]
        done = subprocess.run(command, check=False, capture_output=True, text=True, cwd=repo, env=env,
                              timeout=300)
        assert done.returncode in (0, 1), done.stdout + done.stderr
    return cache
