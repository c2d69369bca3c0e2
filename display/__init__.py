"""The picture in every form: curves, drawing, camera, screen, offline export.

Sub-packages, bottom up: `curves` (the model, pure numpy), `draw` (strokes, canvas,
overlays, layout, the scene), `camera` (sources and the link the render loop reads),
`screen` (the HDMI screen, a window, or nothing), `export` (offline frames and file
writers). Beside them, small helpers every layer shares and that import nothing of
the project: `messages` (did-you-mean, outside values shown in errors and logs),
`sizes` (WxH), `pixels` (byte orders), `rates` (frames per second), `toml_text`
(TOML text parsed, with one clear line when it cannot be).

May import: only display. display never imports web or daemon.
"""
