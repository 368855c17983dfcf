#!/usr/bin/env python3
"""Compare an irctest JUnit XML result with expected-failures.txt; print the totals line; exit 1 on a surprise."""

# usage: check.py RESULT.xml EXPECTED.txt [--partial]
# EXPECTED.txt: one test id per line (file.py::Class::test), then its reason; '#' starts a comment.
# Without --partial (the whole selection ran), a listed test that passed is a surprise too: the
# list only shrinks. With --partial only unexpected failures count.

import sys
import xml.etree.ElementTree as ET


def test_id(tc: ET.Element) -> str:
    path = (tc.get("classname") or "").split(".")
    return "/".join(path[:-1]) + ".py::" + path[-1] + "::" + (tc.get("name") or "")


def outcome(tc: ET.Element) -> str:
    tags = {child.tag for child in tc}
    if tags & {"error", "failure"}:
        return "failed"
    if "skipped" in tags:
        return "skipped"
    return "passed"


def load_expected(path: str) -> "dict[str, str]":
    expected = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            test, _, reason = line.partition(" ")
            expected[test] = reason.strip()
    return expected


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    partial = "--partial" in sys.argv
    expected = load_expected(args[1])
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    unexpected, fixed = [], []
    for tc in ET.parse(args[0]).getroot().iter("testcase"):
        kind = outcome(tc)
        counts[kind] += 1
        tid = test_id(tc)
        if kind == "failed" and tid not in expected:
            unexpected.append(tid)
        elif kind == "passed" and tid in expected:
            fixed.append(tid)
    for tid in unexpected:
        print(f"unexpected failure: {tid}")
    if not partial:
        for tid in fixed:
            print(f"now passes (remove it from expected-failures.txt): {tid}")
    print(
        f"irctest: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped ({len(expected)} failures expected)"
    )
    return 1 if unexpected or (fixed and not partial) else 0


if __name__ == "__main__":
    sys.exit(main())
