"""Colour maps by their usual matplotlib names, through `cmap` (numpy only); their colours
as RGB tables and as CSS/SVG `#rrggbb`."""

import functools

import cmap
import numpy as np

from spirokiosk.display.messages import did_you_mean, shown


class UnknownColourMapError(ValueError):
    """The name is not a colour map `cmap` knows."""


@functools.cache
def _catalogue() -> cmap.Catalog:
    return cmap.Catalog()


@functools.cache
def _catalogue_names() -> tuple[str, ...]:
    return tuple(sorted(_catalogue().short_keys()))


@functools.lru_cache(maxsize=64)
def colour_map(name: str) -> cmap.Colormap:
    """Resolve a colour map name; raise UnknownColourMapError with suggestions."""
    try:
        # Resolving to the namespaced name first keeps cmap from logging a
        # warning for short names that exist in several namespaces (rainbow):
        # its default choice is the matplotlib one, which is what we want.
        return cmap.Colormap(_catalogue().resolve(name))
    except (ValueError, KeyError, TypeError):
        hint = did_you_mean(name, _catalogue_names(), n=3)
        raise UnknownColourMapError(f"unknown colour map {shown(name)}{hint}") from None


def colour_table(name: str, n: int) -> np.ndarray:
    """n colours sampled evenly along the map, as an (n, 3) uint8 RGB array."""
    rgba = colour_map(name)(np.linspace(0.0, 1.0, n))
    return np.round(np.asarray(rgba)[:, :3] * 255.0).astype(np.uint8)


def hex_colours(table) -> list[str]:
    """'#rrggbb' for each row of an (n, 3) RGB table of integers from 0 to 255 (what
    colour_table gives), as CSS and SVG write a colour."""
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in np.asarray(table).tolist()]
