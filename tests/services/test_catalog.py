"""Importing the five plans into the responsibility catalog."""
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Agency, Measure, Plan, PlanImport, Responsibility
from app.services import ServiceError, catalog

DATA = Path(__file__).resolve().parents[2] / "data"
EXPECTED = {"zhaoqing": 37, "liaoyuan": 52, "xiamen": 28, "jiangmen": 38, "yueyang": 10}


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def test_import_creates_165_measures_in_five_cities(app, db):
    report = catalog.import_plans()
    assert set(report) == set(EXPECTED)
    for plan in db.session.scalars(select(Plan)):
        assert len(plan.measures) == EXPECTED[plan.jurisdiction]
    assert count(db, Measure) == 165
    # every measure has at least one agency to route to
    orphans = db.session.scalar(
        select(func.count()).select_from(Measure).where(~Measure.responsibilities.any()))
    assert orphans == 0


def test_imported_texts_use_full_width_marks_beside_chinese(app, db):
    """The plans' files write , ( ) ; : in Chinese sentences; what people read is stored with ，（）；：."""
    import re

    catalog.import_plans()
    half = re.compile(r"[\u4e00-\u9fff][,;:()]|[,;:(]\s*[\u4e00-\u9fff]|\)[\u4e00-\u9fff]")
    texts = [t for m in db.session.scalars(select(Measure)) for t in (m.title, m.body)]
    texts += [p.title for p in db.session.scalars(select(Plan))]
    assert len(texts) > 300 and [t for t in texts if half.search(t)] == []
    assert any("，" in t for t in texts)


def test_liaoyuan_explicit_and_inferred_sources(app, db):
    catalog.import_plans()
    exported = {p["jurisdiction"]: p for p in catalog.export_catalog()}
    m1 = exported["liaoyuan"]["measures"][0]
    assert m1["title"] == "实行企业开办精准服务"
    assert {"agency": "市市场监管局", "role": "lead", "source": "explicit", "collective": False} in m1["responsibilities"]
    assert {r["agency"] for r in m1["responsibilities"] if r["role"] == "co"} == {
        "市公安局", "市住房公积金管理中心", "市税务局", "市社保局"}
    # the Guangdong cities name no agency per measure: every responsibility is inferred
    assert all(r["source"] == "inferred" for m in exported["zhaoqing"]["measures"] for r in m["responsibilities"])
    # the documented shape
    assert set(exported["xiamen"]) == {"jurisdiction", "title", "measures"}
    assert set(m1) == {"number", "section", "title", "body", "responsibilities"}


def test_import_twice_changes_nothing(app, db):
    catalog.import_plans()
    before = (count(db, PlanImport), count(db, Responsibility), count(db, Agency))
    report = catalog.import_plans()
    assert report == {city: {} for city in EXPECTED}
    assert (count(db, PlanImport), count(db, Responsibility), count(db, Agency)) == before


def test_changed_file_updates_its_plan_and_records_the_change(app, db, data_copy):
    catalog.import_plans(data_copy)
    path = data_copy / "plans" / "001_a7026855f6d5bfe4.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("实行企业开办精准服务", "实行企业开办全程精准服务"),
                    encoding="utf-8")
    report = catalog.import_plans(data_copy)
    assert report["liaoyuan"]["changed"] == [1]
    assert report["zhaoqing"] == {}
    title = db.session.scalar(select(Measure.title).join(Plan).where(Plan.jurisdiction == "liaoyuan",
                                                                     Measure.number == 1))
    assert title == "实行企业开办全程精准服务"
    last = db.session.scalars(select(PlanImport).order_by(PlanImport.id.desc())).first()
    assert last.jurisdiction == "liaoyuan" and last.changes["changed"] == [1]


