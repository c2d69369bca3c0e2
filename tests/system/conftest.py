"""What the end-to-end tests share: an X server of their own (Xvfb)."""

import os
import select
import shutil
import subprocess

import pytest

XVFB = shutil.which("Xvfb")
SCREEN = (1280, 720)

# scripts/setup-env.sh installs xvfb; a missing one is a broken set-up, not a skip.
assert XVFB is not None, "Xvfb is not installed (apt install xvfb)"


@pytest.fixture
def x_display():
    """A fresh Xvfb with a black root window; its display name, e.g. ':3'."""
    read_end, write_end = os.pipe()
    screen = "{}x{}x24".format(*SCREEN)
    # -displayfd: Xvfb picks a free display number and writes it there; -br: black root.
    command = [XVFB, "-displayfd", str(write_end), "-screen", "0", screen, "-br"]
    command += ["-nolisten", "tcp"]
    proc = subprocess.Popen(
        command,
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 20)
        assert ready, "Xvfb did not report its display number"
        number = os.read(read_end, 64).decode().strip()
        assert number.isdigit(), f"Xvfb said {number!r}"
        yield f":{number}"
    finally:
        os.close(read_end)
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
