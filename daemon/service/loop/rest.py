"""The render loop's rest while the screen sleeps: off or quiet by the schedule, or by
an override from the web, MQTT or Home Assistant.

Apart from the tick because it is another pace and another picture: nothing moves, so a
still is drawn once (again only when the state or the quiet curve changes), the screen
and the mirror get that same still, and the loop slows to a tick a second. What must not
sleep goes on at that pace: events, commands and reloads, the watchdog, the status. A
stop or a command ends the doze early, so the web's "on" is seen within a moment.

Its functions take the RenderLoop (`loop`) as the package's others do; the still and
the curve it shows stay on the loop (`_still`, `_still_curve`), dropped when it wakes.
"""

from __future__ import annotations

import pygame

from spirokiosk.daemon.service.screen_time import ASLEEP_TICK
from spirokiosk.display.draw.buffers import FrameBuffers
from spirokiosk.display.draw.still import sleeping_picture
from spirokiosk.display.screen.output import new_frame_surface

DOZE_STEP = 0.05  # while resting, a stop or a command is seen within this (seconds)


def rest(loop, now: float) -> bool:
    """Off or quiet by the schedule: a still picture, drawn once, and a tick a second
    (events, commands, reloads, the watchdog and the status go on). True when this tick
    is done; False when the screen is on (after a rest: all drawn anew, the pen where it
    was)."""
    screen = loop.screen_time
    state = screen.state()
    if state == "on":
        if loop._still is not None:
            loop._still = None
            loop.buffers = FrameBuffers(loop.output.size, new_frame_surface)
        return False
    loop._take_input()
    # Drawn again when the state changed, or (quiet) when a command brought another
    # curve (a skip, a request): the screen shows what the status says.
    shows = loop.scene.curve if state == "quiet" else None
    if screen.changed or loop._still is None or shows is not loop._still_curve:
        loop._still = still_picture(loop, state, now)
        loop._still_curve = shows
        loop.uploaded_last = loop.output.present(loop._still, [loop._still.get_rect()])
        loop.frames += 1
    if loop.mirror is not None:
        loop.mirror.all_new()  # the next frame after a rest is all new to the stream
        if loop.hub.wants_frame(now):
            loop.mirror.rest(loop._still)
    loop._fps.add(now)
    loop._after_frame(now)
    doze(loop, ASLEEP_TICK)
    return True


def still_picture(loop, state: str, now: float) -> pygame.Surface:
    """What the screen shows while `state` ("off" or "quiet") lasts."""
    still = new_frame_surface(loop.output.size)
    if state == "off":
        until = loop.screen_time.until()
        sleeping_picture(still, f"sleeping until {until}" if until else "screen off")
        return still
    try:  # quiet: the curve on screen, finished, stays
        loop.scene.finish_drawing()
        picture = loop.camera.picture(now) if loop.camera is not None else None
        loop.scene.composer.compose(still, picture, picture_new=True, stale=None)
    except Exception:  # as in a tick: a curve must never stop the service
        loop._curve_failed()
        sleeping_picture(still, "quiet")
    return still


def doze(loop, seconds: float) -> None:
    """Sleep up to `seconds`; wake early for a stop or a command."""
    slept = 0.0
    while slept < seconds and not loop.signals.stop_requested and not loop.control.pending():
        loop._sleep(DOZE_STEP)
        slept += DOZE_STEP
