#!/usr/bin/env bash
# Remove what deploy/install.sh installed: the service (stopped and disabled), the
# virtualenv in /opt/spirokiosk, the spirokiosk command, the spirokiosk user and its
# state and cache. The config (/etc/spirokiosk) and any `systemctl edit` drop-in stay,
# unless --purge. apt packages stay (other software may use them), and so does the
# journal. The console login on tty1 comes back.
#
#     sudo deploy/uninstall.sh [--purge]
#
# For tests: ROOT and PATH as in install.sh.
set -euo pipefail

readonly user=spirokiosk
readonly unit_name=spirokiosk.service
readonly unit_path=/etc/systemd/system/spirokiosk.service
readonly prefix=/opt/spirokiosk
readonly venv_dir=/opt/spirokiosk/venv
readonly config_dir=/etc/spirokiosk
readonly link_path=/usr/local/bin/spirokiosk

ROOT="${ROOT:-}"

say() { printf 'spirokiosk uninstall: %s\n' "$*"; }
die() {
    printf 'spirokiosk uninstall: error: %s\n' "$*" >&2
    exit 1
}

usage() {
    cat <<EOF
usage: sudo $0 [--purge]

Stops and removes the spirokiosk service, its virtualenv and its user.
Keeps $config_dir unless --purge.
EOF
}

purge=false
for arg in "$@"; do
    case "$arg" in
        --purge) purge=true ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            usage >&2
            exit 2
            ;;
    esac
done

if [ -z "$ROOT" ] && [ "$EUID" -ne 0 ]; then
    die "run it as root: sudo $0"
fi

if [ -e "$ROOT$unit_path" ]; then
    say "stopping and disabling $unit_name"
    systemctl disable --now "$unit_name" || true
fi
rm -f "$ROOT$unit_path"
if $purge; then
    rm -rf "$ROOT$unit_path.d"
fi
systemctl daemon-reload
systemctl reset-failed "$unit_name" 2>/dev/null || true

if [ -L "$ROOT$link_path" ] && [ "$(readlink "$ROOT$link_path")" = "$venv_dir/bin/spirokiosk" ]; then
    rm -f "$ROOT$link_path"
fi
rm -rf "$ROOT$prefix" "$ROOT/var/lib/spirokiosk" "$ROOT/var/cache/spirokiosk"
say "removed $prefix, /var/lib/spirokiosk, /var/cache/spirokiosk"

if getent passwd "$user" >/dev/null; then
    userdel "$user"
    say "removed the user $user"
fi
if getent group "$user" >/dev/null; then
    groupdel "$user"
fi

# The kiosk held tty1; give the console its login prompt back.
systemctl start getty@tty1.service 2>/dev/null || true

if $purge; then
    rm -rf "$ROOT$config_dir"
    say "removed $config_dir"
else
    say "kept $config_dir (sudo $0 --purge removes it too)"
fi
