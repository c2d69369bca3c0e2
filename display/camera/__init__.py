"""Camera pictures for the screen: sources, and the link the render loop reads.

Three layers, each with one job:
- a device (`pi_camera`, `webcam`, `synthetic`; `devices` says which serves which
  camera.source, `source` what a device is) opens one camera once and reads frames
  in the screen's byte order; it knows nothing of processes, threads or retries;
- `process` runs each attempt at a device in a child process of its own, hands its
  frames over through shared memory, and kills and replaces a child that fails, hangs
  or crashes, with back-off;
- `feed` copies the newest frame into a surface for the render thread, and `link` is
  what the render loop holds: it starts, switches and stops the feed on a config
  change and tells the scene which camera mode to draw.

`SOURCES` below are the names camera.source accepts besides "none" (the modes are
display.draw.CAMERA_MODES); importing this package does not import pygame.

May import: display.draw, display.curves and display's helper modules.
"""

SOURCES = ("picamera2", "v4l2", "synthetic")
