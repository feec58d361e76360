# Exhibit — the two commands a newcomer needs are `make demo` and `make test`.
# Both install what they need (Debian packages) first, so they work on a fresh machine.

SHELL := /bin/bash
SWIFT ?= swift
# Debian packages: C libraries we link, and the real tools tests use to make fixtures.
APT_PACKAGES := libarchive-dev libarchive-tools libmagic-dev libmagic-mgc libsqlite3-dev libxml2-dev \
	p7zip-full zip unzip zstd lz4 xz-utils bzip2 lzip cpio xorriso gcab binutils python3 file \
	libturbojpeg0-dev libpng-dev libwebp-dev libheif-dev libgif-dev libtiff-dev \
	libavformat-dev libavcodec-dev libswscale-dev libavutil-dev imagemagick webp libheif-examples ffmpeg
# Export and report tests: Sleuth Kit's mactime reads our bodyfiles, headless Chromium renders and
# prints the report (and loads `exhibit serve`'s pages in Tests/ReviewTests), Ghostscript reads the
# printed pages back; pip installs case-utils (below).
APT_PACKAGES += sleuthkit chromium ghostscript python3-pip
# Korean (and other CJK) text in the pages Chromium renders: `exhibit serve`'s browser tests and screenshots.
APT_PACKAGES += fonts-noto-cjk
# OCR of the review pages' screenshots (ReviewClicks: the key text must be on the picture, not only in the DOM).
APT_PACKAGES += tesseract-ocr tesseract-ocr-eng
# Plugins: kernel headers for Landlock and namespaces (Sources/CSandbox), libseccomp (Sources/CSeccomp);
# gcc (cc) builds the hostile C plugin of PluginSandboxEscapeTests.
APT_PACKAGES += linux-libc-dev libseccomp-dev gcc
# KakaoTalk Android fixtures: the generator's AES (corpora/phone/kakaotalk; the 100k test runs it).
APT_PACKAGES += python3-cryptography
# Encrypted iPhone backups: OpenSSL's libcrypto decrypts AES-256-CBC (Sources/CLibCrypto).
APT_PACKAGES += libssl-dev
# Lab index (issue 17): the tests start a throwaway PostgreSQL cluster (initdb + pg_ctl); openssl
# makes the TLS test's certificates at test time.
APT_PACKAGES += postgresql openssl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/debug
DEMO := demo-out

.PHONY: pydeps deps build test test-long demo bench clean docs-cli plugin-helpers

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# case_validate (PyPI case-utils) checks our CASE/UCO exports in the tests; schemathesis fuzzes
# `exhibit serve`'s API from its /openapi.json (Tests/ReviewTests). pip uses whatever index or
# mirror the machine's pip is configured for; Debian's own python needs the last flag.
pydeps: deps
	@python3 -c 'import case_utils' 2>/dev/null || python3 -m pip install -q --user case-utils \
		|| python3 -m pip install -q --user --break-system-packages case-utils
	@python3 -c 'import schemathesis' 2>/dev/null || python3 -m pip install -q --user schemathesis \
		|| python3 -m pip install -q --user --break-system-packages schemathesis

build: deps
	$(SWIFT) build

