"""The exports' job store: each export a child process at lower priority, bounded and
queued, its finished file kept in memory for a while.

    jobs = ExportJobs(ExportSettings(workers=1, queue=4, keep_bytes=64 << 20, ...))
    job = jobs.submit(spec, filename, content_type)   # QueueFullError when full
    jobs.status(job_id) / jobs.file(job_id) / jobs.cancel(job_id)
    jobs.close()

At most `workers` exports render at once, each in its own `python -m
spirokiosk.display.export.worker` (see that module for what it reads and writes); at
most `queue` more wait their turn. Cancelling one kills its process; so does nobody
asking for its status for `abandon_seconds` (the page polls while it waits), and so does
rendering for longer than `max_seconds` (a worker that hangs must not keep its slot
however patiently it is waited for). A finished file is kept for `keep_seconds`, and all
kept files together in at most `keep_bytes` (the oldest are forgotten first). A thread
per running export runs its worker (the talking to it is `export_process`'s) and keeps
the outcome; one janitor thread, started with the first export, cancels the abandoned
and forgets the expired. Nothing is written to disk.
"""

from __future__ import annotations

import collections
import logging
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spirokiosk.web.app.export_process import run_worker, start_worker

log = logging.getLogger(__name__)

WORKER_MODULE = "spirokiosk.display.export.worker"
RETRY_AFTER_SECONDS = 10  # a full queue: about one small export's time
MIN_JANITOR_TICK = 0.05
CLOSE_SECONDS = 1.0  # killed workers end at once; this is only a bound
STATES = ("queued", "running", "done", "failed", "cancelled")


@dataclass(frozen=True)
class ExportSettings:
    """The [export] config section: see daemon/config/sections/web.py for each key."""

    workers: int = 1
    queue: int = 4
    keep_bytes: int = 64 << 20
    keep_seconds: float = 300.0
    abandon_seconds: float = 90.0
    max_seconds: float = 600.0


class QueueFullError(Exception):
    """Every worker is busy and the queue is full; `retry_after` seconds is a fair wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class ExportJob:
    """One export; changed only under the store's lock."""

    id: str
    spec: dict
    filename: str
    content_type: str
    seen: float  # when its status was last asked for
    state: str = "queued"
    progress: float = 0.0
    error: str | None = None
    data: bytes | None = None
    started: float | None = None  # when its worker started
    finished: float | None = None
    process: subprocess.Popen | None = None

    @property
    def over(self) -> bool:
        return self.state in ("done", "failed", "cancelled")


