"""Stream benchmark: the mirror's costs as ratios (design.md, Budgets). Not collected by pytest.

    .venv/bin/python tests/bench/bench_stream.py [--size 1920x1080] [--seconds 5] [--fps 30]

Runs hub + app + cheroot server in this process with a publisher thread that
plays the render loop: it draws a short stroke on its frame buffer every tick
(FrameBuffers, as the loop does) and, when the hub wants a frame, lends that
buffer to the hub (no copy) with the strokes' rects since the last one as `changed`,
so the encoder encodes only those bands (web.hub.bands). Viewers run in a child process, so the CPU
measured here (user + system time of this process, all threads) is the
server's alone. With --kiosk the real render loop publishes instead (headless, always
drawing at the default pen speed): the process is then the kiosk's.

Prints:
- CPU with 20 viewers / CPU with 1 viewer (budget <= 1.25), and what each viewer
  past the first costs; with --whole-frames every frame is encoded whole (as in a fade
  or with a camera), else only the bands the strokes changed;
- pipeline CPU per frame (hand-over, scale/encode, fan out to 1 viewer)
  / a bare simplejpeg encode of the same pixels with the same settings, one every
  1/fps s as the pipeline's encoder runs (budget <= 1.15 at --stream-size display, where
  no scaling is part of the pipeline); and the same against encodes back to back, and
  against the pipeline's own simplejpeg calls timed in place (EncodeTimer: the same
  encode under the same load, so what is left is the pipeline's overhead alone);
- the render thread's CPU for a streamed tick minus an unstreamed one (budget <= 0.2 ms);
- JPEG size and bandwidth per viewer at the stream's fps, for each stream size;
- frame age seen by a viewer throttled to 100 kB/s, and the full rate others
  get meanwhile (budget: it gets the newest frame each time, the others unaffected;
  its age at the headers says how new a frame was when it began, the age once
  complete adds the frame's transfer at 100 kB/s);
- frames encoded with no viewers (budget: 0).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pygame
import simplejpeg
from PIL import Image, ImageDraw

from spirokiosk.display.curves import PRESETS
from spirokiosk.display.draw.buffers import FrameBuffers
from spirokiosk.display.draw.surfaces import surface_array, surface_layout
from spirokiosk.display.screen.output import new_frame_surface
from spirokiosk.web.app import create_app
from spirokiosk.web.hub import AUTO_STREAM_BOX, FrameHub, StreamBox, StreamSettings
from spirokiosk.web.hub import bands as hub_bands
from spirokiosk.web.hub import jpeg as hub_jpeg
from spirokiosk.web.hub.jpeg import encode_jpeg
from spirokiosk.web.server import WebServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for `support`
from support.mirror import StaticControl
from support.mjpeg import MjpegReader, Throttled, median, open_stream


def curve_frames(size: tuple[int, int], count: int = 6) -> list[np.ndarray]:
    """Finished-curve pictures (thin coloured lines on a dark gradient), slightly different."""
    width, height = size
    points = PRESETS["seed-magma-11"].points(6000)
    scale = 0.45 * min(size) / np.abs(points).max()
    ramp = np.linspace(10, 40, height, dtype=np.uint8)[:, None]
    frames = []
    for k in range(count):
        image = Image.new("RGBX", size)
        background = np.zeros((height, width, 4), np.uint8)
        background[..., 0] = ramp
        background[..., 1] = ramp // 2
        background[..., 2] = ramp + 10
        image = Image.frombuffer("RGBX", size, background, "raw", "RGBX", 0, 1).copy()
        draw = ImageDraw.Draw(image)
        shift = k * 0.004 * width
        xy = [(width / 2 + x * scale + shift, height / 2 - y * scale) for x, y in points]
        for i in range(0, len(xy) - 1, 200):
            colour = (255, 80 + (i * 7) % 170, 40 + (i * 3) % 120, 255)
            draw.line(xy[i : i + 201], fill=colour, width=max(2, width // 400))
        frames.append(np.asarray(image).copy())
    return frames


class Publisher(threading.Thread):
    """Plays the render loop at `tick_hz`: each tick a short stroke is drawn on the frame
    buffer; when the hub wants a frame, the buffer is lent to it (as RenderLoop does).

    Keeps the thread CPU of streamed and unstreamed ticks apart."""

    def __init__(
        self, hub: FrameHub, picture: np.ndarray, tick_hz: float = 60.0, whole: bool = False
    ) -> None:
        super().__init__(name="bench-render", daemon=True)
        self.hub, self.tick = hub, 1.0 / tick_hz
        height, width = picture.shape[:2]
        self.picture = pygame.image.frombuffer(picture.tobytes(), (width, height), "RGBX")
        self.buffers = FrameBuffers((width, height), new_frame_surface)
        self.layout = surface_layout(new_frame_surface((1, 1)))
        self.stop_event = threading.Event()
        self.published = 0
        # The strokes' rects since the last published frame, as RenderLoop gathers its
        # damage for the hub; None: everything (before the first frame).
        self.changed: list[tuple[int, int, int, int]] | None = None
        self.whole = whole  # every frame said to change everywhere (a fade, a camera)
        self.ticks: dict[bool, list[float]] = {True: [], False: []}  # streamed? -> CPU s

    def run(self) -> None:
        next_tick = time.monotonic()
        while not self.stop_event.is_set():
            started = time.thread_time()
            streamed = self.draw_and_publish(time.monotonic())
            self.ticks[streamed].append(time.thread_time() - started)
            next_tick += self.tick
            self.stop_event.wait(max(0.0, next_tick - time.monotonic()))

    def draw_and_publish(self, now: float) -> bool:
        buffer, stale = self.buffers.take()
        if stale is None:
            buffer.blit(self.picture, (0, 0))
        for rect in stale or ():
            buffer.blit(self.picture, rect, rect)
        width, height = self.buffers.size
        t = now * 0.7
        x = width / 2 + 0.4 * width * np.cos(t)
        y = height / 2 + 0.4 * height * np.sin(1.3 * t)
        damage = pygame.draw.line(buffer, (250, 200, 80), (x, y), (x + 6, y + 4), 3)
        self.buffers.drawn(buffer, [damage])
        if self.changed is not None:
            self.changed.append((damage.x, damage.y, damage.width, damage.height))
        if not self.hub.wants_frame(now):
            return False
        release = self.buffers.lend(buffer)
        changed, self.changed = self.changed, None if self.whole else []
        self.hub.publish(
            surface_array(buffer), self.layout, time.time(), release=release, changed=changed
        )
        self.published += 1
        return True

    def tick_cost(self) -> tuple[float, float]:
        """Median thread CPU (s) of a streamed and of an unstreamed tick so far."""
        return median(self.ticks[True]), median(self.ticks[False])


class KioskPublisher(threading.Thread):
    """The real render loop in place of the stand-in: headless, as `spirokiosk run
    --display headless` builds it, drawing the playlist at the default pen speed without
    holds or fades (a curve always drawing), at display.fps. The process is then the
    kiosk's, the process the 20-viewer budget speaks of."""

    def __init__(self, hub: FrameHub, size: tuple[int, int]) -> None:
        super().__init__(name="bench-render", daemon=True)
        from support.loop import build_loop

        from spirokiosk.daemon.config import load_config
        from spirokiosk.daemon.service.parts import scene_overlays
        from spirokiosk.display.curves import SHAPES
        from spirokiosk.display.screen.output import open_output

        overrides = [
            "display.mode=headless",
            f"display.size={size[0]}x{size[1]}",
            "curves.hold_seconds=0",
            "curves.fade_seconds=0",
        ]
        config = load_config(None, overrides, PRESETS, SHAPES)
        self.output = open_output("headless", size)
        self.loop = build_loop(
            config,
            clock=time.monotonic,
            output=self.output,
            overlays=scene_overlays(config),
            hub=hub,
        )

    def run(self) -> None:
        self.loop.run()

    def stop(self) -> None:
        self.loop.signals.request_stop()
        self.join(5)
        self.output.close()


