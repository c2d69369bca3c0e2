"""One export's worker process, from start to reaping: the conversation the worker's
protocol asks for (display/export/worker.py), kept apart from the job table so that
the table sees only an outcome and progress values, never a pipe.

    process = start_worker(command)                  # OSError when it cannot start
    state, result = run_worker(process, spec, limit, on_progress)

`run_worker` ends with the process reaped: killed first unless it delivered its file.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from typing import BinaryIO

Outcome = tuple[str, bytes | str]  # ("done", the file) or ("failed", why)


def start_worker(command: Sequence[str]) -> subprocess.Popen:
    """Start a worker with pipes to write its job to and read its answers from."""
    return subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        close_fds=True,
    )


def run_worker(
    process: subprocess.Popen,
    spec: dict,
    limit: int,
    on_progress: Callable[[float], None],
) -> Outcome:
    """Feed the worker its job, read its progress (0..1, to `on_progress`) and its file
    (refused past `limit` bytes), then kill it unless done and reap it."""
    assert process.stdin is not None and process.stdout is not None
    outcome: Outcome = ("failed", "worker: ended without a file")
    try:
        process.stdin.write(json.dumps(spec).encode("utf-8"))
        process.stdin.close()
        outcome = _read_outcome(process.stdout, limit, on_progress)
    except (OSError, ValueError) as exc:  # killed while we wrote or read
        outcome = ("failed", f"worker: {exc}")
    finally:
        if outcome[0] != "done" and process.poll() is None:
            process.kill()
        process.stdout.close()
        process.wait()
    return outcome


def _read_outcome(out: BinaryIO, limit: int, on_progress: Callable[[float], None]) -> Outcome:
    for raw in iter(out.readline, b""):
        word, _, rest = raw.decode("utf-8", "replace").rstrip("\n").partition(" ")
        if word == "progress":
            try:
                value = min(max(float(rest), 0.0), 1.0)
            except ValueError:
                continue
            on_progress(value)
        elif word == "error":
            return "failed", rest
        elif word == "file":
            size = int(rest)
            if size > limit:
                return "failed", (
                    f"size: the file would be {size / 2**20:.1f} MiB, more than the "
                    f"{limit / 2**20:.1f} MiB export.keep_bytes lets the kiosk keep; "
                    "ask for fewer frames or a smaller size"
                )
            data = out.read(size)
            if len(data) != size:
                return "failed", "worker: the file was cut short"
            return "done", data
    return "failed", "worker: ended without a file"
