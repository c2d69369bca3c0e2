"""A stand-in for kms++'s Python module, which picamera2's DRM preview imports at import
time (previews/drm_preview.py reads PixelFormats.RGB888 etc. in a class body). Not the
unrelated PyPI package named `kms`. Any attribute of PixelFormats is its own name."""


class _AnyName(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return name


class PixelFormats(metaclass=_AnyName):
    pass
