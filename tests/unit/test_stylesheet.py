"""The stylesheet's blocks close where they should: a brace lost in a merge once put every rule
after a print-only block inside it, and the accounting pages lost their looks on screen."""

import re
from pathlib import Path

STYLESHEET = Path(__file__).parents[2] / "web" / "static" / "steady.css"
SECTION = "/* --"  # a section's heading comment, always at the top level


def depths(text: str) -> list[tuple[int, int, str]]:
    """(line, depth of the block it opens in, what starts there) for each section heading,
    and the final depth as (0, depth, "end")."""
    found = []
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(SECTION):
            found.append((number, depth, line.strip()[:60]))
        code = re.sub(r"/\*.*?\*/", "", line)
        code = re.sub(r"\"[^\"]*\"|'[^']*'", "", code)
        for ch in code:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            assert depth >= 0, f"line {number}: a brace closes what was never opened"
    found.append((0, depth, "end"))
    return found


def test_every_block_closes_and_every_section_starts_at_the_top_level():
    text = STYLESHEET.read_text()
    assert SECTION in text
    nested = [(line, what) for line, depth, what in depths(text) if depth != 0]
    assert nested == [], "a block left open before these (line, section):"
