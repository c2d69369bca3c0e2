"""Curves (pure numpy), drawing with pygame, camera sources and the screen."""
