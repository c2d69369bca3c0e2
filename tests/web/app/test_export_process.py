"""One worker process from start to reaping (web.app.export_process), with small Python
programs in the worker's place that answer as display/export/worker.py does, or fail
to: every way a worker can end is an outcome, and the process is always reaped."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from spirokiosk.web.app.export_process import run_worker, start_worker


def fake_worker(body: str) -> list[str]:
    """A Python worker running `body`, its job (stdin, JSON) in `job`, its stdout in `out`."""
    prelude = "import json, sys\njob = json.load(sys.stdin)\nout = sys.stdout.buffer\n"
    return [sys.executable, "-c", prelude + textwrap.dedent(body)]


def run(body: str, spec: dict | None = None, limit: int = 1000):
    process = start_worker(fake_worker(body))
    progress: list[float] = []
    outcome = run_worker(process, spec or {}, limit, progress.append)
    return outcome, progress, process


def test_the_job_goes_in_and_the_file_comes_out_after_its_progress():
    outcome, progress, process = run(
        """
        out.write(b"progress 0.25\\nprogress nonsense\\nprogress 7\\n")
        data = json.dumps(job).encode()
        out.write(b"file %d\\n" % len(data) + data)
        """,
        spec={"format": "png", "size": [64, 64]},
    )
    assert outcome == ("done", json.dumps({"format": "png", "size": [64, 64]}).encode())
    assert progress == [0.25, 1.0]  # the unreadable line skipped, 7 held to 1
    assert process.returncode == 0


def test_an_error_line_is_the_outcome_and_the_worker_is_reaped():
    outcome, _, process = run(
        """
        out.write(b"error size: too big for this\\n")
        out.flush()
        import time; time.sleep(60)
        """
    )
    assert outcome == ("failed", "size: too big for this")
    assert process.returncode is not None and process.returncode < 0  # killed, not waited out


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("out.write(b'progress 0.5\\n')", "worker: ended without a file"),
        ("out.write(b'file 10\\n12345')", "worker: the file was cut short"),
        ("sys.exit(3)", "worker: ended without a file"),
    ],
)
def test_a_worker_that_ends_without_its_whole_file_failed(body, error):
    outcome, _, process = run(body)
    assert outcome == ("failed", error)
    assert process.returncode is not None


def test_a_file_past_the_limit_is_refused_unread_and_its_worker_killed():
    outcome, _, process = run(
        """
        out.write(b"file 5000\\n")
        out.flush()
        import time; time.sleep(60)
        """,
        limit=4096,
    )
    state, error = outcome
    assert state == "failed" and error.startswith("size: the file would be 0.0 MiB")
    assert "export.keep_bytes" in error
    assert process.returncode is not None and process.returncode < 0


def test_a_worker_that_cannot_start_raises_oserror():
    with pytest.raises(OSError):
        start_worker(["/nonexistent/spirokiosk-worker"])
