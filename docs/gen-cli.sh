#!/usr/bin/env bash
# Regenerates docs/cli.md from the built binary's --help (make docs-cli).
set -euo pipefail
bin=${1:-.build/debug/exhibit}
{
  echo "# exhibit commands"; echo
  echo "Generated from \`exhibit <command> --help\` (regenerate with \`make docs-cli\`). Exit codes are part of each command's help; a usage error (unknown option, missing argument, refused value) exits 2 for every command, before anything is written."
  for c in "" ingest files messages metadata search verify digest analyzers "hashset import" "hashset list" match matches timeline spread case "case set-tz" "case rebuild" export report plugin "plugin new" "plugin test" recovered problems key "key new" "key public" lab "lab init" "lab publish" "lab spread" "lab search" "lab known" "lab submit" "lab worker" "lab status" "lab rebuild" "lab access" "lab hashset import" "lab hashset list" serve; do
    echo; echo "## exhibit $c"; echo; echo '```'; "$bin" $c --help 2>&1; echo '```'
  done
} > docs/cli.md
