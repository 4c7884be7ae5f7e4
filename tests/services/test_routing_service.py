"""The router as the app uses it: refreshed without per-request queries (issue 13), the public suggest()
function, the centre's own remit catalog (issue 12)."""
import json
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.domain.routing.models import RoutingInputError
from app.services import ServiceError, catalog
from app.services import routing as routing_service


@contextmanager
def queries(db):
    seen = []

    def listen(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


@pytest.fixture
def imported(db):
    catalog.import_plans()
    db.session.commit()


def test_routing_does_not_query_within_the_refresh_window(app, db, imported):
    app.config["ROUTING_REFRESH_SECONDS"] = 3600
    routing_service.decide("liaoyuan", "发票", "新公司申领发票来回跑")  # builds the router
    with queries(db) as seen:
        for _ in range(5):
            routing_service.decide("liaoyuan", "退税", "留抵退税两个月没到账")
    assert seen == []


def test_version_is_one_query_when_the_window_has_passed(app, db, imported):
    app.config["ROUTING_REFRESH_SECONDS"] = 0
    routing_service.decide("liaoyuan", "发票", "新公司申领发票来回跑")
    with queries(db) as seen:
        routing_service.decide("liaoyuan", "退税", "留抵退税两个月没到账")
    assert len(seen) == 1


def test_a_recorded_correction_is_seen_at_once_by_this_process(app, db, imported):
    app.config["ROUTING_REFRESH_SECONDS"] = 3600
    routing_service.decide("liaoyuan", "发票", "新公司申领发票来回跑")
    routing_service.invalidate()
    with queries(db) as seen:
        routing_service.decide("liaoyuan", "退税", "留抵退税两个月没到账")
    assert len(seen) >= 1  # the version is read again after invalidation


def test_suggest_is_the_public_answer(imported):
    out = routing_service.suggest("liaoyuan", "车间工人受伤，想申请工伤认定，不知道要什么材料", title="员工受伤")
    assert out["agency"] == "市人力资源社会保障局"
    assert {"agency", "co_agencies", "confidence", "to_dispatch", "candidates", "explanation", "learned"} <= set(out)
    assert out["candidates"][0]["agency"] == out["agency"]
    assert any("工伤认定" in r for r in out["candidates"][0]["reasons"])
    with pytest.raises(RoutingInputError):
        routing_service.suggest("mars", "退税")


def test_centre_catalog_is_imported_validated_and_kept(app, db, imported, tmp_path, runner):
    app.config["REMIT_LOCAL_PATH"] = str(tmp_path / "local.json")
    # a matter the shipped catalog does not list (滑雪场 was the probe until the catalog took 高危险性体育项目 in)
    probe = ("蹦床馆开业", "我们新开了一家蹦床馆，想问开业前谁来检查蹦床设施，能不能尽快安排")
    before = routing_service.suggest("liaoyuan", probe[1], title=probe[0])
    assert before["agency"] != "市文化广播电视和旅游局"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"roles": {"culture": {"entries": [{"matter": "x", "terms": []}]}}}), encoding="utf-8")
    with pytest.raises(ServiceError):
        routing_service.import_remit_catalog(bad)
    assert not (tmp_path / "local.json").exists()
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"roles": {"culture": {"source": "本中心派单纪要", "entries": [
        {"matter": "蹦床馆", "terms": ["蹦床馆", "蹦床"]}]}}}, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["routing", "import-catalog", str(good)])
    assert result.exit_code == 0, result.output
    after = routing_service.suggest("liaoyuan", probe[1], title=probe[0])
    assert after["agency"] == "市文化广播电视和旅游局"
    assert "职责清单「蹦床馆」" in after["explanation"]
    # a re-import of the plans keeps the centre's catalog
    catalog.import_plans()
    db.session.commit()
    routing_service.invalidate()
    assert routing_service.suggest("liaoyuan", probe[1], title=probe[0])["agency"] == "市文化广播电视和旅游局"
