"""The render loop's window to the web threads: the status out, commands in.

The web app (`create_app(hub, control)`) gets a Control. Its threads never touch
the scene: they read the newest status (a dict built by the render loop
and never changed after publication, so publishing is one reference swap) and
put commands on a bounded queue that the render loop drains once per tick.

Render loop side: `beat(now)` every tick (for `is_alive`), `publish_status(status)` a
few times a second, `take_commands()` every tick, `stopped()` at the end.
Web side: `status()`, `is_alive()`, `play_curve(curve)`, `waiting()`, `skip()`, `pause()`,
`resume()`, `replace_playlist(names)`, `set_screen(state)`, `note_page_view()`.
Discovery thread: `show_address(url)` (the mirror's URL, for the QR code on screen).
Reloader thread: `hand_over_reload(outcome, timeout)` (a config read again and checked).
"""

from __future__ import annotations

import collections
import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spirokiosk.display.curves import Curve

if TYPE_CHECKING:
    import datetime as dt

    from spirokiosk.daemon.config import Config
    from spirokiosk.web.app.access import AccessRules

log = logging.getLogger(__name__)

STALL_SECONDS = 2.0  # no tick for this long: the loop counts as stalled (/healthz 503)
MAX_QUEUED_COMMANDS = 64  # a flood of requests is refused, never buffered without end
MAX_WAITING_PER_CLIENT = 8  # one client's curves waiting at once (web.queue_per_client)
MAX_COMMANDS_PER_TICK = 8  # the rest waits for the next tick: a frame stays cheap


@dataclass(frozen=True)
class PlayCurve:
    """Play this curve next, before the playlist (requests play in order). `source` and
    `detail` say who asked, for the gallery's history ("request", "gallery")."""

    curve: Curve
    source: str = "request"
    detail: str = ""


@dataclass(frozen=True)
class Skip:
    """Start the next curve now, with the usual fade (a paused pen moves again)."""


@dataclass(frozen=True)
class Pause:
    """Stop the pen where it is: the scene's time stands still until Resume."""


@dataclass(frozen=True)
class Resume:
    """Let the pen go on from where it stopped."""


@dataclass(frozen=True)
class ReplacePlaylist:
    """Play these names (presets and "random", checked by the sender) from the next curve
    on, until a restart or a reload that changes curves.playlist."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class SetScreen:
    """Screen on, off or quiet by hand until the next scheduled change (None: the
    schedule again at once)."""

    state: str | None


@dataclass(frozen=True)
class ShowAddress:
    """The mirror's URL (for the address and QR code on screen) is this now."""

    url: str


@dataclass(frozen=True)
class Reloaded:
    """A reload, read and checked off the render thread: the config to apply (None: it
    had errors, logged already; the running one stays), and what applying it would
    otherwise read from files on the render thread: the web's access rules with the
    token file read (None without the web), the system's time zone (None when the
    schedule is off). The loop applies it, then publishes the status, says READY and
    sets `applied`: the reloader takes no other request before (one RELOADING=1, then
    its READY=1, then the next)."""

    config: Config | None
    access: AccessRules | None = None
    zone: dt.tzinfo | None = None
    applied: threading.Event = field(default_factory=threading.Event, compare=False)


Command = PlayCurve | Skip | Pause | Resume | ReplacePlaylist | SetScreen | ShowAddress | Reloaded


