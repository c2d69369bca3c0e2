"""The running kiosk: `lifecycle.run()` starts the parts in order and stops them in reverse.

- `lifecycle`: start-up and shutdown on an ExitStack, coping with a partial start;
  `starters` starts the gallery, the web and discovery on it;
- `reloader`: the config read again on SIGHUP, off the render thread;
- `loop`: the render loop in the main thread, which owns the scene and the screen;
- `control`: the render loop's window to the web threads (status out, commands in);
- `playlist`, `signals` (flags only), `notify` (sd_notify), `logs` (journal or stderr);
- `parts`: the config's sections turned into the arguments of the parts they configure.

May import: daemon.config, display, web.
"""
