"""Pure-Python stand-in for libcamera's pybind11 module ``_libcamera``.

The lowest layer of the Pi camera stack, played in Python so that the real picamera2
(from PyPI, 0.3.36 to 0.3.38) runs its own code over it in the tests: Picamera2(n),
create_*_configuration, configure, start, capture_request, CompletedRequest.make_array,
release, stop, close, global_camera_info. It follows the real binding's behaviour where
picamera2 depends on it (libcamera src/py/libcamera/py_main.cpp, py_camera_manager.cpp):
a camera manager kept by weak reference with one eventfd written per completed request,
stop() cancelling queued requests, failures as RuntimeError("<what>: <strerror>").

The cameras there are, and what they do, come from ``libcamera.fake`` (see fake.py).
"""

import contextlib
import enum
import errno
import mmap
import os
import threading
import time
import types
import weakref

# --------------------------------------------------------------------------
# Enums and small value types
# --------------------------------------------------------------------------


class StreamRole(enum.Enum):
    Raw = 0
    StillCapture = 1
    VideoRecording = 2
    Viewfinder = 3


class ControlType(enum.Enum):
    None_ = 0
    Bool = 1
    Byte = 2
    Integer32 = 3
    Integer64 = 4
    Float = 5
    String = 6
    Rectangle = 7
    Size = 8


class Orientation(enum.Enum):
    Rotate0 = 1
    Rotate0Mirror = 2
    Rotate180 = 3
    Rotate180Mirror = 4
    Rotate90Mirror = 5
    Rotate270 = 6
    Rotate90 = 7
    Rotate270Mirror = 8


class Size:
    def __init__(self, width=0, height=0):
        self.width, self.height = int(width), int(height)

    def __str__(self):
        return f"{self.width}x{self.height}"

    __repr__ = __str__


class Rectangle:
    def __init__(self, x=0, y=0, width=0, height=0):
        self.x, self.y, self.width, self.height = int(x), int(y), int(width), int(height)

    def __str__(self):
        return f"({self.x}, {self.y})/{self.width}x{self.height}"


class Transform:
    # NB: picamera2/__init__.py overwrites __eq__ and __repr__ on this class;
    # __str__ MUST be defined here or repr() recurses (object.__str__ -> __repr__).
    def __init__(self, other=None, hflip=0, vflip=0, transpose=0, rotation=0):
        if isinstance(other, Transform):
            hflip, vflip, transpose = other.hflip, other.vflip, other.transpose
        self.hflip, self.vflip, self.transpose = bool(hflip), bool(vflip), bool(transpose)

    def __str__(self):
        return f"<libcamera.Transform '{'h' if self.hflip else ''}{'v' if self.vflip else ''}{'t' if self.transpose else ''}'>"


class ColorSpace:
    class Primaries(enum.Enum):
        Raw = 0
        Smpte170m = 1
        Rec709 = 2
        Rec2020 = 3

    class TransferFunction(enum.Enum):
        Linear = 0
        Srgb = 1
        Rec709 = 2

    class YcbcrEncoding(enum.Enum):
        Null = 0
        Rec601 = 1
        Rec709 = 2
        Rec2020 = 3

    class Range(enum.Enum):
        Full = 0
        Limited = 1

    def __init__(self, *args):
        if len(args) == 1 and isinstance(args[0], ColorSpace):
            o = args[0]
            args = (o.primaries, o.transferFunction, o.ycbcrEncoding, o.range)
        self.primaries, self.transferFunction, self.ycbcrEncoding, self.range = args

    @staticmethod
    def Raw():
        C = ColorSpace
        return C(C.Primaries.Raw, C.TransferFunction.Linear, C.YcbcrEncoding.Null, C.Range.Full)

    @staticmethod
    def Sycc():
        C = ColorSpace
        return C(C.Primaries.Rec709, C.TransferFunction.Srgb, C.YcbcrEncoding.Rec601, C.Range.Full)

    @staticmethod
    def Smpte170m():
        C = ColorSpace
        return C(
            C.Primaries.Smpte170m,
            C.TransferFunction.Rec709,
            C.YcbcrEncoding.Rec601,
            C.Range.Limited,
        )

    @staticmethod
    def Rec709():
        C = ColorSpace
        return C(
            C.Primaries.Rec709, C.TransferFunction.Rec709, C.YcbcrEncoding.Rec709, C.Range.Limited
        )

    def __str__(self):
        return f"<libcamera.ColorSpace '{self.primaries.name}/{self.transferFunction.name}/{self.ycbcrEncoding.name}/{self.range.name}'>"


