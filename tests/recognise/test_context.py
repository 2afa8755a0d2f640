"""A document's context read from its cover: genre, issuers, audience, date, title.

Pinned on the labelled set's real documents (the PDFs in labelled/pdfs, never the
evaluation documents) and on short cover lines taken from them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.config import load_config
from pipeline.extract import extract_document
from pipeline.recognise.context import GENRES, read_context
from pipeline.types import Block, BlockKind, DocumentLayout, DocumentMeta, Page

LABELLED = Path(__file__).resolve().parents[2] / "labelled"
MANIFESTS = sorted((LABELLED / "manifest.d").glob("*.yaml"))


@pytest.fixture(scope="module")
def config():
    return load_config()


def _context_of(doc_id: str, config):
    layout = extract_document(LABELLED / "pdfs" / f"{doc_id}.pdf", settings=config.settings["extract"],
                              backend="pdfium", doc_id=doc_id)
    return read_context(layout, config.actors)


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.stem for m in MANIFESTS])
def test_every_labelled_document_gets_the_genre_its_manifest_gives(manifest, config):
    entry = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    context = _context_of(entry["doc_id"], config)
    assert context.genre in GENRES
    assert context.genre == entry["genre"], context.evidence


def test_a_upr_report_is_addressed_to_the_state_under_review(config):
    context = _context_of("un-hrc-2011-upr-estonia-wg-report", config)
    assert context.audience == ("estonia",)
    assert context.issuers == ("un",)
    assert context.date == "2011-03-28"
    assert context.title.startswith("Report of the Working Group on the Universal")


def test_a_draft_resolution_is_issued_by_the_council_and_the_state_that_tabled_it(config):
    context = _context_of("un-sc-2020-somalia-amisom-draft-resolution", config)
    assert context.genre == "resolution"
    assert context.issuers == ("un", "uk")


def test_a_committee_report_advises_its_own_government(config):
    context = _context_of("uk-hl-2011-behaviour-change-report", config)
    assert (context.genre, context.issuers, context.audience) == ("committee_report", ("uk",), ("uk",))


def test_a_paper_by_individual_authors_has_no_issuer(config):
    context = _context_of("kharytonau-2020-global-actors-belarus", config)
    assert context.genre == "paper_or_brief" and context.issuers == ()
    assert context.date == "2020-11"


def _cover(*lines: str, body: tuple[str, ...] = ()) -> DocumentLayout:
    blocks = [Block(text=line, kind=BlockKind.HEADING, page=1, bbox=(0, 0, 1, 1), font_size=14) for line in lines]
    blocks += [Block(text=text, kind=BlockKind.PARAGRAPH, page=2, bbox=(0, 0, 1, 1)) for text in body]
    pages = (Page(number=1, width=600, height=800, blocks=tuple(b for b in blocks if b.page == 1)),
             Page(number=2, width=600, height=800, blocks=tuple(b for b in blocks if b.page == 2)))
    return DocumentLayout(doc_id="cover", path="cover.pdf", pages=pages, meta=DocumentMeta())


@pytest.mark.parametrize(("lines", "genre"), [
    (("Government Response to the Science and Technology Select Committee Report on Behaviour Change",),
     "government_response"),
    (("HOUSE OF LORDS", "Science and Technology Select Committee", "2nd Report of Session 2010–12"), "committee_report"),
    (("Department of Health and Human Services", "OFFICE OF INSPECTOR GENERAL"), "audit"),
    (("United Kingdom of Great Britain and Northern Ireland: draft resolution",), "resolution"),
    (("Report of the Working Group on the Universal Periodic Review", "Seychelles"), "review_or_compilation"),
    (("Beyond Blockchain: Policy Brief on Next Generation Web Technologies",), "paper_or_brief"),
    (("Report to the President on Federal IT Modernization", "A strategy for the federal enterprise"),
     "bill_or_strategy"),
])
def test_cover_words_name_the_genre(lines, genre, config):
    assert read_context(_cover(*lines), config.actors).genre == genre


def test_a_body_of_operative_paragraphs_is_a_resolution_whatever_the_cover(config):
    body = ("Recalling all its previous resolutions on the situation,", "Decides to extend the mandate,",
            "Requests the Secretary-General to report every 90 days,", "Urges all parties to comply,",
            "Encourages Member States to contribute,", "The situation remains grave.")
    context = read_context(_cover("Somalia", body=body), config.actors)
    assert context.genre == "resolution" and "operative" in context.evidence["genre"]


def test_a_government_document_without_a_named_body_is_its_home_states():
    from pipeline.recognise.context import with_home_state
    from pipeline.types import DocumentContext

    states = {"us", "uk", "france"}
    response = DocumentContext(genre="government_response")
    mentioned = ["uk"] * 9 + ["france", "eu", "eu"]
    found = with_home_state(response, mentioned, states, min_share=0.5, min_mentions=5)
    assert found.issuers == ("uk",) and found.audience == ("uk",)
    assert "9 of the document's 10 state mentions" in found.evidence["issuers"]
    # too few mentions, or no state dominant: nothing is guessed
    assert with_home_state(response, ["uk"] * 4, states, min_share=0.5, min_mentions=5) == response
    assert with_home_state(response, ["uk"] * 5 + ["us"] * 6 + ["france"] * 4, states, min_share=0.5,
                           min_mentions=5) == response
    # a paper by a think tank is nobody's state document, and a named issuer is kept
    paper = DocumentContext(genre="paper_or_brief")
    assert with_home_state(paper, ["uk"] * 20, states, min_share=0.5, min_mentions=5) == paper
    audit = DocumentContext(genre="audit", issuers=("us",))
    assert with_home_state(audit, ["uk"] * 20, states, min_share=0.5, min_mentions=5).issuers == ("us",)
