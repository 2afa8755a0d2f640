"""Running heads, running feet and page numbers, found by repetition and position.

A fragment near the top or bottom edge of the page is furniture when the same
text, with its digits masked, sits in the same zone on enough pages of the
document ("Page 3 of 12" and "Page 4 of 12" are the same furniture). A lone
page number ("7", "- 7 -", "vii", "Page 7") in the zone is furniture even on a
one-page document. Nothing here knows any particular document's text.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress

from pipeline.extract.lines import Fragment

_DIGITS = re.compile(r"\d+")
_ROMAN = r"(?=[mdclxvi])m{0,3}(?:c[md]|d?c{0,3})(?:x[cl]|l?x{0,3})(?:i[xv]|v?i{0,3})"
_PAGE_NUMBER = re.compile(
    rf"^[\W_]*(?:(?:page|p\.|seite|página|pagina)\s*)?(?:\d{{1,4}}|{_ROMAN})(?:\s*(?:/|of|de|von)\s*\d{{1,4}})?[\W_]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FurnitureRules:
    zone: float  # share of the page height at the top and at the bottom
    min_repeat: float  # share of the document's pages a text must repeat on
    page_count: int

    @property
    def min_pages(self) -> int:
        return max(2, math.ceil(self.min_repeat * self.page_count))


def zone_of(fragment: Fragment, page_height: float, zone: float) -> str | None:
    """'top' or 'bottom' when the fragment lies in that edge zone, else None."""
    if fragment.bottom <= zone * page_height:
        return "top"
    if fragment.top >= (1.0 - zone) * page_height:
        return "bottom"
    return None


# Edge-zone texts repeat from page to page (that is what running heads do), so
# the two tests on them below remember their answers.
@lru_cache(maxsize=4096)
def masked(text: str) -> str:
    """Text with digits masked and case and spacing folded: the repetition key."""
    return " ".join(_DIGITS.sub("#", text.lower()).split())


@lru_cache(maxsize=4096)
def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


class FurnitureIndex:
    """Counts, over all pages, on how many pages each edge-zone text appears."""

    def __init__(self, zone: float) -> None:
        self.zone = zone
        self._pages_by_key: dict[tuple[str, str], set[int]] = defaultdict(set)

    def _in_edge_zones(self, fragments: list[Fragment], page_height: float) -> list[bool]:
        """Whether each fragment lies in an edge zone (as :func:`zone_of` finds,
        with the zones measured once for the page: most lines are in neither)."""
        top_zone_end, bottom_zone_start = self.zone * page_height, (1.0 - self.zone) * page_height
        return [f.bottom <= top_zone_end or f.top >= bottom_zone_start for f in fragments]

    def add_page(self, page_number: int, fragments: list[Fragment], page_height: float) -> None:
        for fragment in compress(fragments, self._in_edge_zones(fragments, page_height)):
            side = zone_of(fragment, page_height, self.zone)
            if side is not None:
                self._pages_by_key[(side, masked(fragment.raw_text))].add(page_number)

    def furniture_flags(self, fragments: list[Fragment], page_height: float, rules: FurnitureRules) -> list[bool]:
        """:meth:`is_furniture` for each of a page's fragments."""
        in_zones = self._in_edge_zones(fragments, page_height)
        return [in_zone and self.is_furniture(f, page_height, rules) for f, in_zone in zip(fragments, in_zones)]

    def is_furniture(self, fragment: Fragment, page_height: float, rules: FurnitureRules) -> bool:
        side = zone_of(fragment, page_height, self.zone)
        if side is None:
            return False
        if is_page_number(fragment.raw_text):
            return True
        return len(self._pages_by_key.get((side, masked(fragment.raw_text)), ())) >= rules.min_pages
