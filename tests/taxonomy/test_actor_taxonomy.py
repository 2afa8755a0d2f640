"""The actor taxonomy file: contents, name resolution, membership, validation at load."""

from __future__ import annotations

import copy
import pickle
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.config import DEFAULT_CONFIG_DIR
from pipeline.errors import ConfigError
from pipeline.taxonomy import ActorTaxonomy, load_actors
from pipeline.taxonomy.actors import ACTOR_KINDS, build_taxonomy

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
DEFAULT_ACTORS = DEFAULT_CONFIG_DIR / "actors.yaml"
DEFAULT_DATA: dict[str, Any] = yaml.safe_load(DEFAULT_ACTORS.read_text(encoding="utf-8"))
TAXONOMY = load_actors(DEFAULT_ACTORS)

ANNOTATION_IDS = (
    "eu nato un osce council_of_europe ifis us uk canada lithuania poland latvia ukraine germany france "
    "switzerland russia china west international_community lukashenka_regime belarus_bureaucracy "
    "belarus_democratic_forces belarus_civil_society belarus_society private_sector sports_federations unspecified"
).split()
EU_MEMBERS = (
    "austria belgium bulgaria croatia cyprus czechia denmark estonia finland france germany greece hungary ireland "
    "italy latvia lithuania luxembourg malta netherlands poland portugal romania slovakia slovenia spain sweden"
).split()


def write_edited(tmp_path: Path, edit) -> Path:
    """A copy of the default actors.yaml with ``edit(data)`` applied."""
    data = copy.deepcopy(DEFAULT_DATA)
    edit(data)
    path = tmp_path / "actors.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# -- contents ---------------------------------------------------------------------


def test_every_annotation_id_is_an_actor():
    assert set(ANNOTATION_IDS) <= set(TAXONOMY.ids)
    assert isinstance(TAXONOMY, ActorTaxonomy)
    assert all(actor.kind in ACTOR_KINDS for actor in TAXONOMY.actors.values())


def test_the_annotation_guide_names_no_actor_id_the_taxonomy_lacks():
    guide = SHARED / "ANNOTATION.md"
    if not guide.exists():
        pytest.skip(f"{guide} is absent: the shared folder is not beside the repository")
    section = guide.read_text(encoding="utf-8").split("## 2. Actors", 1)[1].split("## 3.", 1)[0]
    table_ids = set(re.findall(r"^\| `([a-z][a-z_]*)`", section, flags=re.M))
    listed_ids = {i for line in section.splitlines() if line.startswith("| `us`") for i in re.findall(r"`([a-z][a-z_]*)`", line)}
    assert table_ids and listed_ids
    assert table_ids | listed_ids <= set(TAXONOMY.ids)


def test_kinds_and_wikidata_ids_of_core_actors():
    expected = {"eu": ("international_organisation", "Q458"), "nato": ("international_organisation", "Q7184"),
                "osce": ("international_organisation", "Q81299"), "un": ("international_organisation", "Q1065"),
                "us": ("state", "Q30"), "russia": ("state", "Q159"), "west": ("collective", None),
                "lukashenka_regime": ("domestic_group", None)}
    assert {aid: (TAXONOMY.actors[aid].kind, TAXONOMY.actors[aid].qid) for aid in expected} == expected
    qids = [actor.qid for actor in TAXONOMY.actors.values() if actor.qid]
    assert len(qids) == len(set(qids)), "two actors share a Wikidata id"


def test_a_broad_list_of_states_is_known():
    states = [a for a in TAXONOMY.actors.values() if a.kind == "state"]
    assert len(states) >= 50
    assert len(TAXONOMY.countries) >= 100
    for member in EU_MEMBERS:
        assert "eu" in TAXONOMY.actors[member].member_of, member


# -- membership ----------------------------------------------------------------------