# The shipped copies of the plugin helpers are generated, not edited: this rewrites them from the
# scaffold `exhibit plugin new` writes (PluginScaffoldPythonHelper/SwiftHelper.swift, whose per-kind
# parts come from the wire forms declared beside the finding types: PluginHelperText.swift), the
# Python helper whole and the Swift helper from its marker line to the end of the example's
# main.swift; and docs/plugins.md's field lists of the finding kinds, between their markers, from
# `exhibit plugin wire-doc`. PluginShippedCopiesTests and FindingKindChecklistTests fail until it is
# run after a wire form or a helper changes.
HELPER_MARK := ^// MARK: - Exhibit plugin protocol 1
plugin-helpers:
	$(SWIFT) build --product exhibit
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN)/exhibit plugin new helpers --lang python --dir "$$tmp/py" >/dev/null && \
	cp "$$tmp/py/exhibit_plugin.py" plugins/examples/android-sms/exhibit_plugin.py && \
	cp "$$tmp/py/exhibit_plugin.py" corpora/plugins/misbehave/exhibit_plugin.py && \
	$(BIN)/exhibit plugin new helpers --lang swift --dir "$$tmp/sw" >/dev/null && \
	main=plugins/examples/bash-history/main.swift && \
	{ sed '\,$(HELPER_MARK),,$$d' "$$main"; sed -n '\,$(HELPER_MARK),,$$p' "$$tmp/sw/main.swift"; } > "$$tmp/main.swift" && \
	cp "$$tmp/main.swift" "$$main" && \
	$(BIN)/exhibit plugin wire-doc > "$$tmp/kinds.md" && \
	python3 -c 'import sys; d, g = open(sys.argv[1]).read(), open(sys.argv[2]).read().rstrip("\n"); \
		b, e = g.splitlines()[0], g.splitlines()[-1]; i, j = d.index(b), d.index(e) + len(e); \
		open(sys.argv[1], "w").write(d[:i] + g + d[j:])' docs/plugins.md "$$tmp/kinds.md" && \
	echo "plugin helper copies and docs/plugins.md's finding kinds rewritten"

# `swift format lint` with the rules of .swift-format (Tests/Scripts/lint.sh: layout findings are
# not enforced), a short libFuzzer smoke run of every metadata parser (fuzz/README.md for long
# runs), then the whole suite once (under America/New_York), then every suite and test tagged
# `.timeZone` again under UTC and Asia/Seoul: findings must not depend on the machine's zone.
test: deps pydeps
	Tests/Scripts/lint.sh
	$(SWIFT) build --build-tests
	fuzz/run-metadata-fuzz.sh 5
	TZ=America/New_York $(SWIFT) test --skip-build
	zones=$$(python3 Tests/Scripts/timezone-filter.py) && \
		TZ=UTC $(SWIFT) test --skip-build --filter "$$zones" && \
		TZ=Asia/Seoul $(SWIFT) test --skip-build --filter "$$zones"

# Suites too slow for CI: 60 kill points over a 10,000-file corpus (CI: 20 over 3,000).
test-long: deps
	$(SWIFT) build --build-tests
	EXHIBIT_LONG=1 TZ=Asia/Seoul $(SWIFT) test --skip-build

