"""Validate the labelled set: every record's fields and ids, and that its
text stands in its PDF.

    python labelled/check_labels.py [DOC_ID | FILE.jsonl ...]

Checks, for each annotations/<doc_id>.jsonl (or the ones named):
- every line parses and has the fields of the record format (README.md);
- enums and the 18 instrument ids of ANNOTATION.md are respected;
- the manifest entry exists and its sha256 matches the PDF;
- every unit's text occurs in the PDF's text (compared on letters and
  digits only, so line breaks, hyphenation and quotes do not matter; a
  unit that crosses a footnote or a page break is retried without digits
  and then piece by piece).
Exit 1 when anything fails; each failure names the file and the line.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import pypdfium2
import yaml

HERE = Path(__file__).resolve().parent
INSTRUMENTS = {
    "sanctions", "incentives", "recognition", "diplomatic_isolation",
    "diplomatic_engagement", "accountability", "financial_aid",
    "civil_society_support", "mobility_asylum", "strategic_communication",
    "democratic_transition", "security_deterrence", "policy_coordination",
    "regulation", "public_services", "public_investment",
    "institutional_capacity", "evidence_evaluation",
}
GENRES = {"paper_or_brief", "resolution", "committee_report", "government_response",
          "audit", "review_or_compilation", "bill_or_strategy"}
FIELDS = {"doc": str, "text": str, "page": int, "kind": str, "addressees": list,
          "targets": list, "instruments": list, "modality": str, "polarity": str,
          "reported": bool}
ENUMS = {"kind": {"sentence", "list_item", "heading"},
         "modality": {"must", "should", "could"}, "polarity": {"do", "refrain"}}
ACTOR_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def squeeze(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def pdf_pages(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def found(unit: str, haystack: str, haystack_nodigits: str) -> bool:
    key = squeeze(unit)
    if key in haystack:
        return True
    key_nodigits = re.sub(r"[0-9]", "", key)
    if key_nodigits in haystack_nodigits:
        return True
    # A page break, a column break or a running head inside the unit: the
    # unit still stands in the text if nearly all of its pieces do.
    pieces = [key_nodigits[i:i + 24] for i in range(0, len(key_nodigits), 24)]
    hits = sum(piece in haystack_nodigits for piece in pieces)
    return hits >= 0.8 * len(pieces)


def check_document(doc_id: str, annotations: Path | None = None) -> list[str]:
    problems: list[str] = []
    annotations = annotations or HERE / "annotations" / f"{doc_id}.jsonl"
    pdf = HERE / "pdfs" / f"{doc_id}.pdf"
    manifest = HERE / "manifest.d" / f"{doc_id}.yaml"
    if not pdf.exists():
        return [f"{pdf}: missing"]
    if not manifest.exists():
        problems.append(f"{manifest}: missing")
    else:
        entry = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
        if entry.get("sha256") != digest:
            problems.append(f"{manifest}: sha256 {entry.get('sha256')} != file's {digest}")
        if entry.get("genre") not in GENRES:
            problems.append(f"{manifest}: genre {entry.get('genre')!r} not in {sorted(GENRES)}")
    pages = pdf_pages(pdf)
    haystack = squeeze(" ".join(pages))
    haystack_nodigits = re.sub(r"[0-9]", "", haystack)
    for number, line in enumerate(annotations.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{annotations}:{number}"
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{where}: not JSON ({error})")
            continue
        for field, kind in FIELDS.items():
            if not isinstance(record.get(field), kind):
                problems.append(f"{where}: {field} should be {kind.__name__}, got {record.get(field)!r}")
        if problems and problems[-1].startswith(where):
            continue
        if record["doc"] != doc_id:
            problems.append(f"{where}: doc {record['doc']!r} != file's {doc_id!r}")
        for field, allowed in ENUMS.items():
            if record[field] not in allowed:
                problems.append(f"{where}: {field} {record[field]!r} not in {sorted(allowed)}")
        bad = [i for i in record["instruments"] if i not in INSTRUMENTS]
        if bad or len(record["instruments"]) > 3:
            problems.append(f"{where}: instruments {record['instruments']} (0-3 of the 18 ids)")
        if not record["addressees"]:
            problems.append(f"{where}: addressees empty (use ['unspecified'])")
        for field in ("addressees", "targets", "issuers"):
            for actor in record.get(field, []):
                if not ACTOR_ID.match(actor):
                    problems.append(f"{where}: {field} id {actor!r} is not lower_case_with_underscores")
        if not 1 <= record["page"] <= len(pages):
            problems.append(f"{where}: page {record['page']} outside 1..{len(pages)}")
        if not found(record["text"], haystack, haystack_nodigits):
            problems.append(f"{where}: text not found in the PDF: {record['text'][:80]!r}")
    return problems


def main(argv: list[str]) -> int:
    targets = argv or sorted(p.stem for p in (HERE / "annotations").glob("*.jsonl"))
    failures = 0
    for target in targets:
        if target.endswith(".jsonl"):  # a file of its own, e.g. agreement/<doc_id>.second.jsonl
            doc_id = Path(target).name.split(".")[0]
            problems = check_document(doc_id, Path(target))
        else:
            doc_id = target
            problems = check_document(doc_id)
        failures += len(problems)
        print(f"{doc_id}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
        for problem in problems:
            print(f"  {problem}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
