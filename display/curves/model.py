"""The curve model: a sum of rotating wheels (Farris wheels).

z(t) = sum_j [ Re(w_j S_j(n_j t)) + i Im(h_j S_j(n_j t)) ],   t in [0, 2 pi)
"""

import math
from dataclasses import dataclass, field
from functools import cached_property, reduce

import numpy as np

from spirokiosk.display.curves.data import CurveError, format_complex, validate_curve_data
from spirokiosk.display.curves.shapes import shape_speed, unit_shape
from spirokiosk.display.messages import shown

TAU = 2.0 * math.pi
MAX_POINTS = 400_000  # a cap on automatic sampling, for absurd sizes
# A curve spanning less than this is a dot, not a figure: its wheels cancel out, or its
# sizes are so small (1e-300) that fitting it to the screen only magnifies rounding.
MIN_EXTENT = 1e-9


@dataclass(frozen=True)
class Wheel:
    """One rotating wheel: integer frequency, complex width and height, a shape.

    `height` defaults to `width`, which makes the wheel its shape scaled and
    rotated by that complex number.
    """

    freq: int
    width: complex
    height: complex | None = None
    shape: str = "circle"

    def __post_init__(self) -> None:
        object.__setattr__(self, "width", complex(self.width))
        height = self.width if self.height is None else complex(self.height)
        object.__setattr__(self, "height", height)

    @property
    def size(self) -> float:
        """An upper bound of |Re(w s) + i Im(h s)| / |s|: the arm's length at most.

        With w == h it is |w|; otherwise the real and imaginary parts can peak
        together (w = 1, h = 1j traces a diagonal line of half-length sqrt 2).
        """
        if self.width == self.height:
            return abs(self.width)
        return math.hypot(abs(self.width), abs(self.height))

    def position(self, t: np.ndarray) -> np.ndarray:
        """This wheel's contribution to z at parameter t."""
        s = unit_shape(self.shape, self.freq * t)
        if self.width == self.height:
            return self.width * s  # the same numbers, without the temporaries
        # Re(w s) + i Im(h s), each part computed as numpy's complex product does.
        w, h = self.width, self.height
        out = np.empty(s.shape, dtype=complex)
        out.real = w.real * s.real - w.imag * s.imag
        out.imag = h.real * s.imag + h.imag * s.real
        return out


class WheelSteps:
    """Every wheel's step along the chain at one parameter t, all wheels at once (the arms
    of the epicycles, asked for every frame: one numpy call per wheel would cost several
    times the arithmetic). `at(t)[j]` is `wheels[j].position(t)`."""

    def __init__(self, wheels: "tuple[Wheel, ...] | list[Wheel]"):
        self._freqs = np.array([w.freq for w in wheels], dtype=float)
        widths = np.array([w.width for w in wheels], dtype=complex)
        heights = np.array([w.height for w in wheels], dtype=complex)
        self._wr, self._wi = widths.real.copy(), widths.imag.copy()
        self._hr, self._hi = heights.real.copy(), heights.imag.copy()
        shapes = [w.shape for w in wheels]
        self._groups = [(name, np.flatnonzero([s == name for s in shapes])) for name in set(shapes)]

    def at(self, t: float) -> np.ndarray:
        theta = self._freqs * t
        if len(self._groups) == 1:
            s = unit_shape(self._groups[0][0], theta)
        else:
            s = np.empty(len(theta), dtype=complex)
            for name, index in self._groups:
                s[index] = unit_shape(name, theta[index])
        out = np.empty(len(theta), dtype=complex)
        out.real = self._wr * s.real - self._wi * s.imag
        out.imag = self._hr * s.imag + self._hi * s.real
        return out


