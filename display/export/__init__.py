"""Curves to files: offline frames, the PNG, GIF and MP4 writers, and SVG.

`frames` draws the animation the screen shows (or the finished picture) frame by
frame, off screen; `writer` is the base every file writer shares; `png`, `gif`, `mp4`
are the writers and `formats.open_writer` picks one; `output` makes a file appear only
when complete; `progress` is a terminal progress bar. `svg` writes the finished curve
for pen plotters and `preview` the studio's small coloured SVG: both pure numpy (no
pygame), text in memory. `recipe` is the curve's JSON every file carries; `loop` the
web's seamless loops and framings; `worker` one web export in a child process
(`python -m spirokiosk.display.export.worker`), rendered in memory.

May import: display.draw, display.curves and display's helper modules.
"""
