"""The portal's own pages and base: home, language, reference data, error page, headers."""

from django.conf import settings
from django.urls import reverse

from portal.models import Field, Province


def test_home_is_vietnamese_by_default_even_for_an_english_browser(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()
    assert "Doanh nghiệp" in response.content.decode()


def test_language_switch_turns_the_page_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Enterprises" in html


def test_reference_data_is_loaded_bilingual(db):
    assert Province.objects.count() == 34
    assert Field.objects.filter(parent__isnull=True).count() == 6
    assert Field.objects.filter(parent__isnull=False).count() == 42
    field = Field.objects.get(code="2.02")
    assert field.name_en == "Electrical, electronic and information engineering"
    assert "điện" in field.name_vi.lower()
    assert Province.objects.get(slug="thai-nguyen").merged_from == "Thái Nguyên; Bắc Kạn"


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_security_headers_are_sent(client, db):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert settings.LANGUAGE_CODE == "vi"


def test_pages_and_api_answers_are_compressed_for_browsers_that_accept_it(client, staff_tn, rep_jp):
    import gzip

    for user, path in ((staff_tn, reverse("offers:catalog")), (rep_jp, "/api/schema/")):
        client.force_login(user)
        plain = client.get(path)
        packed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, br")
        assert packed.status_code == plain.status_code == 200, path
        assert packed["Content-Encoding"] == "gzip", path
        assert "Content-Encoding" not in plain, path
        assert len(packed.content) < len(plain.content) / 3, path
        assert gzip.decompress(packed.content).startswith(plain.content[:40]), path


def test_spreadsheets_pass_uncompressed_they_are_zips_already(client, staff_tn):
    client.force_login(staff_tn)
    xlsx = client.get(reverse("demands:export", args=["xlsx"]), HTTP_ACCEPT_ENCODING="gzip")
    assert xlsx.status_code == 200 and len(xlsx.content) > 200  # gzip's own floor
    assert "Content-Encoding" not in xlsx
    assert xlsx.content[:2] == b"PK"  # the workbook as it was written
