#!/usr/bin/env bash
# NAME
#   fetch-postfix.sh - unpack Debian's postfix package for the benchmarks
#
# SYNOPSIS
#   bench/fetch-postfix.sh [DIR]
#
# DESCRIPTION
#   bench/receive.sh drives the servers with Postfix's smtp-source, and can
#   run Postfix 3.7 itself as a third receiver.  This script fetches the
#   postfix package with `apt-get download` and unpacks it with `dpkg -x`
#   into DIR/postfix (DIR: $TERN_PEERS_DIR, else ~/.cache/tern-peers), so
#   nothing is installed and no service is started.  It writes
#   DIR/bin/smtp-source, a wrapper that runs the unpacked program with its
#   unpacked libraries, and prints DIR.  A second run reuses what is there.
#
# DIAGNOSTICS
#   Exits non-zero when the package cannot be fetched or the unpacked
#   smtp-source lacks a library.
set -euo pipefail

dir=${1:-${TERN_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tern-peers}}
root="$dir/postfix"
mkdir -p "$dir/debs" "$dir/bin" "$root"

stamp="$root/.unpacked-v1"
if [ ! -f "$stamp" ]; then
    (cd "$dir/debs" && apt-get download postfix >/dev/null 2>&1) || {
        apt-get update -qq >/dev/null 2>&1 || true
        (cd "$dir/debs" && apt-get download postfix)
    }
    dpkg -x "$(ls -t "$dir"/debs/postfix_*.deb | head -1)" "$root"
    touch "$stamp"
fi

libs="$root/usr/lib/postfix"
cat > "$dir/bin/smtp-source.new.$$" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$libs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$root/usr/sbin/smtp-source" "\$@"
WRAP
chmod +x "$dir/bin/smtp-source.new.$$"
mv -f "$dir/bin/smtp-source.new.$$" "$dir/bin/smtp-source"

missing=$(LD_LIBRARY_PATH="$libs" ldd "$root/usr/sbin/smtp-source" | grep 'not found' || true)
if [ -n "$missing" ]; then
    echo "fetch-postfix: unpacked smtp-source lacks libraries:" >&2
    echo "$missing" >&2
    exit 1
fi
echo "$dir"
