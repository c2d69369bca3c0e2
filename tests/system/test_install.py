"""deploy/install.sh and deploy/uninstall.sh against a scratch root.

Every outside command they run (apt-get, systemctl, useradd, getent, python3 and the
venv it makes, pip, spirokiosk itself, hostname) is a stand-in first on PATH that
appends its arguments to a call log, so the tests check what ran, in which order,
and what the scripts wrote under ROOT.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import REPO

INSTALL = REPO / "deploy" / "install.sh"
UNINSTALL = REPO / "deploy" / "uninstall.sh"

LOG_LINE = 'printf "%s\n" "$(basename "$0") $*" >> "$CALLS_LOG"' + "\n"

# name -> shell body run after the log line
STAND_INS = {
    "apt-get": """
        case " $* " in *" $FAKE_APT_FAILS "*) exit 100 ;; esac
    """,
    "systemctl": """
        unit="$ROOT/etc/systemd/system/spirokiosk.service"
        if [ "$1" = daemon-reload ] && [ -e "$unit" ]; then
            echo "systemctl (unit present)" >> "$CALLS_LOG"
        fi
        if [ "$1" = restart ]; then exit "${FAKE_RESTART_STATUS:-0}"; fi
    """,
    "getent": """
        grep -qx "$2" "$FAKE_STATE/$1" && echo "$2:x:999:" || exit 2
    """,
    "useradd": """
        for a; do name=$a; done
        echo "$name" >> "$FAKE_STATE/passwd"
        echo "$name" >> "$FAKE_STATE/group"
    """,
    "usermod": "",
    "groupadd": """
        for a; do name=$a; done
        echo "$name" >> "$FAKE_STATE/group"
    """,
    "userdel": """
        grep -vx "$1" "$FAKE_STATE/passwd" > "$FAKE_STATE/p" || true
        mv "$FAKE_STATE/p" "$FAKE_STATE/passwd"
    """,
    "groupdel": """
        grep -vx "$1" "$FAKE_STATE/group" > "$FAKE_STATE/g" || true
        mv "$FAKE_STATE/g" "$FAKE_STATE/group"
    """,
    "hostname": """
        echo "192.0.2.10 2001:db8::10 "
    """,
    # The system Python: `-c` reports its version, `-m venv DIR` makes a fake venv.
    "python3": """
        case "$1" in
            -c) echo 3.11 ;;
            -m) for a; do dir=$a; done
                mkdir -p "$dir/bin" && cp "$FAKE_BIN/../venv-python" "$dir/bin/python" ;;
        esac
    """,
}

# Inside the fake venv: its python (pip) and, once pip ran, the spirokiosk command.
VENV_PYTHON = """
    case "$1" in
        -c) echo "${FAKE_VENV_VERSION:-3.11}" ;;
        -m) for a; do src=$a; done
            echo "pip target $src" >> "$CALLS_LOG"
            src=${src%"[video]"}
            if [ ! -f "$src/setup.cfg" ] || [ ! -d "$src/daemon" ]; then exit 1; fi
            echo "pip source $src" >> "$CALLS_LOG"
            cp "$FAKE_BIN/../venv-spirokiosk" "$(dirname "$0")/spirokiosk" ;;
    esac
"""
VENV_SPIROKIOSK = """
    case "$1" in
        check-config) echo "config OK"; exit "${FAKE_CHECK_STATUS:-0}" ;;
        config) printf '[display]\\nmode = "fullscreen"\\n\\n[web]\\nenabled = %s\\n' \\
                    "${FAKE_WEB_ENABLED:-true}"
                printf 'bind = "%s"\\nport = %s\\nmax_viewers = 10\\n' \\
                    "${FAKE_BIND:-0.0.0.0}" "${FAKE_PORT:-8000}" ;;
    esac