def test_membership_and_collectives_expand():
    for state in ("lithuania", "poland", "latvia", "germany", "france"):
        assert {"eu", "nato"} <= TAXONOMY.groups_of(state)
    assert {"us", "uk", "canada"} <= TAXONOMY.members_of("nato")
    assert TAXONOMY.members_of("west") == {"us", "uk", "canada", "eu"}
    west = TAXONOMY.expand("west")
    assert {"west", "us", "uk", "canada", "eu", "lithuania"} <= west
    assert "russia" not in west
    assert TAXONOMY.expand("russia") == {"russia"}
    assert TAXONOMY.expand("kazakhstan") == {"kazakhstan"}
    assert TAXONOMY.expand("org:unknown") == {"org:unknown"}
    assert TAXONOMY.members_of("org:unknown") == frozenset()


def test_get_and_labels():
    assert TAXONOMY.get("eu").label == "European Union"
    assert TAXONOMY.get("nonexistent") is None
    assert TAXONOMY.label_of("kazakhstan") == "Kazakhstan"
    assert TAXONOMY.label_of("org:new") == "org:new"


# -- resolve -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lukashenka’s", "lukashenka_regime"),  # curly possessive
        ("LUKASHENKA", "lukashenka_regime"),  # heading in capitals
        ("Lukasenka", "lukashenka_regime"),  # diacritics folded ("Lukašenka")
        ("the EU's", "eu"),
        ("(NATO)", "nato"),
        ("  the   European\nParliament ", "eu"),
        ("Belarusians'", "belarus_society"),
        ("THE WEST", "west"),
        ("Kingdom of Belgium", "belgium"),
        ("Republic of Kazakhstan", "kazakhstan"),
        ("Islamic Republic of Afghanistan", "afghanistan"),
        ("the Belarus authorities", "lukashenka_regime"),
        ("OSCE member states", "osce"),
        ("Western decision-makers", "west"),
        ("US Secretary of State", "us"),
    ],
)
def test_resolve_normalises_the_mention(text, expected):
    assert TAXONOMY.resolve(text) == expected


@pytest.mark.parametrize(
    "text",
    ["us", "west", "Union", "the Council", "Russian", "Western", "European security", "", "  ", "West Bank",
     "turkey", "policy-makers", "Russian businessmen's wives"],
)
def test_resolve_leaves_ambiguous_or_non_actor_text_alone(text):
    assert TAXONOMY.resolve(text) is None


def test_demonym_owner():
    assert TAXONOMY.demonym_owner("Russian") == "russia"
    assert TAXONOMY.demonym_owner("Western") == "west"
    assert TAXONOMY.demonym_owner("Kurdish") is None


# -- validation at load ------------------------------------------------------------------


def assert_config_error(path: Path, entry: str, problem: str) -> None:
    """Loading the file fails with a ConfigError naming the file and the entry."""
    with pytest.raises(ConfigError) as caught:
        load_actors(path)
    assert_names(caught.value, str(path), entry, problem)


def assert_data_error(edit, entry: str, problem: str) -> None:
    """Validating edited data (no file round trip, for the many smaller cases) fails likewise."""
    data = copy.deepcopy(DEFAULT_DATA)
    edit(data)
    with pytest.raises(ConfigError) as caught:
        build_taxonomy(data, "edited/actors.yaml")
    assert_names(caught.value, "edited/actors.yaml", entry, problem)


def assert_names(error: ConfigError, path: str, entry: str, problem: str) -> None:
    assert error.path == path
    assert entry in error.entry
    assert re.search(problem, error.problem), error.problem
    assert path in str(error) and entry in str(error)


def test_unknown_top_level_key_fails(tmp_path):
    path = write_edited(tmp_path, lambda d: d.update(actor_aliases={}))
    assert_config_error(path, "actor_aliases", "not a known key")


def test_unknown_actor_key_fails(tmp_path):
    path = write_edited(tmp_path, lambda d: d["actors"]["eu"].update(alias=["Brussels"]))
    assert_config_error(path, "actors.eu.alias", "not a known key")


