"""Every way a file can fail to be read raises its own typed error naming the file."""

from __future__ import annotations

import pytest
from extract_pdfs import CORPUS, sentences
from reportlab.lib.pdfencrypt import StandardEncryption

from pipeline.errors import CorruptPdfError, DocumentError, EmptyFileError, EncryptedPdfError, NotAPdfError
from pipeline.extract import extract_document

BACKENDS = ("pdfplumber", "pdfium")


def _page(w):
    w.text(sentences("Secret", 2), 50, 60, 495)


@pytest.fixture
def encrypted(make_pdf):
    return make_pdf("user-password.pdf", [_page], encrypt=StandardEncryption("letmein", "owner-secret", strength=128))


@pytest.mark.parametrize("backend", BACKENDS)
def test_empty_file(tmp_path, extract_settings, backend):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(EmptyFileError) as raised:
        extract_document(path, settings=extract_settings, backend=backend)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_text_file_named_pdf(tmp_path, extract_settings, backend):
    path = tmp_path / "notes.pdf"
    path.write_text("These are meeting notes, not a PDF.\n", encoding="utf-8")
    with pytest.raises(NotAPdfError) as raised:
        extract_document(path, settings=extract_settings, backend=backend)
    assert str(path) in str(raised.value) and "%PDF-" in str(raised.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_user_password_missing_wrong_and_given(encrypted, extract_settings, backend):
    with pytest.raises(EncryptedPdfError) as raised:
        extract_document(encrypted, settings=extract_settings, backend=backend)
    assert str(encrypted) in str(raised.value) and "--password" in str(raised.value)
    with pytest.raises(EncryptedPdfError, match="password given does not open"):
        extract_document(encrypted, settings=extract_settings, backend=backend, password="wrong")
    layout = extract_document(encrypted, settings=extract_settings, backend=backend, password="letmein")
    assert "Secret one states" in layout.blocks[0].text


@pytest.mark.parametrize("backend", BACKENDS)
def test_owner_password_only_opens_without_one(make_pdf, extract_settings, backend):
    path = make_pdf("owner-password-only.pdf", [_page], encrypt=StandardEncryption("", "owner-secret", canPrint=0, canCopy=0))
    layout = extract_document(path, settings=extract_settings, backend=backend)
    assert "Secret two states" in layout.blocks[0].text


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("share", [0.05, 0.5, 0.97])
def test_truncated_copy_of_a_real_pdf(tmp_path, extract_settings, backend, share):
    source = CORPUS / "kharytonau-2020-global-actors-belarus.pdf"
    if not source.exists():
        pytest.skip(f"{source} is absent")
    data = source.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: int(len(data) * share)])
    with pytest.raises(CorruptPdfError) as raised:
        extract_document(path, settings=extract_settings, backend=backend)
    assert str(path) in str(raised.value) and "qpdf" in str(raised.value)


def test_garbage_after_a_pdf_header(tmp_path, extract_settings):
    path = tmp_path / "header-only.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    with pytest.raises(CorruptPdfError):
        extract_document(path, settings=extract_settings)


def test_errors_survive_pickling(tmp_path):
    import pickle

    error = EncryptedPdfError(tmp_path / "a.pdf", "the PDF is encrypted with a user password")
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, DocumentError) and str(copy) == str(error)
