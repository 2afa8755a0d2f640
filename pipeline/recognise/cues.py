"""Grammatical cues of prescription, read off the dependency parse.

``analyse`` finds, in one sentence unit, the form of prescription it uses (a
deontic modal with its subject, an imperative, a first-person performative, an
impersonal "it is necessary that", a passive "X is urged to", a reported call),
the prescribed verb, the subject tokens and the negation. Detection turns the
cues into features; classification reads addressees, targets, modality,
polarity and the measure text from the same analysis. Lexicons come from
``configs/patterns.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from spacy.tokens import Span, Token

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
LEADING_JUNK = re.compile(r"^[\s\-–—•▪●◦·*>]+|^\(?[0-9ivxlcA-Za-z]{1,4}[.)]\s+")


@dataclass(frozen=True)
class Lexicon:
    """The pattern lexicons as frozensets, built once from the config."""

    modal_strength: dict[str, str]
    semi_modals: frozenset[str]
    performative_verbs: frozenset[str]
    impersonal_adjectives: frozenset[str]
    passive_prescriptive_verbs: frozenset[str]
    reporting_verbs: frozenset[str]
    speech_verbs: frozenset[str]
    necessity_verbs: frozenset[str]
    reader_directives: frozenset[str]
    epistemic_verbs: frozenset[str]
    prediction_markers: frozenset[str]
    refrain_verbs: frozenset[str]
    negations: frozenset[str]
    weak_markers: frozenset[str]
    strong_markers: frozenset[str]
    recommendation_sections: tuple[str, ...]
    audience_cues: tuple[str, ...]
    author_subjects: frozenset[str]
    generic_actor_heads: frozenset[str]
    context_state_heads: frozenset[str]

    @classmethod
    def from_patterns(cls, patterns: dict[str, Any]) -> Lexicon:
        def words(key: str) -> frozenset[str]:
            return frozenset(str(w).lower() for w in patterns.get(key, []) or [])

        strength: dict[str, str] = {}
        for level in ("could", "should", "must"):  # later levels win on overlap
            for word in (patterns.get("modals") or {}).get(level, []) or []:
                strength[str(word).lower()] = level
        return cls(
            modal_strength=strength,
            semi_modals=words("semi_modals"),
            performative_verbs=words("performative_verbs"),
            impersonal_adjectives=words("impersonal_adjectives"),
            passive_prescriptive_verbs=words("passive_prescriptive_verbs"),
            reporting_verbs=words("reporting_verbs"),
            speech_verbs=words("speech_verbs"),
            necessity_verbs=words("necessity_verbs"),
            reader_directives=words("reader_directives"),
            epistemic_verbs=words("epistemic_verbs"),
            prediction_markers=words("prediction_markers"),
            refrain_verbs=words("refrain_verbs"),
            negations=words("negations"),
            weak_markers=words("weak_markers"),
            strong_markers=words("strong_markers"),
            recommendation_sections=tuple(sorted(words("recommendation_sections"))),
            audience_cues=tuple(sorted(words("audience_cues"))),
            author_subjects=words("author_subjects"),
            generic_actor_heads=words("generic_actor_heads"),
            context_state_heads=words("context_state_heads"),
        )


@dataclass
class Cues:
    """What the parse says about one unit. Token references point into its Doc."""

    span: Span
    form: str = "none"  # modal | semi_modal | imperative | performative | impersonal | passive | none
    modal: str | None = None  # the modal word (lower-case) when form is modal or semi_modal
    verb: Token | None = None  # the prescribed verb
    subject: list[Token] = field(default_factory=list)  # subject heads (with conjuncts)
    addressee_tokens: list[Token] = field(default_factory=list)  # "call on X", "for X to", passive subject
    negated: bool = False
    reported: bool = False
    reporters: list[Token] = field(default_factory=list)  # subject heads of a reported call ("The Committee recommended")
    author_subject: bool = False
    prediction: bool = False
    conditional: bool = False
    question: bool = False
    first_word_verb: bool = False
    counterfactual: bool = False  # "should have done"
    gerund: bool = False  # opens with a gerund and its object

    @cached_property
    def subject_tokens(self) -> set[int]:
        """Indices of every token inside the subject phrases."""
        return {t.i for head in self.subject for t in head.subtree}


def content_start(span: Span) -> int:
    """Index (in the doc) of the first token after bullets, numbering and punctuation."""
    for token in span:
        if token.is_punct or token.is_space or token.like_num or LEADING_JUNK.fullmatch(token.text + " "):
            continue
        if len(token.text) <= 2 and token.text.isalpha() and token.i + 1 < span.end and token.nbor().text in {".", ")"}:
            continue  # "A." / "b)" list labels
        return token.i
    return span.end


def _subjects_of(verb: Token) -> list[Token]:
    heads = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
    if not heads and verb.dep_ in {"xcomp", "conj", "ccomp", "advcl"} and verb.head != verb:
        # "ready to increase", "should X and Y": the subject sits on the governing verb
        heads = [c for c in verb.head.children if c.dep_ in SUBJECT_DEPS]
    expanded: list[Token] = []
    for head in heads:
        expanded.append(head)
        expanded.extend(t for t in head.conjuncts if t.i not in {e.i for e in expanded})
    return expanded


def _negated(verb: Token, lex: Lexicon) -> bool:
    if any(c.dep_ == "neg" or c.lower_ in lex.negations for c in verb.children):
        return True
    return verb.lemma_.lower() in lex.refrain_verbs


def _is_author(tokens: list[Token], lex: Lexicon) -> bool:
    for token in tokens:
        phrase = " ".join(t.lower_ for t in token.subtree)
        if token.lower_ in lex.author_subjects or phrase in lex.author_subjects:
            return True
    return False


def analyse(span: Span, lex: Lexicon, verb_lemmas: frozenset[str] = frozenset()) -> Cues:
    """Read the prescription cues of one sentence unit.

    ``verb_lemmas`` is the model's list of verb base forms, used to spot an
    imperative that the tagger mislabels (capitalised headings).
    """
    cues = Cues(span=span)
    text = span.text.strip()
    # a question, or a survey item cut short ("In your opinion, the West should...")
    cues.question = text.endswith(("?", "...", "…"))
    start = content_start(span)
    if start >= span.end:
        return cues
    first = span.doc[start]
    cues.conditional = first.lower_ in {"if", "unless", "when", "whether", "although", "while"}
    cues.first_word_verb = first.tag_ == "VB" or _mistagged_imperative(first, span, verb_lemmas)

    # Later readings see what earlier ones found (cues.form): the order matters.
    _read_modals(cues, span, lex)
    _read_performative(cues, span, lex)
    _read_passive(cues, span, lex)
    _read_impersonal(cues, span, lex)
    _read_reported(cues, span, lex)
    _read_imperative(cues, span, lex, start, text)
    if cues.form == "none" and first.tag_ == "VBG" and any(c.dep_ == "dobj" for c in first.children):
        cues.gerund = True  # "Establishing an independent body ..." (a list of actions)
    if cues.form == "none" and not cues.question and first.lower_ in {"never", "avoid", "refrain", "stop"} and first.i + 1 < span.end:
        cues.form, cues.verb, cues.negated = "imperative", first, True
    if cues.subject and cues.form in {"modal", "semi_modal"}:
        cues.author_subject = _is_author(cues.subject, lex)
    if cues.question:
        cues.form = "none"  # a question asks, it does not prescribe (ANNOTATION.md section 1)
    return cues


_MODAL_RANK = {"could": 0, "should": 1, "must": 2}
# (governs the root, strength) of the modal chosen so far, None before the first
_ModalKey = tuple[int, int] | None


def _read_modals(cues: Cues, span: Span, lex: Lexicon) -> None:
    """Predictions, and the modal or semi-modal that prescribes: the one on the
    main clause wins, then the strongest ("cannot ..., all states should ...")."""
    best: _ModalKey = None
    for token in span:
        lower = token.lower_
        if token.tag_ == "MD" and lower in {"will", "would", "'ll", "wo"}:
            cues.prediction = True
        if token.tag_ == "MD" and lower in lex.modal_strength:
            best = _deontic_modal(cues, token, span, lex, best)
        elif token.pos_ in {"VERB", "AUX"} and token.tag_ not in {"VBG", "VBN"}:
            best = _semi_modal(cues, token, span, lex, best)


def _deontic_modal(cues: Cues, token: Token, span: Span, lex: Lexicon, best: _ModalKey) -> _ModalKey:
    """"should", "must", "ought to", "could", kept when it beats ``best``."""
    lower = token.lower_
    verb = token.head if token.head != token else token
    if verb.tag_ == "VBN" and any(c.lower_ in {"have", "'ve", "’ve"} for c in verb.children):
        cues.counterfactual = True  # "should have done": a judgement of the past
        return best
    if verb.lemma_.lower() in lex.epistemic_verbs and any(c.dep_ == "auxpass" for c in verb.children):
        cues.prediction = True  # "should not be expected": epistemic, not deontic
        return best
    key = (int(verb == span.root), _MODAL_RANK[lex.modal_strength[lower]])
    if best is None or key > best:
        best = key
        cues.form, cues.modal, cues.verb = "modal", lower, verb
        cues.subject = _subjects_of(verb)
        cues.negated = _negated(verb, lex) or (token.i + 1 < span.end and token.nbor().lower_ in lex.negations)
    return best


def _semi_modal(cues: Cues, token: Token, span: Span, lex: Lexicon, best: _ModalKey) -> _ModalKey:
    """"need to", "have to", "has to", or a necessity verb with an object, kept when it beats ``best``."""
    lower = token.lower_
    lemma = token.lemma_.lower()
    xcomp = [c for c in token.children if c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children)]
    key = (int(token == span.root), _MODAL_RANK["must"])
    if best is not None and key <= best:
        return best
    if xcomp and (lower in lex.semi_modals or lemma in lex.semi_modals):
        best = key
        cues.form, cues.modal, cues.verb = "semi_modal", lemma, xcomp[0]
        cues.subject = _subjects_of(token)
        cues.negated = _negated(token, lex) or _negated(xcomp[0], lex)
    elif (
        lemma in lex.necessity_verbs
        and any(c.dep_ == "dobj" for c in token.children)
        and (token == span.root or token in span.root.conjuncts)
        and token.tag_ in {"VB", "VBP", "VBZ"}  # "required" in the past describes, it does not prescribe
        and not any(c.tag_ == "MD" for c in token.children)
    ):
        subjects = _subjects_of(token)
        if subjects and token.pos_ == "VERB":  # "The West needs a communication strategy"
            best = key
            cues.form, cues.modal, cues.verb, cues.subject = "semi_modal", "need", token, subjects
            cues.negated = _negated(token, lex)
    return best


def _read_performative(cues: Cues, span: Span, lex: Lexicon) -> None:
    """"we recommend", "we urge X to", "we call on X to"."""
    root = span.root
    if root.lemma_.lower() in lex.performative_verbs and root.tag_ in {"VBP", "VB", "VBZ"}:
        subjects = _subjects_of(root)
        if subjects and _is_author(subjects, lex):
            cues.form, cues.verb, cues.subject = "performative", root, subjects
            cues.author_subject = True
            cues.addressee_tokens = _called_on(root)
            complement = _complement_verb(root)
            if complement is not None:
                cues.verb = complement


def _read_passive(cues: Cues, span: Span, lex: Lexicon) -> None:
    """A passive prescription: "X is urged / called upon / encouraged to ..."."""
    root = span.root
    if cues.form == "none" and root.lemma_.lower() in lex.passive_prescriptive_verbs and any(
        c.dep_ == "nsubjpass" for c in root.children
    ) and any(c.dep_ == "auxpass" and c.tag_ in {"VBZ", "VBP"} for c in root.children):  # "is urged", not "was invited"
        complement = _complement_verb(root)
        if complement is not None:
            cues.form, cues.verb = "passive", complement
            cues.subject = [c for c in root.children if c.dep_ == "nsubjpass"]
            cues.addressee_tokens = list(cues.subject)


def _read_impersonal(cues: Cues, span: Span, lex: Lexicon) -> None:
    """"it is necessary/essential (for X) to / that ...", on the root or a joined clause."""
    root = span.root
    copulas = [root] + [t for t in span if t.lemma_ == "be" and t.dep_ in {"conj", "ccomp"} and t != root]
    for copula in copulas:
        if cues.form not in {"none", "modal"} or copula.lemma_ != "be":
            continue
        predicate = [c for c in copula.children if c.dep_ in {"acomp", "attr"} and c.lemma_.lower() in lex.impersonal_adjectives]
        to_clause = _complement_verb(copula)
        if to_clause is not None and any(a.lower_ == "to" for a in to_clause.children):
            predicate += [
                pobj for prep in copula.children if prep.dep_ == "prep" and prep.lower_ == "in"
                for pobj in prep.children if pobj.dep_ == "pobj" and pobj.lemma_.lower() in lex.impersonal_adjectives
            ]  # "it is in the interest of X to ..." (not "... that X does")
        expletive = [c for c in copula.children if c.dep_ in {"nsubj", "expl"} and c.lower_ in {"it", "there", "this"}]
        if predicate and expletive:
            cues.form = "impersonal"
            cues.modal = predicate[0].lemma_.lower()
            cues.verb = _complement_verb(predicate[0]) or _complement_verb(copula)
            cues.subject = []
            cues.addressee_tokens = [
                t for p in predicate[0].children if p.dep_ == "prep" and p.lower_ == "for" for t in p.children if t.dep_ == "pobj"
            ]
            if cues.verb is not None and not cues.addressee_tokens:
                # "for the EU to keep ..." / "that donors coordinate ...": the clause's own subject
                cues.addressee_tokens = [c for c in cues.verb.children if c.dep_ in {"nsubj", "nsubjpass"}]


def _read_reported(cues: Cues, span: Span, lex: Lexicon) -> None:
    """A reported call: "The Parliament called on the EU to ...", "X has urged ..."."""
    root = span.root
    if root.lemma_.lower() in lex.speech_verbs and root.tag_ in {"VBD", "VBN", "VBZ"}:
        subjects = _subjects_of(root)
        if subjects and not _is_author(subjects, lex) and cues.form in {"modal", "semi_modal"} and cues.verb != root:
            cues.reported = True  # "X said that the EU should ..."
            cues.reporters = subjects
    if root.lemma_.lower() in lex.reporting_verbs and root.tag_ in {"VBD", "VBN"}:
        subjects = _subjects_of(root)
        if subjects and not _is_author(subjects, lex):
            cues.reported, cues.reporters = True, subjects
            if cues.form == "none":
                complement = _complement_verb(root)
                cues.form, cues.verb, cues.subject = "performative", complement or root, subjects
                cues.addressee_tokens = _called_on(root)


def _read_imperative(cues: Cues, span: Span, lex: Lexicon, start: int, text: str) -> None:
    """A base-form verb opens the unit (from ``start``, list labels aside) and has no subject."""
    first = span.doc[start]

    def has_subject(verb: Token) -> bool:
        return any(c.dep_ in SUBJECT_DEPS and c.i >= start for c in verb.children)

    def main_clause_elsewhere(verb: Token) -> bool:
        """The unit's root is another verb with its own subject ("Shy by nature, she proved ...")."""
        return span.root != verb and verb not in span.root.conjuncts and has_subject(span.root)

    long_enough = span.end - start >= 3
    for_reader = first.lower_ in lex.reader_directives or (text.startswith("(") and text.endswith(")"))
    if cues.question or for_reader:
        return
    if cues.form == "none" and cues.first_word_verb and not cues.conditional and long_enough:
        if not has_subject(first) and not main_clause_elsewhere(first):
            cues.form, cues.verb = "imperative", first
            cues.negated = _negated(first, lex)
    elif cues.form == "none" and first.tag_ == "RB" and start + 1 < span.end and span.doc[start + 1].tag_ == "VB":
        verb = span.doc[start + 1]  # "Immediately impose ..."
        if not has_subject(verb):
            cues.form, cues.verb = "imperative", verb
            cues.negated = _negated(verb, lex)


