"""Scoring leave-one-document-out predictions: micro, averaged per document, per genre, and the markdown table."""

from __future__ import annotations

from pipeline.evaluate.crossval import cross_validation_scores, manifest_genres, markdown_table


def _unit(doc: str, text: str, addressees: list[str], issuers: list[str], instruments: list[str], reported=False):
    return {"doc": doc, "text": text, "addressees": addressees, "targets": [], "issuers": issuers,
            "instruments": instruments, "reported": reported}


GOLD = [
    _unit("audit-a", "The Secretary should direct the agency to publish performance measures annually.", ["us"], ["us"],
          ["evidence_evaluation"]),
    _unit("audit-a", "The Committee recommended that the agency train its staff in fraud risk.", ["us"], ["us"],
          ["institutional_capacity"], reported=True),
    _unit("paper-b", "Western governments should impose targeted sanctions on the officials responsible.", ["west"], [],
          ["sanctions"]),
    _unit("paper-b", "The EU should open a direct channel of dialogue with the opposition leaders.", ["eu"], [],
          ["diplomatic_engagement"]),
]


def test_every_unit_counts_and_each_genre_and_document_is_scored():
    predictions = [
        {**GOLD[0], "doc_id": "audit-a"},
        {**GOLD[1], "doc_id": "audit-a", "issuers": []},  # a reported unit is scored, its issuer missed
        {**GOLD[2], "doc_id": "paper-b", "addressees": ["eu"]},
        {"doc_id": "paper-b", "text": "Russia will continue to support the regime in the years ahead.",
         "addressees": ["russia"], "issuers": [], "instruments": ["sanctions"]},
    ]
    scores = cross_validation_scores(GOLD, predictions, {"audit-a": "audit", "paper-b": "paper_or_brief"}, 0.5)
    assert scores["settings"]["include_reported"] is True
    assert scores["detection"]["tp"] == 3 and scores["detection"]["fp"] == 1 and scores["detection"]["fn"] == 1
    assert scores["issuers"]["micro"]["tp"] == 1 and scores["issuers"]["micro"]["fn"] == 1
    assert scores["per_genre"]["audit"]["detection"]["f1"] == 1.0
    assert scores["per_genre"]["paper_or_brief"]["addressees"]["f1"] == 0.0
    assert scores["per_document_average"]["detection_f1"] == round((1.0 + 0.5) / 2, 4)
    table = markdown_table(scores)
    assert "| audit | 1 | 2 | 1.000 |" in table and "**all (micro)**" in table


def test_genres_come_from_the_manifest_beside_the_labels(tmp_path):
    (tmp_path / "annotations").mkdir()
    (tmp_path / "manifest.d").mkdir()
    (tmp_path / "manifest.d" / "audit-a.yaml").write_text("doc_id: audit-a\ngenre: audit\n", encoding="utf-8")
    assert manifest_genres(tmp_path / "annotations") == {"audit-a": "audit"}
