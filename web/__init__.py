"""The LAN side: the frame hub (encode once, fan out), the Flask app, the server.

Sub-packages: `hub` (the newest frame, one JPEG per frame, viewers), `app` (the Flask
factory and its blueprints: page, stream, API). Modules: `server` (cheroot in a named
thread) and `cheroot_io` (cheroot's adjustments for streaming).

May import: web, and from display only curves, export, draw.layout and display's
helper modules (never pygame-bound drawing, the camera or the screen). Never daemon.
"""
