# Exhibit — the two commands a newcomer needs are `make demo` and `make test`.
# Both install what they need (Debian packages) first, so they work on a fresh machine.

SHELL := /bin/bash
SWIFT ?= swift
# Debian packages: C libraries we link, and the real tools tests use to make fixtures.
APT_PACKAGES := libarchive-dev libarchive-tools libmagic-dev libmagic-mgc libsqlite3-dev libxml2-dev \
	p7zip-full zip unzip zstd lz4 xz-utils bzip2 lzip cpio xorriso gcab binutils python3 file
# Plugins: kernel headers for Landlock and namespaces (Sources/CSandbox), libseccomp (Sources/CSeccomp).
APT_PACKAGES += linux-libc-dev libseccomp-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/debug
DEMO := demo-out

.PHONY: deps build test test-long demo bench clean docs-cli

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

# A short libFuzzer smoke run of every metadata parser (fuzz/README.md for long runs), then the
# whole suite once (under America/New_York), then every time-related suite again under UTC and
# Asia/Seoul: findings must not depend on the machine's zone.
test: deps
	$(SWIFT) build --build-tests
	fuzz/run-metadata-fuzz.sh 5
	TZ=America/New_York $(SWIFT) test --skip-build
	TZ=UTC $(SWIFT) test --skip-build --filter 'Time'
	TZ=Asia/Seoul $(SWIFT) test --skip-build --filter 'Time'

# Suites too slow for CI: 60 kill points over a 10,000-file corpus (CI: 20 over 3,000).
test-long: deps
	$(SWIFT) build --build-tests
	EXHIBIT_LONG=1 TZ=Asia/Seoul $(SWIFT) test --skip-build

demo: build
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
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
	@echo; echo "== An external analyzer plugin (plugins/examples/android-sms, Python): the phone's SMS store =="
	$(BIN)/exhibit ingest corpora/sample-case/android-sms.zip --db $(DEMO)/case.sqlite --case DEMO-2024-0001 \
		--examiner "Demo Examiner" --assume-tz Asia/Seoul --item ITEM-3 --plugins plugins/examples/android-sms
	@$(BIN)/exhibit analyzers --plugins plugins/examples/android-sms | grep -A2 '^android-sms'
	@$(BIN)/exhibit messages --db $(DEMO)/case.sqlite --chat +8210
	@echo; echo "== Verify (re-hash evidence, re-check the audit chain) =="
	@$(BIN)/exhibit verify --db $(DEMO)/case.sqlite
	@echo; echo "== Digest of all findings =="
	@$(BIN)/exhibit digest --db $(DEMO)/case.sqlite

# Builds the benchmark corpus on demand (bench-work/, not committed) and rewrites docs/BENCHMARKS.md.
bench: deps
	@for p in time libimage-exiftool-perl; do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$p >/dev/null); done
	$(SWIFT) build -c release
	python3 bench/run_bench.py --exhibit .build/release/exhibit --hashspeed .build/release/exhibit-hashspeed --chatbench .build/release/exhibit-chatbench --metabench .build/release/exhibit-metabench --out docs/BENCHMARKS.md

docs-cli: build
	docs/gen-cli.sh $(BIN)/exhibit

clean:
	rm -rf .build $(DEMO) bench-work
