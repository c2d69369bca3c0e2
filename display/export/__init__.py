"""Curves to files: offline frames, and the PNG, GIF and MP4 writers.

`frames` draws the animation the screen shows (or the finished picture) frame by
frame, off screen; `writer` is the base every file writer shares; `png`, `gif`, `mp4`
are the writers and `formats.open_writer` picks one; `output` makes a file appear only
when complete; `progress` is a terminal progress bar.

May import: display.draw, display.curves and display's helper modules.
"""
