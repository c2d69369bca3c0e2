"""Camera pictures for the screen: sources, and the link the render loop reads.

Three layers, each with one job:
- a device (`pi_camera`, `webcam`, `synthetic`) opens one camera once and reads frames
  in the screen's byte order; it knows nothing of threads or retries;
- `source` runs devices in a thread of its own: a fresh device per attempt, the newest
  frame handed over by reference, failures retried with back-off, status and fps;
- `feed` copies the source's newest frame into a surface for the render thread, and
  `link` is what the render loop holds: it starts, switches and stops the feed on a
  config change and tells the scene which camera mode to draw.

`SOURCES` below are the names camera.source accepts besides "none" (the modes are
display.draw.CAMERA_MODES); importing this package does not import pygame.

May import: display.draw, display.curves and display's helper modules.
"""

SOURCES = ("picamera2", "v4l2", "synthetic")
