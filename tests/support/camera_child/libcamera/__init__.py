"""A stand-in for libcamera's Python package (see _libcamera.py); the real package's
__init__ also re-exports its pybind11 module."""

from . import _libcamera, fake  # noqa: F401
from ._libcamera import *  # noqa: F403
from ._libcamera import controls, properties  # noqa: F401
