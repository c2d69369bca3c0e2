"""The production HTTP server of the mirror: cheroot, adjusted for many viewers and for
clients that do not play fair.

- `web_server`: WebServer, what the daemon starts and stops (binds at once, serves in a
  thread, stops within a second);
- `cheroot_server`: cheroot's server and connections, with the gate in front of the
  workers and the per-address count;
- `gate`: the gate's decisions on a request's bytes (complete, too big, wait);
- `requests`: one request as read and answered, held to HTTP's rules;
- `socket_io`: the sockets' files (copy-free writes, reads with a deadline).

May import: web.app (the WSGI app it serves, and the environ key for the client's
socket), web.urls (an address's spelling) and display's helper modules.
"""

from spirokiosk.web.server.gate import RequestLimits
from spirokiosk.web.server.web_server import WebServer, WebServerError

__all__ = ["RequestLimits", "WebServer", "WebServerError"]
