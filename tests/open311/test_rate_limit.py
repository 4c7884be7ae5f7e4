"""An Open311 client key over its limit gets the spec's errors/error with code 429, in the asked format."""
import json
from xml.etree import ElementTree as ET

import pytest

POST_LIMIT = 120  # docs/security.md: POST requests, 120 per hour per client key


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_121st_post_in_an_hour_is_a_spec_error(client, setup, fmt):
    # Refused posts (no service_code) count: the limit guards the endpoint, whatever the outcome.
    form = {"api_key": setup["key"], "jurisdiction_id": "liaoyuan"}
    codes = [client.post(f"/open311/v2/requests.{fmt}", data=form).status_code for _ in range(POST_LIMIT)]
    assert 429 not in codes
    r = client.post(f"/open311/v2/requests.{fmt}", data=form)
    assert r.status_code == 429
    seconds = int(r.headers["Retry-After"])
    assert 0 < seconds <= 3600
    if fmt == "json":
        assert r.mimetype == "application/json"
        errors = json.loads(r.get_data(as_text=True))
        assert isinstance(errors, list) and len(errors) == 1
        error = errors[0]
    else:
        assert r.mimetype == "text/xml"
        root = ET.fromstring(r.get_data())
        assert root.tag == "errors" and [e.tag for e in root] == ["error"]
        error = {child.tag: child.text for child in root[0]}
        error["code"] = int(error["code"])
    assert set(error) == {"code", "description"} and error["code"] == 429
    assert "每小时120次" in error["description"] and f"{seconds}秒" in error["description"]
    # the other city's key has its own count
    other = {"api_key": setup["other_key"], "jurisdiction_id": "xiamen"}
    assert client.post(f"/open311/v2/requests.{fmt}", data=other).status_code != 429