class PixelFormat:
    def __init__(self, name=""):
        self._name = str(name)

    def __str__(self):
        return self._name

    def __repr__(self):
        return f"libcamera.PixelFormat('{self._name}')"

    def __eq__(self, other):
        return isinstance(other, PixelFormat) and other._name == self._name

    def __hash__(self):
        return hash(self._name)


# --------------------------------------------------------------------------
# Controls / properties
# --------------------------------------------------------------------------


class ControlId:
    _next = 1

    def __init__(self, name, ctype):
        self.name, self.type = name, ctype
        self.id = ControlId._next
        ControlId._next += 1
        self.vendor = "libcamera"
        self.isArray = False
        self.size = 0

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"libcamera.ControlId({self.id}, {self.name}, {self.type})"


class ControlInfo:
    def __init__(self, min, max, default=None):
        self.min, self.max, self.default = min, max, default
        self.values = []


_T = ControlType
controls = types.ModuleType("libcamera._libcamera.controls")
for _n, _t in [
    ("AeEnable", _T.Bool),
    ("ExposureTime", _T.Integer32),
    ("ExposureTimeMode", _T.Integer32),
    ("AnalogueGain", _T.Float),
    ("AnalogueGainMode", _T.Integer32),
    ("FrameDurationLimits", _T.Integer64),
    ("FrameDuration", _T.Integer64),
    ("SensorTimestamp", _T.Integer64),
    ("ScalerCrop", _T.Rectangle),
    ("NoiseReductionMode", _T.Integer32),
    ("Brightness", _T.Float),
    ("Contrast", _T.Float),
]:
    setattr(controls, _n, ControlId(_n, _t))
controls.draft = types.SimpleNamespace(
    NoiseReductionModeEnum=types.SimpleNamespace(Off=0, Fast=1, HighQuality=2, Minimal=3, ZSL=4)
)

properties = types.ModuleType("libcamera._libcamera.properties")
for _n, _t in [
    ("Model", _T.String),
    ("Location", _T.Integer32),
    ("Rotation", _T.Integer32),
    ("PixelArraySize", _T.Size),
    ("PixelArrayActiveAreas", _T.Rectangle),
    ("ColorFilterArrangement", _T.Integer32),
    ("UnitCellSize", _T.Size),
]:
    setattr(properties, _n, ControlId(_n, _t))
properties.draft = types.SimpleNamespace(
    ColorFilterArrangementEnum=types.SimpleNamespace(RGGB=0, GRBG=1, GBRG=2, BGGR=3, RGB=4, MONO=5)
)
properties.LocationEnum = types.SimpleNamespace(
    CameraLocationFront=0, CameraLocationBack=1, CameraLocationExternal=2
)


# --------------------------------------------------------------------------
# Frame buffers
# --------------------------------------------------------------------------


class FrameMetadata:
    class Status(enum.Enum):
        Success = 0
        Error = 1
        Cancelled = 2

    class Plane:
        def __init__(self, bytes_used=0):
            self.bytes_used = bytes_used

    def __init__(self):
        self.status = FrameMetadata.Status.Success
        self.sequence = 0
        self.timestamp = 0
        self.planes = []


