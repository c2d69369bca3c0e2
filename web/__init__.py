"""The LAN side: the frame hub (encode once, fan out), the Flask app, the server.

Sub-packages: `hub` (the newest frame, one JPEG per frame, viewers), `app` (the Flask
factory and its blueprints: page, stream, API, and the stream writer thread),
`server` (cheroot, adjusted: the gate, HTTP's rules, the sockets); and the module `urls`
(a host and port spelled as a URL, for the server's log and the discovery's page URL).

May import: web, and from display only curves, export, draw.layout and display's
helper modules (never pygame-bound drawing, the camera or the screen). Never daemon.
"""