OBJECT_START_TAGS = frozenset({"DT", "JJ", "JJR", "NN", "NNS", "NNP", "NNPS", "PRP$", "RB", "IN", "CD", "PDT", "VBG", "TO", "CC"})


FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _mistagged_imperative(first: Token, span: Span, verb_lemmas: frozenset[str]) -> bool:
    """A capitalised imperative the tagger took for a noun ("Recognize the Council ...").

    The word must be a known verb base form, followed by what can open an
    object or complement, with no label colon right after ("Cover image: ...")
    and no finite verb elsewhere in the unit ("State officials authorized ...").
    """
    if first.lower_ not in verb_lemmas or first.tag_ not in {"NN", "NNP", "NNS", "JJ", "VBP"}:
        return False
    if first.i + 2 >= span.end:
        return False
    following = span.doc[first.i + 1 : min(first.i + 4, span.end)]
    if any(t.text in {":", "©", "|"} for t in following):
        return False
    if any(t.tag_ in FINITE_TAGS for t in span if t.i != first.i):
        return False
    if following[0].lower_ == "of":
        return False  # "Release of all prisoners": a noun
    if any(t.text == ":" for t in span.doc[first.i + 1 : min(first.i + 6, span.end)]):
        return False  # a label line ("General Assembly Distr.: General", "Cover image: ...")
    return following[0].tag_ in OBJECT_START_TAGS


