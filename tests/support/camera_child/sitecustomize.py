"""Loaded by every Python process started with this folder on PYTHONPATH: in a camera
child (see tests/support/camera_plans.py) it makes the synthetic camera follow the plan
named by SPIROKIOSK_TEST_CAMERA_PLAN. Elsewhere it does nothing."""

import os

if os.environ.get("SPIROKIOSK_TEST_CAMERA_PLAN"):
    import camera_plan_runner

    camera_plan_runner.install(os.environ["SPIROKIOSK_TEST_CAMERA_PLAN"])