"""


def _write_script(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + LOG_LINE + textwrap.dedent(body))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@dataclass
class Pi:
    """A scratch root, stand-in commands and their call log."""

    root: Path
    log: Path
    state: Path
    env: dict[str, str]

    @property
    def config(self) -> Path:
        return self.root / "etc/spirokiosk/config.toml"

    @property
    def unit(self) -> Path:
        return self.root / "etc/systemd/system/spirokiosk.service"

    @property
    def venv(self) -> Path:
        return self.root / "opt/spirokiosk/venv"

    def run(self, script: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", str(script), *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def install(self, **env: str) -> subprocess.CompletedProcess:
        result = self.run(INSTALL, **env)
        assert result.returncode == 0, result.stderr
        return result

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def clear_log(self) -> None:
        self.log.write_text("")

    def users(self) -> list[str]:
        return (self.state / "passwd").read_text().split()


@pytest.fixture
def pi(tmp_path: Path) -> Pi:
    bin_dir = tmp_path / "fake" / "bin"
    bin_dir.mkdir(parents=True)
    for name, body in STAND_INS.items():
        _write_script(bin_dir / name, body)
    _write_script(tmp_path / "fake" / "venv-python", VENV_PYTHON)
    _write_script(tmp_path / "fake" / "venv-spirokiosk", VENV_SPIROKIOSK)
    state = tmp_path / "state"
    state.mkdir()
    (state / "passwd").write_text("root\n")
    (state / "group").write_text("root\nvideo\ninput\ntty\n")  # render is missing
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text('ID=debian\nVERSION_CODENAME="bookworm"\n')
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "ROOT": str(root),
        "TMPDIR": str(scratch),
        "CALLS_LOG": str(tmp_path / "calls.log"),
        "FAKE_STATE": str(state),
        "FAKE_BIN": str(bin_dir),
        "FAKE_APT_FAILS": "no-such-package",
        "LANG": "C.UTF-8",
    }
    return Pi(root=root, log=tmp_path / "calls.log", state=state, env=env)


def _index(calls: list[str], prefix: str) -> int:
    matches = [i for i, call in enumerate(calls) if call.startswith(prefix)]
    assert matches, f"no call starting with {prefix!r} in {calls}"
    return matches[0]


def test_install_runs_the_steps_in_order(pi):
    result = pi.install()
    calls = pi.calls()
    order = [
        "apt-get update",
        "apt-get install -y -q --no-install-recommends python3 ",
        "useradd ",
        "python3 -m venv --clear --system-site-packages",
        "python -m pip install",
        "systemctl (unit present)",  # daemon-reload, after the unit file was written
        "spirokiosk check-config",
        "systemctl enable spirokiosk.service",
        "systemctl restart spirokiosk.service",
    ]
    positions = [_index(calls, step) for step in order]
    assert positions == sorted(positions), calls
    assert "apt-get install -y -q --no-install-recommends python3-picamera2" in calls
    apt_line = calls[_index(calls, "apt-get install")]
    for package in ("python3-pygame", "python3-numpy", "python3-systemd", "python3-venv"):
        assert f" {package}" in apt_line
    assert f"python3 -m venv --clear --system-site-packages {pi.venv}" in calls
    assert "groupadd --system render" in calls  # the one group the fake system lacked
    useradd = calls[_index(calls, "useradd")]
    assert "--system" in useradd and "--groups video,render,input,tty" in useradd
    assert useradd.endswith(" spirokiosk")
    assert "http://192.0.2.10:8000/" in result.stdout


def test_install_writes_the_unit_config_and_command(pi):
    pi.install()
    assert pi.unit.read_bytes() == (REPO / "deploy/spirokiosk.service").read_bytes()
    assert pi.config.read_bytes() == (REPO / "deploy/config.toml").read_bytes()
    assert stat.S_IMODE(pi.config.stat().st_mode) == 0o644
    assert os.readlink(pi.root / "usr/local/bin/spirokiosk") == (
        "/opt/spirokiosk/venv/bin/spirokiosk"
    )
    assert (pi.venv / "bin/spirokiosk").exists()
    check = next(c for c in pi.calls() if c.startswith("spirokiosk check-config"))
    assert check == f"spirokiosk check-config --config {pi.config}"


def test_pip_installs_the_video_extra_for_mp4(pi):
    pi.install()
    target = next(c for c in pi.calls() if c.startswith("pip target "))
    assert target.endswith("[video]")  # PyAV: MP4 renders and exports work on the Pi


def test_pip_builds_from_a_copy_and_leaves_no_trace(pi):
    pi.install()
    source = next(c for c in pi.calls() if c.startswith("pip source "))
    copied = Path(source.removeprefix("pip source "))
    assert copied.parent == Path(pi.env["TMPDIR"])  # not the checkout itself
    assert not copied.exists()
    assert list(Path(pi.env["TMPDIR"]).iterdir()) == []


def test_running_again_upgrades_in_place(pi):
    pi.install()
    pi.clear_log()
    second = pi.install()
    calls = pi.calls()
    assert not [c for c in calls if c.startswith("useradd")]
    assert "usermod --append --groups video,render,input,tty spirokiosk" in calls
    assert pi.users().count("spirokiosk") == 1
    assert not [c for c in calls if c.startswith("python3 -m venv")]  # same Python: kept
    assert [c for c in calls if c.startswith("python -m pip install")]  # reinstalled
    assert "systemctl restart spirokiosk.service" in calls
    assert "config /etc/spirokiosk/config.toml: kept as it is" in second.stdout


def test_a_new_python_gets_a_new_venv(pi):
    pi.install()
    pi.clear_log()
    pi.install(FAKE_VENV_VERSION="3.9")  # the venv was made by an older Python
    assert f"python3 -m venv --clear --system-site-packages {pi.venv}" in pi.calls()


def test_an_existing_config_survives_byte_for_byte(pi):
    mine = b"# mine\n[web]\nport = 8080\n\xc3\xa9t\xc3\xa9 = 1"  # odd bytes, no final newline
    pi.config.parent.mkdir(parents=True)
    pi.config.write_bytes(mine)
    pi.config.chmod(0o600)
    pi.install()
    pi.install()
    assert pi.config.read_bytes() == mine
    assert stat.S_IMODE(pi.config.stat().st_mode) == 0o600


def test_a_bad_config_stops_before_the_restart(pi):
    result = pi.run(INSTALL, FAKE_CHECK_STATUS="1")
    assert result.returncode == 1
    assert "has the errors above" in result.stderr
    assert "systemctl restart spirokiosk.service" not in pi.calls()


def test_a_failed_start_points_at_the_journal(pi):
    result = pi.run(INSTALL, FAKE_RESTART_STATUS="1")
    assert result.returncode == 1
    assert "journalctl -u spirokiosk" in result.stderr


def test_no_picamera2_package_is_a_warning(pi):
    result = pi.install(FAKE_APT_FAILS="python3-picamera2")
    assert "camera.source" in result.stderr
    assert "systemctl restart spirokiosk.service" in pi.calls()


def test_a_desktop_gets_a_warning(pi):
    units = pi.root / "etc/systemd/system"
    units.mkdir(parents=True)
    (units / "display-manager.service").symlink_to("/lib/systemd/system/lightdm.service")
    result = pi.install()
    assert "display manager" in result.stderr
    assert 'display.mode = "headless"' in result.stderr
    assert "systemctl restart spirokiosk.service" in pi.calls()  # a warning, not a stop


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"FAKE_PORT": "8080"}, "the mirror: http://192.0.2.10:8080/"),
        ({"FAKE_BIND": "127.0.0.1"}, "the mirror: http://127.0.0.1:8000/"),
        ({"FAKE_BIND": "::"}, "the mirror: http://192.0.2.10:8000/"),
        ({"FAKE_WEB_ENABLED": "false"}, "the web mirror is off"),
    ],
)
def test_the_last_line_says_where_the_mirror_is(pi, env, expected):
    result = pi.install(**env)
    assert expected in result.stdout.rstrip().splitlines()[-1]


def test_help_and_unknown_options(pi):
    assert pi.run(INSTALL, "--help").returncode == 0
    assert pi.run(INSTALL, "--bogus").returncode == 2
    assert pi.run(UNINSTALL, "--bogus").returncode == 2
    assert pi.calls() == []


def test_uninstall_keeps_the_config(pi):
    pi.install()
    (pi.root / "var/lib/spirokiosk").mkdir(parents=True)
    config = pi.config.read_bytes()
    pi.clear_log()
    result = pi.run(UNINSTALL)
    assert result.returncode == 0, result.stderr
    calls = pi.calls()
    assert _index(calls, "systemctl disable --now spirokiosk.service") < _index(
        calls, "userdel spirokiosk"
    )
    assert "systemctl daemon-reload" in calls
    assert "systemctl start getty@tty1.service" in calls
    assert not pi.unit.exists()
    assert not (pi.root / "opt/spirokiosk").exists()
    assert not (pi.root / "var/lib/spirokiosk").exists()
    assert not (pi.root / "usr/local/bin/spirokiosk").is_symlink()
    assert "spirokiosk" not in pi.users()
    assert pi.config.read_bytes() == config
    again = pi.run(UNINSTALL)  # nothing left to remove: still fine
    assert again.returncode == 0, again.stderr


def test_uninstall_purge_removes_the_config_too(pi):
    pi.install()
    dropin = pi.root / "etc/systemd/system/spirokiosk.service.d"
    dropin.mkdir()
    (dropin / "override.conf").write_text("[Service]\nRestartSec=1\n")
    result = pi.run(UNINSTALL, "--purge")
    assert result.returncode == 0, result.stderr
    assert not (pi.root / "etc/spirokiosk").exists()
    assert not dropin.exists()


def test_uninstall_leaves_a_foreign_spirokiosk_command(pi):
    link = pi.root / "usr/local/bin/spirokiosk"
    link.parent.mkdir(parents=True)
    link.symlink_to("/home/me/dev/.venv/bin/spirokiosk")
    assert pi.run(UNINSTALL).returncode == 0
    assert link.is_symlink()


def test_scripts_are_shellcheck_clean():
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail("shellcheck is missing: apt-get install shellcheck (scripts/setup-env.sh)")
    result = subprocess.run(
        [shellcheck, str(INSTALL), str(UNINSTALL), *map(str, sorted((REPO / "scripts").iterdir()))],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_scripts_are_executable():
    for script in (INSTALL, UNINSTALL):
        assert script.stat().st_mode & stat.S_IXUSR, f"{script.name} is not executable"