demo: build
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@echo "== Known-bad hash sets imported before ingest: a PDQ list and a SHA-256 list (exhibit hashset import) =="
	$(BIN)/exhibit hashset import --db $(DEMO)/case.sqlite --name demo-known-pdq --kind known-bad --algorithm pdq corpora/sample-case/known-bad/pdq.txt
	$(BIN)/exhibit hashset import --db $(DEMO)/case.sqlite --name demo-known-sha256 --kind known-bad --algorithm sha256 corpora/sample-case/known-bad/sha256.txt
	$(BIN)/exhibit ingest corpora/sample-case/phone-dump.zip corpora/sample-case/pc-export.tar.gz \
		--db $(DEMO)/case.sqlite --case DEMO-2024-0001 --examiner "Demo Examiner" --assume-tz Asia/Seoul \
		--item phone-dump.zip=ITEM-1 --item pc-export.tar.gz=ITEM-2
	@echo; echo "== Inventory: every entry, nested archives included (exhibit files) =="
	@$(BIN)/exhibit files --db $(DEMO)/case.sqlite | head -25
	@echo; echo "== Chat threads found in the exports: Telegram, WhatsApp, KakaoTalk (exhibit messages) =="
	@$(BIN)/exhibit messages --db $(DEMO)/case.sqlite
	@echo; echo "== Search the chats in Korean: a two-syllable word, then a longer one (exhibit search) =="
	@$(BIN)/exhibit search --db $(DEMO)/case.sqlite 사진
	@$(BIN)/exhibit search --db $(DEMO)/case.sqlite 콘서트
	@echo; echo "== Photo metadata: EXIF camera, DateTimeOriginal in UTC with its basis, GPS (exhibit metadata) =="
	@$(BIN)/exhibit metadata --db $(DEMO)/case.sqlite 'phone-dump.zip!/sdcard/DCIM/Camera/IMG_20240828_151203.jpg'
	@echo; echo "== Known media: copies of a known-bad picture (exact and PDQ near-duplicates, rotated too) and the chat messages that carried them (exhibit matches) =="
	@$(BIN)/exhibit matches --db $(DEMO)/case.sqlite
	@echo; echo "== An external analyzer plugin (plugins/examples/android-sms, Python): the phone's SMS store =="
	$(BIN)/exhibit ingest corpora/sample-case/android-sms.zip --db $(DEMO)/case.sqlite --case DEMO-2024-0001 \
		--examiner "Demo Examiner" --assume-tz Asia/Seoul --item ITEM-3 --plugins plugins/examples/android-sms
	@$(BIN)/exhibit analyzers --plugins plugins/examples/android-sms | grep -A2 '^android-sms'
	@$(BIN)/exhibit messages --db $(DEMO)/case.sqlite --chat +8210
	@echo; echo "== A second seized phone as it arrives: an Android full-file-system extraction (corpora/phone/android); chats read from the apps' own databases, WAL included =="
	$(BIN)/exhibit ingest corpora/phone/android/android-ffs.tar --db $(DEMO)/case.sqlite --case DEMO-2024-0001 \
		--examiner "Demo Examiner" --assume-tz Asia/Seoul --item ITEM-4
	@$(BIN)/exhibit files --db $(DEMO)/case.sqlite --evidence android-ffs.tar --device-path '/data/data/*'
	@echo; echo "-- Telegram cache4.db (TL-decoded), WhatsApp msgstore.db, KakaoTalk.db (columns decrypted) --"
	@$(BIN)/exhibit messages --db $(DEMO)/case.sqlite --chat 'Seoul Study' | head -12
	@$(BIN)/exhibit messages --db $(DEMO)/case.sqlite --chat '콘서트 친구들' | head -8
	@$(BIN)/exhibit messages --db $(DEMO)/case.sqlite --chat '민준, 지우' | head -8
	@echo; echo "-- The known picture on this phone: in a Telegram group, a WhatsApp chat and a KakaoTalk group --"
	@$(BIN)/exhibit matches --db $(DEMO)/case.sqlite | grep -A4 'android-ffs.tar'
	@echo; echo "== A third phone: an iPhone as an iTunes/Finder backup folder (SHA-1 names; device paths from Manifest.db), its WhatsApp ChatStorage.sqlite with the -wal =="
	@rm -rf $(DEMO)/iphone-backup && python3 corpora/phone/whatsapp-ios/make_containers.py --backup $(DEMO)/iphone-backup
	$(BIN)/exhibit ingest $(DEMO)/iphone-backup --db $(DEMO)/case.sqlite --case DEMO-2024-0001 \
		--examiner "Demo Examiner" --assume-tz Asia/Seoul --item ITEM-5
	@$(BIN)/exhibit files --db $(DEMO)/case.sqlite --evidence iphone-backup --device-path '*ChatStorage.sqlite*'
	@$(BIN)/exhibit messages --db $(DEMO)/case.sqlite --chat '콘서트 친구들' | tail -6
	@echo; echo "== A fourth phone: an encrypted iPhone (iTunes/Finder) backup, generated here by corpora/phone/ios/make_backup.py; its password is read from a 0600 file, used to decrypt every file and never stored =="
	@rm -rf $(DEMO)/iphone-encrypted && python3 corpora/phone/ios/make_backup.py $(DEMO)/iphone-encrypted --encrypted 'demo-Passw0rd'
	@(umask 077 && printf 'demo-Passw0rd\n' > $(DEMO)/iphone-encrypted.password)
	$(BIN)/exhibit ingest $(DEMO)/iphone-encrypted --db $(DEMO)/case.sqlite --case DEMO-2024-0001 \
		--examiner "Demo Examiner" --assume-tz Asia/Seoul --item ITEM-6 --password-file iphone-encrypted=$(DEMO)/iphone-encrypted.password
	@$(BIN)/exhibit files --db $(DEMO)/case.sqlite --evidence iphone-encrypted --device-path '/private/var/mobile/*'
	@echo; echo "== Verify (re-hash evidence, re-check the audit chain) =="
	@$(BIN)/exhibit verify --db $(DEMO)/case.sqlite
	@echo; echo "== Digest of all findings =="
	@$(BIN)/exhibit digest --db $(DEMO)/case.sqlite
	@echo; echo "== Exports and the case report (open demo-out/report.html in a browser; docs/exports.md) =="
	@$(BIN)/exhibit report --db $(DEMO)/case.sqlite --out $(DEMO)/report.html
	@$(BIN)/exhibit export --db $(DEMO)/case.sqlite --format timesketch --out $(DEMO)/timeline.jsonl
	@$(BIN)/exhibit export --db $(DEMO)/case.sqlite --format transcript --out $(DEMO)/transcripts
	@$(BIN)/exhibit export --db $(DEMO)/case.sqlite --format bodyfile --out $(DEMO)/case.body
	@echo; echo "== Timeline excerpt: messages, photos taken and files in one chronology, each with its basis (exhibit timeline) =="
	@$(BIN)/exhibit timeline --db $(DEMO)/case.sqlite --from 2024-08-28T15:00 --to 2024-08-28T15:21
	@echo; echo "== Spread of known media: first appearance and every room it reached (exhibit spread --known) =="
	@$(BIN)/exhibit spread --db $(DEMO)/case.sqlite --known
	@echo; echo "== Spread of the pictures sent in chats (exhibit spread) =="
	@$(BIN)/exhibit spread --db $(DEMO)/case.sqlite --limit 2

