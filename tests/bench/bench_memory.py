"""Memory over a long run: the daemon's RSS with viewers coming and going.

Starts `spirokiosk run --display headless` on a free loopback port, then for
`--minutes` keeps a changing crowd of stream viewers (each watches for a few
seconds, some read slowly, some hang up mid-frame), fetches snapshots and
status, and samples the daemon's resident set size every `--sample` seconds.

Budget (design.md): no growth. The playlist is every preset, in order, with
short timings, so the same work repeats. The first whole cycle and the
next curve are warm-up: the heap's high-water mark follows the densest
curve seen so far, which is not a leak. After it the script fits a line
through the samples and prints the growth per ten minutes, in MiB.

    .venv/bin/python tests/bench/bench_memory.py            # 10 minutes
    .venv/bin/python tests/bench/bench_memory.py --minutes 2
"""

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import numpy as np

from spirokiosk.display.curves import PRESETS

DRAW, HOLD, FADE = 8.0, 1.0, 1.0  # seconds per curve: a whole cycle in about two minutes

BUDGET_MIB_PER_10_MIN = 1.0  # "no growth": allow for allocator noise


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def wait_healthy(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the daemon did not become healthy")


def viewer(port: int, seconds: float, slow: bool, rng: random.Random) -> None:
    """One stream client: reads for `seconds` (slowly if asked), then hangs up."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            if slow:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
            s.sendall(b"GET /stream.mjpg HTTP/1.1\r\nHost: x\r\n\r\n")
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                if not s.recv(4096 if slow else 262144):
                    return
                if slow:
                    time.sleep(0.04)  # about 100 kB/s
            if rng.random() < 0.3:
                s.shutdown(socket.SHUT_RDWR)  # abrupt, mid-frame
    except OSError:
        pass


def crowd(port: int, until: float, stop: threading.Event) -> None:
    rng = random.Random(1)
    threads: list[threading.Thread] = []
    while time.monotonic() < until and not stop.is_set():
        threads = [t for t in threads if t.is_alive()]
        while len(threads) < rng.randint(1, 8):
            t = threading.Thread(
                target=viewer,
                args=(port, rng.uniform(1, 8), rng.random() < 0.2, rng),
                daemon=True,
            )
            t.start()
            threads.append(t)
        for path in ("/snapshot.jpg", "/api/status", "/"):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                    r.read()
            except OSError:
                pass
        stop.wait(rng.uniform(0.2, 1.5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--size", default="1280x720", help="display.size")
    args = parser.parse_args()

    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "spirokiosk.daemon.cli",
        "run",
        "--display",
        "headless",
        "--config",
        os.devnull,
        "--set",
        f"web.port={port}",
        "--set",
        "web.bind=127.0.0.1",
        "--set",
        f"display.size={args.size}",
        "--set",
        f"curves.playlist={list(PRESETS)!r}".replace("'", '"'),
        "--set",
        f"curves.draw_seconds={DRAW}",
        "--set",
        f"curves.hold_seconds={HOLD}",
        "--set",
        f"curves.fade_seconds={FADE}",
    ]
    # one whole cycle, plus the next curve (built during the last hold of the cycle)
    cycle = (len(PRESETS) + 1) * (DRAW + HOLD)
    daemon = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = threading.Event()
    try:
        wait_healthy(port)
        start = time.monotonic()
        until = start + args.minutes * 60
        load = threading.Thread(target=crowd, args=(port, until, stop), daemon=True)
        load.start()
        times, samples = [], []
        while time.monotonic() < until:
            times.append(time.monotonic() - start)
            samples.append(rss_mib(daemon.pid))
            print(f"  {times[-1]:6.0f} s  RSS {samples[-1]:7.1f} MiB", flush=True)
            time.sleep(args.sample)
        stop.set()
        load.join(15)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(10)

    t, rss = np.array(times), np.array(samples)
    warm = t >= min(cycle, t[-1] / 2)
    slope = np.polyfit(t[warm], rss[warm], 1)[0] if warm.sum() >= 2 else float("nan")
    growth = slope * 600
    print(f"playlist: {len(PRESETS)} presets; warm-up: the first {cycle:.0f} s")
    print(
        f"{args.minutes:g} min, {args.size}: RSS after warm-up {rss[warm][0]:.1f} MiB, "
        f"at the end {rss[-1]:.1f} MiB, peak {rss.max():.1f} MiB"
    )
    print(
        f"growth {growth:+.2f} MiB per 10 min (budget: no growth, <= "
        f"{BUDGET_MIB_PER_10_MIN} MiB of allocator noise): "
        f"{'OK' if growth <= BUDGET_MIB_PER_10_MIN else 'OVER'}; exit status {daemon.returncode}"
    )


if __name__ == "__main__":
    main()
