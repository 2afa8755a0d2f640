"""Issuers: the recommending states in parentheses, the reporting body, the document's issuer.

Sentences are real units of the labelled set (labelled/annotations), not of the evaluation documents.
"""

from __future__ import annotations

import pytest

from pipeline.classify.issuers import issuer_reason, parenthesis_start, recommending_states, unit_issuers
from pipeline.config import load_config


@pytest.fixture(scope="module")
def actors():
    return load_config().actors


@pytest.mark.parametrize(("text", "expected"), [
    ("Ratify CED as soon as possible (Germany)", ("germany",)),
    ("Consider the possibility of ratifying the Optional Protocols to ICCPR, CEDAW, CRC, CRPD and CED (Argentina)",
     ("argentina",)),
    ("Consider, gradually, the ratification of the Optional Protocols to CRC and other instruments (Chile);", ("chile",)),
    ("Introduce targeted personal sanctions against all members of both chambers of the so-called parliament and "
     "their immediate relatives (including spouses).", ()),
])
def test_recommending_states_are_read_from_the_closing_parenthesis_only_when_all_are_actors(actors, text, expected):
    assert recommending_states(text, actors) == expected


def test_the_parenthesis_is_located_so_its_states_can_be_kept_out_of_the_addressees():
    text = "Ratify CED as soon as possible (Germany)"
    assert text[parenthesis_start(text):] == "(Germany)"
    assert parenthesis_start("Ratify CED as soon as possible.") is None


def test_issuers_prefer_the_recommenders_then_the_reporting_body_then_the_document():
    assert unit_issuers(("germany",), ("un",), False, ("un",), "review_or_compilation") == ("germany",)
    assert unit_issuers((), ("uk",), True, ("un",), "resolution") == ("uk",)
    assert unit_issuers((), (), False, ("us",), "audit") == ("us",)
    assert unit_issuers((), (), False, (), "paper_or_brief") == ()


def test_a_reported_call_nobody_is_named_for_is_the_answered_bodys_in_a_government_response():
    # the quoted recommendations of a committee of the responding state
    assert unit_issuers((), (), True, ("uk",), "government_response", {"uk"}) == ("uk",)
    # elsewhere an unattributed reported call has no issuer: the author only reports it
    assert unit_issuers((), (), True, ("uk",), "committee_report", {"uk"}) == ()


def test_a_unit_without_issuers_says_why():
    assert issuer_reason((), False, "paper_or_brief").startswith("the document is written by individual authors")
    assert issuer_reason(("us",), False, "audit") is None


def test_states_that_made_a_recommendation_alike_are_all_its_recommenders(config):
    # two closing parentheses, as a UPR report prints one recommendation made by two states
    assert recommending_states("Consider ratifying the ICRMW (Morocco) (Turkey);", config.actors) == ("morocco", "turkey")
