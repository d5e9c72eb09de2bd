"""The cycle collector around builders (`collector.building`): in the installed command's
process, what a builder leaves alive is frozen, and a reference cycle frozen with it is
collected once the process's peak size has grown by `SWEEP_GROWTH`. Each case runs in a
process of its own, since the collector's settings belong to the process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_CASE = """
import gc, json, sys, weakref
from platform_lint import collector

class Node:
    pass

def cycle(payload=0):
    node = Node()
    node.self, node.payload = node, bytearray(payload)
    return weakref.ref(node)

if sys.argv[1] == "owned":
    collector.take_over()
    collector.set_up_done()
seen = {}
with collector.building():
    ref = cycle()
    seen["off while building"] = not gc.isenabled()
seen["on after"] = gc.isenabled()
gc.collect()
seen["alive after a collection"] = ref() is not None
# the peak size grows past the step: a process started by another starts with its parent's peak
import resource
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
with open("/proc/self/statm") as statm:
    now = int(statm.read().split()[1]) * resource.getpagesize()
growth = bytearray(peak - now + collector.SWEEP_GROWTH + (8 << 20))
for i in range(0, len(growth), 4096):
    growth[i] = 1
del growth
with collector.building():
    pass
seen["alive after the peak grew"] = ref() is not None
print(json.dumps(seen))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the resident size in /proc")
@pytest.mark.parametrize("how", ["owned", "library"])
def test_a_frozen_cycle_lives_until_the_peak_size_grows_then_is_swept(how: str) -> None:
    done = subprocess.run([sys.executable, "-c", _CASE, how], check=True, capture_output=True, text=True,
                          timeout=120)
    seen = json.loads(done.stdout)
    assert seen["off while building"] and seen["on after"]
    # owned: frozen with what the builder left, so no collection walks it until the sweep;
    # a library caller's collector is left as it was, and collects the cycle as usual
    assert seen["alive after a collection"] is (how == "owned")
    assert seen["alive after the peak grew"] is False


def test_a_caller_that_turned_the_collector_off_gets_it_back_off() -> None:
    code = ("import gc; from platform_lint import collector\ngc.disable()\n"
            "with collector.building():\n    pass\nprint(gc.isenabled(), gc.get_freeze_count())")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.split() == ["False", "0"]
