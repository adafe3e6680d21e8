#!/usr/bin/env bash
# NAME
#   run.sh - the README's run command: build Tern and run it in the foreground
#
# DESCRIPTION
#   Installs the packages Tern needs, builds it in _run/, checks the bundled
#   configuration docs/examples/default.conf with confc, and starts the
#   daemon in the foreground on 127.0.0.1:2525 with spool, logs and mail
#   under ./var.  Extra arguments are passed to tern.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tools/install-deps.sh
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p _run
( cd _run && { [ -f Makefile ] || ../configure -q; } && make -j"$(nproc)" >/dev/null )

export TERN_MODULE_PATH="$top/_run/modules/.libs"
export TERN_SCHEMA_PATH="$top/schemas"
conf="$top/docs/examples/default.conf"
# The daemon's workers run as exim_user, whose default is Debian's
# Debian-exim, as in Exim; create that system user when it is missing.
if [ "$(id -u)" -eq 0 ] && ! getent passwd Debian-exim >/dev/null; then
    useradd --system --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin Debian-exim
fi
mkdir -p var/spool var/log var/mail
_run/confc/confc check -D VARDIR="$top/var" "$conf"
echo "Send a first message with:"
echo "  swaks --server 127.0.0.1:2525 --to postmaster@tern.test --from you@example.org"
exec _run/tern -C "$conf" -D VARDIR="$top/var" -bdf -oX 2525 "$@"
