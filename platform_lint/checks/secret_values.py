"""The literals the secret checks judge in an object's values, found in one walk.

`secrets._judge_values` asks three things of an object: the strings under a
secret-like name (mapping entries, `{name: N, value: V}` items, `N: {value: V}`
and `N: {default: V}` entries: container env, Azure and GitLab variables,
action inputs), the other strings that may hold an assignment or a credential
option (`export DB_PASSWORD=...`, `--token X`), and the command lines written
as values (`command_values`). One walk answers all three, and keeps only what
could give a finding: a name that is not secret-like, or a string without an
operator and a name keyword (`detect.may_hold_assignment`), cannot, and the
paths of the many values that are neither (a CRD's descriptions) are never
built. Each list is in the order of a depth-first walk, keys in their order.
A large subtree that gave nothing is remembered while its file is judged
(`_BARREN`): the values sets of a chart share it, and it is walked once.
"""

from __future__ import annotations

from typing import Any

from platform_lint.budget import Meter, checkpoint, current
from platform_lint.checks.command_values import ARGV_KEYS, SCRIPT_KEYS, Words, argv, script_lines
from platform_lint.model import Path
from platform_lint.records import field, record
from platform_lint.secrets.arguments import may_hold_arguments
from platform_lint.secrets.detect import may_hold_assignment
from platform_lint.secrets.names import is_secret_name

_CHECK_EVERY = 1024
"""Mappings and lists walked between two CPU-budget checkpoints."""


@record()
class Literals:
    named: list[tuple[str, str, Path]] = field(default_factory=list)
    """(name, literal, path) for every string under a secret-like name."""
    strings: list[tuple[str, Path]] = field(default_factory=list)
    """Every string that may hold an assignment (or, with `arguments`, a credential option)."""
    commands: list[Words] = field(default_factory=list)
    """Every command line written as a value: its words with their paths."""
    arguments: bool = False
    walked: int = 0
    """Mappings and lists walked (or passed over as `_BARREN`)."""
    kept: int = 0
    """Entries added to the three lists."""


def literals(node: Any, *, arguments: bool = False) -> Literals:
    """What of `node` the secret checks judge; `arguments`: credential options are
    looked for in every string (pipelines), not only in command lines."""
    found = Literals(arguments=arguments)
    meter = current()
    if meter is None or _BARREN_OF[0] is not meter:
        _BARREN.clear()
        _BARREN_OF[0] = meter
    if isinstance(node, str):
        if _may_hold(found, node):
            found.strings.append((node, ()))
    elif isinstance(node, (dict, list)):
        _walk(found, node, (), True)
    return found


def _may_hold(found: Literals, text: str) -> bool:
    return may_hold_assignment(text) or (found.arguments and may_hold_arguments(text))


Chain = tuple[Any, ...]
"""A path as a chain of (parent chain, step) pairs, () at the root: a step down
costs a pair, not a copy of the whole path; `_path` spells it out when kept."""


def _path(chain: Chain, *steps: Any) -> Path:
    reversed_steps: list[Any] = []
    while chain:
        chain, step = chain
        reversed_steps.append(step)
    return (*reversed(reversed_steps), *steps)


def _walk(found: Literals, node: dict[Any, Any] | list[Any], chain: Chain, lines: bool) -> None:
    """`lines`: command lines are looked for here (not below an argv key's value)."""
    known = _BARREN.get(id(node))
    if known is not None and known[0] is node and known[1] == (lines, found.arguments):
        found.walked += known[2]
        return
    walked, kept = found.walked, found.kept
    found.walked += 1
    if not found.walked % _CHECK_EVERY:
        checkpoint()  # past the file's CPU budget, judging stops here
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, str):
                if (found.arguments or "=" in item or ":" in item) and _may_hold(found, item):
                    found.strings.append((item, _path(chain, i)))
                    found.kept += 1
            elif isinstance(item, (dict, list)):
                _walk(found, item, (chain, i), lines)
    else:
        name = node.get("name")
        if isinstance(name, str) and isinstance(node.get("value"), str) and is_secret_name(name):
            found.named.append((name, node["value"], _path(chain, "value")))
            found.kept += 1
        if lines and not node.keys().isdisjoint(ARGV_KEYS) and (words := argv(node, _path(chain))):
            found.commands.append(words)
            found.kept += 1
        for key, value in node.items():
            if isinstance(value, str):
                if is_secret_name(key):
                    found.named.append((key, value, _path(chain, key)))
                    found.kept += 1
                # Most strings hold no operator (`may_hold_assignment`): tested here first, no call.
                if (found.arguments or "=" in value or ":" in value) and _may_hold(found, value):
                    found.strings.append((value, _path(chain, key)))
                    found.kept += 1
                if lines and key in SCRIPT_KEYS:
                    found.commands.append([(value, _path(chain, key))])
                    found.kept += 1
                continue
            if lines and key in SCRIPT_KEYS and (commands := script_lines(value, _path(chain, key))):
                found.commands.extend(commands)
                found.kept += 1
            if isinstance(value, dict):
                if ("value" in value or "default" in value) and is_secret_name(key):
                    for entry in ("value", "default"):
                        if isinstance(value.get(entry), str):
                            found.named.append((key, value[entry], _path(chain, key, entry)))
                            found.kept += 1
                _walk(found, value, (chain, key), lines and key not in ARGV_KEYS)
            elif isinstance(value, list):
                _walk(found, value, (chain, key), lines and key not in ARGV_KEYS)
    if found.walked - walked >= _BARREN_AT_LEAST and found.kept == kept:
        if len(_BARREN) >= _BARREN_ENTRIES:
            del _BARREN[next(iter(_BARREN))]
        _BARREN[id(node)] = (node, (lines, found.arguments), found.walked - walked)


_BARREN: dict[int, tuple[Any, tuple[bool, bool], int]] = {}
"""Subtrees of at least `_BARREN_AT_LEAST` mappings and lists in which the walk kept
nothing, by identity, with how they were walked (`lines`, `arguments`) and their
size: the values sets of a Helm chart share the pieces of a large rendered document
(`helm.yaml_subtrees`: a CRD's schema), walked once, not once a set. Kept while one
file is judged (its `budget.Meter`, `_BARREN_OF`), so only that file's trees are
held; each entry holds its subtree, so no other object takes its id."""
_BARREN_OF: list[Meter | None] = [None]
_BARREN_AT_LEAST = 256
_BARREN_ENTRIES = 256
