"""Safe paths: slug doc ids, nothing written outside --out, symlinks leading outside not followed unless asked."""

from __future__ import annotations

import re
from pathlib import Path

from corpus_pdfs import write_theme
from run_helpers import RUN_STATE, file_hashes, manifest, run_cli

OUTPUT_FILES = {
    "recommendations.jsonl", "recommendations.parquet", "entities.jsonl", "graph.graphml", "graph.gexf", "graph.json",
    "graph.cyjs", "nodes.csv", "edges.csv", "report.html", "manifest.json", "documents",
}
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _inputs(root: Path) -> Path:
    papers = root / "in"
    write_theme(papers, "sanctions", name="a..b")
    write_theme(papers, "deterrence", name="x\\..\\y")
    write_theme(papers, "engagement", name="%2e%2e%2fescape")
    write_theme(papers / "sub1", "civil-society", name="Report")
    write_theme(papers / "sub2", "sanctions", name="report")
    write_theme(papers, "deterrence", name="Лукашенка report")
    write_theme(root / "outside", "engagement", name="secret")
    (papers / "outside-link.pdf").symlink_to(root / "outside" / "secret.pdf")
    (papers / "outside-dir").symlink_to(root / "outside")
    (root / "tmp").mkdir()
    return papers


def _everything_but_out(root: Path) -> dict[str, str]:
    return {k: v for k, v in file_hashes(root).items() if not k.startswith("out/") and k != "out/"}


def test_runs_write_only_inside_out_and_do_not_follow_links_outside_unless_asked(tmp_path):
    papers = _inputs(tmp_path)
    out = tmp_path / "out"
    before = _everything_but_out(tmp_path)
    # anything a library would put in a temporary folder lands in tmp/, which must stay empty
    env = {"TMPDIR": str(tmp_path / "tmp")}

    done = run_cli("run", papers, "--out", out, "--quiet", env=env)
    assert done.returncode == 0, done.stderr
    assert _everything_but_out(tmp_path) == before
    assert {p.name for p in out.iterdir()} <= OUTPUT_FILES | set(RUN_STATE)

    documents = manifest(out)["documents"]
    doc_ids = [e["doc_id"] for e in documents if e["status"] == "ok"]
    assert len(doc_ids) == 6 and len(set(doc_ids)) == 6
    assert all(SLUG.fullmatch(doc_id) for doc_id in doc_ids), doc_ids
    assert {p.name for p in (out / "documents").iterdir()} == {f"{doc_id}.json" for doc_id in doc_ids}
    refused = {Path(e["path"]).name: e for e in documents if e["status"] == "skipped"}
    assert set(refused) == {"outside-link.pdf", "outside-dir"}
    assert {e["error"]["code"] for e in refused.values()} == {"symlink_outside"}
    assert all("--follow-symlinks" in e["error"]["message"] for e in refused.values())

    followed = run_cli("run", papers, "--out", out, "--quiet", "--follow-symlinks", env=env)
    assert followed.returncode == 0, followed.stderr
    assert _everything_but_out(tmp_path) == before
    entries = {e["doc_id"]: e for e in manifest(out)["documents"] if e["status"] == "ok"}
    # the file behind both links is read once, under the first name found
    assert set(entries) == set(doc_ids) | {"secret"}
    assert entries["secret"]["path"].endswith("outside-dir/secret.pdf")
    assert manifest(out)["run"]["processed"] == 1
