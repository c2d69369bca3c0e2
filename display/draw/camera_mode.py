"""What the scene does with the camera's picture: the mode, how opaque the curves are over
it, and what that asks of each curve's drawing.

    camera = CameraMode("overlay", opacity=0.85)   # or "camera"; CameraMode(): curves only
    camera.on                        # a camera mode: the drawings keep their strokes' ink
    camera.ink_opacity               # a new drawing's ink layer's opacity (None: no layer)
    camera.dress(drawing)            # give a drawing the ink layer this mode wants, or none
    camera.switched("camera")        # another mode, the same opacity unless one is given

A value apart from `scene`: the scene keeps one and swaps it whole when the camera
settings change (a reload or a new screen, never each frame). The picture itself is not
kept here: the render loop hands it to each `compose`, and the composer draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from spirokiosk.display.draw import CAMERA_MODES
from spirokiosk.display.draw.drawing import CurveDrawing
from spirokiosk.display.draw.ink import check_opacity

DEFAULT_OPACITY = 0.85


@dataclass(frozen=True)
class CameraMode:
    """None (curves only), "overlay" (the curves at `opacity` over the picture) or
    "camera" (the picture alone); ValueError naming what is wrong otherwise."""

    mode: str | None = None
    opacity: float = DEFAULT_OPACITY

    def __post_init__(self) -> None:
        if self.mode is not None and self.mode not in CAMERA_MODES:
            raise ValueError(f"camera mode: must be None or one of {', '.join(CAMERA_MODES)}")
        object.__setattr__(self, "opacity", check_opacity(self.opacity))  # (a float)

    @property
    def on(self) -> bool:
        """Whether a camera mode is on (else the scene shows curves only)."""
        return self.mode is not None

    @property
    def ink_opacity(self) -> float | None:
        """The opacity a new drawing's ink layer is made with; None: it needs none."""
        return self.opacity if self.mode is not None else None

    def switched(self, mode: str | None, opacity: float | None = None) -> CameraMode:
        """`mode`, at `opacity` or (None) at this one's."""
        return CameraMode(mode, self.opacity if opacity is None else opacity)

    def dress(self, drawing: CurveDrawing) -> None:
        """Give `drawing` the ink layer this mode wants (its strokes so far put on it), or
        drop the one it has (curves only)."""
        if self.mode is None:
            drawing.disable_ink()
        else:
            drawing.enable_ink(self.opacity)
