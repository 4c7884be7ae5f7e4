"""Attachment quotas and file checks (issue 11, "Headers and files"). Limits from docs/security.md:
10 files per ticket, 200 MB per business; polyglots refused; names keep their extension."""
import io
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from app.models import Attachment
from app.services import ServiceError, attachments, handling
from tests.conftest import csrf_token, login
from tests.services.test_attachments import PNG, fs
from tests.worlds import PDF, pdf


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Attachment))


def test_repeated_add_information_stops_at_the_ticket_quota(w, db):
    t = w.file()
    handling.add_info(w.biz, t.id, "第一批", [pdf(f"a{i}.pdf") for i in range(5)])
    handling.add_info(w.biz, t.id, "第二批", [pdf(f"b{i}.pdf") for i in range(5)])
    assert _count(db) == 10
    with pytest.raises(ServiceError) as exc:
        handling.add_info(w.biz, t.id, "第三批", [pdf("c.pdf")])
    assert exc.value.code == "ticket_quota"
    assert _count(db) == 10


def test_the_business_quota_counts_all_its_tickets(w, db, app):
    app.config["MAX_ENTERPRISE_ATTACHMENT_BYTES"] = len(PDF) * 3  # the rule, at a testable size
    t1, t2 = w.file(), w.file(title="另一件事")
    handling.add_info(w.biz, t1.id, "x", [pdf("a.pdf"), pdf("b.pdf")])
    with pytest.raises(ServiceError) as exc:
        handling.add_info(w.biz, t2.id, "y", [pdf("c.pdf"), pdf("d.pdf")])
    assert exc.value.code == "enterprise_quota"
    assert _count(db) == 2


@pytest.mark.parametrize("data,name", [
    (PDF + b"<html><script>alert(1)</script></html>", "a.pdf"),
    (b"<html><body>" + PDF, "b.pdf"),
    (PNG + b"PK\x05\x06" + b"\x00" * 18, "c.png"),
])
def test_polyglots_are_refused(app, data, name):
    with pytest.raises(ServiceError):
        attachments.validate([fs(data, name)])


def _zip_tail():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("x.html", "<script>alert(1)</script>")
    return buf.getvalue()


def test_image_with_a_zip_appended_is_refused(app):
    with pytest.raises(ServiceError):
        attachments.validate([fs(PNG + _zip_tail(), "d.png")])


def test_a_400_character_name_keeps_its_extension(app):
    (name, _data, _kind), = attachments.validate([fs(PDF, "长" * 400 + ".pdf")])
    assert name.endswith(".pdf") and len(name) <= 255


def test_download_has_nosniff_and_a_sane_ascii_fallback(client, w, db):
    t = w.file(files=[pdf("营业执照.pdf")])
    login(client, "biz1")
    att = db.session.scalar(select(Attachment))
    r = client.get(f"/attachments/{att.id}")
    assert r.status_code == 200
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    cd = r.headers["Content-Disposition"]
    ascii_name = cd.split('filename="', 1)[1].split('"', 1)[0] if 'filename="' in cd else \
        cd.split("filename=", 1)[1].split(";", 1)[0]
    assert ascii_name not in (".pdf", "pdf") and ascii_name.endswith(".pdf") and len(ascii_name) > 4
    assert unquote(cd.split("filename*=UTF-8''", 1)[1]) == "营业执照.pdf"
    assert t.id


def test_add_info_form_shows_the_quota_refusal(client, w, db):
    t = w.file()
    handling.add_info(w.biz, t.id, "x", [pdf(f"a{i}.pdf") for i in range(5)])
    handling.add_info(w.biz, t.id, "y", [pdf(f"b{i}.pdf") for i in range(5)])
    login(client, "biz1")
    token = csrf_token(client, f"/portal/tickets/{t.id}")
    client.post(f"/portal/tickets/{t.id}/info", data={
        "csrf_token": token, "text": "再补充", "files": [(io.BytesIO(PDF), "c.pdf")]},
        content_type="multipart/form-data")
    assert _count(db) == 10
