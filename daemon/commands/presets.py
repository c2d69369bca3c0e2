"""`spirokiosk presets`: the named curves, one line each, in aligned columns.

seed-magma-11   11 circle wheels, approximate 10-fold symmetry (m=9)   seed curve from ...
"""

import argparse


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "presets",
        parents=[common],
        help="list the preset curves",
        description="List the preset curves: name, wheels and symmetry, description.",
    )
    parser.set_defaults(func=run)


def preset_lines() -> list[str]:
    """One line per preset: name, summary and description in aligned columns."""
    from spirokiosk.display.curves import PRESETS

    rows = [(name, curve.summary(), curve.description) for name, curve in PRESETS.items()]
    name_width = max(len(name) for name, _, _ in rows)
    summary_width = max(len(summary) for _, summary, _ in rows)
    return [
        f"{name:<{name_width}}  {summary:<{summary_width}}  {description}".rstrip()
        for name, summary, description in rows
    ]


def run(args: argparse.Namespace) -> int:
    print("\n".join(preset_lines()))
    return 0
