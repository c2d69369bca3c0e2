"""The TV's power over HDMI-CEC, with `cec-ctl` (Debian's v4l-utils), off the render thread.

The commands are the ones cec-ctl's manual gives (v4l-utils, utils/cec-ctl/cec-ctl.1):
the adapter is first configured as a playback device (`--playback`, with an OSD name of
at most 14 characters), then `--to 0 --standby` puts the TV (logical address 0) to sleep
and `--to 0 --image-view-on` wakes it. A missing cec-ctl, a missing /dev/cec device or a
TV that does not answer is a warning, once per kind, and never more than that.
"""

from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence

from spirokiosk.display.messages import shown

log = logging.getLogger(__name__)

PROGRAM = "cec-ctl"
OSD_NAME = "spirokiosk"  # what the TV's source list may show
RUN_SECONDS = 10.0  # one cec-ctl call; a bus with no TV answers in well under a second
STANDBY = ("--to", "0", "--standby")
WAKE = ("--to", "0", "--image-view-on")


class TvPower:
    """`standby()` and `wake()` queue a cec-ctl call for the "cec" thread; return at once."""

    def __init__(
        self,
        device: str,
        *,
        program: str = PROGRAM,
        run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
    ) -> None:
        self.device = device
        self.program = program
        self._run = run
        # a call's arguments, an Event to set once the calls before it ran, or None: stop
        self._jobs: queue.Queue[tuple[str, ...] | threading.Event | None] = queue.Queue()
        self._configured = False
        self._warned: set[str] = set()
        self._thread = threading.Thread(target=self._work, name="cec", daemon=True)
        self._thread.start()
        self.calls = 0  # cec-ctl calls that succeeded (for the tests and the log)

    def standby(self) -> None:
        self._jobs.put(STANDBY)

    def wake(self) -> None:
        self._jobs.put(WAKE)

    def stop(self, timeout: float = 1.0) -> None:
        self._jobs.put(None)
        self._thread.join(timeout)

    def idle(self, timeout: float) -> bool:
        """Wait until every queued call has run (tests)."""
        done = threading.Event()
        self._jobs.put(done)
        return done.wait(timeout)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if isinstance(job, threading.Event):
                job.set()
                continue
            if not self._configured:
                self._configured = self._call(("--playback", "--osd-name", OSD_NAME))
                if not self._configured:
                    continue
            self._call(job)

    def _call(self, args: Sequence[str]) -> bool:
        path = shutil.which(self.program)
        if path is None:
            self._warn_once(
                "missing",
                f"schedule.cec: {self.program} not found (sudo apt install v4l-utils); "
                "the TV is left as it is",
            )
            return False
        command = [path, "--device", self.device, "--skip-info", *args]
        try:
            done = self._run(command, capture_output=True, text=True, timeout=RUN_SECONDS)
        except (OSError, subprocess.TimeoutExpired) as exc:
            self._warn_once("failed", f"schedule.cec: {' '.join(args)}: {exc}")
            return False
        if done.returncode != 0:
            said = (done.stderr or done.stdout or "").strip().splitlines()[-1:] or [""]
            self._warn_once(
                "failed",
                f"schedule.cec: {' '.join(args)} on {self.device} failed "
                f"(exit {done.returncode}): {shown(said[0])}; the TV may not support CEC",
            )
            return False
        self.calls += 1
        log.info("cec: %s sent on %s", " ".join(args), self.device)
        return True

    def _warn_once(self, kind: str, message: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            log.warning("%s", message)
