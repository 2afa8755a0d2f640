"""Each family of prescription cues, read off the real parse of small sentences."""

from __future__ import annotations

import pytest

from pipeline.recognise.cues import Lexicon, analyse, measure_text
from pipeline.recognise.recommendations import verb_lemmas


@pytest.fixture(scope="module")
def read(nlp, config):
    lex = Lexicon.from_patterns(config.patterns)
    verbs = verb_lemmas(nlp)

    def _read(text: str):
        doc = nlp(text)
        return analyse(doc[:], lex, verbs)

    return _read


@pytest.mark.parametrize(
    ("text", "form", "modal"),
    [
        ("Western governments should be ready to increase both pressure and incentives.", "modal", "should"),
        ("The Alliance must strengthen its eastern flank.", "modal", "must"),
        ("Donors ought to fund independent media.", "modal", "ought"),
        ("The Commission could consider a visa facilitation scheme.", "modal", "could"),
        ("The government needs to release all political prisoners.", "semi_modal", "need"),
        ("Member states have to coordinate their positions.", "semi_modal", "have"),
    ],
)
def test_deontic_modal_with_subject(read, text, form, modal):
    cues = read(text)
    assert cues.form == form
    assert cues.modal == modal
    assert cues.subject, "the subject of the prescription is found"
    assert not cues.negated


@pytest.mark.parametrize(
    "text",
    [
        "Introduce targeted personal sanctions against members of the parliament.",
        "Immediately impose restrictive measures against the regime.",
        "• Strengthen support for independent journalists.",
        "3. Ratify the Optional Protocol to the Convention against Torture.",
    ],
)
def test_imperative_at_start_of_unit(read, text):
    cues = read(text)
    assert cues.form == "imperative"
    assert cues.verb is not None and cues.verb.lemma_.lower() in {"introduce", "impose", "strengthen", "ratify"}


def test_capitalised_imperative_heading_is_recognised(read):
    cues = read("B. Recognize the Coordination Council as a legitimate partner")
    assert cues.form == "imperative"
    assert cues.first_word_verb


@pytest.mark.parametrize(
    "text",
    [
        "We recommend that the Council adopt a new strategy.",
        "We urge the Government to ratify the convention.",
        "We call on all states to refrain from recognising the election.",
    ],
)
def test_performative_by_the_author(read, text):
    cues = read(text)
    assert cues.form == "performative"
    assert cues.author_subject
    assert not cues.reported


@pytest.mark.parametrize(
    "text",
    [
        "It is necessary to establish an international investigation mechanism.",
        "It is essential that donors coordinate their support.",
        "It is crucial for the EU to keep channels open.",
    ],
)
def test_impersonal_prescription(read, text):
    assert read(text).form == "impersonal"


def test_impersonal_prescription_names_who_for(read):
    cues = read("It is crucial for the EU to keep channels open.")
    assert [t.text for t in cues.addressee_tokens] == ["EU"]


def test_passive_prescription(read):
    cues = read("The Government is urged to adopt a national action plan.")
    assert cues.form == "passive"
    assert [t.text for t in cues.subject] == ["Government"]
    assert cues.verb.lemma_ == "adopt"


@pytest.mark.parametrize(
    "text",
    [
        "The European Parliament called on the EU to freeze all fund transfers.",
        "The Committee recommended that the State party strengthen its legislation.",
    ],
)
def test_reported_call(read, text):
    cues = read(text)
    assert cues.reported
    assert not cues.author_subject


def test_negation_gives_refrain(read):
    assert read("The EU should not lift the sanctions.").negated
    assert read("Avoid any direct contact with the regime.").negated


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Russia will continue to support the regime.", "prediction"),
        ("If the West expands its tools, a chance could emerge.", "conditional"),
        ("Should the EU engage with the regime?", "question"),
    ],
)
def test_non_prescriptive_markers(read, text, flag):
    assert getattr(read(text), flag)


def test_description_has_no_prescription_form(read):
    assert read("The EU imposed sanctions in 2021.").form == "none"


def test_measure_text_is_the_verb_phrase_without_subject_or_modal(read):
    cues = read("The EU should impose targeted sanctions on the regime's business allies.")
    assert measure_text(cues) == "impose targeted sanctions on the regime's business allies"


def test_measure_text_keeps_the_document_spelling_and_drops_trailing_clauses(read):
    cues = read("Continue non-recognition of the ruler, as long as repressions go on.")
    assert measure_text(cues) == "continue non-recognition of the ruler"


@pytest.mark.parametrize(
    "text",
    [
        "General Assembly Distr.: General",
        "Amendments introduced in 2023 required listed companies to report their emissions.",
        "Cover image: Police guard an exit of the metro.",
    ],
)
def test_names_and_past_necessity_are_not_prescriptions(read, text):
    assert read(text).form == "none"


@pytest.mark.parametrize(
    "text",
    ["G. Support Belarusian civil society in and outside the country.", "I. Deter Kremlin from meddling into the affairs of neighbours."],
)
def test_capitalised_imperative_before_a_proper_noun(read, text):
    assert read(text).form == "imperative"
