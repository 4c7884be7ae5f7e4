"""The inbox in the reader's language: a notification keeps the marked message it was filled from
(Notification.message_source), so an English reader reads it in English, labels inside it too;
the Chinese text stays for the email and for rows written before migration 0018."""
import html

from flask_babel import refresh

from app.extensions import db as _db
from app.models import Notification
from app.services import handling
from app.services import sla as sla_service
from tests.conftest import login


def _inbox(client, lang):
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    return client.get(f"/inbox?lang={lang}").get_data(as_text=True)


def test_the_business_reads_its_notifications_in_english(client, w, db):
    t = w.file()
    handling.sign(w.clerk, t.id)
    login(client, "biz1")
    zh = _inbox(client, "zh")
    assert f"您的诉求已提交，工单号 {t.number}" in zh and f"工单 {t.number} 已由市市场监管局签收" in zh
    en = _inbox(client, "en")
    assert f"Your appeal has been submitted, ticket number {t.number}" in en
    assert "您的诉求已提交" not in en


def test_a_label_inside_a_message_is_translated_too(client, w, db):
    t = w.file()
    handling.sign(w.clerk, t.id)
    handling.record_contact(w.clerk, t.id, contacted_on=handling.contact_date_default(), way="phone",
                            summary="电话了解情况")
    handling.reply(w.clerk, t.id, "已经协调相关部门减少重复检查，今后将统一安排。")
    handling.rate(w.biz, t.id, satisfaction="very_satisfied", resolved=True, comment="")
    every = _db.session.query(Notification).all()
    assert len(every) >= 4 and all(n.message_source for n in every), [n.kind for n in every if not n.message_source]
    stored = _db.session.query(Notification).filter_by(kind="rated").one()
    assert stored.message_source["params"]["s"] == {"msgid": "非常满意", "params": {}}
    assert "非常满意" in stored.message  # the Chinese text, as the email says it
    login(client, "clerk_scj")
    en = _inbox(client, "en")
    assert "Very satisfied" in en and "非常满意" not in en


def test_a_row_without_its_source_shows_its_chinese_text(client, w, db):
    t = w.file()
    _db.session.query(Notification).update({"message_source": None})
    _db.session.commit()
    login(client, "biz1")
    assert f"您的诉求已提交，工单号 {t.number}" in _inbox(client, "en")


def test_an_escalation_message_keeps_its_labels_as_messages():
    """The sweep's 催办/督办 texts name a level and a clock: both are marked messages inside it."""
    from datetime import UTC, datetime
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from app.services.notifications import source_of

    message = sla_service._message("remind", "resolve", SimpleNamespace(number="LY20261202-000001"),
                                   datetime(2026, 12, 3, 3, tzinfo=UTC), SimpleNamespace(tz=ZoneInfo("Asia/Shanghai")))
    source = source_of(message)
    assert source["msgid"] == "工单 %(n)s %(level)s：%(clock)s时限 %(due)s"
    assert source["params"]["n"] == "LY20261202-000001" and source["params"]["due"] == "2026-12-03 11:00"
    assert source["params"]["level"]["msgid"] == "催办" and source["params"]["clock"]["msgid"] == "办理"
    assert str(message) == "工单 LY20261202-000001 催办：办理时限 2026-12-03 11:00"


# What the router writes (docs/routing.md, Explanation) and what an English reader reads, by hand.
ROUTED = ("职责清单「食品经营许可」：食品、许可证 → 市市场监管局；"
          "方案第3条「推进食品经营许可便利化」：共同词 食品、许可（市市场监管局牵头）；企业所选诉求类别；"
          "置信度 0.61 低于自动派单线 0.95，转派单中心人工派单，建议：市市场监管局、市商务局")
