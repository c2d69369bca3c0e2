"""Benchmark: the studio's POST /api/preview, server time, for 2, 6 and 12 wheels.

Each request is a whole random curve (as the studio sends it after "Surprise me" and
an edit): circles only, and mixed shapes with heights != widths. The time is the
handler's own (`Server-Timing`: parsing and checking the body, the density check, the
sampling and the SVG) and the whole WSGI call through Flask's test client. The budget
(design.md) is 50 ms for a 12-wheel curve on the development machine.

    .venv/bin/python tests/bench/bench_preview.py [--curves N] [--repeat N]
"""

import argparse
import json
import statistics

from spirokiosk.display.curves import SHAPES, random_curve
from spirokiosk.web.app import create_app
from spirokiosk.web.hub import FrameHub, StreamSettings

BUDGET_MS = 50.0


class _Control:
    def status(self) -> dict:
        return {}

    def is_alive(self) -> bool:
        return True

    def play_curve(self, curve) -> bool:
        return False

    def waiting(self) -> int:
        return 0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curves", type=int, default=12, help="random curves per wheel count")
    parser.add_argument("--repeat", type=int, default=5, help="requests per curve")
    args = parser.parse_args()
    hub = FrameHub(StreamSettings(max_viewers=1))
    client = create_app(hub, _Control()).test_client()
    print(f"POST /api/preview, {args.curves} curves x {args.repeat} requests per row")
    print(f"{'wheels':>6} {'shapes':>7} {'median ms':>10} {'p99 ms':>8} {'max ms':>8} {'kB':>6}")
    for wheels in (2, 6, 12):
        for mixed in (False, True):
            handler, sizes = [], []
            for seed in range(args.curves):
                if mixed:
                    curve = random_curve(seed, wheels=wheels, shapes=SHAPES, exact_symmetry=False)
                else:
                    curve = random_curve(seed, wheels=wheels)
                body = json.dumps(curve.to_dict())
                for _ in range(args.repeat):
                    response = client.post(
                        "/api/preview", data=body, content_type="application/json"
                    )
                    assert response.status_code == 200, response.get_data(as_text=True)
                    handler.append(float(response.headers["Server-Timing"].split("dur=")[1]))
                    sizes.append(len(response.get_data()) / 1000)
            p99 = percentile(handler, 0.99)
            print(
                f"{wheels:>6} {'mixed' if mixed else 'circles':>7} "
                f"{statistics.median(handler):>10.1f} {p99:>8.1f} {max(handler):>8.1f} "
                f"{statistics.median(sizes):>6.0f}"
                + (f"   p99 / budget {p99 / BUDGET_MS:.2f}" if wheels == 12 else "")
            )


if __name__ == "__main__":
    main()
