#!/usr/bin/env bash
# Install or upgrade spirokiosk on Raspberry Pi OS (Bookworm or Trixie, 64-bit, Lite
# or desktop) from the checkout this script sits in:
#
#     sudo deploy/install.sh
#
# Running it again upgrades in place (after a `git pull`): packages are brought up to
# date, the package is reinstalled and the service restarted. Steps, in order:
#   1. apt packages: Python with the libraries that come from apt on the Pi (pygame,
#      numpy, Pillow, systemd bindings, picamera2) and the EGL/GLES/GBM libraries
#      SDL's kmsdrm driver draws with;
#   2. the system user spirokiosk, in the groups that own the display, camera and
#      input devices (video, render, input, tty);
#   3. a virtualenv at /opt/spirokiosk/venv made with --system-site-packages, so those
#      apt packages are used rather than built by pip, and spirokiosk installed into
#      it from a copy of this checkout (the checkout itself is left as it is);
#      `spirokiosk` on the PATH through /usr/local/bin;
#   4. /etc/spirokiosk/config.toml from deploy/config.toml, only when there is none:
#      an existing config is never touched;
#   5. the systemd unit, the config checked, the service enabled and (re)started;
#   6. where the web mirror is.
#
# For tests (leave unset on the Pi): ROOT is prefixed to every path written, and
# every command (apt-get, systemctl, useradd, python3, ...) is looked up on PATH, so
# stand-ins can come first. PYTHON names the system Python (default python3).
set -euo pipefail
umask 022 # the service user must be able to read the venv and the config

readonly user=spirokiosk
readonly device_groups=(video render input tty)
readonly prefix=/opt/spirokiosk
readonly venv_dir=/opt/spirokiosk/venv
readonly config_path=/etc/spirokiosk/config.toml
readonly unit_name=spirokiosk.service
readonly unit_path=/etc/systemd/system/spirokiosk.service
readonly state_dir=/var/lib/spirokiosk
readonly link_path=/usr/local/bin/spirokiosk

readonly apt_packages=(
    python3 python3-venv
    python3-numpy python3-pygame python3-pil python3-systemd python3-tomli-w python3-paho-mqtt
    v4l-utils
    python3-zeroconf python3-ifaddr python3-segno   # being found: mDNS, the QR code
    libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri libgbm1
)
# From the Raspberry Pi archive only (brings libcamera's bindings and simplejpeg).
readonly camera_packages=(python3-picamera2)

ROOT="${ROOT:-}"
PYTHON="${PYTHON:-python3}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf 'spirokiosk install: %s\n' "$*"; }
warn() { printf 'spirokiosk install: warning: %s\n' "$*" >&2; }
die() {
    printf 'spirokiosk install: error: %s\n' "$*" >&2
    exit 1
}

usage() {
    cat <<EOF
usage: sudo $0

Installs (or upgrades in place) spirokiosk as a systemd service: apt packages,
the $user user, a virtualenv in $venv_dir, $config_path
(only if absent), and $unit_name, enabled and started.
Undo with deploy/uninstall.sh.
EOF
}

case "${1:-}" in
    "") ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        exit 2
        ;;
esac

if [ -z "$ROOT" ] && [ "$EUID" -ne 0 ]; then
    die "run it as root: sudo $0"
fi

check_os() {
    local release="$ROOT/etc/os-release" codename=""
    if [ -r "$release" ]; then
        codename="$(sed -n 's/^VERSION_CODENAME=//p' "$release" | tr -d '"')"
    fi
    case "$codename" in
        bookworm | trixie) say "system: $codename" ;;
        *) warn "made for Raspberry Pi OS Bookworm or Trixie, not '${codename:-unknown}'; trying anyway" ;;
    esac
}

install_packages() {
    say "apt packages: ${apt_packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${apt_packages[@]}"
    if ! apt-get install -y -q --no-install-recommends "${camera_packages[@]}"; then
        warn "${camera_packages[*]} could not be installed (not Raspberry Pi OS?):" \
            "camera.source = \"picamera2\" will not work; the rest does"
    fi
}

create_user() {
    local group
    for group in "${device_groups[@]}"; do
        if ! getent group "$group" >/dev/null; then
            groupadd --system "$group"
        fi
    done
    local groups_csv
    groups_csv="$(
        IFS=,
        echo "${device_groups[*]}"
    )"
    if getent passwd "$user" >/dev/null; then
        usermod --append --groups "$groups_csv" "$user"
        say "user $user: exists, groups $groups_csv"
    else
        useradd --system --user-group --groups "$groups_csv" \
            --home-dir "$state_dir" --no-create-home --shell /usr/sbin/nologin \
            --comment "spirokiosk kiosk service" "$user"
        say "user $user: created, groups $groups_csv"
    fi
}

python_version() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

