"""Loaded by every Python process started with this folder on PYTHONPATH (camera children
in the tests):
- with SPIROKIOSK_TEST_CAMERA_PLAN, the synthetic camera follows that plan
  (camera_plan_runner);
- with SPIROKIOSK_TEST_LIBCAMERA, the real picamera2 runs over the stand-in libcamera
  of this folder, with buffers in memfds (picamera2_memfd).
Elsewhere it does nothing."""

import os

if os.environ.get("SPIROKIOSK_TEST_CAMERA_PLAN"):
    import camera_plan_runner

    camera_plan_runner.install(os.environ["SPIROKIOSK_TEST_CAMERA_PLAN"])

if os.environ.get("SPIROKIOSK_TEST_LIBCAMERA") is not None:
    import picamera2_memfd

    picamera2_memfd.install()
