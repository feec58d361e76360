#!/usr/bin/env bash
# Smoke-runs the metadata parsers under libFuzzer (+ address sanitizer), one parser at a time,
# seeded from corpora/metadata/. Usage: fuzz/run-metadata-fuzz.sh [seconds per parser, default 20]
# Long runs: EXHIBIT_FUZZ_PARSER=jpeg .build-fuzz/debug/exhibit-metadata-fuzz -max_len=65536 \
#            -timeout=5 -rss_limit_mb=1024 /tmp/fuzz-jpeg corpora/metadata/jpeg   (runs until stopped)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
swift build --build-path .build-fuzz --product exhibit-metadata-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >/dev/null
bin=.build-fuzz/debug/exhibit-metadata-fuzz
status=0
for parser in jpeg tiff png webp bmff xmp pdf zip; do
  work="$(mktemp -d)"
  case "$parser" in
    jpeg) seeds=(corpora/metadata/jpeg corpora/metadata/hostile) ;;
    tiff) seeds=(corpora/metadata/tiff) ;;
    png)  seeds=(corpora/metadata/png) ;;
    webp) seeds=(corpora/metadata/webp) ;;
    bmff) seeds=(corpora/metadata/heic corpora/metadata/video) ;;
    xmp)  seeds=(corpora/metadata/jpeg) ;;
    pdf)  seeds=(corpora/metadata/docs) ;;
    zip)  seeds=(corpora/metadata/docs) ;;
  esac
  echo "== $parser ($secs s)"
  if ! EXHIBIT_FUZZ_PARSER="$parser" "$bin" -max_total_time="$secs" -max_len=65536 -timeout=5 \
       -rss_limit_mb=1024 -artifact_prefix="$work/" "$work" "${seeds[@]}" >"$work/log" 2>&1; then
    grep -E 'ERROR|SUMMARY|artifact' "$work/log" || tail -20 "$work/log"
    echo "FAILED: $parser (reproducer kept in $work)"; status=1; continue
  fi
  grep -E '^Done' "$work/log"
  rm -rf "$work"
done
exit $status
