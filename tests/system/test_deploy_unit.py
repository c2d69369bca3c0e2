"""deploy/spirokiosk.service: systemd accepts it, its exposure is low and explained,
and it agrees with install.sh and the daemon.

`systemd-analyze verify` and `systemd-analyze security --offline=true` read unit
files without talking to a running systemd, so these run in a container too.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from support import REPO

from spirokiosk.daemon.config import DEFAULT_PATH

UNIT = REPO / "deploy" / "spirokiosk.service"
INSTALL = REPO / "deploy" / "install.sh"
README = REPO / "README.md"

EXPOSURE_LIMIT = 2.5
OVERALL = re.compile(r"Overall exposure level for \S+: (\d+\.\d+)")
RECORDED = re.compile(r"exposure score of (\d+\.\d+)")
# A failed check: "✗ NAME  DESCRIPTION  EXPOSURE", the exposure at the end of the line.
FAILED_CHECK = re.compile(r"^✗ (\S+)\s.*?(\d+\.\d+)\s*$")


def parse_unit(text: str) -> list[tuple[str, str, str]]:
    """(section, key, value) for every assignment, in order (keys may repeat)."""
    entries, section = [], ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = line.partition("=")
        entries.append((section, key.strip(), value.strip()))
    return entries


def values(section: str, key: str) -> list[str]:
    return [v for s, k, v in parse_unit(UNIT.read_text()) if (s, k) == (section, key)]


def value(section: str, key: str) -> str:
    found = values(section, key)
    assert len(found) == 1, f"[{section}] {key}= appears {len(found)} times"
    return found[0]


def shell_assignment(name: str) -> str:
    """The value of `readonly name=value` in install.sh."""
    match = re.search(rf"^readonly {name}=(\S+)$", INSTALL.read_text(), flags=re.M)
    assert match, f"install.sh sets no {name}"
    return match.group(1)


def systemd_analyze() -> str:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.fail("systemd-analyze is missing: apt-get install systemd (scripts/setup-env.sh)")
    return tool


def analyze(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [systemd_analyze(), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"SYSTEMD_COLORS": "0", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )


@pytest.fixture(scope="module")
def security_report(tmp_path_factory) -> str:
    unit = tmp_path_factory.mktemp("security") / "spirokiosk.service"
    shutil.copyfile(UNIT, unit)
    result = analyze("security", "--offline=true", "--no-pager", str(unit))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def exposure(report: str) -> float:
    match = OVERALL.search(report)
    assert match, report
    return float(match.group(1))


def test_systemd_verify_accepts_the_unit(tmp_path):
    # verify checks that ExecStart's program exists: point it at a stand-in.
    program = tmp_path / "bin" / "spirokiosk"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    text = UNIT.read_text()
    installed = f"{shell_assignment('venv_dir')}/bin/spirokiosk"
    assert installed in text
    unit = tmp_path / "spirokiosk.service"
    unit.write_text(text.replace(installed, str(program)))
    result = analyze("verify", str(unit))
    complaints = [
        line for line in (result.stdout + result.stderr).splitlines() if "spirokiosk" in line
    ]
    assert result.returncode == 0 and not complaints, "\n".join(complaints) or result.stderr


def test_systemd_verify_does_check(tmp_path):
    """The same verify fails on a unit with a typo, so the test above means something."""
    program = tmp_path / "spirokiosk"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    unit = tmp_path / "spirokiosk.service"
    unit.write_text(
        f"[Service]\nType=notify\nExecStart={program}\nWatchdogSecs=20\n"
        "[Install]\nWantedBy=multi-user.target\n"
    )
    result = analyze("verify", str(unit))
    assert "WatchdogSecs" in result.stdout + result.stderr


def test_exposure_is_low(security_report):
    assert exposure(security_report) <= EXPOSURE_LIMIT, security_report


def test_every_remaining_exposure_is_explained_in_the_unit(security_report):
    comments = "\n".join(
        line for line in UNIT.read_text().splitlines() if line.lstrip().startswith("#")
    )
    open_checks = [
        match.group(1)
        for match in map(FAILED_CHECK.match, security_report.splitlines())
        if match and float(match.group(2)) > 0
    ]
    assert open_checks, security_report  # the parser found the table
    unexplained = [name for name in open_checks if name not in comments]
    assert not unexplained, f"say in the unit's comments why these stay open: {unexplained}"


@pytest.mark.parametrize("document", [UNIT, README], ids=["unit", "README"])
def test_the_recorded_score_is_not_lower_than_the_real_one(security_report, document):
    recorded = RECORDED.findall(document.read_text(encoding="utf-8"))
    assert recorded, f"{document.name} should record the unit's 'exposure score of N.N'"
    for score in recorded:
        assert exposure(security_report) <= float(score) <= EXPOSURE_LIMIT


def test_the_service_runs_what_install_sh_installs():
    venv = shell_assignment("venv_dir")
    config = shell_assignment("config_path")
    assert config == str(DEFAULT_PATH)
    assert value("Service", "ExecStart") == f"{venv}/bin/spirokiosk run --config {config}"
    assert value("Service", "User") == shell_assignment("user")
    assert f"/{value('Service', 'StateDirectory')}" in shell_assignment("state_dir")
    groups = re.search(r"^readonly device_groups=\((.*)\)$", INSTALL.read_text(), flags=re.M)
    assert groups and value("Service", "SupplementaryGroups") == groups.group(1)
    assert shell_assignment("unit_path").endswith("/" + UNIT.name)


def test_the_systemd_protocol_the_daemon_speaks():
    assert value("Service", "Type") == "notify"
    assert value("Service", "NotifyAccess") == "main"
    assert value("Service", "ExecReload") == "/bin/kill -HUP $MAINPID"
    assert value("Service", "Restart") == "on-failure"
    watchdog = re.fullmatch(r"(\d+)s", value("Service", "WatchdogSec"))
    assert watchdog and 5 <= int(watchdog.group(1)) <= 60
    assert int(value("Unit", "StartLimitBurst")) >= 3
    assert value("Unit", "StartLimitIntervalSec")
    # logs.py writes to the journal natively only when stderr is the journal stream
    assert value("Service", "StandardError") == "journal"
    runtime = value("Service", "RuntimeDirectory")
    assert f"XDG_RUNTIME_DIR=/run/{runtime}" in values("Service", "Environment")


def test_devices_are_closed_but_for_display_camera_and_input():
    assert value("Service", "DevicePolicy") == "closed"
    allowed = set(values("Service", "DeviceAllow"))
    for needed in (
        "char-drm rw",
        "char-video4linux rw",
        "char-media rw",
        "char-dma_heap rw",
        "char-cec rw",
        "char-input r",
        f"{value('Service', 'TTYPath')} rw",
    ):
        assert needed in allowed
    assert value("Service", "CapabilityBoundingSet") == ""
    assert value("Service", "NoNewPrivileges") == "yes"
    assert value("Service", "ProtectSystem") == "strict"
    # The device groups must exist when the service starts (see the unit's comment).
    wanted = " ".join(values("Unit", "Wants"))
    for module in ("drm", "videodev", "mc", "cec"):
        assert f"modprobe@{module}.service" in wanted


def test_no_tty_reset_that_a_reload_would_apply_and_the_console_restored_at_stop():
    # TTYReset=, TTYVHangup= and TTYVTDisallocate= apply to ExecReload's kill as well:
    # each reload hung up tty1 under the running kiosk (two SIGHUPs, the keyboard back).
    keys = {key for section, key, _ in parse_unit(UNIT.read_text()) if section == "Service"}
    assert not keys & {"TTYReset", "TTYVHangup", "TTYVTDisallocate"}
    venv = shell_assignment("venv_dir")
    tty = value("Service", "TTYPath")
    assert value("Service", "ExecStopPost") == f"+{venv}/bin/spirokiosk restore-console --tty {tty}"
    assert value("Service", "StandardInput") == "tty-force"  # the kiosk quiets it itself
