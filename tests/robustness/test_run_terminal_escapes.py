"""A file name cannot drive the user's terminal: control characters are printed escaped."""

from __future__ import annotations

from corpus_pdfs import write_theme
from run_helpers import run_cli

from pipeline.terminal import printable

EVIL = "report\x1b]0;owned\x07\x1b[2J\u202egpj.pdf"


def test_control_characters_in_a_failed_files_name_are_shown_escaped(tmp_path):
    papers = tmp_path / "papers"
    write_theme(papers, "sanctions")
    (papers / EVIL).write_bytes(b"%PDF-1.4\nthis is not a PDF body\n")

    done = run_cli("run", papers, "--out", tmp_path / "out")

    assert done.returncode == 2
    shown = done.stdout + done.stderr
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "report\\x1b]0;owned\\x07\\x1b[2J\\u202egpj.pdf" in shown


def test_printable_escapes_controls_and_keeps_ordinary_text():
    assert printable("Résumé – 2024.pdf") == "Résumé – 2024.pdf"
    assert printable("a\nb\tc\x1b[31m") == "a\\nb\\tc\\x1b[31m"