class Control:
    """The published status and the command queue; safe to share between threads."""

    def __init__(
        self,
        *,
        stall_seconds: float = STALL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_queued: int = MAX_QUEUED_COMMANDS,
        per_client: int = MAX_WAITING_PER_CLIENT,
    ) -> None:
        self._stall_seconds = stall_seconds
        self.per_client = per_client  # set again on reload
        # Who asked for each requested curve still waiting, oldest first: requests play in
        # the order they came, so the curves that started are always the oldest ones.
        self._owners: collections.deque[str] = collections.deque()
        self._curves_in_queue = 0  # PlayCurve commands the loop has not taken yet
        self._lock = threading.Lock()
        self._clock = clock
        self._commands: queue.Queue[Command] = queue.Queue(maxsize=max_queued)
        self._max_queued = max_queued
        self._scene_queue = 0  # curves asked for and not started yet, as the loop last saw
        self._status: dict = {}
        self._last_beat = -math.inf
        self._running = False
        self._page_viewed = threading.Event()

    # -- web threads ---------------------------------------------------------

    def status(self) -> dict:
        """The newest status the loop published (a shallow copy: the caller may add keys)."""
        return dict(self._status)

    def is_alive(self) -> bool:
        """True while the render loop runs and ticked within the last `stall_seconds`."""
        return self._running and self._clock() - self._last_beat < self._stall_seconds

    def submit(self, command: Command) -> bool:
        """Queue a command for the render loop; False when the queue is full."""
        try:
            self._commands.put_nowait(command)
        except queue.Full:
            log.warning("command queue full: %s refused", type(command).__name__)
            return False
        return True

    def set_screen(self, state: str | None) -> bool:
        """Override the screen schedule (on, off, quiet, or None); False when full."""
        return self.submit(SetScreen(state))

    def pending(self) -> bool:
        """True when commands wait for the render loop (it wakes early from a rest)."""
        return not self._commands.empty()

    def play_curve(
        self, curve: Curve, source: str = "request", detail: str = "", *, client: str = ""
    ) -> bool:
        """Ask for `curve` after the current one (and any asked for before it).

        False when `max_queued` curves already wait, counting those the loop has
        handed to the scene, or when `client` (a web client's address; "" for the
        kiosk's own parts) already has `per_client` curves waiting: requests are refused,
        never buffered without end, and one client cannot fill the queue.
        """
        with self._lock:
            if self._scene_queue + self._commands.qsize() >= self._max_queued:
                log.warning("%d curves already wait: request refused", self._max_queued)
                return False
            if client and self._owners.count(client) >= self.per_client:
                return False
            if not self.submit(PlayCurve(curve, source, detail)):
                return False
            self._owners.append(client)
            self._curves_in_queue += 1
            return True

    def waiting_for(self, client: str) -> int:
        """How many of `client`'s curves wait (for the 429 that says so)."""
        with self._lock:
            return self._owners.count(client)

    def skip(self) -> bool:
        return self.submit(Skip())

    def pause(self) -> bool:
        return self.submit(Pause())

    def resume(self) -> bool:
        return self.submit(Resume())

    def replace_playlist(self, names: tuple[str, ...]) -> bool:
        return self.submit(ReplacePlaylist(tuple(names)))

    def waiting(self) -> int:
        """Curves asked for and not started yet: those the scene holds, and those queued."""
        return self._scene_queue + self._commands.qsize()

    def note_page_view(self) -> None:
        """Someone opened the page (the address on screen has done its job). A flag, not a
        command: a flood of page views must not take the queue's room from curves."""
        self._page_viewed.set()

    # -- discovery thread ------------------------------------------------------

    def show_address(self, url: str) -> bool:
        """The mirror's URL changed (or is known for the first time)."""
        return self.submit(ShowAddress(url))

    # -- reloader thread -------------------------------------------------------

    def hand_over_reload(self, outcome: Reloaded, timeout: float) -> bool:
        """Queue a reload's outcome, waiting up to `timeout` seconds for room: a flood
        of requests may delay a reload, never refuse it. False when still full."""
        try:
            self._commands.put(outcome, timeout=timeout)
        except queue.Full:
            return False
        return True

    # -- render loop ---------------------------------------------------------

    @property
    def page_viewed(self) -> bool:
        """Whether the page has been opened at least once since the start."""
        return self._page_viewed.is_set()

    def beat(self, now: float) -> None:
        """The loop ticked at `now` (on the same clock as this Control's)."""
        self._last_beat = now
        self._running = True

    def note_scene_queue(self, count: int) -> None:
        """How many requested curves the scene holds, not started yet (every tick)."""
        with self._lock:
            self._scene_queue = count
            waiting = count + self._curves_in_queue
            while len(self._owners) > waiting:  # the oldest started: their places are free
                self._owners.popleft()

    def publish_status(self, status: dict) -> None:
        """Make `status` the status; the caller must not change it afterwards."""
        self._status = status

    def take_commands(self, limit: int = MAX_COMMANDS_PER_TICK) -> list[Command]:
        """Up to `limit` queued commands, oldest first, without waiting."""
        taken: list[Command] = []
        while len(taken) < limit:
            try:
                taken.append(self._commands.get_nowait())
            except queue.Empty:
                break
        curves = sum(isinstance(command, PlayCurve) for command in taken)
        if curves:
            with self._lock:
                self._curves_in_queue -= curves
        return taken

    def stopped(self) -> None:
        """The loop has ended: is_alive() is false from now on."""
        self._running = False
