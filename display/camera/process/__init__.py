"""A camera in a process of its own: a driver call that never returns, or a C library that
aborts the interpreter, takes down that process only, and the kiosk replaces it.

- `ring`: the shared memory the child writes frames into and the parent reads;
- `protocol`: the small messages between them (frames, heartbeats, errors, log lines);
- `child`: the child's program (`python -m spirokiosk.display.camera.process.child`):
  one attempt at one camera, from opening it to the first failure;
- `watcher`: the parent's side of one attempt (`ChildWatcher`): starts a child, follows
  its messages and heartbeats until it fails or falls silent, kills and reaps it;
- `supervisor`: the parent's side of them all (`CameraProcess`): one attempt after the
  other on a thread of its own, with back-off, the status they add up to, and the
  newest frame handed to the render thread.

May import: display.camera's devices and helpers, display's helper modules.
"""
