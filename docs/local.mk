# Documentation shipped in the tarball and installed under $(docdir).
dist_doc_DATA += docs/schema-format.md docs/tls.md docs/receive.md \
	docs/smtp-server.md docs/acl.md docs/confc-preprocessor.md docs/daemon.md

# One page per module, and the bundled example configuration.
moddocdir = $(docdir)/modules
dist_moddoc_DATA = \
	docs/modules/accept.md \
	docs/modules/appendfile.md \
	docs/modules/arc.md \
	docs/modules/autoreply.md \
	docs/modules/bmi.md \
	docs/modules/core.md \
	docs/modules/cram_md5.md \
	docs/modules/dbm.md \
	docs/modules/dcc.md \
	docs/modules/dnslookup.md \
	docs/modules/dovecot.md \
	docs/modules/dsearch.md \
	docs/modules/dsn_info.md \
	docs/modules/ipliteral.md \
	docs/modules/lmdb.md \
	docs/modules/lmtp.md \
	docs/modules/lsearch.md \
	docs/modules/manualroute.md \
	docs/modules/pipe.md \
	docs/modules/plaintext.md \
	docs/modules/queryprogram.md \
	docs/modules/queuefile.md \
	docs/modules/redirect.md \
	docs/modules/smtp.md \
	docs/modules/srs.md \
	docs/modules/tls.md
exampledir = $(docdir)/examples
dist_example_DATA = docs/examples/default.conf

EXTRA_DIST += tools/install-deps.sh tools/test.sh tools/run.sh .ci/run bench
