"""Modality (must / should / could) and polarity (do / refrain) of a prescription, from its parse cues."""

from __future__ import annotations

import re

from pipeline.recognise.cues import Cues, Lexicon

_WORDS = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def modality_of(cues: Cues, text: str, lex: Lexicon) -> str:
    """must / should / could, from the modal and strong or weak markers."""
    words = {w.lower() for w in _WORDS.findall(text)}
    strength = lex.modal_strength.get(cues.modal or "", "")
    if cues.form == "impersonal":
        return "must"
    if cues.form == "semi_modal":
        return "must"
    if strength:
        return strength
    if cues.verb is not None and cues.verb.lemma_.lower() in {"consider", "explore"}:
        return "could"
    if words & {"must", "necessary", "essential", "imperative", "crucial"}:
        return "must"
    if words & {"could", "might", "may"}:
        return "could"
    return "should"


def polarity_of(cues: Cues, lex: Lexicon) -> str:
    if cues.negated:
        return "refrain"
    if cues.verb is not None and cues.verb.lemma_.lower() in lex.refrain_verbs:
        return "refrain"
    return "do"
