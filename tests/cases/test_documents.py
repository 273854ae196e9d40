"""Uploads are verified by parsing and served as attachments (issue #11, item 8)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bistand.cases import services
from bistand.cases.documents import ascii_filename
from bistand.cases.models import Document
from bistand.core.errors import DomainError

from ..files import image_bytes, pdf_bytes

HTML_BEHIND_PDF_HEADER = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n"


@pytest.fixture
def case(org, household_factory, this_month):
    household = household_factory(org.reception)
    return services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case


def upload(org, case, name, content, content_type="application/pdf"):
    return services.upload_document(
        org.social_worker, case, SimpleUploadedFile(name, content, content_type), kind="other"
    )


def refused_code(org, case, name, content, content_type="application/pdf") -> str:
    with pytest.raises(DomainError) as refused:
        upload(org, case, name, content, content_type)
    return refused.value.code


def test_real_pdf_png_and_jpeg_are_stored_with_the_parsed_type(org, case):
    assert upload(org, case, "a.pdf", pdf_bytes()).content_type == "application/pdf"
    # The client's content type is not what is stored.
    assert upload(org, case, "b.pdf", image_bytes("PNG"), "application/pdf").content_type == (
        "image/png"
    )
    assert upload(org, case, "c.jpg", image_bytes("JPEG"), "text/html").content_type == (
        "image/jpeg"
    )


def test_html_behind_a_pdf_header_is_refused(org, case):
    assert refused_code(org, case, "x.pdf", HTML_BEHIND_PDF_HEADER) == "file_type"
    assert not Document.objects.exists()


def test_valid_pdf_with_html_right_after_the_header_is_refused(org, case):
    content = pdf_bytes().replace(b"\n", b"\n<script>alert(1)</script>\n", 1)
    assert refused_code(org, case, "x.pdf", content) == "file_type"


def test_pdf_header_without_a_readable_pdf_is_refused(org, case):
    assert refused_code(org, case, "x.pdf", b"%PDF-1.7\nnothing here\n%%EOF") == "file_type"


def test_truncated_or_fake_images_are_refused(org, case):
    png = image_bytes("PNG")
    assert refused_code(org, case, "x.png", png[:60], "image/png") == "file_type"
    assert refused_code(org, case, "x.jpg", b"\xff\xd8\xff<html></html>", "image/jpeg") == (
        "file_type"
    )


def test_image_over_the_pixel_limit_is_refused(org, case, monkeypatch):
    monkeypatch.setattr("bistand.cases.documents.MAX_IMAGE_PIXELS", 100)
    assert refused_code(org, case, "x.png", image_bytes("PNG", (20, 20)), "image/png") == (
        "image_too_large"
    )


def test_other_files_are_refused(org, case):
    assert refused_code(org, case, "x.html", b"<html></html>", "text/html") == "file_type"
    assert refused_code(org, case, "x.gif", b"GIF89a....", "image/gif") == "file_type"


def test_upload_page_refuses_html_behind_pdf_header_in_swedish(client, org, case):
    client.force_login(org.social_worker)
    response = client.post(
        reverse("upload_document", args=[case.pk]),
        {
            "doc-kind": "other",
            "doc-file": SimpleUploadedFile("x.pdf", HTML_BEHIND_PDF_HEADER, "application/pdf"),
        },
        follow=True,
    )
    assert "ingen riktig PDF" in response.content.decode()
    assert not Document.objects.exists()


def test_download_is_an_attachment_with_safe_names_and_nosniff(client, org, case):
    document = upload(org, case, "Lönebesked från Åhléns.pdf", pdf_bytes())
    client.force_login(org.social_worker)
    response = client.get(reverse("download_document", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Lonebesked_fran_Ahlens.pdf"' in disposition
    assert "filename*=UTF-8''L%C3%B6nebesked%20fr%C3%A5n%20%C3%85hl%C3%A9ns.pdf" in disposition
    disposition.encode("ascii")  # the header itself is plain ASCII


def test_download_name_follows_the_parsed_type_not_the_clients_extension(org, case):
    document = upload(org, case, "bild.html", image_bytes("PNG"), "text/html")
    assert ascii_filename(document.original_name, document.content_type) == "bild.png"
    assert ascii_filename('"; x=.pdf', "application/pdf") == "x.pdf"
