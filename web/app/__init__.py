"""The Flask app of the mirror: `create_app(hub, control)` and its blueprints.

Blueprints: `page` (/), `stream` (/stream.mjpg, /snapshot.jpg), `api` (/api/..., /healthz),
`control_api` (/api/control/...), `schedule` (/api/schedule/override), `gallery`
(/gallery, /api/gallery/...), `studio` (/studio and the preview, swatches, gears and random
curves it asks for; `studio_data` holds what those answers are made of), `recipes`
(POST /api/recipe: a file's curve), `export` (POST /api/export and its jobs; the body in
`export_requests`, the queue in `export_jobs`, a worker process in `export_process`).
`context` holds what the handlers share; `access` is the gate every changing route uses
(`@changes_kiosk`), `rate_limit` its per-client buckets; `curve_requests` turns a request
body into a checked curve; `curve_info` describes a curve for the page; `errors` holds
the refusal any route may raise (api's handler answers it in JSON).

May import: web.hub, display.curves, display.draw.layout, display.export and display's
helper modules.
"""

from spirokiosk.web.app.factory import NO_STORE_HEADERS, create_app

__all__ = ["NO_STORE_HEADERS", "create_app"]
