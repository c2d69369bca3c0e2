"""Drawing curves with pygame: strokes, the canvas, overlays, the layout and the scene.

`stroke` rasterises anti-aliased polylines into pixels; `drawing` keeps one curve's
persistent canvas; `ink` keeps its strokes alone for blending over a camera picture;
`overlays` draws the pen, wheels (`wheels`: the arms and each wheel's outline), caption
and the address card (`address`: the mirror's URL and its QR code, made with segno) on
the frame; `layout` fits a curve to a pixel size and samples it (pure numpy); `scene` is
the show (draw, hold, cross-fade), `timing` its seconds, `upcoming` the curves to come,
`composer` its frames' pixels and damage, `camera_mode` what it does with a camera
picture; `surfaces` reads a surface's memory.

May import: display.curves and display's helper modules.
"""

# What the scene can do with a camera picture (camera.mode): draw the curves over it,
# or show it alone. Here, not in `scene`, so the config can name them without pygame.
CAMERA_MODES = ("overlay", "camera")
