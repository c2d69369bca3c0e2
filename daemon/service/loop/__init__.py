"""The render loop: one plain pygame loop in the main thread, owning scene and screen.

`render_loop.RenderLoop` ticks (events, signals, commands, update, draw, present, the
hub, the watchdog); `rest` is its tick while the screen sleeps (a still, a tick a
second); `mirror_feed` hands the web mirror's hub what it draws; `commands`
applies what the command queue brings; `status` writes the status document and
systemd's STATUS line; `reload` applies a config read again.
Their functions take the RenderLoop (`loop`) whose part they are, as a plain parameter:
an import of the class there would be an import circle.

May import: what daemon.service may (the loop is the service's heart).
"""

from spirokiosk.daemon.service.loop.render_loop import RenderLoop

__all__ = ["RenderLoop"]