@dataclass(frozen=True)
class Curve:
    """A spirograph curve and its drawing style.

    Build from plain data with `Curve.from_dict`, which validates and names
    the offending field; the constructor trusts its arguments.
    """

    wheels: tuple[Wheel, ...]
    colour_map: str = "magma"
    background_map: str = "bone"
    line_width: float = 4.0
    name: str = ""
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "wheels", tuple(self.wheels))

    # -- geometry ----------------------------------------------------------

    @cached_property  # asked for every frame (the pen's parameter)
    def freq_gcd(self) -> int:
        """g: the curve closes after 2 pi / g."""
        return reduce(math.gcd, (abs(w.freq) for w in self.wheels))

    @property
    def period(self) -> float:
        return TAU / self.freq_gcd

    def z(self, t: np.ndarray) -> np.ndarray:
        """Complex positions at parameters t."""
        t = np.asarray(t, dtype=float)
        total = np.zeros(t.shape, dtype=complex)
        for wheel in self.wheels:
            total += wheel.position(t)
        return total

    def points(self, n: int | None = None, *, scale: float = 256.0) -> np.ndarray:
        """(n, 2) array of x, y over one full period, first point == last point.

        With n None the count is automatic for drawing at `scale` pixels per
        unit (see `sample_count`).
        """
        if n is None:
            n = self.sample_count(scale)
        if n < 2:
            raise ValueError("points: n must be at least 2")
        t = np.linspace(0.0, self.period, n)
        z = self.z(t)
        z[-1] = z[0]  # exact closure, not just up to rounding
        return np.column_stack([z.real, z.imag])

    def speed_bound(self) -> float:
        """An upper bound of |dz/dt|."""
        return sum(abs(w.freq) * w.size * shape_speed(w.shape) for w in self.wheels)

    def reach(self) -> float:
        """An upper bound of |z|: every wheel's arm stretched out."""
        return sum(w.size * (math.sqrt(2.0) if w.shape == "square" else 1.0) for w in self.wheels)

    def sample_count(self, scale: float, max_segment_px: float = 1.5) -> int:
        """Points needed so no segment is longer than `max_segment_px` at `scale` px/unit."""
        length_bound = self.period * self.speed_bound() * scale
        return int(min(max(math.ceil(length_bound / max_segment_px) + 1, 16), MAX_POINTS))

    # -- symmetry ----------------------------------------------------------

    @property
    def symmetry(self) -> tuple[int, int] | None:
        """(k, m) when every reduced frequency is m mod k (k >= 2), else None.

        Frequencies are first divided by their common factor g, so that k
        counts the rotational symmetry of the drawn figure. The rotation is
        exact when `exactly_symmetric`, approximate otherwise.
        """
        g = self.freq_gcd
        reduced = [w.freq // g for w in self.wheels]
        k = reduce(math.gcd, (abs(n - reduced[0]) for n in reduced[1:]), 0)
        if k < 2:
            return None
        return k, reduced[0] % k

    @property
    def exactly_symmetric(self) -> bool:
        """True when z(t + P/k) == e^{2 pi i m / k} z(t) holds exactly."""
        return self.symmetry is not None and all(
            w.shape == "circle" and w.width == w.height for w in self.wheels
        )

    # -- description and data ------------------------------------------------

    def summary(self) -> str:
        """One line: wheels, shapes, symmetry."""
        shapes = sorted({w.shape for w in self.wheels})
        sym = self.symmetry
        sym_text = f"{sym[0]}-fold symmetry (m={sym[1]})" if sym else "no rotational symmetry"
        if sym and not self.exactly_symmetric:
            sym_text = "approximate " + sym_text
        n = len(self.wheels)
        return f"{n} {'/'.join(shapes)} wheel{'s' if n != 1 else ''}, {sym_text}"

    def to_dict(self) -> dict:
        """Plain JSON/TOML-able data; complex sizes as strings such as "0.125j"."""
        return {
            "name": self.name,
            "wheels": [
                {
                    "freq": w.freq,
                    "width": format_complex(w.width),
                    "height": format_complex(w.height),
                    "shape": w.shape,
                }
                for w in self.wheels
            ],
            "colour_map": self.colour_map,
            "background_map": self.background_map,
            "line_width": self.line_width,
        }

    @classmethod
    def from_dict(cls, data: object) -> "Curve":
        """Validate plain data (see `validate_curve_data`) and build the curve.

        Raises CurveError naming every bad field.
        """
        fields = validate_curve_data(data)
        wheels = tuple(Wheel(**w) for w in fields.pop("wheels"))
        curve = cls(wheels=wheels, **fields)
        span = curve.extent()
        if span < MIN_EXTENT:
            sizes = sorted({shown(abs(size)) for w in wheels for size in (w.width, w.height)})
            raise CurveError(
                [
                    f"wheels: the curve is a dot: it spans {span:.3g} (sizes {', '.join(sizes)}); "
                    f"it needs to span at least {MIN_EXTENT:g}"
                ]
            )
        return curve

    def extent(self, samples: int = 1024) -> float:
        """The larger side of the curve's bounding box (from `samples` points)."""
        z = self.z(np.linspace(0.0, self.period, samples))
        return float(max(np.ptp(z.real), np.ptp(z.imag)))
