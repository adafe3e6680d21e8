#!/usr/bin/env bash
# NAME
#   fetch-peers.sh - unpack Debian's Exim 4.96 (and friends) for interop tests
#
# SYNOPSIS
#   tests/interop/fetch-peers.sh [DIR]
#
# DESCRIPTION
#   Integration tests compare Tern with the real Exim 4.96 that Debian 12
#   ships, and read the real example.conf and exim4.conf.template.  This
#   script fetches those packages with `apt-get download` and unpacks them
#   with `dpkg -x` into DIR (default: $TERN_PEERS_DIR, else
#   ~/.cache/tern-peers), so no system service is installed or started.
#   It is idempotent: a second run reuses what is there.
#
#   It writes DIR/bin/exim4, a wrapper that runs the unpacked binary with
#   its unpacked libraries, and creates the system user Debian-exim that
#   Debian's binary insists on (it was built with that user name compiled in).
#
# DIAGNOSTICS
#   Exits non-zero, naming the package or library, when something cannot
#   be fetched or a library the binary needs is still missing.
set -euo pipefail

dir=${1:-${TERN_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tern-peers}}
pkgs=(exim4-base exim4-config exim4-daemon-heavy libmariadb3 mariadb-common libidn12)
mkdir -p "$dir/debs" "$dir/root" "$dir/bin"

stamp="$dir/.unpacked-v1"
if [ ! -f "$stamp" ]; then
    (cd "$dir/debs" && apt-get download "${pkgs[@]}" >/dev/null 2>&1) || {
        # The package lists may be missing on a fresh machine.
        apt-get update -qq >/dev/null 2>&1 || true
        (cd "$dir/debs" && apt-get download "${pkgs[@]}")
    }
    for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$dir/root"; done
    touch "$stamp"
fi

if ! getent passwd Debian-exim >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin Debian-exim
    else
        echo "fetch-peers: user Debian-exim is missing and we are not root" >&2
    fi
fi

libs="$dir/root/usr/lib/x86_64-linux-gnu"
# Tests run in parallel and may call this script while another runs the
# wrapper: write it beside and rename (never "text file busy"), and only
# when it changed.
cat > "$dir/bin/exim4.new.$$" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$libs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$dir/root/usr/sbin/exim4" "\$@"
WRAP
chmod +x "$dir/bin/exim4.new.$$"
if cmp -s "$dir/bin/exim4.new.$$" "$dir/bin/exim4"; then
    rm -f "$dir/bin/exim4.new.$$"
else
    mv -f "$dir/bin/exim4.new.$$" "$dir/bin/exim4"
fi

missing=$(LD_LIBRARY_PATH="$libs" ldd "$dir/root/usr/sbin/exim4" | grep 'not found' || true)
if [ -n "$missing" ]; then
    echo "fetch-peers: unpacked exim4 still lacks libraries:" >&2
    echo "$missing" >&2
    exit 1
fi
echo "$dir"