ROUTED_EN = ("Responsibility catalogue “食品经营许可”: 食品, 许可证 → 市市场监管局; "
             "Plan measure 3 “推进食品经营许可便利化”: shared words 食品, 许可 (市市场监管局 leads it); "
             "The topic the business chose; confidence 0.61 is below the automatic dispatch line 0.95, "
             "so the dispatch centre places it by hand; suggested: 市市场监管局, 市商务局")


def test_the_router_s_note_on_the_timeline_is_in_the_reader_s_language(client, w, db, monkeypatch):
    """The 派单 event's note is the router's explanation, a sentence of fixed patterns: an English reader
    reads it in English (names, titles and terms as written); a note a person wrote stays as written."""
    monkeypatch.setattr("app.services.routing.decide", _deciding(ROUTED))
    t = w.file()
    handling.sign(w.clerk, t.id)
    handling.record_contact(w.clerk, t.id, contacted_on=handling.contact_date_default(), way="phone",
                            summary="企业所选诉求类别")  # a person's words that happen to be a pattern's
    login(client, "clerk_scj")
    refresh()
    en = client.get(f"/desk/tickets/{t.id}?lang=en").get_data(as_text=True)
    assert html.unescape(en).count(ROUTED_EN) == 2  # the dispatch basis and the timeline's 派单 note
    assert "企业所选诉求类别" in en and "转派单中心" not in en  # only the contact note stays Chinese
    refresh()
    zh = client.get(f"/desk/tickets/{t.id}?lang=zh").get_data(as_text=True)
    assert html.unescape(zh).count(ROUTED) == 2


def test_the_dispatch_basis_and_each_candidate_s_reasons_in_english(client, w, db, monkeypatch):
    """The routing summary on the desk page: the explanation and each candidate's reasons in English."""
    from app.domain.routing.models import Candidate, Decision

    def decide(jurisdiction, title, text, topic=None):
        return Decision(jurisdiction=jurisdiction, agency="市市场监管局", co_agencies=(), measure=None,
                        confidence=0.97, to_dispatch=False, explanation="来信点名「市场监管」；企业所选诉求类别",
                        candidates=(Candidate("市市场监管局", 6.5, None, ("来信点名「市场监管」", "企业所选诉求类别")),
                                    Candidate("市商务局", 1.0, None, ("依据派单纠错样例 2 条",))))

    monkeypatch.setattr("app.services.routing.decide", decide)
    t = w.file()
    login(client, "clerk_scj")
    refresh()
    en = html.unescape(client.get(f"/desk/tickets/{t.id}?lang=en").get_data(as_text=True))
    basis = en[en.index('class="routing-explanation"'):]
    basis = basis[:basis.index("</table>")]
    assert "The appeal names “市场监管”; The topic the business chose" in basis
    assert "Based on 2 dispatcher correction(s)" in basis
    assert "来信点名" not in basis and "纠错样例" not in basis


def _deciding(explanation):
    from app.domain.routing.models import Decision

    def decide(jurisdiction, title, text, topic=None):
        return Decision(jurisdiction=jurisdiction, agency="市市场监管局", co_agencies=(), measure=None,
                        confidence=0.9, to_dispatch=False, explanation=explanation)

    return decide


def test_an_email_says_it_in_chinese_then_in_english(w, db):
    """An email has no reader's language to go by: the Chinese text first, then the English one."""
    from app.models import OutboxEmail

    w.biz.email = "biz1@example.com"
    db.session.commit()
    t = w.file()
    handling.sign(w.clerk, t.id)
    bodies = [e.body for e in db.session.query(OutboxEmail).filter_by(to_address="biz1@example.com")
              .order_by(OutboxEmail.id)]
    assert bodies == [
        f"您的诉求已提交，工单号 {t.number}\n\nYour appeal has been submitted, ticket number {t.number}",
        f"工单 {t.number} 已由市市场监管局签收\n\nTicket {t.number} has been signed by 市市场监管局",
    ]
    subject = db.session.query(OutboxEmail).first().subject
    assert subject.startswith("[企业诉求直通车 Enterprise Appeals Desk]") and t.number in subject