def _called_on(verb: Token) -> list[Token]:
    """The actors a performative addresses: "call on X", "urge X to", "recommend that X"."""
    found: list[Token] = []
    # "urge X to act": the object is addressed only when an infinitive follows it
    has_infinitive = any(c.dep_ in {"xcomp", "ccomp"} for c in verb.children) or any(
        g.dep_ in {"xcomp", "acl", "relcl"} for c in verb.children if c.dep_ in {"dobj", "obj"} for g in c.children
    )
    for child in verb.children:
        if child.dep_ in {"dobj", "obj"} and has_infinitive:
            found.append(child)
            found.extend(child.conjuncts)
        elif child.dep_ == "prep" and child.lower_ in {"on", "upon", "to"}:
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    found.append(pobj)
                    found.extend(pobj.conjuncts)
        elif child.dep_ in {"ccomp", "xcomp"}:
            found.extend(c for c in child.children if c.dep_ in {"nsubj", "nsubjpass"})
    return found


def _complement_verb(token: Token) -> Token | None:
    """The verb of the clause a prescription introduces ("to freeze", "that X should ...")."""
    for child in token.children:
        if child.dep_ in {"xcomp", "ccomp"} and child.pos_ in {"VERB", "AUX"}:
            return child
    for child in token.children:
        if child.dep_ == "advcl" and child.pos_ == "VERB" and any(a.lower_ == "to" for a in child.children):
            return child
    for child in token.children:
        if child.dep_ == "prep":
            for grandchild in child.children:
                if grandchild.dep_ in {"pcomp", "xcomp"} and grandchild.pos_ == "VERB":
                    return grandchild
        if child.dep_ in {"dobj", "obj"}:
            for grandchild in child.children:
                if grandchild.dep_ in {"acl", "relcl", "xcomp"} and grandchild.pos_ == "VERB":
                    return grandchild
    return None