class ExportJobs:
    """The store (see the module's doc); safe to share between the server's threads."""

    def __init__(
        self,
        settings: ExportSettings | None = None,
        *,
        command: Sequence[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or ExportSettings()
        self._command = list(command or [sys.executable, "-m", WORKER_MODULE])
        self._clock = clock
        self._lock = threading.Lock()
        self._jobs: dict[str, ExportJob] = {}
        self._waiting: collections.deque[ExportJob] = collections.deque()
        self._running = 0
        self._closed = threading.Event()
        self._janitor: threading.Thread | None = None
        self._watchers: set[threading.Thread] = set()

    # -- asked for by the web ---------------------------------------------------------

    def submit(self, spec: dict, filename: str, content_type: str) -> ExportJob:
        """Queue an export (the worker's job document); QueueFullError when full."""
        with self._lock:
            if self._closed.is_set():
                raise QueueFullError("queue: the kiosk is stopping", RETRY_AFTER_SECONDS)
            busy = self._running >= self.settings.workers
            if busy and len(self._waiting) >= self.settings.queue:
                raise QueueFullError(
                    f"queue: {self._running} export(s) rendering and {len(self._waiting)} "
                    f"waiting, the most this kiosk takes (export.workers = "
                    f"{self.settings.workers}, export.queue = {self.settings.queue}); "
                    "try again later",
                    RETRY_AFTER_SECONDS,
                )
            job = ExportJob(
                id=secrets.token_urlsafe(12),
                spec=spec,
                filename=filename,
                content_type=content_type,
                seen=self._clock(),
            )
            self._jobs[job.id] = job
            self._waiting.append(job)
            self._start_ready()
            self._start_janitor()
        log.info("export %s queued: %s", job.id, filename)
        return job

    def status(self, job_id: str) -> dict | None:
        """The job as a dict (state, progress, position...), or None; counts as being seen."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            job.seen = self._clock()
            position = 0
            if job.state == "queued":
                position = next(i for i, j in enumerate(self._waiting, 1) if j is job)
            answer = {"id": job.id, "state": job.state, "progress": round(job.progress, 4)}
            answer["position"] = position
            answer["filename"] = job.filename
            if job.error:
                answer["error"] = job.error
            if job.state == "done" and job.data is not None:
                answer["bytes"] = len(job.data)
            return answer

    def file(self, job_id: str) -> ExportJob | None:
        """The job (its `data` set once done), or None; counts as being seen."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                job.seen = self._clock()
            return job

    def cancel(self, job_id: str, why: str = "cancelled") -> dict | None:
        """Stop the job: a waiting one never starts, a running one's process is killed."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            self._cancel(job, why)
        return self.status(job_id)

    def ids(self) -> list[str]:
        """Every export's id, oldest first (for tests and logs)."""
        with self._lock:
            return list(self._jobs)

    def process_of(self, job_id: str) -> subprocess.Popen | None:
        """The worker process of a job (while it runs, and after): for tests and logs."""
        with self._lock:
            job = self._jobs.get(job_id)
            return job.process if job is not None else None

    def close(self, timeout: float = CLOSE_SECONDS) -> None:
        """Cancel every export, wait for the killed workers to be reaped and the janitor to
        stop (the web server is stopping)."""
        self._closed.set()
        with self._lock:
            for job in list(self._jobs.values()):
                self._cancel(job, "the kiosk is stopping")
            janitor, self._janitor = self._janitor, None
            threads = [*self._watchers, *([janitor] if janitor else [])]
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    # -- inside, under the lock ---------------------------------------------------------

    def _cancel(self, job: ExportJob, why: str, state: str = "cancelled") -> None:
        if job.over:
            return
        if job.state == "queued":
            self._waiting.remove(job)
        job.state = state
        job.error = None if why == "cancelled" else why
        job.finished = self._clock()
        if job.process is not None and job.process.poll() is None:
            job.process.kill()  # its watcher sees the end of its output and moves on
        log.info("export %s %s", job.id, why)

    def _start_ready(self) -> None:
        while self._running < self.settings.workers and self._waiting:
            job = self._waiting.popleft()
            try:
                job.process = start_worker(self._command)
            except OSError as exc:
                job.state, job.error, job.finished = "failed", f"worker: {exc}", self._clock()
                log.error("export %s: cannot start its worker: %s", job.id, exc)
                continue
            job.state, job.started = "running", self._clock()
            self._running += 1
            watcher = threading.Thread(
                target=self._watch, args=(job,), name=f"export-{job.id[:6]}", daemon=True
            )
            self._watchers.add(watcher)
            watcher.start()

    def _start_janitor(self) -> None:
        if self._janitor is None:
            self._janitor = threading.Thread(target=self._sweep, name="export-janitor", daemon=True)
            self._janitor.start()

    def _keep(self, job: ExportJob, data: bytes) -> None:
        """Keep `data` as the job's file; forget the oldest files past keep_bytes."""
        job.data = data
        kept = sorted(
            (j for j in self._jobs.values() if j.data is not None), key=lambda j: j.finished or 0
        )
        total = sum(len(j.data or b"") for j in kept)
        for old in kept:
            if total <= self.settings.keep_bytes or old is job:
                break
            total -= len(old.data or b"")
            del self._jobs[old.id]
            log.info("export %s forgotten early: export.keep_bytes reached", old.id)

    # -- threads --------------------------------------------------------------------------

    def _watch(self, job: ExportJob) -> None:
        """Run the job's worker to its outcome, keep that, then start the next one."""
        assert job.process is not None

        def progressed(value: float) -> None:
            with self._lock:
                job.progress = max(job.progress, value)

        outcome = run_worker(job.process, job.spec, self.settings.keep_bytes, progressed)
        with self._lock:
            self._running -= 1
            self._watchers.discard(threading.current_thread())
            if not job.over:
                state, result = outcome
                job.state, job.finished = state, self._clock()
                if state == "done":
                    job.progress = 1.0
                    self._keep(job, result)  # type: ignore[arg-type]
                    log.info("export %s done: %s, %d bytes", job.id, job.filename, len(result))
                else:
                    job.error = str(result)
                    log.warning("export %s failed: %s", job.id, job.error)
            if not self._closed.is_set():
                self._start_ready()

    def _sweep(self) -> None:
        """Every so often: cancel exports nobody asked about, forget expired files."""
        shortest = min(self.settings.abandon_seconds, self.settings.max_seconds)
        tick = max(MIN_JANITOR_TICK, min(1.0, shortest / 4))
        while not self._closed.wait(tick):
            with self._lock:
                now = self._clock()
                limit = self.settings.max_seconds
                for job in list(self._jobs.values()):
                    if job.state == "running" and now - (job.started or now) > limit:
                        self._cancel(
                            job,
                            f"time: still rendering after {limit:g} s (export.max_seconds); "
                            "ask for fewer frames or a smaller size",
                            state="failed",
                        )
                    elif not job.over and now - job.seen > self.settings.abandon_seconds:
                        self._cancel(
                            job,
                            f"abandoned: nobody asked for its status for "
                            f"{self.settings.abandon_seconds:g} s",
                        )
                    elif job.over and now - (job.finished or now) > self.settings.keep_seconds:
                        del self._jobs[job.id]