def test_an_alias_mapped_to_two_ids_fails_whatever_its_case(tmp_path):
    path = write_edited(tmp_path, lambda d: d["actors"]["nato"]["aliases"].append("european UNION"))
    assert_config_error(path, "actors.nato.aliases", "also a name of 'eu'")


def test_a_cased_alias_clashing_with_a_country_name_fails():
    assert_data_error(lambda d: d["actors"]["canada"].setdefault("cased_aliases", []).append("Chad"),
                      "countries.chad", "also a name of 'canada'")


def test_a_malformed_pattern_fails(tmp_path):
    path = write_edited(tmp_path, lambda d: d["actors"]["russia"].update(patterns=[[{"LOWR": "russian"}]]))
    assert_config_error(path, "actors.russia.patterns[0]", "not a valid spaCy token pattern.*LOWR")


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ([{"LOWER": "russian", "OP": "?!"}], "not a valid spaCy token pattern"),
        ({"LOWER": "russian"}, "expected a non-empty list of token dicts"),
        (["russian", "government"], "expected a non-empty list of token dicts"),
        ([], "expected a non-empty list of token dicts"),
    ],
)
def test_other_malformed_patterns_fail(pattern, problem):
    assert_data_error(lambda d: d["actors"]["russia"].update(patterns=[pattern]), "actors.russia.patterns[0]", problem)


def test_member_of_an_unknown_id_fails(tmp_path):
    path = write_edited(tmp_path, lambda d: d["actors"]["lithuania"]["member_of"].append("nordic_council"))
    assert_config_error(path, "actors.lithuania.member_of", "unknown actor id 'nordic_council'")


def test_includes_an_unknown_id_fails():
    assert_data_error(lambda d: d["actors"]["west"]["includes"].append("australasia"),
                      "actors.west.includes", "unknown actor id 'australasia'")


def test_a_demonym_phrase_that_is_another_actors_alias_fails():
    assert_data_error(lambda d: d["actors"]["private_sector"]["aliases"].append("Russian authorities"),
                      "actors.russia.demonyms", "'russian authorities' would name 'russia'")


@pytest.mark.parametrize(
    ("edit", "entry", "problem"),
    [
        (lambda d: d["actors"]["eu"].update(kind="union"), "actors.eu.kind", "expected one of"),
        (lambda d: d["actors"]["eu"].update(qid="458"), "actors.eu.qid", "Wikidata id"),
        (lambda d: d["actors"].update({"Bad-Id": {"label": "x", "kind": "state"}}), "actors.Bad-Id", "not a valid actor id"),
        (lambda d: d["actors"]["eu"].update(aliases="European Union"), "actors.eu.aliases", "list of non-empty strings"),
        (lambda d: d.update(entity_labels=["gpe"]), "entity_labels", "not an entity label"),
        (lambda d: d["countries"].update(russia=["Russia"]), "countries.russia", "also an actor"),
    ],
)
def test_other_malformed_entries_fail(edit, entry, problem):
    assert_data_error(edit, entry, problem)


def test_a_missing_file_fails_with_its_path(tmp_path):
    assert_config_error(tmp_path / "nowhere.yaml", "file", "does not exist")


def test_the_taxonomy_pickles_for_worker_processes_without_its_caches():
    taxonomy = load_actors(DEFAULT_ACTORS)
    assert taxonomy.resolve("government of the Republic of Belarus") == "lukashenka_regime"  # fills the matcher cache
    assert taxonomy.expand("west")  # and the membership caches
    copy_ = pickle.loads(pickle.dumps(taxonomy))
    assert not {"_pattern_matcher_parts", "_members"} & set(copy_.__dict__)
    assert copy_ == taxonomy
    assert copy_.resolve("Government of Belarus") == "lukashenka_regime"
    assert copy_.expand("west") == taxonomy.expand("west")
