#!/usr/bin/env bash
# Regenerates docs/cli.md from the built binary's --help (make docs-cli).
set -euo pipefail
bin=${1:-.build/debug/exhibit}
{
  echo "# exhibit commands"; echo
  echo "Generated from \`exhibit <command> --help\` (regenerate with \`make docs-cli\`). Exit codes are part of each command's help; a usage error (unknown option, missing argument, refused value) exits 2 for every command, before anything is written."
  cat <<'EOF'

## Output contract (every command)

- **Times for people.** Every human output (tables of `messages`, `search`, `matches`, `spread`,
  `metadata`, `timeline`; the report; the transcripts) shows a time as the wall clock in the
  case's declared zone with UTC beside it — `2024-08-28 15:12:03 +09:00 (06:12:03Z)`, the UTC date
  written out when it differs — and the basis when it is not `utc`
  (`2024-08-28 15:06:00 +09:00 (06:06:00Z, assumed-zone)`). `--tz ZONE` shows another zone,
  `--tz UTC` UTC alone; without a declared zone UTC is shown alone. The machine's own zone is
  never used.
- **Time filters.** `--from`/`--to` take ISO 8601. A date (`2024-08-28`) is that day in the display
  zone (the case's, or `--tz`); a date-time without an offset is that zone's wall clock; `Z` or an
  offset is taken as written. A date-only `--to` includes the whole local day.
- **JSON.** Every `--json` output (and `timeline --format jsonl`) uses snake_case keys and always
  writes every key — `null` when unknown, never a missing key. Beside every UTC time (`utc`,
  `sent_utc`, …) is its local time in the display zone (`local`, `sent_local`, …,
  `2024-08-28 15:12:03 +09:00`; `null` without a zone or an instant). Keys that are data (status
  names in `status_counts`, metadata time names, reasons in `omitted`) are written as found.
  Renamed by this rule (issue 15): `matches --json` `fileID` → `file_id`, `hashSet` → `hash_set`,
  `matchedHash` → `matched_hash`, `mediaID` → `media_id`, `framesMatched`/`framesKnown` →
  `frames_matched`/`frames_known`, carrying messages' `messageID`/`sentUTC`/`sentRaw`/`exportPath` →
  `message_id`/`sent_utc`/`sent_raw`/`export_path` (and new `sent_basis`); `spread --json`
  `utcMicros` → `utc_micros`, `messageID`/`chatID`/`roomID`/`exportPath` → snake_case;
  `hashset list --json`, `analyzers --json` (`mime_types`, `path_globs`, `needs_bytes`) and the lab
  commands' JSON likewise.
- **Examples** in every help are complete command lines that fit in 80 columns (long ones
  continue with `\`), so they paste into a shell as printed.
EOF
  for c in "" ingest files messages metadata search verify digest analyzers "hashset import" "hashset list" match matches timeline spread case "case set-tz" "case rebuild" export report plugin "plugin new" "plugin test" recovered problems key "key new" "key public" lab "lab init" "lab publish" "lab spread" "lab search" "lab known" "lab submit" "lab worker" "lab status" "lab rebuild" "lab access" "lab hashset import" "lab hashset list" serve; do
    echo; echo "## exhibit $c"; echo; echo '```'; "$bin" $c --help 2>&1; echo '```'
  done
} > docs/cli.md
