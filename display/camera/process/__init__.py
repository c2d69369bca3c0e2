"""A camera in a process of its own: a driver call that never returns, or a C library that
aborts the interpreter, takes down that process only, and the kiosk replaces it.

- `ring`: the shared memory the child writes frames into and the parent reads;
- `protocol`: the small messages between them (frames, heartbeats, errors, log lines);
- `child`: the child's program (`python -m spirokiosk.display.camera.process.child`):
  one attempt at one camera, from opening it to the first failure;
- `supervisor`: the parent's side (`CameraProcess`): starts children, watches their
  heartbeats, kills and replaces them with back-off, and hands the newest frame to
  the render thread.

May import: display.camera's devices and helpers, display's helper modules.
"""
