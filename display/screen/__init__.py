"""Where the picture is shown: the HDMI screen (SDL kmsdrm), a desktop window, or nothing.

`output` opens one of the three and presents frames; `kmsdrm` finds the DRM card with a
connected screen. `MODES` below are the names display.mode accepts; importing this
package does not import pygame.

May import: display's helper modules.
"""

MODES = ("fullscreen", "window", "headless")
ROTATIONS = (0, 90, 180, 270)  # display.rotation: degrees clockwise on the panel
