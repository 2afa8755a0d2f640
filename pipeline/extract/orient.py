"""Turn a page so that its text reads upright.

A landscape table stored sideways (``/Rotate 90`` over upright content, or
content drawn rotated) has glyphs that run down or up the displayed page. The
layout analysis only reads left to right, so the page is turned into the frame
in which its dominant text direction reads left to right. Glyphs running in
another direction (an arXiv stamp in the margin, a rotated axis label) are
dropped: they are not body text.
"""

from __future__ import annotations

from collections import Counter
from operator import itemgetter

from pipeline.extract.glyphs import Glyph, PageGlyphs


_DIRECTION = itemgetter(6)  # Glyph.direction


def dominant_direction(glyphs: list[Glyph]) -> int:
    """The direction most glyphs on the page run in (0 when there are none)."""
    if not glyphs:
        return 0
    counts = Counter(map(_DIRECTION, glyphs))
    return counts.most_common(1)[0][0]


def _turn(g: Glyph, direction: int, width: float, height: float) -> Glyph:
    """Express a glyph's box in the frame where ``direction`` reads left to right."""
    if direction == 90:  # text runs down the page: x' = y, y' = width - x
        return g._replace(x0=g.top, x1=g.bottom, top=width - g.x1, bottom=width - g.x0, direction=0)
    if direction == 180:  # upside down
        return g._replace(x0=width - g.x1, x1=width - g.x0, top=height - g.bottom, bottom=height - g.top, direction=0)
    # 270: text runs up the page: x' = height - y, y' = x
    return g._replace(x0=height - g.bottom, x1=height - g.top, top=g.x0, bottom=g.x1, direction=0)


def upright(page: PageGlyphs) -> tuple[list[Glyph], float, float, int]:
    """The page's glyphs in its reading frame, that frame's width and height, and
    the clockwise turn (0/90/180/270) applied to the displayed page to get it."""
    direction = dominant_direction(page.glyphs)
    if direction == 0 and not any(map(_DIRECTION, page.glyphs)):
        return page.glyphs, page.width, page.height, 0  # the common case: all upright
    kept = [g for g in page.glyphs if g.direction == direction]
    if direction == 0:
        return kept, page.width, page.height, 0
    turned = [_turn(g, direction, page.width, page.height) for g in kept]
    if direction == 180:
        return turned, page.width, page.height, 180
    # Turning a quarter swaps the page's sides. Text running down (90) is read
    # after turning the page a quarter counter-clockwise, i.e. 270 clockwise.
    return turned, page.height, page.width, 360 - direction