class _SharedFD:
    """Like libcamera::SharedFD built from an lvalue int: it dup()s the fd and
    closes its copy when the last holder goes (py_main.cpp Plane.fd setter)."""

    def __init__(self, fd, take=False):
        self.fd = fd if take else os.dup(fd)

    def __del__(self):
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1


class FrameBuffer:
    class Plane:
        def __init__(self, fd=-1, offset=0, length=0):
            self._sfd = _SharedFD(fd) if fd >= 0 else None
            self.offset, self.length = offset, length

        @property
        def fd(self):
            return self._sfd.fd if self._sfd is not None else -1

        @fd.setter
        def fd(self, fd):
            self._sfd = _SharedFD(fd)

        def _copy(self):
            p = FrameBuffer.Plane(offset=self.offset, length=self.length)
            p._sfd = self._sfd
            return p

    def __init__(self, planes, cookie=0):
        self._planes = list(planes)
        self.cookie = cookie
        self.metadata = FrameMetadata()
        self.metadata.planes = [FrameMetadata.Plane(p.length) for p in self._planes]

    @property
    def planes(self):
        return [p._copy() for p in self._planes]  # real binding returns copies


class FrameBufferAllocator:
    """libcamera.FrameBufferAllocator (only used by picamera2's LibcameraAllocator)."""

    def __init__(self, camera):
        self._camera = camera
        self._bufs = {}

    def allocate(self, stream):
        cfg = stream.configuration
        bufs = []
        for i in range(cfg.buffer_count):
            fd = os.memfd_create(f"fakecam-{i}", os.MFD_CLOEXEC)
            os.ftruncate(fd, cfg.frame_size)
            pl = FrameBuffer.Plane(offset=0, length=cfg.frame_size)
            pl._sfd = _SharedFD(fd, take=True)
            bufs.append(FrameBuffer([pl]))
        self._bufs[stream] = bufs
        return len(bufs)

    def buffers(self, stream):
        return self._bufs[stream]

    @property
    def allocated(self):
        return bool(self._bufs)


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------

_BPP = {
    "XRGB8888": 32,
    "XBGR8888": 32,
    "RGB888": 24,
    "BGR888": 24,
    "RGB161616": 48,
    "BGR161616": 48,
    "YUYV": 16,
    "YVYU": 16,
    "UYVY": 16,
    "VYUY": 16,
    "YUV420": 8,
    "YVU420": 8,
    "NV12": 8,
    "NV21": 8,
    "MJPEG": 16,
}


def _bpp(fmt):
    if fmt in _BPP:
        return _BPP[fmt]
    # raw Bayer / mono, e.g. SRGGB10_CSI2P, SBGGR12, R8
    import re

    depth = int(re.search(r"(\d+)", fmt.split("_")[0]).group(1))
    if fmt.endswith("_CSI2P"):
        return depth
    return 8 if depth == 8 else 16


