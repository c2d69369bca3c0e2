"""A kiosk killed with SIGKILL in the middle of a stream of hearts: the database opens
afterwards and holds every heart that was acknowledged before the kill."""

import json
import signal
import subprocess
import sys
import textwrap
from collections import Counter

from spirokiosk.daemon.state.opening import open_gallery
from spirokiosk.display.curves import PRESETS

# A child that hearts entries round and round (recording one now and then, which trims
# history) and prints each heart's id once its commit returned.
CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from spirokiosk.daemon.state.opening import open_gallery
    store = open_gallery(Path(sys.argv[1]), history_limit=20)
    curve = json.loads(sys.argv[2])
    ids = [store.record(curve, f"c{i}", "random") for i in range(10)]
    print("ready", flush=True)
    n = 0
    while True:
        entry_id = ids[n % len(ids)]
        if store.heart(entry_id) is not None:
            print(entry_id, flush=True)
        if n % 7 == 0:
            store.record(curve, f"more{n}", "random")
        n += 1
    """
)
ACKNOWLEDGED = 300


def test_every_acknowledged_heart_survives_sigkill(tmp_path):
    curve = json.dumps(PRESETS["seed-magma-11"].to_dict())
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path), curve],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        acknowledged = Counter()
        for _ in range(ACKNOWLEDGED):
            acknowledged[int(child.stdout.readline())] += 1
        child.send_signal(signal.SIGKILL)  # in the middle: it is still hearting
        child.wait(10)
        acknowledged.update(int(line) for line in child.stdout.read().split())
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    store = open_gallery(tmp_path, history_limit=20)
    try:
        assert store is not None
        assert not list(tmp_path.glob("*.corrupt-*"))
        for entry_id, hearts in acknowledged.items():
            # At most one heart more: one committed but killed before it was printed.
            assert hearts <= store.entry(entry_id)["hearts"] <= hearts + 1
        store.record(PRESETS["seed-magma-11"].to_dict(), "after", "preset")  # writable
    finally:
        store.close()
