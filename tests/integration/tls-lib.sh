# Helpers for the tls-*.test scripts (sourced after lib.sh and
# daemon-lib.sh).
#
#   tls_certs DIR        a CA, an RSA server certificate signed by it
#                        (server.pem/.key), a client certificate signed by
#                        it (client.pem/.key, DN /C=GB/O=Example, Ltd/
#                        CN=client.example) and a self-signed one
#                        (rogue.pem/.key)
#   tls_conf FILE CERTDIR [extra main options...]
#                        daemon_conf plus TLS options, an ACL that logs
#                        the $tls_in_* variables at MAIL, and a tls
#                        authenticator
#   tls_client ARGS...   tls-client.py
#   mainlog              the daemon's main log

command -v openssl >/dev/null || skip_all "openssl(1) missing"
TLS_CLIENT="$TERN_SRCDIR/tests/integration/tls-client.py"

tls_client() { python3 "$TLS_CLIENT" "$@"; }
mainlog() { cat "$SPOOL/log/mainlog" 2>/dev/null; }

tls_certs() {
    local d=$1
    mkdir -p "$d"
    (
        cd "$d" || exit 1
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
            -days 30 -subj "/CN=Tern Test CA" 2>/dev/null &&
        openssl req -newkey rsa:2048 -nodes -keyout server.key \
            -out server.csr -subj "/CN=tern.test" 2>/dev/null &&
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
            -CAcreateserial -out server.pem -days 30 2>/dev/null &&
        openssl req -newkey rsa:2048 -nodes -keyout client.key \
            -out client.csr \
            -subj "/C=GB/O=Example, Ltd/CN=client.example" 2>/dev/null &&
        openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key \
            -CAcreateserial -out client.pem -days 30 2>/dev/null &&
        openssl req -x509 -newkey rsa:2048 -nodes -keyout rogue.key \
            -out rogue.pem -days 30 -subj "/CN=rogue.example" 2>/dev/null
    ) || return 1
    chmod 755 "$d"
    chmod 644 "$d"/*
}

tls_conf() {
    local f=$1 c=$2
    shift 2
    daemon_conf "$f" \
        "tls_certificate = $c/server.pem" \
        "tls_privatekey = $c/server.key" \
        "tls_verify_certificates = $c/ca.pem" \
        "log_selector = +tls_peerdn +tls_sni +tls_certificate_verified" \
        "acl_smtp_mail = acl_mail" \
        "$@"
    cat >> "$f" <<'CONF'
acl_mail:
  warn logwrite = TLSVARS ver=$tls_in_ver cipher=$tls_in_cipher \
        std=$tls_in_cipher_std bits=$tls_in_bits sni=$tls_in_sni \
        dn=$tls_in_peerdn verified=$tls_in_certificate_verified \
        auth=$authenticated_id
  accept

begin authenticators
cert:
  driver = tls
  server_param1 = $tls_in_peerdn
  server_condition = ${if eq{$tls_in_certificate_verified}{1}}
  server_set_id = $auth1
CONF
}
