#!/usr/bin/env python3
"""Prints the `swift test --filter` regular expression selecting every suite and test tagged
`.timeZone` (ExhibitTesting's Tags.swift) under Tests/: `Module.Suite/` for a tagged suite,
`Module.Suite/test(` for a tagged test. Exits 1 when nothing is tagged, so a broken scan can
never make the zone runs pass with zero tests.

This toolchain's `swift test --filter` matches test IDs only (`--filter tag:timeZone` arrives with
swift-testing's tag filters, ST-0025); until then the IDs are read from the tagged declarations.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
attr = re.compile(r'@(Suite|Test)\b')
decl = re.compile(r'\b(struct|final class|class|enum|actor)\s+([A-Za-z_][A-Za-z0-9_]*)|\bfunc\s+([A-Za-z_][A-Za-z0-9_]*)')
patterns = []
for path in sorted(root.glob('*/**/*.swift')):
    module = path.relative_to(root).parts[0]
    text = path.read_text(encoding='utf-8')
    suite = None
    pos = 0
    for m in attr.finditer(text):
        # The attribute's argument list (balanced parentheses), then the declaration it marks.
        i = m.end()
        args = ''
        if i < len(text) and text[i] == '(':
            depth, j = 0, i
            while j < len(text):
                depth += {'(': 1, ')': -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            args, i = text[m.end():j], j
        d = decl.search(text, i)
        if not d:
            continue
        if m.group(1) == 'Suite':
            suite = d.group(2)
            if '.timeZone' in args:
                patterns.append(re.escape(f'{module}.{suite}') + '/')
        else:
            # The suite a test belongs to: the nearest suite type declared before it.
            owner = None
            for t in re.finditer(r'\b(?:struct|final class|class|enum|actor)\s+([A-Za-z_][A-Za-z0-9_]*)', text[:m.start()]):
                owner = t.group(1)
            if '.timeZone' in args and d.group(3) and owner:
                patterns.append(re.escape(f'{module}.{owner}/{d.group(3)}') + r'\(')
if not patterns:
    sys.exit('timezone-filter: no suite or test is tagged .timeZone under Tests/')
print('|'.join(sorted(set(patterns))))
