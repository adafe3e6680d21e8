#!/usr/bin/env bash
# NAME
#   install-deps.sh - install the Debian 12 packages Tern needs to build and test
#
# DESCRIPTION
#   Installs only what is missing, so a second run is quick; refreshes the
#   package lists first when something has to be installed.  Needs root
#   (or sudo).  Used by tools/test.sh and tools/run.sh, the README's two
#   commands.
set -euo pipefail

pkgs=(
    build-essential autoconf automake libtool libltdl-dev pkg-config
    libssl-dev openssl libnet-ssleay-perl libio-socket-ssl-perl libpcre2-dev liblmdb-dev lmdb-utils libdb5.3-dev
    db5.3-util libcmocka-dev libopendmarc-dev swaks ca-certificates
    python3 procps
)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
