"""The gazetteer and mention ids for the world's actors, on real sentences of the labelled set."""

from __future__ import annotations

import pytest
import spacy

from pipeline.config import load_config
from pipeline.recognise.actors import actor_mentions, add_actor_ruler
from tests.recognise.test_actors import TAXONOMY, sentence_records


@pytest.fixture(scope="module")
def nlp():
    return add_actor_ruler(spacy.load(load_config().get("segment.model")), TAXONOMY)


def mention_ids(nlp, text: str) -> set[str | None]:
    doc = nlp(text)
    return {m.actor_id for m in actor_mentions(doc, sentence_records(doc), "t", TAXONOMY)}


# Units of labelled/annotations/*.jsonl (never the evaluation documents) that
# name their addressee; the labelled addressees must be among the mentions.
LABELLED = [
    ("CMS should also offer design instructions to better ensure the operability of prepayment controls.", {"us"}),
    ("HHS and FDA should ensure that their managers have adequate guidance in such cases.", {"us"}),
    ("Submit a plan to OMB that details the expectations and timelines for onboarding non-CFO Act agencies to the SSP.", {"us"}),
    ("Requests the African Union (AU) to continue to develop and update the CONOPS in line with the updated Somali-led "
     "Transition Plan, and in close collaboration with the FGS, the UN and key partners;", {"african_union", "un"}),
    ("Furthermore, it is long overdue for technology companies to directly address the cultures of exclusion and "
     "discrimination in the workplace.", {"private_sector"}),
    ("Turkey encouraged Estonia to continue the naturalization process by providing the necessary assistance to "
     "citizenship applicants.", {"estonia"}),
    ("China called upon the international community to provide constructive assistance to Seychelles.",
     {"international_community"}),
    ("It acknowledged the challenges in addressing the growing impact of climate change and encouraged Micronesia to "
     "draw on available international technical assistance and expertise in that area.", {"micronesia"}),
]


@pytest.mark.parametrize(("text", "addressees"), LABELLED)
def test_labelled_units_name_their_addressees(nlp, text, addressees):
    assert addressees <= mention_ids(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Sudanese Government should release all detainees.", "sudan"),
        ("Slovenian authorities must ratify the convention.", "slovenia"),
        ("The Emirati authorities should open an inquiry.", "uae"),
        ("US officials should brief the committee.", "us"),
        ("The Committee against Torture recommended that the State party act.", "un"),
        ("Congress should amend the statute.", "us"),
        ("HM Treasury should publish the guidance.", "uk"),
    ],
)
def test_the_gazetteer_finds_organs_and_demonym_phrases(nlp, text, expected):
    assert expected in mention_ids(nlp, text)


def test_a_capital_names_its_government_only_as_the_subject(nlp):
    assert "south_korea" in mention_ids(nlp, "Seoul should resume talks with its neighbours.")
    assert "south_korea" not in mention_ids(nlp, "The delegates met in Seoul in May.")


BELARUS = ("Belarus held an election. Observers left Belarus early. The crisis in Belarus deepened. "
           "Donors should fund civil society.")


def test_civil_society_is_belarusian_only_in_a_paper_about_belarus(nlp):
    assert "belarus_civil_society" in mention_ids(nlp, BELARUS)
    assert "civil_society" not in mention_ids(nlp, BELARUS)
    elsewhere = mention_ids(nlp, "Kenya held an election. Donors should fund civil society.")
    assert "civil_society" in elsewhere and "belarus_civil_society" not in elsewhere
