"""Turn a page so that its text reads upright.

A landscape table stored sideways (``/Rotate 90`` over upright content, or
content drawn rotated) has glyphs that run down or up the displayed page. The
layout analysis only reads left to right, so the page is turned into the frame
in which its dominant text direction reads left to right. Glyphs running in
another direction (an arXiv stamp in the margin, a rotated axis label) are
dropped: they are not body text.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from pipeline.extract.glyphs import GlyphArrays, PageGlyphs

# Points from the page origin beyond which a glyph is on no page: PDF pages are
# at most 14,400 units (200 inches) wide, and even a large UserUnit keeps them
# well inside this.
MAX_COORDINATE = 1.0e6


def dominant_direction(glyphs: GlyphArrays) -> int:
    """The direction most glyphs on the page run in (0 when there are none);
    of directions used equally often, the one met first."""
    if not len(glyphs):
        return 0
    directions, first_seen, counts = np.unique(glyphs.direction, return_index=True, return_counts=True)
    most = counts == counts.max()
    return int(directions[most][np.argmin(first_seen[most])])


def _turn(g: GlyphArrays, direction: int, width: float, height: float) -> GlyphArrays:
    """Express the glyphs' boxes in the frame where ``direction`` reads left to right."""
    if direction == 90:  # text runs down the page: x' = y, y' = width - x
        x0, x1, top, bottom = g.top, g.bottom, width - g.x1, width - g.x0
    elif direction == 180:  # upside down
        x0, x1, top, bottom = width - g.x1, width - g.x0, height - g.bottom, height - g.top
    else:  # 270: text runs up the page: x' = height - y, y' = x
        x0, x1, top, bottom = height - g.bottom, height - g.top, g.x0, g.x1
    return dataclasses.replace(g, x0=x0, x1=x1, top=top, bottom=bottom, direction=np.zeros_like(g.direction))


def placeable(glyphs: GlyphArrays) -> GlyphArrays:
    """The glyphs whose boxes are finite and within :data:`MAX_COORDINATE` of the
    page origin. A damaged file can place a glyph at 1e15 or NaN; it is not on
    any page, and measuring the page across it would exhaust memory."""
    boxes = np.stack((glyphs.x0, glyphs.x1, glyphs.top, glyphs.bottom))
    inside = (np.abs(boxes) <= MAX_COORDINATE).all(axis=0)  # False for NaN too
    return glyphs if inside.all() else glyphs.take(np.flatnonzero(inside))


def upright(page: PageGlyphs) -> tuple[GlyphArrays, float, float, int]:
    """The page's placeable glyphs in its reading frame, that frame's width and
    height, and the clockwise turn (0/90/180/270) applied to the displayed page
    to get it."""
    glyphs = placeable(page.glyphs)
    if not glyphs.direction.any():
        return glyphs, page.width, page.height, 0  # the common case: all upright
    direction = dominant_direction(glyphs)
    kept = glyphs.take(np.flatnonzero(glyphs.direction == direction))
    if direction == 0:
        return kept, page.width, page.height, 0
    turned = _turn(kept, direction, page.width, page.height)
    if direction == 180:
        return turned, page.width, page.height, 180
    # Turning a quarter swaps the page's sides. Text running down (90) is read
    # after turning the page a quarter counter-clockwise, i.e. 270 clockwise.
    return turned, page.height, page.width, 360 - direction