make_venv() {
    local venv="$ROOT$venv_dir" want have=""
    want="$(python_version "$PYTHON")"
    if [ -x "$venv/bin/python" ]; then
        have="$(python_version "$venv/bin/python" 2>/dev/null || true)"
    fi
    if [ "$have" = "$want" ]; then
        say "virtualenv $venv_dir: Python $have, kept"
    else
        # New, broken, or made by another Python (a release upgrade): start afresh.
        say "virtualenv $venv_dir: creating (Python $want, --system-site-packages)"
        install -d -m 0755 "$ROOT$prefix"
        "$PYTHON" -m venv --clear --system-site-packages "$venv"
    fi
}

install_package() {
    # pip builds in the source tree (build/, *.egg-info): build from a copy, so a
    # checkout owned by the admin gets no root-owned files.
    local src
    src="$(mktemp -d "${TMPDIR:-/tmp}/spirokiosk-src.XXXXXX")"
    # shellcheck disable=SC2064  # expand $src now: it is local to this function
    trap "rm -rf '$src'" EXIT
    tar -C "$repo" \
        --exclude=.git --exclude=.venv --exclude=build --exclude=dist \
        --exclude='*.egg-info' --exclude=__pycache__ --exclude=.pytest_cache \
        --exclude=.ruff_cache --exclude=.hypothesis \
        -cf - . | tar -C "$src" -xf -
    say "installing spirokiosk into $venv_dir"
    # With the video extra: PyAV (H.264 for MP4 renders and the web's exports). PyPI has
    # wheels for the Pi (aarch64 and armv7, FFmpeg inside): pip builds nothing.
    "$ROOT$venv_dir/bin/python" -m pip install --quiet --disable-pip-version-check "${src}[video]"
    rm -rf "$src"
    trap - EXIT
    install -m 0644 "$repo/README.md" "$ROOT$prefix/README.md"
    install -d -m 0755 "$(dirname "$ROOT$link_path")"
    ln -sfn "$venv_dir/bin/spirokiosk" "$ROOT$link_path"
}

install_config() {
    install -d -m 0755 "$(dirname "$ROOT$config_path")"
    if [ -e "$ROOT$config_path" ]; then
        say "config $config_path: kept as it is"
    else
        install -m 0644 "$repo/deploy/config.toml" "$ROOT$config_path"
        say "config $config_path: written (every key commented out at its default)"
    fi
}

install_unit() {
    install -d -m 0755 "$(dirname "$ROOT$unit_path")"
    install -m 0644 "$repo/deploy/$unit_name" "$ROOT$unit_path"
    systemctl daemon-reload
    say "unit $unit_path: installed"
}

warn_about_desktop() {
    # Debian's display managers enable themselves as this alias (a symlink).
    local alias="$ROOT/etc/systemd/system/display-manager.service"
    if [ -L "$alias" ] || [ -e "$alias" ]; then
        warn "a desktop (display manager) is enabled: it keeps the screen, and the kiosk" \
            "cannot draw fullscreen beside it. Either boot to the console" \
            "(sudo raspi-config nonint do_boot_behaviour B1, then reboot), or set" \
            "display.mode = \"headless\" in $config_path for the web mirror alone."
    fi
}

# The effective value of [section] key from `spirokiosk config` (TOML, one key a line).
config_value() {
    awk -v section="[$1]" -v key="$2" '
        /^\[/ { inside = ($0 == section); next }
        inside && $1 == key && $2 == "=" {
            sub(/^[^=]*= */, ""); gsub(/"/, ""); print; exit
        }'
}

show_mirror() {
    local effective enabled bind port address
    effective="$("$ROOT$venv_dir/bin/spirokiosk" config --config "$ROOT$config_path")"
    enabled="$(config_value web enabled <<<"$effective")"
    bind="$(config_value web bind <<<"$effective")"
    port="$(config_value web port <<<"$effective")"
    if [ "$enabled" != "true" ]; then
        say "the web mirror is off (web.enabled = false in $config_path)"
        return
    fi
    case "$bind" in
        0.0.0.0 | :: | "") address="$(hostname -I 2>/dev/null | awk '{ print $1 }')" ;;
        *) address="$bind" ;;
    esac
    case "$address" in
        "") address="<this Pi's address>" ;;
        *:*) address="[$address]" ;;
    esac
    say "the mirror: http://$address:$port/"
}

main() {
    check_os
    install_packages
    create_user
    make_venv
    install_package
    install_config
    install_unit
    say "checking $config_path"
    if ! "$ROOT$venv_dir/bin/spirokiosk" check-config --config "$ROOT$config_path"; then
        systemctl enable "$unit_name"
        die "$config_path has the errors above: fix them, then" \
            "sudo systemctl restart spirokiosk"
    fi
    warn_about_desktop
    systemctl enable "$unit_name"
    say "(re)starting $unit_name"
    if ! systemctl restart "$unit_name"; then
        die "spirokiosk did not start; see: journalctl -u spirokiosk -n 50 --no-pager"
    fi
    say "running: systemctl status spirokiosk; logs: journalctl -u spirokiosk -f"
    say "the kiosk holds the console (tty1) while it runs: log in over SSH"
    show_mirror
}

main
