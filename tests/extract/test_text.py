"""Joining lines: line-end hyphenation rules and the document's vocabulary."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract.glyphs import is_bold_font, normalise_char
from pipeline.extract.text import Vocabulary, ends_sentence, join_lines


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("a broad self-", "organization of citizens", "a broad self-organization of citizens"),
        ("the pro-", "democracy movement", "the pro-democracy movement"),
        ("the organi-", "zation of aid", "the organization of aid"),
        ("the Belarus-", "Russia border", "the Belarus-Russia border"),
        ("after COVID-", "19 changed", "after COVID-19 changed"),
        ("the white-red-", "white flag", "the white-red-white flag"),
        ("voters to check-", "in their ballots", "voters to check-in their ballots"),
        ("the inter-", "national partners", "the international partners"),
        ("last, but not least –", "organizing", "last, but not least – organizing"),
        ("a dash -", "like this", "a dash - like this"),
        ("no hyphen", "here", "no hyphen here"),
    ],
)
def test_join_lines_without_vocabulary(first, second, joined):
    assert join_lines(first, second) == joined


def test_the_document_decides_when_it_can():
    vocabulary = Vocabulary()
    vocabulary.add_lines(["counter-measures work well", "a document about the soviet", "type of state and its president"])
    assert join_lines("favour counter-", "measures now", vocabulary) == "favour counter-measures now"
    assert join_lines("the pre-", "sident said", vocabulary) == "the president said"
    assert join_lines("the Soviet-", "type state", vocabulary) == "the Soviet-type state"
    assert join_lines("the rail-", "ways", vocabulary) == "the railways"


def test_the_half_word_at_a_line_end_is_not_vocabulary():
    vocabulary = Vocabulary()
    vocabulary.add_line("the movement relied on organi-")
    assert "organi" not in vocabulary and "movement" in vocabulary


@pytest.mark.parametrize(("raw", "clean"), [("ﬁ", "fi"), ("ﬂ", "fl"), ("\u00a0", " "), ("\u00ad", ""), ("\u200b", ""), ("é", "é"), ("\ufeff", "")])
def test_glyph_text_is_normalised(raw, clean):
    assert normalise_char(raw) == clean


@pytest.mark.parametrize(("name", "bold"), [("ABCDEF+OpenSans-Bold", True), ("Carlito-Bold", True), ("Open-Sans-Semi-Bold", True), ("Arial,Bold", True), ("GICQRP+Carlito", False), ("Helvetica-Oblique", False), ("BOLDFACE+Times-Roman", False)])
def test_bold_is_read_from_the_font_name(name, bold):
    assert is_bold_font(name) is bold


@pytest.mark.parametrize(("text", "ends"), [("It worked.", True), ("“a quote.”", True), ("the list:", True), ("and the", False), ("(see below)", False)])
def test_ends_sentence(text, ends):
    assert ends_sentence(text) is ends


# The words _WORDS finds in a text: what Vocabulary.add_lines must collect, by
# whichever route (ASCII text takes a faster one).
_WORDS_REFERENCE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# SENTENCE_END searched over the whole text: what ends_sentence must answer.
_SENTENCE_END_REFERENCE = re.compile(r"[.!?…:;][\"'”’»)\]]*$")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet="abXY-- .,'1_\n\t\x0b\x1c\x7féß’²", max_size=14), max_size=5))
def test_vocabulary_collects_the_words_the_pattern_finds(lines):
    vocabulary = Vocabulary()
    vocabulary.add_lines(lines)
    kept = "\n".join((line[: line.rfind(" ") + 1] if " " in line else "") if line.endswith("-") else line for line in lines)
    assert vocabulary.words == set(_WORDS_REFERENCE.findall(kept.lower()))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab .!?…:;\"'”’»)]\n\t\u2028\u00a0(", max_size=10))
def test_ends_sentence_answers_as_the_pattern_does(text):
    assert ends_sentence(text) is bool(_SENTENCE_END_REFERENCE.search(text.rstrip()))
