"""The kiosk's memory: the gallery's SQLite database (history of the curves drawn,
hearts and favourites), where it lives, and the thread that records curves as they
start, off the render thread.

May import: the standard library, display.curves (Curve) and daemon.config; never web.
"""
