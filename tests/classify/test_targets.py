"""Targets: named in the measure, else the paper's usual target for the role the measure acts on."""

from __future__ import annotations

import pytest

from pipeline.classify import MentionIndex, inherit_implicit_targets, targets_of
from pipeline.classify.instruments import instrument_text
from pipeline.errors import ConfigError
from pipeline.recognise.actors import actor_mentions
from pipeline.recognise.cues import Lexicon, analyse
from pipeline.segment import segment_layout, verb_lemmas
from pipeline.taxonomy import load_instruments
from pipeline.types import Block, BlockKind, DocumentLayout, Page, Recommendation, Sentence


def _record(n, instruments, targets=(), addressees=("eu",)):
    return Recommendation(
        id=f"paper:{n}", doc_id="paper", text=f"unit {n}", page=1, bbox=None, section=(),
        addressees=tuple(addressees), targets=tuple(targets), instruments=tuple(instruments),
        modality="should", polarity="do", reported=False, score=0.9, sentence_index=n,
    )


def test_untargeted_pressure_takes_the_papers_usual_adversary(config):
    records = [
        _record(0, ["sanctions"], ["russia"]),
        _record(1, ["accountability"], ["russia"]),
        _record(2, ["financial_aid"], ["ukraine"]),
        _record(3, ["sanctions"]),  # "increase pressure" with no object
        _record(4, ["policy_coordination"]),  # acts on no one
    ]
    out = inherit_implicit_targets(records, config.instruments, min_support=2)
    assert out[3].targets == ("russia",) and out[3].targets_inferred
    assert out[4].targets == () and not out[4].targets_inferred
    assert out[0].targets == ("russia",) and not out[0].targets_inferred, "named targets are kept and not marked"


def test_beneficiary_needs_enough_support_and_no_tie(config):
    records = [
        _record(0, ["financial_aid"], ["ukraine"]),
        _record(1, ["mobility_asylum"]),
        _record(2, ["sanctions"], ["russia"]),
        _record(3, ["sanctions"], ["china"]),
        _record(4, ["sanctions"]),
    ]
    out = inherit_implicit_targets(records, config.instruments, min_support=2)
    assert out[1].targets == (), "one named beneficiary is not yet the paper's usual one"
    assert out[4].targets == (), "two adversaries named once each: no usual target"
    assert inherit_implicit_targets(records, config.instruments, min_support=1)[1].targets == ("ukraine",)


def test_an_addressee_is_never_its_own_implicit_target(config):
    records = [_record(0, ["sanctions"], ["russia"]), _record(1, ["sanctions"], ["russia"]),
               _record(2, ["sanctions"], addressees=["russia"])]
    assert inherit_implicit_targets(records, config.instruments, min_support=2)[2].targets == ()


def test_zero_support_turns_inheritance_off(config):
    records = [_record(0, ["sanctions"], ["russia"]), _record(1, ["sanctions"], ["russia"]), _record(2, ["sanctions"])]
    assert inherit_implicit_targets(records, config.instruments, min_support=0)[2].targets == ()


def test_inferred_flag_survives_the_record_round_trip(config):
    records = [_record(0, ["sanctions"], ["russia"]), _record(1, ["sanctions"], ["russia"]), _record(2, ["sanctions"])]
    inferred = inherit_implicit_targets(records, config.instruments, min_support=2)[2]
    assert Recommendation.from_dict(inferred.to_dict()) == inferred


def test_every_shipped_instrument_says_whom_it_acts_on(config):
    roles = {i.id: i.acts_on for i in config.instruments.instruments.values()}
    assert roles["sanctions"] == "adversary" and roles["financial_aid"] == "beneficiary"
    assert roles["policy_coordination"] == "none"


def test_unknown_role_is_a_config_error_naming_the_entry(tmp_path):
    path = tmp_path / "instruments.yaml"
    path.write_text(
        "groups: {economic: Economic}\n"
        "tools: {authority: Authority}\n"
        "instruments:\n"
        "  sanctions: {label: Sanctions, group: economic, tool: authority, definition: restricts,"
        " terms: [sanction], acts_on: enemy}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"instruments\.sanctions\.acts_on.*adversary, beneficiary, none"):
        load_instruments(path)


def _item(text, lead):
    return Sentence(index=0, text=text, page=1, bboxes=(), block_index=0, block_kind=BlockKind.LIST_ITEM,
                    list_lead=lead, start_char=0, end_char=len(text))


class _Cues:
    def __init__(self, verb):
        self.verb = verb


def test_a_bullet_without_a_verb_is_read_with_its_lead_in():
    lead = "Issue arrest warrants for:"
    item = _item("All officials involved in rigged elections;", lead)
    assert instrument_text(item.text, item, _Cues(verb=None)) == f"{lead} {item.text}"
    assert instrument_text(item.text, item, _Cues(verb=object())) == item.text, "a bullet with its own verb stands alone"
    assert instrument_text("Impose sanctions.", None, None) == "Impose sanctions."


def test_a_mis_tagged_imperative_still_has_its_object_as_target(nlp_with_actors, config):
    text = "Deter Kremlin from meddling into the affairs of its neighbours."
    layout = DocumentLayout(doc_id="paper", path="paper.pdf", pages=(
        Page(number=1, width=595.0, height=842.0,
             blocks=(Block(text=text, kind=BlockKind.LIST_ITEM, page=1, bbox=(0.0, 0.0, 1.0, 1.0)),)),))
    doc, sentences = segment_layout(layout, nlp_with_actors)
    mentions = actor_mentions(doc, sentences, "paper", config.actors)
    span = doc.char_span(sentences[0].start_char, sentences[0].end_char, alignment_mode="expand")
    cues = analyse(span, Lexicon.from_patterns(config.patterns), verb_lemmas(nlp_with_actors))
    assert cues.verb is not None and cues.verb.pos_ != "VERB", "the model no longer mis-tags this imperative: pick another"
    assert targets_of(cues, ("eu",), MentionIndex.build(mentions), span) == ("russia",)
