"""What the render loop tells the others: the status document for the web (/api/status,
MQTT) and systemd's one-line STATUS=. Built on the render thread, never changed after it
is published."""

from __future__ import annotations

from spirokiosk.display.camera.link import CAMERA_OFF


def curve_dict(loop) -> dict:
    """The current curve's to_dict(), made once per curve."""
    curve = loop.scene.curve
    cached, data = loop._curve_data
    if cached is not curve or data is None:
        data = curve.to_dict()
        loop._curve_data = (curve, data)
    return data


def status_document(loop, now: float) -> dict:
    """The status document's loop part; a new dict each time (never changed later)."""
    output, scene, curves = loop.output, loop.scene, loop.config.curves
    camera = loop.camera
    return {
        "mode": output.mode,
        "requested_mode": output.requested,
        "fallback_reason": output.fallback_reason,
        "display": {
            "size": list(output.size),
            "driver": output.driver,
            "vsync": not loop._capped,
            "fps_cap": loop.config.display.fps if loop._capped else None,
            "uploaded_bytes": output.uploaded,  # to the screen, all told
        },
        "fps": round(loop._fps.rate(), 1),
        "frames_rendered": loop.frames,
        "uptime_s": round(now - loop._started, 1),
        "camera": camera.status(now) if camera is not None else dict(CAMERA_OFF),
        "picture": camera.shown if camera is not None else "curves",
        "curve": curve_dict(loop),
        "curve_summary": scene.curve.summary(),
        "phase": scene.phase,
        "progress": round(scene.progress, 4),
        "queued": scene.queued_count,
        "paused": loop.paused,
        "playlist": list(loop.playlist.names),
        "timing": {
            "draw_seconds": curves.draw_seconds,
            "hold_seconds": curves.hold_seconds,
            "fade_seconds": curves.fade_seconds,
        },
        "schedule": schedule_dict(loop),
        "config_source": loop.config.source,
        "reloads": loop.reloads,
        "address": {
            "url": loop.address,
            "on_screen": scene.address_shown,
            "announced_as": loop.discovery.announced_name if loop.discovery else None,
        },
    }


def schedule_dict(loop) -> dict:
    current = loop.screen_time.current if loop.screen_time is not None else None
    if current is None:
        return {"state": "on", "next_change": None, "override": False}
    return current.as_dict()


def status_line(loop) -> str:
    """systemd's STATUS=: mode, curve, fps, viewers."""
    name = loop.scene.curve.name or "unnamed curve"
    mode = loop.output.mode
    if loop.output.fallback_reason:
        mode += f" ({loop.output.fallback_reason})"
    text = f"{mode}, {name}{' (paused)' if loop.paused else ''}, {loop._fps.rate():.1f} fps"
    asleep = loop.screen_time.current if loop.screen_time is not None else None
    if asleep is not None and asleep.state != "on":
        until = loop.screen_time.until()
        text += f", screen {asleep.state}" + (f" until {until}" if until else "")
    if loop.hub is not None:
        text += f", {loop.hub.stats().viewers} viewers"
    camera = loop.camera.summary() if loop.camera is not None else None
    if camera is not None:
        text += f", {camera}"
    return text
