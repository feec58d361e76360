#!/usr/bin/env bash
# `swift format lint` over Sources, plugins and Tests with the rules of .swift-format (Tests/.swift-format
# for the tests). The layout findings of swift-format's pretty printer (Indentation, AddLines, RemoveLine,
# Spacing, TrailingComma, TrailingWhitespace, LineLength, EndOfLineComment) cannot be switched off in its
# configuration and would demand a mass reformat of code whose layout is deliberate, so they are dropped
# here; every finding of a rule fails `make test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
layout='\[(Indentation|AddLines|RemoveLine|Spacing|TrailingComma|TrailingWhitespace|LineLength|EndOfLineComment)\]'
out=$(${SWIFT:-swift} format lint --recursive --parallel Sources plugins Tests 2>&1 || true)
if ! grep -qE 'warning: \[|error: \[' <<<"$out" && grep -q . <<<"$out"; then
    echo "swift format lint did not run as expected:" >&2; echo "$out" >&2; exit 2
fi
findings=$(grep -E '(warning|error): \[' <<<"$out" | grep -vE "$layout" || true)
if [ -n "$findings" ]; then
    echo "$findings" >&2
    echo "swift format lint: $(wc -l <<<"$findings") finding(s) (rules in .swift-format, Tests/.swift-format)" >&2
    exit 1
fi
echo "swift format lint: no rule findings ($(grep -cE "$layout" <<<"$out" || true) layout findings ignored)"
