"""The instrument taxonomy: the 18 ids of ANNOTATION.md section 3, each in one DIME group and one of Hood's tools."""

from __future__ import annotations

import pytest

from pipeline.config import DEFAULT_CONFIG_DIR
from pipeline.errors import ConfigError
from pipeline.taxonomy.instruments import load_instruments

DEFAULT = DEFAULT_CONFIG_DIR / "instruments.yaml"

# ANNOTATION.md section 3: the groupings users ask for
DIME = {
    "diplomatic": {"recognition", "diplomatic_isolation", "diplomatic_engagement", "policy_coordination"},
    "informational": {"strategic_communication", "evidence_evaluation"},
    "military": {"security_deterrence"},
    "economic": {"sanctions", "incentives", "financial_aid", "public_investment"},
    "legal": {"accountability", "regulation"},
    "societal": {"civil_society_support", "mobility_asylum", "democratic_transition", "public_services",
                 "institutional_capacity"},
}
HOOD = {
    "nodality": {"strategic_communication", "evidence_evaluation", "diplomatic_engagement"},
    "authority": {"regulation", "sanctions", "recognition", "diplomatic_isolation", "accountability"},
    "treasure": {"financial_aid", "public_investment", "incentives"},
    "organisation": {"institutional_capacity", "public_services", "security_deterrence", "policy_coordination",
                     "civil_society_support", "mobility_asylum", "democratic_transition"},
}


def test_the_default_taxonomy_has_the_guides_18_ids_in_both_groupings():
    taxonomy = load_instruments(DEFAULT)
    assert len(taxonomy.ids) == 18
    for group, ids in DIME.items():
        assert {i for i in taxonomy.ids if taxonomy.group_of(i) == group} == ids, group
    for tool, ids in HOOD.items():
        assert {i for i in taxonomy.ids if taxonomy.tool_of(i) == tool} == ids, tool
    assert all(taxonomy.instruments[i].definition and taxonomy.instruments[i].terms for i in taxonomy.ids)


def _without_tool(tmp_path, tool_line: str):
    text = DEFAULT.read_text(encoding="utf-8").replace("    tool: nodality\n", tool_line, 1)
    path = tmp_path / "instruments.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("tool_line", ["", "    tool: persuasion\n"])
def test_an_instrument_without_a_declared_tool_is_refused_at_load(tmp_path, tool_line):
    with pytest.raises(ConfigError) as caught:
        load_instruments(_without_tool(tmp_path, tool_line))
    assert caught.value.entry.endswith(".tool") and "nodality, authority, treasure, organisation" in str(caught.value)