def in_recommendation_section(section: tuple[str, ...], lex: Lexicon) -> bool:
    lowered = " ".join(section).lower()
    return any(cue in lowered for cue in lex.recommendation_sections)


MEASURE_DEPS = frozenset({
    "dobj", "obj", "dative", "attr", "acomp", "oprd", "prep", "prt", "xcomp", "ccomp", "conj", "cc",
    "npadvmod", "advmod", "agent", "pcomp", "nsubjpass",
})


def measure_text(cues: Cues, max_words: int = 24) -> str:
    """The prescribed action as the document writes it: from the verb to the end of its objects.

    A slice of the original text (not re-joined tokens), without the subject,
    the modal and trailing subordinate clauses ("..., if necessary", "as ...").
    """
    verb = cues.verb
    if verb is None:
        return ""
    span = cues.span
    doc = verb.doc
    if verb.pos_ not in {"VERB", "AUX"}:
        # a mis-tagged imperative ("Strengthen" as a proper noun): the rest of the unit
        last_i = span.end - 1
    else:
        breaks = [c.i for c in verb.children if c.i > verb.i and c.dep_ == "punct" and c.text in {",", ";", ":", "–", "—", "("}]
        stop = min(breaks + [span.end])  # a clause after a comma qualifies, it is not the measure
        kept = [c for c in verb.children if verb.i < c.i < stop and c.dep_ in MEASURE_DEPS]
        last = kept[-1].right_edge if kept else verb
        last_i = min(last.i, span.end - 1)
    # a token slice, not ``doc.text[...]``: Doc.text re-joins the whole document on every call
    words = doc[verb.i : last_i + 1].text.split() if last_i >= verb.i else []
    text = " ".join(words[:max_words]).strip(" ,;:.–—-")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
