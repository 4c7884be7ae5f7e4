"""A real Open311 client from PyPI against our endpoint: georeport 0.3.1 (the only one that runs
on current Python; `open311` 1.1 and `three` 0.8.0 are Python 2 code and fail on import).

georeport talks HTTP through `requests`; a transport adapter hands its requests to the Flask
test client, so the library's own URL building, parameters and parsing (JSON and XML) are used.
"""
import pytest
import requests
from georeport import GeoReport
from requests.adapters import BaseAdapter

from tests.open311.test_open311 import BASE, fms_post


class FlaskAdapter(BaseAdapter):
    def __init__(self, client):
        super().__init__()
        self.client = client

    def send(self, request, **kwargs):
        path = request.path_url
        r = self.client.open(path, method=request.method, data=request.body, headers=dict(request.headers))
        resp = requests.Response()
        resp.status_code = r.status_code
        resp._content = r.data
        resp.headers.update(dict(r.headers))
        resp.url = request.url
        resp.request = request
        return resp

    def close(self):
        pass


@pytest.fixture
def via_flask(client, monkeypatch):
    adapter = FlaskAdapter(client)
    monkeypatch.setattr(requests.Session, "get_adapter", lambda self, url: adapter)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_and_definitions(setup, via_flask, fmt):
    geo = GeoReport(f"http://desk.test{BASE}", jurisdiction="liaoyuan", output_format=fmt)
    services = geo.get_service_list()
    assert {s["service_code"] for s in services} >= {"tax", "inspection", "arrears"}
    definition = geo.get_service_definition("tax")
    # XML comes back through xmltodict: <attributes><attribute>… nests one level deeper.
    attrs = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert {a["code"] for a in attrs} == {"uscc", "company_name", "kind", "urgent"}


def test_georeport_requests_need_the_key_it_never_sends(client, setup, via_flask):
    # georeport has no POST method, and sends no api_key on GET requests: our requests are business
    # data and need a key, so the library gets the spec's 403 (its raise_for_status raises).
    number = client.post(f"{BASE}/requests.json", data=fms_post(setup["key"])).get_json()[0]["service_request_id"]
    geo = GeoReport(f"http://desk.test{BASE}", jurisdiction="liaoyuan", api_key=setup["key"])
    with pytest.raises(requests.HTTPError) as info:
        geo.get_service_request(number)
    assert info.value.response.status_code == 403
    assert info.value.response.json()[0]["code"] == 403
