"""Addressees: the subject of the prescription, else the list lead-in, the heading, the declared audience."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from pipeline.classify import AddresseeResolver, MentionIndex, modality_of, polarity_of, targets_of
from pipeline.recognise.cues import Lexicon, analyse
from pipeline.segment import segment_layout, verb_lemmas
from pipeline.types import Block, BlockKind, DocumentLayout, EntityMention, Page

# Hand-made gazetteer for these constructed documents: the real one is tested in tests/recognise.
ACTORS = {
    "European Union": "eu",
    "EU": "eu",
    "NATO": "nato",
    "Lithuania": "lithuania",
    "the regime": "lukashenka_regime",
    "European Parliament": "eu",
    "civil society": "belarus_civil_society",
    "Russia": "russia",
    "Germany": "germany",
    "Chile": "chile",
}


def _mentions(doc, doc_id="constructed"):
    found = []
    for name, actor in ACTORS.items():
        for match in re.finditer(rf"\b{re.escape(name)}\b", doc.text):
            if any(m.start_char <= match.start() < m.end_char for m in found):
                continue
            found.append(EntityMention(doc_id, name, "ACTOR", actor, 1, None, 0, match.start(), match.end()))
    return found


def _layout(blocks):
    return DocumentLayout(
        doc_id="constructed",
        path="constructed.pdf",
        pages=(Page(number=1, width=595.0, height=842.0, blocks=tuple(blocks)),),
    )


def _block(text, kind=BlockKind.PARAGRAPH, level=None):
    return Block(text=text, kind=kind, page=1, bbox=(0.0, 0.0, 1.0, 1.0), level=level)


@pytest.fixture(scope="module")
def analysed(nlp, config):
    lex = Lexicon.from_patterns(config.patterns)

    def _run(blocks):
        doc, sentences = segment_layout(_layout(blocks), nlp)
        index = MentionIndex.build(_mentions(doc))
        resolver = AddresseeResolver(doc, sentences, index, lex)
        verbs = verb_lemmas(nlp)
        out = {}
        for s in sentences:
            span = doc.char_span(s.start_char, s.end_char, alignment_mode="expand")
            cues = analyse(span, lex, verbs)
            addressees = resolver.explicit(cues) or resolver.contextual(s)
            out[s.text] = (addressees, cues, targets_of(cues, addressees, index, span), modality_of(cues, s.text, lex), polarity_of(cues, lex))
        return out

    return _run


def test_explicit_subject_is_the_addressee(analysed):
    out = analysed([_block("NATO should increase pressure on Russia in Lithuania.")])
    addressees, _, targets, modality, polarity = out["NATO should increase pressure on Russia in Lithuania."]
    assert addressees == ("nato",)
    assert targets == ("russia",), "a place (in Lithuania) is not a target; the one pressed (on Russia) is"
    assert (modality, polarity) == ("should", "do")


def test_imperative_bullets_inherit_the_lead_in(analysed):
    out = analysed(
        [
            _block("Recommendations", BlockKind.HEADING, level=1),
            _block("The EU should:"),
            _block("• Introduce targeted sanctions against the regime.", BlockKind.LIST_ITEM),
            _block("• Support civil society.", BlockKind.LIST_ITEM),
        ]
    )
    assert out["Introduce targeted sanctions against the regime."][0] == ("eu",)
    assert out["Introduce targeted sanctions against the regime."][2] == ("lukashenka_regime",)
    assert out["Support civil society."][0] == ("eu",)
    assert out["Support civil society."][2] == ("belarus_civil_society",)


def test_imperatives_inherit_the_section_heading(analysed):
    out = analysed(
        [
            _block("Recommendations for NATO", BlockKind.HEADING, level=1),
            _block("Strengthen deterrence on the eastern flank."),
        ]
    )
    assert out["Strengthen deterrence on the eastern flank."][0] == ("nato",)


def test_a_heading_ending_in_its_recommenders_does_not_address_them(analysed):
    # a UPR item broken at a line, its tail read as a heading: the states in parentheses made it
    out = analysed(
        [
            _block("Rights (Germany) (Chile);", BlockKind.HEADING, level=2),
            _block("Strengthen the independence of the national human rights institution."),
        ]
    )
    assert out["Strengthen the independence of the national human rights institution."][0] == ()


def test_heading_that_names_a_target_is_not_an_addressee(analysed):
    out = analysed(
        [
            _block("This paper provides recommendations for Lithuania and NATO."),
            _block("Policy towards Russia", BlockKind.HEADING, level=1),
            _block("Keep the channels of communication open."),
        ]
    )
    assert out["Keep the channels of communication open."][0] == ("lithuania", "nato")


def test_declared_audience_is_the_last_resort(analysed):
    out = analysed(
        [
            _block("Summary", BlockKind.HEADING, level=1),
            _block("Finally, this paper provides policy recommendations for Lithuania, the EU and NATO."),
            _block("Conclusions", BlockKind.HEADING, level=1),
            _block("It is necessary to document all crimes."),
        ]
    )
    assert out["It is necessary to document all crimes."][0] == ("lithuania", "eu", "nato")
    assert out["It is necessary to document all crimes."][3] == "must"


def test_reported_call_addresses_the_one_called_on(analysed):
    out = analysed([_block("The European Parliament called on the EU to freeze all fund transfers to the regime.")])
    addressees, cues, targets, _, _ = out["The European Parliament called on the EU to freeze all fund transfers to the regime."]
    assert cues.reported
    assert addressees == ("eu",)
    assert targets == ("lukashenka_regime",)


def test_refrain_and_could(analysed):
    out = analysed([_block("The EU should not lift sanctions on the regime."), _block("NATO could consider new exercises.")])
    assert out["The EU should not lift sanctions on the regime."][4] == "refrain"
    assert out["NATO could consider new exercises."][3] == "could"


TOPIC_ACTORS = {"NATO": "nato", "Belarus": "belarus", "the West": "west"}
# A taxonomy with one actor anchored in Belarus makes Belarus a topic country.
TOPIC_TAXONOMY = SimpleNamespace(actors={"regime": SimpleNamespace(anchor="belarus")}, demonym_owner=lambda text: None)


def _explicit_with_topic(nlp, config, texts):
    lex = Lexicon.from_patterns(config.patterns)
    doc, sentences = segment_layout(_layout([_block(t) for t in texts]), nlp)
    mentions = [
        EntityMention("constructed", name, "ACTOR", actor, 1, None, 0, m.start(), m.end())
        for name, actor in TOPIC_ACTORS.items()
        for m in re.finditer(rf"\b{re.escape(name)}\b", doc.text)
    ]
    resolver = AddresseeResolver(doc, sentences, MentionIndex.build(mentions), lex, TOPIC_TAXONOMY)
    verbs = verb_lemmas(nlp)
    return {
        s.text: resolver.explicit(analyse(doc.char_span(s.start_char, s.end_char, alignment_mode="expand"), lex, verbs))
        for s in sentences
    }


def test_a_topic_country_acts_only_as_the_head_of_its_phrase(nlp, config):
    out = _explicit_with_topic(nlp, config, [
        "Belarus should hold free elections.",
        "NATO's Belarus strategy must change.",
        "Belarus's rulers should step down.",
        "It is important to prevent the isolation of Belarus.",
        "NATO and Belarus should reopen talks.",
    ])
    assert out["Belarus should hold free elections."] == ("belarus",)
    assert out["NATO's Belarus strategy must change."] == ("nato",), "the topic country only says which strategy"
    assert out["Belarus's rulers should step down."] == (), "the rulers act, not the country that owns them"
    assert out["It is important to prevent the isolation of Belarus."] == (), "the country is what the measure is about"
    assert out["NATO and Belarus should reopen talks."] == ("nato", "belarus"), "a conjoined head still acts"
