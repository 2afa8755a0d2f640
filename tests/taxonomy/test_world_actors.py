"""The world's actors: every state from the libraries, organs of states and organisations, groups."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.taxonomy.loading import build_taxonomy
from tests.taxonomy.test_actor_taxonomy import DEFAULT_DATA, TAXONOMY

REPO = Path(__file__).resolve().parents[2]
README = REPO / "labelled" / "README.md"


def guide_state_ids() -> list[str]:
    """The state ids labelled/README.md lists ("States: the lower-case English short name ...")."""
    text = README.read_text(encoding="utf-8")
    section = text.split("- States:", 1)[1].split("A state's organs", 1)[0]
    return re.findall(r"`([a-z][a-z_]*)`", section)


def guide_igo_ids() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("- Intergovernmental bodies:", 1)[1].split("- Groups that are not states", 1)[0]
    return [i for i in re.findall(r"`([a-z][a-z_]*)`", section)]


def test_every_state_id_of_the_guide_is_a_state():
    ids = guide_state_ids()
    assert len(ids) >= 35 and {"us", "dr_congo", "ivory_coast", "uae", "vatican"} <= set(ids)
    wrong = [i for i in ids if TAXONOMY.get(i) is None or TAXONOMY.get(i).kind != "state"]
    assert wrong == []


def test_every_state_of_the_world_is_there_and_no_territory():
    states = {a.id for a in TAXONOMY.actors.values() if a.kind == "state"}
    assert len(states) >= 195  # 193 UN members, the two observer states, Kosovo, Taiwan
    assert {"kenya", "tuvalu", "south_sudan", "palestine", "kosovo", "taiwan"} <= states
    assert not {"puerto_rico", "greenland", "hong_kong", "aruba", "cote_d_ivoire", "united_states"} & set(TAXONOMY.ids)


def test_intergovernmental_bodies_of_the_guide_and_their_wikidata_ids():
    ids = guide_igo_ids()
    assert {"un", "african_union", "asean", "oecd", "wto", "icc", "gcc", "esa", "ecowas", "oas", "commonwealth"} <= set(ids)
    assert set(ids) <= set(TAXONOMY.ids)
    # each checked against a Wikidata dump; the rest are left out rather than guessed
    expected = {"un": "Q1065", "eu": "Q458", "nato": "Q7184", "osce": "Q81299", "council_of_europe": "Q8908",
                "oecd": "Q41550", "wto": "Q7825", "esa": "Q42262", "interpol": "Q8475", "african_union": "Q7159",
                "asean": "Q7768", "arab_league": "Q7172", "oas": "Q123759"}
    assert {aid: TAXONOMY.get(aid).qid for aid in expected} == expected


def test_existing_entries_keep_their_memberships_and_wikidata_ids():
    assert TAXONOMY.get("lithuania").member_of == ("eu", "nato", "osce", "council_of_europe")
    assert TAXONOMY.get("turkey").qid == "Q43"
    assert "Kyrgyz" in TAXONOMY.get("kyrgyzstan").demonyms  # hand demonyms stay first
    assert TAXONOMY.label_of("dr_congo") and TAXONOMY.label_of("kenya") == "Kenya"


PHRASES = [
    # short, official and older names
    ("Kenya", "kenya"), ("Tuvalu", "tuvalu"), ("the Republic of Kenya", "kenya"), ("Kingdom of Bahrain", "bahrain"),
    ("Côte d'Ivoire", "ivory_coast"), ("Ivory Coast", "ivory_coast"), ("Democratic Republic of the Congo", "dr_congo"),
    ("DRC", "dr_congo"), ("Republic of the Congo", "congo"), ("Viet Nam", "vietnam"), ("Socialist Republic of Viet Nam", "vietnam"),
    ("United Arab Emirates", "uae"), ("Lao People's Democratic Republic", "laos"), ("Burma", "myanmar"),
    ("Federated States of Micronesia", "micronesia"), ("Holy See", "vatican"), ("Swaziland", "eswatini"),
    ("Plurinational State of Bolivia", "bolivia"), ("United Republic of Tanzania", "tanzania"), ("Timor-Leste", "timor_leste"),
    # demonyms and adjectives before a governmental noun
    ("the Sudanese Government", "sudan"), ("Slovenian authorities", "slovenia"), ("Kenyan officials", "kenya"),
    ("Emirati officials", "uae"), ("Ivorian authorities", "ivory_coast"), ("the Philippine government", "philippines"),
    ("Somali security forces", "somalia"), ("Nigerian armed forces", "nigeria"),
    # organs and officials by general forms
    ("the Government of Kenya", "kenya"), ("the Federal Government of Somalia", "somalia"),
    ("Ministry of Health of Kenya", "kenya"), ("the Kenyan Ministry of Health", "kenya"), ("Kenya's parliament", "kenya"),
    ("the Kenya Government", "kenya"), ("UK Department for Education", "uk"), ("Parliament of Belarus", "lukashenka_regime"),
    ("the Permanent Mission of Seychelles", "seychelles"),
    # the states' own well-known organ names
    ("Congress", "us"), ("the Director of the Office of Management and Budget", "us"), ("the Director of OMB", "us"),
    ("federal grant agencies", "us"), ("GAO", "us"), ("CMS", "us"), ("HHS", "us"), ("HM Treasury", "uk"),
    ("Whitehall", "uk"), ("the Department for Work and Pensions", "uk"), ("the Bundestag", "germany"),
    ("the Kremlin", "russia"), ("the Lok Sabha", "india"),
    # intergovernmental bodies and their organs
    ("the Secretary-General", "un"), ("the Security Council", "un"), ("the General Assembly", "un"),
    ("the Human Rights Council", "un"), ("OHCHR", "un"), ("the Committee against Torture", "un"),
    ("the Special Rapporteur", "un"), ("UNHCR", "un"), ("UNICEF", "un"), ("the World Health Organization", "un"),
    ("UNESCO", "un"), ("UNDP", "un"), ("the Panel of Experts", "un"), ("UNSOM", "un"),
    ("the Secretary-General of the United Nations", "un"), ("the African Union Commission", "african_union"),
    ("AMISOM", "african_union"), ("ASEAN member states", "asean"), ("the OECD", "oecd"), ("WTO members", "wto"),
    ("the International Criminal Court", "icc"), ("the League of Arab States", "arab_league"),
    ("the Gulf Cooperation Council", "gcc"), ("the European Space Agency", "esa"), ("ECOWAS", "ecowas"),
    ("the Organization of American States", "oas"), ("the Commonwealth Secretariat", "commonwealth"),
    ("INTERPOL", "interpol"), ("the IMF", "ifis"), ("the Asian Development Bank", "ifis"), ("the G20", "g20"),
    ("the European Central Bank", "eu"), ("the Venice Commission", "council_of_europe"),
    # groups
    ("all Member States", "member_states"), ("States Members of the United Nations", "member_states"),
    ("all parties to the conflict", "conflict_parties"), ("armed groups", "armed_groups"),
    ("technology companies", "private_sector"), ("civil society organizations", "civil_society"),
    ("grant recipients", "grant_recipients"), ("the international community", "international_community"),
]


@pytest.mark.parametrize(("phrase", "expected"), PHRASES)
def test_resolve_names_the_world_s_actors(phrase, expected):
    assert TAXONOMY.resolve(phrase) == expected


@pytest.mark.parametrize(
    "phrase",
    ["people of Kenya", "partners of Belarus", "Congress of Vienna", "the Paris Principles", "Kenyan culture",
     "Seoul", "Minsk", "the Government", "Ministry of Health", "Member States"],
)
def test_resolve_leaves_places_and_other_phrases_alone(phrase):
    assert TAXONOMY.resolve(phrase) is None


def test_capitals_stand_for_their_governments():
    assert TAXONOMY.capital_owner("Seoul") == "south_korea"
    assert TAXONOMY.capital_owner("Nairobi") == "kenya"
    assert TAXONOMY.capital_owner("Minsk") == "lukashenka_regime"  # Belarus's organs are the regime's
    assert TAXONOMY.capital_owner("Brussels") is None  # a name of the EU already
    assert TAXONOMY.capital_owner("Victoria") is None  # a common name: in world.skip_names


def test_shared_demonyms_name_no_state():
    assert TAXONOMY.demonym_owner("Congolese") is None
    assert TAXONOMY.demonym_owner("Dominican") is None
    assert TAXONOMY.demonym_owner("Kenyan") == "kenya"


@pytest.mark.parametrize(
    ("edit", "entry", "problem"),
    [
        (lambda d: d["world"]["ids"].update(XYZ="nowhere"), "world.ids.XYZ", "not a code pycountry knows"),
        (lambda d: d["world"]["ids"].update(USA="United States"), "world.ids.USA", "expected an actor id"),
        (lambda d: d["world"].update(capitals=[]), "world.capitals", "not a known key"),
        (lambda d: d["world"]["not_states"].append("usa"), "world.not_states", "ISO 3166-1 alpha-3"),
        (lambda d: d["actors"]["lukashenka_regime"].update(organs_of=["atlantis"]), "actors.lukashenka_regime.organs_of",
         "unknown actor id 'atlantis'"),
        (lambda d: d["actors"]["uk"]["aliases"].append("Republic of Kenya"), "countries.kenya", "also a name of 'uk'"),
    ],
)
def test_a_malformed_world_section_fails_naming_the_entry(edit, entry, problem):
    data = copy.deepcopy(DEFAULT_DATA)
    edit(data)
    with pytest.raises(ConfigError) as caught:
        build_taxonomy(data, "edited/actors.yaml")
    assert entry in caught.value.entry and re.search(problem, caught.value.problem), caught.value