# Builds the benchmark corpus on demand (bench-work/, not committed) and rewrites docs/BENCHMARKS.md.
bench: deps
	@for p in time libimage-exiftool-perl sqlite3 hashdeep; do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$p >/dev/null); done
	$(SWIFT) build -c release
	@python3 -c 'import pdqhash, numpy, PIL' 2>/dev/null || pip install --user --break-system-packages -q pdqhash pillow numpy
	@python3 -c 'import chatminer' 2>/dev/null || pip install --user --break-system-packages -q chat-miner
	@# plaso (log2timeline) for the phone suite, in its own venv: ~20 min of wheel builds the first time.
	@test -x bench-work/plaso-venv/bin/log2timeline || (mkdir -p bench-work && python3 -m venv bench-work/plaso-venv \
		&& bench-work/plaso-venv/bin/pip install -q plaso) || echo "plaso not installed: the phone suite runs without it"
	python3 bench/run_bench.py --exhibit .build/release/exhibit --hashspeed .build/release/exhibit-hashspeed --chatbench .build/release/exhibit-chatbench --metabench .build/release/exhibit-metabench --mediabench .build/release/exhibit-mediabench --out docs/BENCHMARKS.md
	@python3 -c 'import sqlite_dissect' 2>/dev/null || pip install --user --break-system-packages -q sqlite-dissect==1.0.0 || true
	python3 bench/recovery_bench.py --bin .build/release/exhibit-recoverybench --out docs/BENCHMARKS.md $(if $(NEMETZ),--nemetz $(NEMETZ))
	@# Lab index (issue 17): a throwaway PostgreSQL; publish rows/s, spread latency, 1-3 workers (LAB_HASHES=100000,1000000,10000000 for the 10 M run).
	python3 bench/lab_bench.py --exhibit .build/release/exhibit --labbench .build/release/exhibit-labbench --out docs/BENCHMARKS.md $(if $(LAB_HASHES),--hashes $(LAB_HASHES))
	@# Spread over 1 and 10 million lab-wide hashes, synthesised in SQL (publishing 10 M through lab_bench.py takes far longer); prints JSON lines.
	python3 bench/lab_spread_scale.py --exhibit .build/release/exhibit --labbench .build/release/exhibit-labbench 1000000 10000000

docs-cli: build
	docs/gen-cli.sh $(BIN)/exhibit

clean:
	rm -rf .build $(DEMO) bench-work