class EncodeTimer:
    """The encoder thread's CPU inside simplejpeg (web.hub.jpeg.compress, whole pictures
    and strips alike), timed in place: the bare encode in the pipeline's own conditions
    (the same cores, clocks and neighbours), beside the separate bare encode below."""

    def __init__(self) -> None:
        self.seconds = 0.0
        real = hub_jpeg.compress

        def timed(pixels, layout, quality):
            started = time.thread_time()
            try:
                return real(pixels, layout, quality)
            finally:
                self.seconds += time.thread_time() - started

        hub_jpeg.compress = hub_bands.compress = timed


def cpu_seconds() -> float:
    return time.process_time()  # user + system time of every thread of this process


def thread_cpu() -> dict[str, float]:
    """CPU seconds per thread name (cheroot workers summed), from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for thread in threading.enumerate():
        try:
            with open(f"/proc/self/task/{thread.native_id}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = "web workers" if thread.name.startswith("CP Server") else thread.name
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return out


# -- viewers (child process) ---------------------------------------------------


def client_main(port: int, viewers: int, seconds: float, rate: float | None) -> None:
    results = [None] * viewers

    def watch(index: int) -> None:
        conn, response = open_stream("127.0.0.1", port, timeout=10, rcvbuf=4096 if rate else None)
        reader = MjpegReader(Throttled(response, rate) if rate else response)
        stamps, header_ages, end_ages = set(), [], []
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                part = reader.read_part()
                stamps.add(part.timestamp)
                header_ages.append(part.received_at - part.timestamp)
                end_ages.append(time.time() - part.timestamp)
        finally:
            conn.close()
        # The first frame is the connection's: its age includes the start of this
        # process and of the fast viewer's beside it. The others show the steady state.
        results[index] = {
            "frames": len(stamps),
            "header_age_median": median(header_ages[1:] or header_ages),
            "end_age_median": median(end_ages[1:] or end_ages),
            "end_age_max": max(end_ages[1:] or end_ages),
            "first_ages": (round(header_ages[0], 2), round(end_ages[0], 2)),
            "end_ages": [round(age, 2) for age in end_ages],
        }

    threads = [threading.Thread(target=watch, args=(i,)) for i in range(viewers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    print(json.dumps(results))


def start_viewers(port: int, viewers: int, seconds: float, rate: float | None = None):
    args = [sys.executable, __file__, "--client", str(port), str(viewers), str(seconds)]
    if rate:
        args.append(str(rate))
    quiet = {**os.environ, "PYGAME_HIDE_SUPPORT_PROMPT": "1"}  # stdout carries JSON only
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=quiet)


def wait_viewers(hub: FrameHub, count: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while hub.stats().viewers < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {hub.stats().viewers} of {count} viewers connected")
        time.sleep(0.02)


def measure(
    hub: FrameHub, port: int, viewers: int, seconds: float, timer: EncodeTimer | None = None
) -> dict:
    """CPU of this process and frames encoded while `viewers` watch for `seconds`."""
    proc = start_viewers(port, viewers, seconds + 2.0)
    wait_viewers(hub, viewers)
    time.sleep(0.5)  # settle
    threads0 = thread_cpu()
    usage0 = os.times()
    encoding0 = timer.seconds if timer else 0.0
    cpu0, enc0, t0 = cpu_seconds(), hub.stats().frames_encoded, time.monotonic()
    time.sleep(seconds)
    cpu1, enc1, t1 = cpu_seconds(), hub.stats().frames_encoded, time.monotonic()
    encoding = (timer.seconds if timer else 0.0) - encoding0
    usage1 = os.times()
    threads1 = thread_cpu()
    out, _ = proc.communicate(timeout=seconds + 60)
    frames = max(enc1 - enc0, 1)
    # The render thread's drawing is not the mirror's cost; its hand-over is (see main).
    drawing = threads1.get("bench-render", 0.0) - threads0.get("bench-render", 0.0)
    return {
        "cpu_per_s": (cpu1 - cpu0) / (t1 - t0),
        "fps": frames / (t1 - t0),
        "cpu_per_frame": (cpu1 - cpu0 - drawing) / frames,
        "encode_per_frame": encoding / frames,
        "user_per_frame": (usage1.user - usage0.user) / frames,
        "system_per_frame": (usage1.system - usage0.system) / frames,
        "threads_per_frame": {
            name: (threads1[name] - threads0.get(name, 0.0)) / frames for name in threads1
        },
        "clients": json.loads(out),
    }


def scaled(frames: list[np.ndarray], box: StreamBox) -> list[np.ndarray]:
    """The frames at the stream's size: the bare encode then leaves scaling to the pipeline."""
    out = []
    for frame in frames:
        height, width = frame.shape[:2]
        image = Image.frombuffer("RGBX", (width, height), frame, "raw", "RGBX", 0, 1)
        out.append(np.asarray(image.resize(box.fit((width, height)))).copy())
    return out


