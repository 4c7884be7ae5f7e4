"""The admin's catalog pages: browse city → section → measure, correct an agency."""
from sqlalchemy import select

from app.models import Agency, Measure, Plan, ResponsibilityCorrection
from app.services import catalog
from tests.conftest import csrf_token, login


def _measure(db, city, number):
    return db.session.scalar(select(Measure).join(Plan).where(Plan.jurisdiction == city, Measure.number == number))


def test_admin_browses_the_catalog(client, db, make_user):
    catalog.import_plans()
    make_user(role="admin", username="root", jurisdiction=None)
    login(client, "root")
    page = client.get("/admin/catalog").get_data(as_text=True)
    assert "辽源市2024年营商环境优化重点行动方案" in page
    page = client.get("/admin/catalog/liaoyuan").get_data(as_text=True)
    assert "打造高效便利的政务环境" in page and "实行企业开办精准服务" in page and "市市场监管局 · 牵头" in page
    m = _measure(db, "liaoyuan", 1)
    page = client.get(f"/admin/catalog/measure/{m.id}").get_data(as_text=True)
    assert "市住房公积金管理中心" in page


def test_admin_corrects_an_agency(client, db, make_user):
    catalog.import_plans()
    make_user(role="admin", username="root", jurisdiction=None)
    login(client, "root")
    m = _measure(db, "jiangmen", 2)
    tax = db.session.scalar(select(Agency).where(Agency.jurisdiction == "jiangmen", Agency.name.like("%税务%")))
    url = f"/admin/catalog/measure/{m.id}"
    r = client.post(url, data={"agency_id": tax.id, "role": "co", "note": "协助", "csrf_token": csrf_token(client, url)})
    assert r.status_code == 302
    db.session.expire_all()
    assert any(r.agency_id == tax.id and r.role == "co" and r.source == "corrected"
               for r in _measure(db, "jiangmen", 2).responsibilities)
    assert db.session.scalar(select(ResponsibilityCorrection.note)) == "协助"


def test_correction_without_agency_changes_nothing(client, db, make_user):
    catalog.import_plans()
    make_user(role="admin", username="root", jurisdiction=None)
    login(client, "root")
    m = _measure(db, "jiangmen", 2)
    url = f"/admin/catalog/measure/{m.id}"
    r = client.post(url, data={"agency_id": 0, "role": "lead", "csrf_token": csrf_token(client, url)})
    assert r.status_code == 200 and "请选择承办单位" in r.get_data(as_text=True)
    assert db.session.scalar(select(ResponsibilityCorrection.id)) is None


def test_non_admin_cannot_see_the_catalog_pages(client, make_user):
    make_user(username="biz")
    login(client, "biz")
    assert client.get("/admin/catalog").status_code == 403
