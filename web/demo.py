"""Serve the mirror alone, drawing a preset curve with Pillow: no pygame, no daemon.

    python -m spirokiosk.web.demo [--port 8000] [--curve seed-magma-11] [--size 640x640]

For working on the page and the stream, and for browser tests. The curve is
drawn a few segments per frame on a persistent canvas, like the kiosk does.
"""

from __future__ import annotations

import argparse
import logging
import threading
import time

import numpy as np
from PIL import Image, ImageDraw

from spirokiosk.display.curves import PRESETS

from .app import create_app
from .hub import FrameHub
from .server import WebServer
from .settings import WebSettings
from .testing import StaticControl

log = logging.getLogger(__name__)


class CurveDrawer:
    """Draws a curve over `seconds`, then starts again; publishes when the hub wants a frame."""

    def __init__(self, hub, control, name, size, seconds=20.0, fps=60.0) -> None:
        self.hub, self.control, self.size = hub, control, size
        self.curve = PRESETS[name]
        self.seconds, self.tick = seconds, 1.0 / fps
        points = self.curve.points(4000)
        scale = 0.45 * min(size) / max(np.abs(points).max(), 1e-9)
        self.xy = [(size[0] / 2 + x * scale, size[1] / 2 - y * scale) for x, y in points]
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="demo-drawer", daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        canvas = Image.new("RGBX", self.size, (12, 14, 22, 255))
        draw = ImageDraw.Draw(canvas)
        drawn, frames = 0, 0
        while not self.stop_event.wait(self.tick):
            now = time.monotonic()
            target = min(len(self.xy), int(len(self.xy) * (now - started) / self.seconds) + 1)
            if target > drawn + 1:
                draw.line(self.xy[max(drawn - 1, 0) : target], fill=(255, 184, 107, 255), width=3)
                drawn = target
            if now - started > self.seconds + 3:  # hold, then start over
                canvas.paste((12, 14, 22, 255), (0, 0, *self.size))
                started, drawn = now, 0
            frames += 1
            self.control.data.update(frames_rendered=frames, uptime_s=round(now - self.t0, 1))
            if self.hub.wants_frame(now):
                pixels = np.asarray(canvas).copy()
                self.hub.publish(pixels, "RGBX", time.time())

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--curve", default="seed-magma-11", choices=sorted(PRESETS))
    parser.add_argument("--size", default="640x640")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(threadName)s %(message)s")
    width, height = (int(v) for v in args.size.lower().split("x"))

    settings = WebSettings(bind=args.bind, port=args.port)
    control = StaticControl()
    control.data.update(curve=PRESETS[args.curve].to_dict(), mode="demo")
    hub = FrameHub(settings)
    server = WebServer.from_settings(create_app(hub, control), settings)
    drawer = CurveDrawer(hub, control, args.curve, (width, height))
    hub.start()
    server.start()
    drawer.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        drawer.stop()
        hub.stop()


if __name__ == "__main__":
    main()