def bare_encode_seconds(
    frames: list[np.ndarray], quality: int, n: int = 60, fps: float | None = None
) -> float:
    """CPU time of one simplejpeg encode of the same pixels, same settings (this thread
    only): back to back, or one every 1/`fps` s as the stream's encoder does. On this
    machine code that wakes to work every 33 ms finds colder caches than a loop that
    never sleeps, so the paced encode is the bare cost the pipeline's is compared with."""
    cpu = 0.0
    for i in range(n):
        started = time.monotonic()
        cpu0 = time.thread_time()
        simplejpeg.encode_jpeg(
            frames[i % len(frames)], quality, "RGBX", colorsubsampling="420", fastdct=True
        )
        cpu += time.thread_time() - cpu0
        if fps:
            time.sleep(max(0.0, 1.0 / fps - (time.monotonic() - started)))
    return cpu / n


def bandwidth_table(picture: np.ndarray, quality: int, fps: float) -> list[str]:
    """JPEG size and bandwidth per viewer for each stream size, from the same picture."""
    rows = []
    sizes = [
        ("display", None),
        ("auto", AUTO_STREAM_BOX),
        ("854x480", StreamBox(854, 480)),
        ("640x360", StreamBox(640, 360)),
    ]
    for name, box in sizes:
        started = time.thread_time()
        jpeg, w, h = encode_jpeg(picture, "RGBX", quality, box)
        cpu = time.thread_time() - started
        kb = len(jpeg) / 1000
        rows.append(
            f"  {name:<8} {w}x{h}: {kb:6.0f} kB per frame, {kb * 8 * fps / 1000:5.1f} Mbit/s "
            f"at {fps:g} fps, {cpu * 1000:5.1f} ms to scale and encode here"
        )
    return rows


