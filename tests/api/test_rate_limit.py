"""A per-token limit hit on /api/v1 answers RFC 9457 problem+json with Retry-After, not the HTML page."""
import re

from flask_babel import refresh

from tests.api.conftest import auth

FILE_LIMIT = 120  # docs/security.md: filing through the API, 120 per hour per token


def test_the_121st_filing_in_an_hour_is_a_problem_with_retry_after(client, world):
    token = world.token(world.biz)
    # Refused filings (an empty body) count too: the limit guards the endpoint, not the outcome.
    codes = [client.post("/api/v1/tickets", json={}, headers=auth(token)).status_code for _ in range(FILE_LIMIT)]
    assert 429 not in codes
    r = client.post("/api/v1/tickets", json={}, headers=auth(token))
    assert r.status_code == 429
    assert r.mimetype == "application/problem+json"
    body = r.get_json()
    assert body["type"] == "tag:enterprise-appeals-desk,2026:problem/rate-limited"
    assert body["status"] == 429 and body["title"] == "请求过于频繁"
    assert "每小时120次" in body["detail"] and re.search(r"[\u4e00-\u9fff]", body["detail"])
    seconds = int(r.headers["Retry-After"])
    assert 0 < seconds <= 3600 and body["retry_after"] == seconds
    assert f"{seconds}秒" in body["detail"]
    # another token of the same user's neighbour is not limited: the count is per token
    other = world.token(world.biz2)
    assert client.post("/api/v1/tickets", json={}, headers=auth(other)).status_code == 422


def test_the_problem_speaks_english_when_asked(client, world):
    token = world.token(world.biz)
    for _ in range(FILE_LIMIT):
        client.post("/api/v1/tickets", json={}, headers=auth(token))
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    r = client.post("/api/v1/tickets", json={}, headers=auth(token, **{"Accept-Language": "en"}))
    assert r.status_code == 429 and r.mimetype == "application/problem+json"
    body = r.get_json()
    assert body["type"].endswith("/rate-limited")
    assert "120 per hour" in body["detail"] and not re.search(r"[\u4e00-\u9fff]", body["detail"] + body["title"])
