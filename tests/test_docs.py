"""The README and docs/ as a newcomer reads them: short enough, tables that fit a
screen, and links that lead somewhere."""

import glob
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGES = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
MAX_README_LINES = 300
MAX_CELL = 80  # characters of one table cell; longer text goes into notes below the table
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def text_outside_code(path):
    """The page without its fenced code blocks (their lines are output, not prose)."""
    lines, fenced = [], False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def anchors(path):
    """GitHub's anchors for the page's headings."""
    found = set()
    for line in text_outside_code(path):
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", title)))
    return found


def test_the_readme_fits_in_300_lines():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        assert len(handle.read().splitlines()) <= MAX_README_LINES


def test_no_table_cell_is_wider_than_80_characters():
    wide = []
    for page in PAGES:
        for line in text_outside_code(page):
            if line.startswith("|"):
                cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
                wide += [
                    (os.path.basename(page), c.strip()[:40])
                    for c in cells
                    if len(c.strip()) > MAX_CELL
                ]
    assert not wide, wide


def test_every_link_leads_to_a_file_and_heading_that_exist():
    broken = []
    for page in PAGES:
        for line in text_outside_code(page):
            for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
                if re.match(r"[a-z]+:", target):
                    continue  # a web address
                path, _, anchor = target.partition("#")
                linked = (
                    os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
                )
                if not os.path.exists(linked) or (anchor and anchor not in anchors(linked)):
                    broken.append((os.path.basename(page), target))
    assert not broken, broken