def _frame_geometry(fmt, w, h, stride_req=0, align=64):
    stride = -(-(w * _bpp(fmt)) // 8)
    stride = -(-stride // align) * align
    if stride_req and stride_req >= stride:
        stride = stride_req
    size = stride * h
    if fmt in ("YUV420", "YVU420", "NV12", "NV21"):
        size = size * 3 // 2
    return stride, size


class Stream:
    def __init__(self, cfg):
        self.configuration = cfg


class StreamFormats:
    def __init__(self, fmt_sizes):
        self._fs = fmt_sizes  # {fmt_name: [(w,h), ...]}

    @property
    def pixel_formats(self):
        return [PixelFormat(f) for f in self._fs]

    def sizes(self, pix):
        return [Size(*s) for s in self._fs[str(pix)]]


class StreamConfiguration:
    def __init__(self, role, fmt, size, formats):
        self.pixel_format = PixelFormat(fmt)
        self.size = Size(*size)
        self.stride = 0
        self.frame_size = 0
        self.buffer_count = 4
        self.color_space = ColorSpace.Raw() if role == StreamRole.Raw else ColorSpace.Sycc()
        self.formats = formats
        self.stream = Stream(self)

    def __str__(self):
        return f"{self.size}-{self.pixel_format}"


class SensorConfiguration:
    def __init__(self):
        self.bit_depth = 0
        self.output_size = Size()
        self.analog_crop = Rectangle()
        self.binning = (1, 1)
        self.skipping = (1, 1, 1, 1)

    def is_valid(self):
        return self.bit_depth > 0


class CameraConfiguration:
    class Status(enum.Enum):
        Valid = 0
        Adjusted = 1
        Invalid = 2

    def __init__(self, camera, cfgs):
        self._camera = camera
        self._cfgs = cfgs
        self.orientation = Orientation.Rotate0
        self.sensor_config = None

    def at(self, i):
        return self._cfgs[i]

    def __iter__(self):
        return iter(self._cfgs)

    def __len__(self):
        return len(self._cfgs)

    @property
    def size(self):
        return len(self._cfgs)

    @property
    def empty(self):
        return not self._cfgs

    def validate(self):
        status = CameraConfiguration.Status.Valid
        maxw, maxh = self._camera._spec.sensor_size
        for c in self._cfgs:
            w, h = c.size.width, c.size.height
            if w > maxw or h > maxh or w <= 0 or h <= 0:
                c.size = Size(min(max(w, 2), maxw), min(max(h, 2), maxh))
                status = CameraConfiguration.Status.Adjusted
            stride, fsize = _frame_geometry(
                str(c.pixel_format), c.size.width, c.size.height, c.stride
            )
            if c.stride and c.stride != stride:
                status = CameraConfiguration.Status.Adjusted
            c.stride, c.frame_size = stride, fsize
        return status


# --------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------


class Request:
    class Status(enum.Enum):
        Pending = 0
        Complete = 1
        Cancelled = 2

    class Reuse(enum.Enum):
        Default = 0
        ReuseBuffers = 1

    def __init__(self, camera, cookie):
        self._camera = camera
        self.cookie = cookie
        self.status = Request.Status.Pending
        self._buffers = {}
        self.metadata = {}
        self.sequence = 0
        self._controls = {}

    @property
    def buffers(self):
        return dict(self._buffers)

    @property
    def has_pending_buffers(self):
        return self.status == Request.Status.Pending

    def add_buffer(self, stream, fb):
        if stream in self._buffers:
            raise RuntimeError("Failed to add buffer: File exists")
        self._buffers[stream] = fb

    def set_control(self, cid, value):
        self._controls[cid] = value

    def reuse(self, flag=None):
        self.status = Request.Status.Pending
        self.metadata = {}
        self._controls = {}

    def __str__(self):
        return f"Request({self.sequence}:{'P' if self.status == Request.Status.Pending else 'C'}:{self.cookie})"


# --------------------------------------------------------------------------
# Camera + manager
# --------------------------------------------------------------------------


def _system_error(err, what):
    # pybind11 maps std::system_error (a std::runtime_error) to RuntimeError;
    # message format is "<what>: <strerror>".
    return RuntimeError(f"{what}: {os.strerror(err)}")


class Camera:
    def __init__(self, cm, spec):
        # By weak reference: no cycle, so a manager goes as soon as picamera2 lets go of
        # it (and the next singleton() sees the cameras a test set since).
        self._cm = weakref.proxy(cm)
        self._spec = spec
        self.id = spec.id
        self._acquired = False
        self._running = False
        self._queue = []  # pending requests in FIFO order
        self._cv = threading.Condition()
        self._worker = None
        self._seq = 0
        self._configured = None

    def __str__(self):
        return f"<libcamera.Camera '{self.id}'>"

    # properties / controls -------------------------------------------------
    @property
    def properties(self):
        s = self._spec
        p = {
            properties.Model: s.model,
            properties.Location: s.location,
            properties.Rotation: s.rotation,
            properties.PixelArraySize: Size(*s.sensor_size),
            properties.PixelArrayActiveAreas: [Rectangle(0, 0, *s.sensor_size)],
        }
        if s.kind == "rpi":
            p[properties.ColorFilterArrangement] = 0
            p[properties.UnitCellSize] = Size(1400, 1400)
        return p

    @property
    def controls(self):
        c = controls
        w, h = self._spec.sensor_size
        return {
            c.ExposureTime: ControlInfo(1, 66666, 20000),
            c.AnalogueGain: ControlInfo(1.0, 16.0, 1.0),
            c.FrameDurationLimits: ControlInfo(16666, 1000000, 33333),
            c.ScalerCrop: ControlInfo(
                Rectangle(0, 0, 64, 64), Rectangle(0, 0, w, h), Rectangle(0, 0, w, h)
            ),
            c.Brightness: ControlInfo(-1.0, 1.0, 0.0),
            c.NoiseReductionMode: ControlInfo(0, 4, 0),
        }

    # lifecycle -------------------------------------------------------------
    def acquire(self):
        if self._spec.acquire_error:
            raise _system_error(self._spec.acquire_error, "Failed to acquire camera")
        if self._acquired:
            raise _system_error(errno.EBUSY, "Failed to acquire camera")
        self._acquired = True

    def release(self):
        if self._running:
            raise _system_error(errno.EBUSY, "Failed to release camera")
        self._acquired = False

    def generate_configuration(self, roles):
        s = self._spec
        cfgs = []
        for r in roles:
            if r == StreamRole.Raw:
                fs = StreamFormats(
                    {f: [tuple(m) for m in modes] for f, modes in s.raw_modes.items()}
                )
                f0 = next(iter(s.raw_modes))
                cfgs.append(StreamConfiguration(r, f0, s.raw_modes[f0][-1], fs))
            else:
                fs = StreamFormats(
                    {
                        f: [s.sensor_size]
                        for f in ("XRGB8888", "XBGR8888", "RGB888", "BGR888", "YUV420")
                    }
                )
                cfgs.append(StreamConfiguration(r, "YUV420", (640, 480), fs))
        return CameraConfiguration(self, cfgs)

    def configure(self, config):
        if not self._acquired:
            raise _system_error(errno.EACCES, "Failed to configure camera")
        if self._running:
            raise _system_error(errno.EBUSY, "Failed to configure camera")
        config.validate()
        self._configured = config

    def create_request(self, cookie=0):
        return Request(self, cookie)

    def start(self, controls=None):
        if self._running:
            raise _system_error(errno.EBUSY, "Failed to start camera")
        if self._spec.start_error:
            raise _system_error(self._spec.start_error, "Failed to start camera")
        self._running = True
        self._worker = threading.Thread(target=self._run, name=f"fakecam-{self.id}", daemon=True)
        self._worker.start()

    def queue_request(self, req):
        if not self._running:
            raise _system_error(errno.EACCES, "Failed to queue request")
        with self._cv:
            req.status = Request.Status.Pending
            self._queue.append(req)
            self._cv.notify_all()

    def stop(self):
        # libcamera: Camera::stop() cancels every pending request; each one is
        # signalled through requestCompleted -> CameraManager event fd.
        if self._spec.stop_hangs:
            threading.Event().wait()  # simulate a driver that never returns
        with self._cv:
            self._running = False
            cancelled, self._queue = self._queue, []
            self._cv.notify_all()
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join()
        self._worker = None
        for req in cancelled:
            req.status = Request.Status.Cancelled
            for fb in req._buffers.values():
                fb.metadata.status = FrameMetadata.Status.Cancelled
            self._cm._complete(req)

    # frame production ------------------------------------------------------
    def _run(self):
        s = self._spec
        while True:
            with self._cv:
                if not self._running:
                    return
                mode = s.mode
                if mode == "never" or (s.stall_after is not None and self._seq >= s.stall_after):
                    self._cv.wait(0.05)
                    continue
                if not self._queue:
                    self._cv.wait(0.05)
                    continue
                req = self._queue.pop(0)
            time.sleep(1.0 / max(s.fps, 0.001))
            self._fill(req)
            with self._cv:
                if not self._running:  # stopped while we slept: it belongs to stop()'s cancel set
                    req.status = Request.Status.Cancelled
                    for fb in req._buffers.values():
                        fb.metadata.status = FrameMetadata.Status.Cancelled
                    self._cm._complete(req)
                    return
            self._cm._complete(req)

    def _fill(self, req):
        seq = self._seq
        self._seq += 1
        ts = time.monotonic_ns()
        for _stream, fb in req._buffers.items():
            p = fb._planes[0]
            if self._spec.pixel is not None:  # these bytes in every pixel, the 4th counting
                *first, _ = self._spec.pixel
                fill = bytes([*first, seq & 0xFF])
            else:
                value = (seq * 7) & 0xFF if self._spec.pattern is None else self._spec.pattern(seq)
                fill = bytes([value])
            try:
                with mmap.mmap(
                    p.fd,
                    p.length,
                    mmap.MAP_SHARED,
                    mmap.PROT_READ | mmap.PROT_WRITE,
                    offset=p.offset,
                ) as mm:
                    mm[:] = (fill * (p.length // len(fill) + 1))[: p.length]
            except (OSError, ValueError):
                pass
            fb.metadata.status = FrameMetadata.Status.Success
            fb.metadata.sequence = seq
            fb.metadata.timestamp = ts
            fb.metadata.planes = [FrameMetadata.Plane(pl.length) for pl in fb._planes]
        req.sequence = seq
        req.metadata = {
            controls.SensorTimestamp: ts,
            controls.ExposureTime: 20000,
            controls.AnalogueGain: 1.0,
            controls.FrameDuration: int(1e6 / max(self._spec.fps, 0.001)),
        }
        req.status = Request.Status.Complete


class CameraManager:
    _instance = None
    _lock = threading.Lock()
    instances_created = 0  # test hook: how many managers were constructed

    @staticmethod
    def singleton():
        # Real binding keeps only a std::weak_ptr (py_main.cpp gCameraManager): the
        # manager (and its eventfd) dies when the last Python reference goes.
        from . import fake

        with CameraManager._lock:
            cm = CameraManager._instance() if CameraManager._instance is not None else None
            if cm is None:
                cm = CameraManager(fake.world)
                CameraManager._instance = weakref.ref(cm)
                CameraManager.instances_created += 1
            return cm

    def __init__(self, world):
        if hasattr(os, "eventfd"):
            self._efd = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        else:  # Python < 3.10
            self._efd, self._efd_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._cameras = [Camera(self, spec) for spec in world.cameras]
        self._done = []
        self._done_lock = threading.Lock()

    version = "v0.0.0+fake"

    @property
    def cameras(self):
        return list(self._cameras)

    @property
    def event_fd(self):
        return self._efd

    def get(self, cam_id):
        for c in self._cameras:
            if c.id == cam_id:
                return c
        return None

    def _complete(self, req):
        with self._done_lock:
            self._done.append(req)
        if hasattr(os, "eventfd_write"):
            os.eventfd_write(self._efd, 1)
        else:
            os.write(self._efd_w, b"\x01")

    def get_ready_requests(self):
        try:
            os.read(self._efd, 8)
        except BlockingIOError:
            return []
        with self._done_lock:
            done, self._done = self._done, []
        return done

    def __del__(self):
        self._close()

    def _close(self):
        if self._efd < 0:
            return
        os.close(self._efd)
        self._efd = -1
        if hasattr(self, "_efd_w"):
            os.close(self._efd_w)


def log_set_level(*args, **kwargs):
    pass
