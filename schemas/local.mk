# schemas/local.mk: the schemas, installed for confc and tern, and the
# option headers generated from them at build time (gen/NAME_schema.h)
# by tern-schemagen, which every module includes: schema and code cannot
# drift apart.
TERN_SCHEMA_NAMES = \
	accept \
	appendfile \
	arc \
	autoreply \
	bmi \
	core \
	cram_md5 \
	dbm \
	dcc \
	dnslookup \
	dovecot \
	dsearch \
	dsn_info \
	ipliteral \
	lmdb \
	lmtp \
	lsearch \
	manualroute \
	pipe \
	plaintext \
	queryprogram \
	queuefile \
	redirect \
	smtp \
	srs \
	tls

dist_schema_DATA += $(TERN_SCHEMA_NAMES:%=schemas/%.schema)
tern_gen_headers = $(TERN_SCHEMA_NAMES:%=gen/%_schema.h)
BUILT_SOURCES += $(tern_gen_headers)
CLEANFILES += $(tern_gen_headers)

gen/%_schema.h: $(srcdir)/schemas/%.schema tern-schemagen$(EXEEXT)
	@$(MKDIR_P) gen
	$(AM_V_GEN)./tern-schemagen$(EXEEXT) -o $@ $(srcdir)/schemas/$*.schema
