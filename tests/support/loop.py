"""The render loop in-process, as `spirokiosk run` builds it, for the tests: a scene, a
playlist and a Control around a RenderLoop, on a headless output unless one is given,
ticking on a clock the test moves; and a reload as SIGHUP makes one (`reload_with`)."""

from __future__ import annotations

from collections.abc import Callable

from spirokiosk.daemon.config import Config
from spirokiosk.daemon.service.control import Control
from spirokiosk.daemon.service.loop import RenderLoop
from spirokiosk.daemon.service.notify import Notifier
from spirokiosk.daemon.service.parts import display_size, scene_timing
from spirokiosk.daemon.service.playlist import Playlist
from spirokiosk.daemon.service.reloader import ConfigReloader
from spirokiosk.daemon.service.signals import SignalFlags
from spirokiosk.display.draw.overlays import Overlays
from spirokiosk.display.draw.scene import Scene
from spirokiosk.display.screen.output import Output, open_output
from support import FakeClock


def build_loop(
    config: Config,
    *,
    clock: Callable[[], float] | None = None,
    output: Output | None = None,
    playlist: Playlist | None = None,
    overlays: Overlays | None = None,
    **parts,
) -> RenderLoop:
    """A RenderLoop for `config`; `parts` are RenderLoop's other keyword arguments (hub,
    screen_time, recorder, sleep, ...). `clock` defaults to a new FakeClock, used by the
    loop and its Control alike (`loop._clock`)."""
    clock = clock or FakeClock()
    playlist = playlist or Playlist(config.curves.playlist, config.curves.random_shapes)
    output = output or open_output("headless", display_size(config))
    scene = Scene(
        output.size, playlist, timing=scene_timing(config), overlays=overlays or Overlays()
    )
    return RenderLoop(
        output=output,
        scene=scene,
        playlist=playlist,
        config=config,
        control=Control(clock=clock),
        notifier=Notifier(),
        signals=SignalFlags(),
        clock=clock,
        **parts,
    )


def reload_with(loop: RenderLoop, load: Callable[[], Config]) -> None:
    """A reload of the config `load` gives, all in the test's thread: the reloader's read
    (its own thread in the service), handed over the command queue, then the tick that
    applies it."""
    reloader = ConfigReloader(
        load, loop.control, loop.notifier, loop.signals, web=loop.access is not None
    )
    assert loop.control.hand_over_reload(reloader.read(), timeout=0)
    loop.tick()
