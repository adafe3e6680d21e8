#!/bin/sh
# NAME
#   exim-option-dump.sh - print every option Exim 4.96 knows, with its default
#
# SYNOPSIS
#   tools/exim-option-dump.sh [EXIM]
#
# DESCRIPTION
#   Tern's schemas (schemas/*.schema) declare every option Exim has, with
#   Exim's default.  This script regenerates the ground truth from a real
#   Exim binary (default: the Debian 4.96 build that
#   tests/interop/fetch-peers.sh unpacks) so the schemas can be compared
#   with it: tests/integration/schemas.test does exactly that.
#
#   It writes a throw-away configuration with one instance of each router,
#   transport and authenticator Tern has a schema for, runs `EXIM -C conf
#   -bP all`, `-bP routers`, `-bP transports` and `-bP authenticators`, and
#   prints one line per option:
#
#       SCOPE NAME VALUE
#
#   SCOPE is `main`, `router`, `transport` or `auth` for generic options
#   and `router:DRIVER` (etc.) for private ones.  VALUE is the rest of the
#   line, as Exim prints it after `NAME = ` (trailing blanks kept); it is
#   empty when the option is unset, and `true` / `false` for booleans
#   (Exim prints `name` / `no_name`).  Generic options are those present in
#   every instance of a kind; when one driver changes a generic default at
#   start-up (log_as_local for accept) that instance's value is printed
#   as an extra line in the driver's own scope, prefixed by `=`:
#
#       router:accept =log_as_local true
#
#   Options that the throw-away configuration has to set itself (a router's
#   transport, queryprogram's command ...) have no visible default; their
#   VALUE is the word `<set-by-dump>`.  The four main options a config for
#   an unprivileged run needs (exim_user, exim_group, spool_directory,
#   log_file_path) are re-read from an empty configuration when that works
#   (it needs the Debian-exim user), so their real defaults are printed.
#
# DIAGNOSTICS
#   Exits 2 when no Exim binary is found, 1 when Exim rejects the
#   configuration (its message is shown).
set -u

peers=${TERN_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tern-peers}
exim=${1:-$peers/bin/exim4}
if [ ! -x "$exim" ]; then
    echo "exim-option-dump: no Exim binary at $exim" >&2
    echo "  (run tests/interop/fetch-peers.sh first)" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/exim-dump.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/spool" "$tmp/log"

# One instance per driver, named d_DRIVER; only options a driver insists
# on are set, and each is listed in $tmp/set as "SCOPE NAME".
cat > "$tmp/conf" <<CONF
exim_user = nobody
exim_group = nogroup
spool_directory = $tmp/spool
log_file_path = $tmp/log/%slog

begin routers
d_accept:
  driver = accept
  transport = d_smtp
d_dnslookup:
  driver = dnslookup
  transport = d_smtp
d_ipliteral:
  driver = ipliteral
  transport = d_smtp
d_manualroute:
  driver = manualroute
  transport = d_smtp
  route_list = * 127.0.0.1
d_redirect:
  driver = redirect
  data = postmaster
d_queryprogram:
  driver = queryprogram
  command = /bin/true
  command_user = nobody

begin transports
d_appendfile:
  driver = appendfile
d_autoreply:
  driver = autoreply
d_lmtp:
  driver = lmtp
  command = /bin/true
d_pipe:
  driver = pipe
d_smtp:
  driver = smtp

begin authenticators
d_plaintext:
  driver = plaintext
  public_name = PLAIN
d_cram_md5:
  driver = cram_md5
  public_name = CRAM-MD5
d_dovecot:
  driver = dovecot
  public_name = DOVECOT
d_tls:
  driver = tls
  public_name = EXTERNAL
CONF

cat > "$tmp/set" <<SET
main exim_user
main exim_group
main spool_directory
main log_file_path
main process_log_path
router driver
router transport
router:manualroute route_list
router:redirect data
router:queryprogram command
router:queryprogram command_user
transport driver
transport:lmtp command
auth driver
auth public_name
SET

run() {
    "$exim" -C "$tmp/conf" "$@" 2> "$tmp/err"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "exim-option-dump: $exim -bP $* failed:" >&2
        grep -v 'purging the environment\|keep_environment' "$tmp/err" >&2
        exit 1
    fi
}

