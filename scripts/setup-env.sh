#!/usr/bin/env bash
# Prepare a development environment from nothing on Debian (or Raspberry Pi OS):
# system packages through apt, then a virtualenv in .venv with spirokiosk
# installed editable with its test and video extras. Safe to run again: it only
# installs what is missing and reinstalls the package when setup.cfg changes.
# Meant to be called by scripts/kiosk and scripts/test, or run on its own.
#
# It prints a line per step; apt's and pip's own output goes to .setup.log,
# which is shown in full when a step fails.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv"
log="$repo/.setup.log"

apt_packages=(
    python3 python3-venv python3-dev gcc
    pkg-config libsystemd-dev   # to build systemd-python
    xvfb xauth                  # a real X display for the window tests
    chromium chromium-driver    # the browser for the web mirror tests
    fonts-dejavu-core
    systemd shellcheck          # systemd-analyze verify/security and lint for deploy/
    libcap-dev                  # to build python-prctl, which picamera2 (test extra) needs
    mosquitto                   # a real MQTT broker for the Home Assistant tests
    ffmpeg                      # ffprobe, to check exported MP4s as players see them
)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Run a step with its output in the log; when it fails, show the log and stop.
step() {
    local what="$1"
    shift
    echo "setup: $what (output in $log)" >&2
    if ! "$@" >>"$log" 2>&1; then
        echo "setup: failed: $what; the log follows" >&2
        cat "$log" >&2
        exit 1
    fi
}

missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$pkg")
done
stamp="$venv/.spirokiosk-installed"
want="$(cat "$repo/setup.cfg" "$repo/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ${#missing[@]} -eq 0 ] && [ -x "$venv/bin/python" ] && [ -f "$stamp" ] \
        && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0  # nothing to do
fi

: > "$log"
if [ ${#missing[@]} -gt 0 ]; then
    step "updating apt's package lists" as_root apt-get update
    step "installing ${missing[*]}" as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
fi
if [ ! -x "$venv/bin/python" ]; then
    step "creating $venv" python3 -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    step "upgrading pip" "$venv/bin/python" -m pip install --upgrade pip
    step "installing spirokiosk into $venv" "$venv/bin/python" -m pip install -e "${repo}[test,video]"
    echo "$want" > "$stamp"
fi
echo "setup: ready" >&2
