"""The subcommands of `spirokiosk`, one module each (see `spirokiosk.daemon.cli`).

Each module has `register(subparsers, common)`, which adds its parser and sets
`func` to its `run(args) -> int`. Heavy imports (numpy, pygame) happen inside `run`,
so `spirokiosk --help` and `check-config` stay fast.

May import: daemon.config, daemon.service, display, web.
"""