def test_malformed_plan_file_changes_nothing(app, db, data_copy):
    catalog.import_plans(data_copy)
    before = (count(db, PlanImport), count(db, Measure))
    (data_copy / "plans" / "003_1c61a52ca373500c.txt").write_bytes(b"\xff\xfe not a plan \x00")
    with pytest.raises(ServiceError) as e:
        catalog.import_plans(data_copy)
    assert "003_1c61a52ca373500c.txt" in str(e.value) and "格式有误" in str(e.value)
    assert (count(db, PlanImport), count(db, Measure)) == before


def test_missing_file_in_manifest_is_refused(app, db, data_copy):
    manifest = json.loads((data_copy / "plans" / "manifest.json").read_text(encoding="utf-8"))
    manifest["999_missing.txt"] = {"jurisdiction": "liaoyuan", "city": "辽源市", "city_en": "L", "prefix": "LY"}
    (data_copy / "plans" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ServiceError):
        catalog.import_plans(data_copy)
    assert count(db, Plan) == 0


def test_correction_is_kept_across_reimport(app, db, data_copy, make_user):
    catalog.import_plans(data_copy)
    admin = make_user(role="admin", jurisdiction=None)
    m = db.session.scalar(select(Measure).join(Plan).where(Plan.jurisdiction == "zhaoqing", Measure.number == 1))
    tax = db.session.scalar(select(Agency).where(Agency.jurisdiction == "zhaoqing", Agency.name.like("%税务%")))
    catalog.correct_responsibility(admin, m.id, tax.id, "lead", note="税务局牵头")
    assert any(r.agency_id == tax.id and r.source == "corrected" for r in m.responsibilities)
    # the plan file changes, the plan is re-imported: the correction is applied again
    path = data_copy / "plans" / "000_9ee58d5d402d639e.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("。", "。 ", 1), encoding="utf-8")
    catalog.import_plans(data_copy)
    db.session.expire_all()
    m = db.session.get(Measure, m.id)
    assert any(r.agency_id == tax.id and r.role == "lead" and r.source == "corrected" for r in m.responsibilities)


def test_correction_to_another_citys_agency_is_refused(app, db, make_user):
    catalog.import_plans()
    admin = make_user(role="admin", jurisdiction=None)
    m = db.session.scalar(select(Measure).join(Plan).where(Plan.jurisdiction == "zhaoqing", Measure.number == 1))
    other = db.session.scalar(select(Agency).where(Agency.jurisdiction == "liaoyuan"))
    with pytest.raises(ServiceError):
        catalog.correct_responsibility(admin, m.id, other.id, "lead")


def test_cli_import_and_export(runner, app):
    r = runner.invoke(args=["plans", "import"])
    assert r.exit_code == 0 and "liaoyuan: created" in r.output
    r = runner.invoke(args=["plans", "import"])
    assert "liaoyuan: unchanged" in r.output
    r = runner.invoke(args=["plans", "export", "--format", "json"])
    plans = json.loads(r.output)
    assert sum(len(p["measures"]) for p in plans) == 165


def test_route_batch_cli(runner, app):
    runner.invoke(args=["plans", "import"])
    lines = "\n".join([
        json.dumps({"id": "1", "jurisdiction": "liaoyuan", "title": "退税", "text": "企业所得税汇算清缴多缴税款申请退税,两个月没有退回。"}, ensure_ascii=False),
        "not json",
        json.dumps({"id": "3", "jurisdiction": "atlantis", "title": "x", "text": "y"}),
        json.dumps({"id": "4", "jurisdiction": "xiamen", "title": "", "text": "   "}),
    ])
    r = runner.invoke(args=["route-batch"], input=lines)
    out = [json.loads(x) for x in r.output.strip().splitlines()]
    assert len(out) == 4
    assert "税务" in out[0]["agency"] and set(out[0]) >= {"co_agencies", "measure", "confidence", "to_dispatch",
                                                        "candidates", "explanation"}
    assert "error" in out[1] and "error" in out[2] and out[2]["id"] == "3" and "error" in out[3]
