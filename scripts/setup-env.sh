#!/usr/bin/env bash
# Prepare a development environment from nothing on Debian (or Raspberry Pi OS):
# system packages through apt, then a virtualenv in .venv with spirokiosk
# installed editable with its test and video extras. Safe to run again: it only
# installs what is missing and reinstalls the package when setup.cfg changes.
# Meant to be sourced by scripts/kiosk and scripts/test, or run on its own.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv"

apt_packages=(
    python3 python3-venv python3-dev gcc
    pkg-config libsystemd-dev   # to build systemd-python
    xvfb xauth                  # a real X display for the window tests
    chromium chromium-driver    # the browser for the web mirror tests
    fonts-dejavu-core
    systemd shellcheck          # systemd-analyze verify/security and lint for deploy/
)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing system packages: ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >&2
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "setup: creating $venv" >&2
    python3 -m venv "$venv"
fi

stamp="$venv/.spirokiosk-installed"
want="$(cat "$repo/setup.cfg" "$repo/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: installing spirokiosk into $venv" >&2
    "$venv/bin/python" -m pip install -q --upgrade pip >&2
    "$venv/bin/python" -m pip install -q -e "$repo[test,video]" >&2
    echo "$want" > "$stamp"
fi
