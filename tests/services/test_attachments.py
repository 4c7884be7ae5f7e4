"""Attachment checks: by content, size and count; stored under a random name; served only to
those who may see the ticket."""
import hashlib
import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from app.models import Attachment
from app.services import ServiceError, attachments
from tests.conftest import csrf_token, login
from tests.worlds import PDF, pdf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def office(folder: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{folder}/document.xml", "<x/>")
    return buf.getvalue()


def fs(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.mark.parametrize("data,name,kind", [
    (PDF, "a.pdf", "pdf"), (PNG, "a.png", "png"), (JPG, "a.jpeg", "jpg"),
    (office("word"), "a.docx", "docx"), (office("xl"), "a.xlsx", "xlsx"),
])
def test_allowed_types_by_content(app, data, name, kind):
    assert attachments.validate([fs(data, name)])[0][2] == kind


@pytest.mark.parametrize("data,name", [
    (b"MZ\x90\x00\x03" + b"\x00" * 300, "setup.pdf"),      # an .exe renamed .pdf
    (office("other"), "a.docx"),                            # a zip that is no Office file
    (b"just some text here", "a.pdf"),
    (PNG, "a.pdf"),                                         # a real PNG named .pdf
])
def test_refused_types(app, data, name):
    with pytest.raises(ServiceError) as e:
        attachments.validate([fs(data, name)])
    assert e.value.code == "file_type"


def test_11_mb_refused_and_nothing_stored(w, app, db, tmp_path):
    big = PDF + b"0" * (11 * 1024 * 1024)
    with pytest.raises(ServiceError) as e:
        w.file(files=[pdf(), fs(big, "big.pdf")])
    assert e.value.code == "file_too_large" and "10MB" in str(e.value)
    db.session.rollback()
    assert db.session.query(Attachment).count() == 0
    folder = app.config["UPLOAD_DIR"]
    assert not folder.exists() or list(folder.iterdir()) == []


def test_six_files_refused(w, db):
    with pytest.raises(ServiceError) as e:
        w.file(files=[pdf(f"{i}.pdf") for i in range(6)])
    assert e.value.code == "too_many_files"


def test_stored_with_random_name_and_sha256(w, app, db):
    t = w.file(files=[pdf("营业执照.pdf")])
    a = t.attachments[0]
    assert a.original_name == "营业执照.pdf" and a.stored_name != a.original_name and len(a.stored_name) == 32
    assert a.sha256 == hashlib.sha256(PDF).hexdigest() and a.mime == "application/pdf"
    assert (app.config["UPLOAD_DIR"] / a.stored_name).read_bytes() == PDF


def test_download_only_for_those_who_see_the_ticket(client, w, db):
    t = w.file(files=[pdf("营业执照.pdf")])
    a = t.attachments[0]
    login(client, "biz2")
    assert client.get(f"/attachments/{a.id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    login(client, "biz1")
    r = client.get(f"/attachments/{a.id}")
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E8%90%A5" in r.headers["Content-Disposition"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    login(client, "clerk_sw")  # another agency
    assert client.get(f"/attachments/{a.id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    login(client, "clerk_scj")
    assert client.get(f"/attachments/{a.id}").status_code == 200


def test_internal_attachment_never_to_the_business(client, w, db):
    t = w.file()
    ev = t.events[-1]
    [a] = attachments.save_all(t, [pdf("内部.pdf")], w.clerk, event=ev, internal=True)
    db.session.commit()
    assert a not in attachments.visible(w.biz, t) and a in attachments.visible(w.clerk, t)
    login(client, "biz1")
    assert client.get(f"/attachments/{a.id}").status_code == 404
    assert "内部.pdf" not in client.get(f"/portal/tickets/{t.id}").get_data(as_text=True)
