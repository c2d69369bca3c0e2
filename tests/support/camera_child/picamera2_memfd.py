"""picamera2's buffer allocator on memfds: its DmaAllocator opens /dev/dma_heap (a Pi's
kernel device, absent here) and syncs buffers with DMA_BUF ioctls. The subclass keeps all
of picamera2's allocate, map, release and close code and swaps those two calls only.

`install()` puts it in place of `picamera2.picamera2.DmaAllocator` (looked up there by
name in Picamera2.__init__ and close()) as soon as that module is imported.
"""

import importlib.abc
import os
import sys


def _memfd_allocator():
    from picamera2.allocators.allocator import Allocator
    from picamera2.allocators.dmaallocator import DmaAllocator
    from picamera2.dma_heap import UniqueFD

    class MemfdHeap:
        def alloc(self, name, size):
            fd = os.memfd_create(name, os.MFD_CLOEXEC)
            os.ftruncate(fd, size)
            return UniqueFD(fd)

        def close(self):
            pass

    class PlainSync(DmaAllocator.DmaSync):
        def __enter__(self):
            return self.get_buffer()

        def __exit__(self, *exc):
            pass

    class MemfdAllocator(DmaAllocator):
        def __init__(self):
            Allocator.__init__(self)
            self.dmaHeap = MemfdHeap()
            self.mapped_buffers = {}
            self.mapped_buffers_used = {}
            self.frame_buffers = {}
            self.open_fds = []
            self.libcamera_fds = []
            self.sync = PlainSync

    return MemfdAllocator


def patch(module) -> None:
    module.DmaAllocator = _memfd_allocator()


class _AfterImport(importlib.abc.MetaPathFinder):
    """Patches picamera2.picamera2 right after it is imported."""

    def find_spec(self, name, path, target=None):
        if name != "picamera2.picamera2":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        sys.meta_path.insert(0, self)
        loader = spec.loader
        real_exec = loader.exec_module

        def exec_module(module):
            real_exec(module)
            patch(module)

        loader.exec_module = exec_module
        return spec


def install() -> None:
    if "picamera2.picamera2" in sys.modules:
        patch(sys.modules["picamera2.picamera2"])
    elif not any(isinstance(f, _AfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport())
