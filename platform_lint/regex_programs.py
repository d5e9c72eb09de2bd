"""Compiled regular expressions kept between runs of the installed command.

Python compiles a pattern in Python code (parse, then code generation) and keeps the
result only for the life of the process. A run compiles 100 to 170 patterns, nearly all
written in the program (ours, the standard library's, our dependencies'), which comes
to 15-30 ms: about a twentieth of a whole-repository scan.

In a process the installed command owns (`take_over`, from `console.main`), the
compiler `re` calls is wrapped. A pattern that is a constant of the code compiling it
(or of one of its callers, possibly inside a constant tuple) is written in the program,
so its compiled program (the code list `_sre.compile` takes) is kept in the user cache
folder, one file per tool version and Python build, and handed straight to
`_sre.compile` by later runs. A pattern built at run time (from a scanned file, a
user's configuration or rules, a chart's template) is never a constant of our code and
is compiled as usual, never kept: the file holds no scanned text.

A program is kept only if `_sre.compile` rebuilds from it a pattern equal to the one
`re` compiled (same text, flags and code). The file is ignored unless it names this
tool version and Python build and its checksum matches; `_sre` validates a program
before using it, and a program it refuses is compiled again. Where `re` has no
`_compiler` module (Python 3.10) nothing is taken over. A program calling `cli.main`
keeps `re` as it is. Programs first compiled in a pool's worker are not kept.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import zlib
from types import FrameType
from typing import Any

MAX_PROGRAMS = 4096
"""Programs kept at most: the patterns written in the program are a fixed set."""

_Key = tuple[str | bytes, int]
_Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
"""Final flags, code, groups, group index and index group: `_sre.compile`'s arguments."""

_state: dict[str, Any] = {"learnt": False, "programs": {}, "path": ""}


def take_over() -> None:
    """Wrap `re`'s compiler for this process, with the programs kept by earlier runs."""
    try:
        import _sre  # type: ignore[import-not-found]  # no stubs for re's private modules
        import re._compiler as compiler  # type: ignore[import-not-found]
        import re._parser as parser  # type: ignore[import-not-found]
    except ImportError:  # Python 3.10: sre_compile, not re._compiler
        return
    original = compiler.compile
    code_of = getattr(compiler, "_code", None)
    if code_of is None or getattr(original, "__module__", "") != compiler.__name__:
        return  # an interpreter whose compiler we do not know, or already wrapped
    from platform_lint.cache_home import user_cache_root

    try:
        path = str(user_cache_root() / f"regex-programs-{_build_tag()}.marshal")
    except (RuntimeError, OSError, KeyError):  # no home directory to keep them in: re as it is
        return
    _state.update(path=path, programs=_read(path), learnt=False)
    programs: dict[_Key, _Program] = _state["programs"]
    re_directory = os.path.dirname(compiler.__file__) + os.sep

    def compile_kept(p: Any, flags: int = 0) -> Any:
        if not isinstance(p, (str, bytes)) or flags & compiler.SRE_FLAG_DEBUG:
            return original(p, flags)
        key = (p, int(flags))
        kept = programs.get(key)
        if kept is not None:
            try:
                return _sre.compile(p, *kept)
            except Exception:  # a program this interpreter refuses: compile it afresh
                programs.pop(key, None)
        compiled = original(p, flags)
        if len(programs) < MAX_PROGRAMS and _written_in_program(p, re_directory):
            program = _program_of(compiled, code_of(parser.parse(p, flags), flags))
            if _sre.compile(p, *program) == compiled:
                programs[key] = program
                _state["learnt"] = True
        return compiled

    compiler.compile = compile_kept


def finish() -> None:
    """Keep what this run learnt, if anything (atomically: concurrent runs never see
    half a file, and the last to finish wins)."""
    if not _state["learnt"]:
        return
    path: str = _state["path"]
    body = marshal.dumps(_state["programs"])
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as out:
            out.write(marshal.dumps((_build_tag(), zlib.crc32(body), body)))
        os.replace(temporary, path)
    except OSError:  # a cache that cannot be written only costs speed; leave no half file
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    _state["learnt"] = False


def _build_tag() -> str:
    """This tool version and Python build: a program is only good for the `_sre` that made it."""
    import _sre

    from platform_lint import __version__

    build = f"{sys.implementation.cache_tag}-{sys.version}-{_sre.MAGIC}-{_sre.CODESIZE}"
    return f"{__version__}-{zlib.crc32(build.encode()):08x}"


def _read(path: str) -> dict[_Key, _Program]:
    try:
        with open(path, "rb") as kept:
            if hasattr(os, "geteuid") and os.fstat(kept.fileno()).st_uid != os.geteuid():
                return {}  # written by someone else (a shared cache folder): `_sre` may crash on it
            tag, checksum, body = marshal.loads(kept.read())
        if tag != _build_tag() or zlib.crc32(body) != checksum:
            return {}
        programs = marshal.loads(body)
    except Exception:  # missing, unreadable, corrupt (MemoryError for a list said to be huge)
        return {}
    return programs if isinstance(programs, dict) else {}


def _program_of(compiled: Any, code: list[int]) -> _Program:
    groupindex = dict(compiled.groupindex)
    indexgroup: list[str | None] = [None] * (compiled.groups + 1)
    for name, index in groupindex.items():
        indexgroup[index] = name
    # the code generator emits its opcodes as int subclasses, which marshal refuses
    return compiled.flags, [int(word) for word in code], compiled.groups, groupindex, tuple(indexgroup)


def _written_in_program(pattern: str | bytes, re_directory: str) -> bool:
    """Whether `pattern` is a constant of one of the three nearest calling frames outside
    `re` (a literal, or inside a constant tuple such as a table of names and patterns)."""
    frame: FrameType | None = sys._getframe(2)
    checked = 0
    while frame is not None and checked < 3:
        if not frame.f_code.co_filename.startswith(re_directory):
            if _among(pattern, frame.f_code.co_consts, 3):
                return True
            checked += 1
        frame = frame.f_back
    return False


def _among(pattern: str | bytes, constants: tuple[Any, ...], depth: int) -> bool:
    for constant in constants:
        if type(constant) is type(pattern) and constant == pattern:
            return True
        if depth and isinstance(constant, (tuple, frozenset)) and _among(pattern, tuple(constant), depth - 1):
            return True
    return False

