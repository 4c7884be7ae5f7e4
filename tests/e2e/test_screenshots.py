"""`make screenshots`: PNGs of the main pages into docs/screenshots/ (run only when SCREENSHOTS is
set to the target folder; the suite skips it). Same live server and seeded demo desk as the walk."""
import os
from pathlib import Path

import pytest

OUT = os.environ.get("SCREENSHOTS")
pytestmark = pytest.mark.skipif(not OUT, reason="set SCREENSHOTS=docs/screenshots (make screenshots)")

# (file, user, path, viewport width) — what a newcomer should see before installing.
SHOTS = [
    ("01-portal-list.png", "biz2", "/portal/", 1280),
    ("02-portal-ticket.png", "biz2", "first:/portal/", 1280),
    ("03-desk-queue.png", "clerk_scj", "/desk/", 1280),
    ("04-desk-ticket.png", "clerk_scj", "first:/desk/?light=overdue", 1280),
    ("05-dispatch-queue.png", "dispatcher_ly", "/dispatch/", 1280),
    ("06-supervision-board.png", "supervisor_ly", "/supervision/", 1280),
    ("07-evaluation.png", "supervisor_ly", "/supervision/evaluation", 1280),
    ("08-admin-sla.png", "admin", "/admin/sla", 1280),
    ("09-desk-queue-390px.png", "clerk_scj", "/desk/", 390),
    ("10-desk-queue-english.png", "clerk_scj", "/desk/?lang=en", 1280),
]


def test_screenshots(desk):
    out = Path(OUT)
    out.mkdir(parents=True, exist_ok=True)
    page = desk.page
    for name, user, path, width in SHOTS:
        page.context.clear_cookies()
        page.set_viewport_size({"width": width, "height": 860 if width > 400 else 844})
        desk.login(user)
        if path.startswith("first:"):
            desk.go(path.removeprefix("first:"))
            page.locator("main table tbody a").first.click()
            page.wait_for_load_state()
        else:
            desk.go(path)
        page.screenshot(path=str(out / name), full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": 1500 if width > 400 else 1700})
        page.goto(desk.base + "/?lang=zh")