def breakdown(run: dict) -> str:
    parts = sorted(run["threads_per_frame"].items(), key=lambda item: -item[1])
    return ", ".join(f"{name} {ms * 1000:.2f}" for name, ms in parts if ms * 1000 >= 0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the MJPEG mirror.")
    parser.add_argument("--size", default="1920x1080", help="display size WxH")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--fps", type=float, default=30.0, help="web.stream_fps")
    parser.add_argument("--quality", type=int, default=80)
    parser.add_argument(
        "--stream-size",
        default="display",
        help="web.stream_size for the CPU runs: display (the budgets' setting), auto or WxH",
    )
    parser.add_argument(
        "--repeats", type=int, default=4, help="runs of the CPU comparisons (ABBA order)"
    )
    parser.add_argument(
        "--whole-frames",
        action="store_true",
        help="every frame changes everywhere (a fade, a camera): one whole encode each",
    )
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help="the real render loop (headless, always drawing) publishes, not the stand-in",
    )
    parser.add_argument("--client", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        port, viewers, seconds, *rate = args.client
        client_main(int(port), int(viewers), float(seconds), float(rate[0]) if rate else None)
        return

    size = tuple(int(v) for v in args.size.lower().split("x"))
    frames = curve_frames(size)
    if args.stream_size == "display":
        box = None
    elif args.stream_size == "auto":
        box = AUTO_STREAM_BOX
    else:
        box = StreamBox(*(int(v) for v in args.stream_size.lower().split("x")))
    settings = StreamSettings(max_viewers=24, fps=args.fps, quality=args.quality, box=box)
    timer = EncodeTimer()
    hub = FrameHub(settings)
    hub.start()
    server = WebServer(create_app(hub, StaticControl()), bind="127.0.0.1", port=0, max_viewers=24)
    server.start()
    if args.kiosk:
        publisher = KioskPublisher(hub, size)
    else:
        publisher = Publisher(hub, frames[0], whole=args.whole_frames)
    publisher.start()
    port = server.port
    print(f"display {size[0]}x{size[1]}, stream fps cap {args.fps:g}, quality {args.quality},")
    print(f"stream size {args.stream_size}, {os.cpu_count()} CPUs, {args.seconds:g} s per run")
    print("bandwidth per viewer (a finished curve):")
    print("\n".join(bandwidth_table(frames[0], args.quality, args.fps)))
    try:
        cpu0, enc0 = cpu_seconds(), hub.stats().frames_encoded
        time.sleep(args.seconds)
        idle_cpu = (cpu_seconds() - cpu0) / args.seconds
        idle_encoded = hub.stats().frames_encoded - enc0
        print(f"\nno viewers: {idle_encoded} frames encoded, CPU {idle_cpu * 100:.1f}% of a core")

        ratios_cpu, ratios_pipeline, ratios_back_to_back, per_viewer = [], [], [], []
        ratios_in_place = []
        same = frames if box is None else scaled(frames, box)
        for rep in range(args.repeats):
            # 1 then 20 viewers, then 20 then 1 (ABBA): a drift in what the process does
            # meanwhile (with --kiosk, the curve drawn grows denser or thinner) falls on
            # both sides of the ratio instead of always on the same one.
            if rep % 2 == 0:
                one = measure(hub, port, 1, args.seconds, timer)
                twenty = measure(hub, port, 20, args.seconds)
            else:
                twenty = measure(hub, port, 20, args.seconds)
                one = measure(hub, port, 1, args.seconds, timer)
            bare = bare_encode_seconds(same, args.quality, fps=args.fps)
            back_to_back = bare_encode_seconds(same, args.quality)
            ratios_cpu.append(twenty["cpu_per_s"] / one["cpu_per_s"])
            per_viewer.append((twenty["cpu_per_s"] - one["cpu_per_s"]) / 19)
            ratios_pipeline.append(one["cpu_per_frame"] / bare)
            ratios_back_to_back.append(one["cpu_per_frame"] / back_to_back)
            ratios_in_place.append(one["cpu_per_frame"] / max(one["encode_per_frame"], 1e-9))
            got = [c["frames"] for c in twenty["clients"]]
            print(f"\nrun {rep + 1}:")
            print(
                f"  1 viewer:   CPU {one['cpu_per_s'] * 100:5.1f}% of a core, "
                f"{one['fps']:.1f} fps encoded, client got {one['clients'][0]['frames']} frames"
                f" (ms per frame: user {one['user_per_frame'] * 1000:.2f},"
                f" kernel {one['system_per_frame'] * 1000:.2f})"
            )
            print(
                f"  20 viewers: CPU {twenty['cpu_per_s'] * 100:5.1f}% of a core, "
                f"{twenty['fps']:.1f} fps encoded, clients got {min(got)}..{max(got)} frames"
                f" (ms per frame: user {twenty['user_per_frame'] * 1000:.2f},"
                f" kernel {twenty['system_per_frame'] * 1000:.2f})"
            )
            print(
                f"  pipeline {one['cpu_per_frame'] * 1000:.2f} ms CPU per frame "
                f"(ms per thread: {breakdown(one)}); bare encode {bare * 1000:.2f} ms at "
                f"{args.fps:g} fps, {back_to_back * 1000:.2f} ms back to back; "
                f"its own encoding timed in place {one['encode_per_frame'] * 1000:.2f} ms"
            )
            print(f"  20 viewers, ms per thread per frame: {breakdown(twenty)}")
        print(
            f"\nratio CPU 20 viewers / 1 viewer: median {median(ratios_cpu):.2f} "
            f"(runs: {', '.join(f'{r:.2f}' for r in ratios_cpu)}; budget <= 1.25)"
        )
        print(
            f"  each viewer past the first: median {median(per_viewer) * 100:.3f}% of a core "
            f"({median(per_viewer) / args.fps * 1e6:.0f} us of CPU per frame)"
        )
        print(
            f"ratio pipeline / bare encode:   median {median(ratios_pipeline):.2f} "
            f"(runs: {', '.join(f'{r:.2f}' for r in ratios_pipeline)}; budget <= 1.15"
            f"{'' if box is None else ', at display size; here it includes scaling'})"
        )
        print(
            f"  (against encodes back to back: median {median(ratios_back_to_back):.2f}; "
            f"runs: {', '.join(f'{r:.2f}' for r in ratios_back_to_back)})"
        )
        print(
            f"  (against its own encoding timed in place: median {median(ratios_in_place):.2f}; "
            f"runs: {', '.join(f'{r:.2f}' for r in ratios_in_place)}; with bands that is the "
            "strips' encoding, not a whole picture's)"
        )
        bands = hub.encoder
        print(
            f"band encoder, all runs: {bands.strip_encodes} strips, {bands.whole_encodes} whole "
            f"encodes, {bands.reused} frames reused, {hub.stats().frames_encoded} frames"
        )
        if not args.kiosk:  # (bench_pi.py measures the real loop's ticks)
            streamed, unstreamed = publisher.tick_cost()
            print(
                f"render thread per tick: streamed {streamed * 1000:.3f} ms, unstreamed "
                f"{unstreamed * 1000:.3f} ms: the hand-over costs "
                f"{(streamed - unstreamed) * 1000:.3f} ms (budget <= 0.2)"
            )

        proc_slow = start_viewers(port, 1, args.seconds + 2, rate=100_000)
        wait_viewers(hub, 1)
        proc_fast = start_viewers(port, 1, args.seconds)
        fast = json.loads(proc_fast.communicate(timeout=args.seconds + 60)[0])[0]
        slow = json.loads(proc_slow.communicate(timeout=args.seconds + 60)[0])[0]
        print(
            f"100 kB/s viewer: {slow['frames']} frames; past the first, frame age median "
            f"{slow['header_age_median']:.2f} s at its headers, {slow['end_age_median']:.2f} s "
            f"complete (max {slow['end_age_max']:.2f} s); the first, on connecting, "
            f"{slow['first_ages'][0]:.2f} s and {slow['first_ages'][1]:.2f} s"
        )
        print(f"  each frame's age once complete, in turn: {slow['end_ages']}")
        print(
            f"  meanwhile a fast viewer got {fast['frames'] / args.seconds:.1f} fps "
            f"(cap {args.fps:g})"
        )
    finally:
        server.stop()
        if args.kiosk:
            publisher.stop()
        else:
            publisher.stop_event.set()
            publisher.join(2)
        hub.stop()


if __name__ == "__main__":
    main()
