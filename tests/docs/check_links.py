#!/usr/bin/env python3
"""Every link in README.md, ARCHITECTURE.md and docs/*.md leads somewhere: a relative link names a
file of the tree, and an #anchor names a heading of its file (as GitHub makes anchors of headings).

    check_links.py SOURCE_DIR

Prints each broken link with its file and line; exits 1 when there is one.
"""
import pathlib
import re
import sys

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def slug(heading):
    """GitHub's anchor of a heading: lower case, markup and punctuation dropped, spaces to '-'."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def lines_outside_code(path):
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def anchors(path):
    seen = {}
    out = set()
    for _, line in lines_outside_code(path):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.add(base if count == 0 else f"{base}-{count}")
    return out


def broken_links(root, path):
    for number, line in lines_outside_code(path):
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            if re.match(r"^[a-z]+:", target):
                continue  # http:, https:, mailto:, man:
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                yield number, target, "no such file"
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                yield number, target, f"no heading '#{anchor}' in {linked.relative_to(root)}"


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    files = [root / "README.md", root / "ARCHITECTURE.md", *sorted((root / "docs").glob("*.md"))]
    failures = 0
    checked = 0
    for path in files:
        for number, target, why in broken_links(root, path):
            failures += 1
            print(f"{path.relative_to(root)}:{number}: ({target}): {why}")
        checked += 1
    print(f"{checked} files checked, {failures} broken links")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
