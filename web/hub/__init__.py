"""The frame hub: the newest rendered frame, JPEG-encoded once, fanned out to every viewer.

`frame_hub.FrameHub` is the hub itself; `frames` its frame records; `jpeg` scaling and
encoding (GIL released); `bands` the encoder that encodes again only the bands of a
frame that changed, and `splice` the JPEG put together from them with restart markers;
`sprites` what the encoder draws over a frame; `mjpeg` the multipart framing; `viewers`
the side web threads see (slots under the cap, the newest frame, waiting for the next:
`FrameHub`'s base class); `stats` its counters.

May import: display's helper modules (pixels, rates, sizes). Never Flask: the hub
works without the app.
"""

from spirokiosk.web.hub.frame_hub import FrameHub, StreamSettings
from spirokiosk.web.hub.jpeg import AUTO_STREAM_BOX, StreamBox

__all__ = ["AUTO_STREAM_BOX", "FrameHub", "StreamBox", "StreamSettings"]