# normalise: "name = value" / "name =" / "name" / "no_name" -> "name\tvalue";
# instance headers ("x router:") become "@x"; Exim's hidden "*expand_"
# companions of expandable booleans are dropped.
NORM='
/^$/ { next }
/^\*/ { next }
/^[A-Za-z0-9_-]+ (router|transport|authenticator):$/ { print "@" $1; next }
{
    line = $0
    if (match(line, /^[a-z0-9_]+ =( |$)/)) {
        name = substr(line, 1, index(line, " =") - 1)
        val = substr(line, RLENGTH + 1)
        print name "\t" val
    } else if (line ~ /^no_[a-z0-9_]+$/) {
        print substr(line, 4) "\tfalse"
    } else if (line ~ /^[a-z0-9_]+$/) {
        print line "\ttrue"
    } else {
        print "exim-option-dump: cannot read: " line > "/dev/stderr"
    }
}'

run -bP all > "$tmp/main.raw"
awk "$NORM" "$tmp/main.raw" > "$tmp/main"

# Real defaults of the options the dump config sets, when Exim runs with
# an empty config (it insists on its compiled-in user existing).
: > "$tmp/empty.conf"
if "$exim" -C "$tmp/empty.conf" -bP exim_user exim_group spool_directory \
        log_file_path process_log_path > "$tmp/fixed.raw" 2>/dev/null; then
    awk "$NORM" "$tmp/fixed.raw" > "$tmp/fixed"
else
    : > "$tmp/fixed"
fi

awk -F '\t' -v fixed="$tmp/fixed" -v set="$tmp/set" '
BEGIN {
    while ((getline l < fixed) > 0) { split(l, f, "\t"); fx[f[1]] = f[2]; have[f[1]] = 1 }
    while ((getline l < set) > 0) { split(l, f, " "); if (f[1] == "main") s[f[2]] = 1 }
}
{
    if ($1 in have) print "main " $1 " " fx[$1]
    else if ($1 in s) print "main " $1 " <set-by-dump>"
    else print "main " $1 " " substr($0, length($1) + 2)
}' "$tmp/main"

# Drivers: $1 = -bP word, $2 = scope kind.
drivers() {
    run -bP "$1" > "$tmp/$2.raw"
    awk "$NORM" "$tmp/$2.raw" | awk -F '\t' -v kind="$2" -v set="$tmp/set" '
    BEGIN { while ((getline l < set) > 0) { split(l, f, " "); s[f[1] " " f[2]] = 1 } }
    /^@/ { inst = substr($0, 2); ninst++; order[ninst] = inst; next }
    {
        name = $1; val = substr($0, length($1) + 2)
        if (name == "driver") drv[inst] = val
        key = inst SUBSEP name
        v[key] = val; n[name]++
        if (!((name) in first)) { first[name] = ++nnames; names[nnames] = name }
        cnt[name SUBSEP val]++
    }
    END {
        for (i = 1; i <= nnames; i++) {
            name = names[i]
            if (n[name] != ninst) continue
            # generic: the value most instances show is the default
            best = ""; bc = -1
            for (j = 1; j <= ninst; j++) {
                val = v[order[j] SUBSEP name]
                if (cnt[name SUBSEP val] > bc) { bc = cnt[name SUBSEP val]; best = val }
            }
            generic[name] = 1
            if ((kind " " name) in s) best = "<set-by-dump>"
            print kind " " name " " best
            for (j = 1; j <= ninst; j++) {
                val = v[order[j] SUBSEP name]
                if (val != best && !((kind " " name) in s))
                    print kind ":" drv[order[j]] " =" name " " val
            }
        }
        for (j = 1; j <= ninst; j++) {
            inst = order[j]; d = drv[inst]
            for (i = 1; i <= nnames; i++) {
                name = names[i]
                if (name in generic || !((inst SUBSEP name) in v)) continue
                val = v[inst SUBSEP name]
                if ((kind ":" d " " name) in s) val = "<set-by-dump>"
                print kind ":" d " " name " " val
            }
        }
    }'
}

drivers routers router
drivers transports transport
drivers authenticators auth
