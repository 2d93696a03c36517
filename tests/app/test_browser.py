"""The page driven the way a person uses it: headless Chromium (Debian's ``chromium`` on PATH) through
Playwright, against the app served by uvicorn on a free local port. Each test saves a screenshot."""

import shutil
import socket
import threading
import time

import numpy as np
import pytest
import uvicorn

from tests.app.conftest import EXPERIMENT
from wearclip.app import create_app
from wearclip.app.sources import Source

pytestmark = [pytest.mark.browser, pytest.mark.slow]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
BASIC = ["walking", "walking upstairs", "walking downstairs", "sitting", "standing", "lying down"]
TIMEOUT_MS = 120_000
PLOT_LEFT, BAND_ROWS = 88, {"predicted": 247, "truth": 275}  # app.js: LEFT and the middle of each band


@pytest.fixture(scope="module")
def server(model, trained, index, hapt_root):
    app = create_app(model, "test model", trained[0], [Source("uci-hapt", hapt_root)], [index])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no chromium on PATH (.ci/run installs Debian's package)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server)
    page.wait_for_function("document.querySelector('#model-name').textContent.includes('test model')")
    yield page
    page.close()
    assert not errors, errors  # no JavaScript error on the way


def band_colours(page, band: str) -> list[str]:
    """The colours along one band of the timeline canvas, one per pixel column of the plot area."""
    return page.evaluate("""([y, left]) => {
        const canvas = document.querySelector('#plot');
        const data = canvas.getContext('2d').getImageData(left, y, canvas.width - left, 1).data;
        const out = [];
        for (let i = 0; i < data.length; i += 4) out.push(data.slice(i, i + 4).join(','));
        return out;
    }""", [BAND_ROWS[band], PLOT_LEFT])


def changes(colours: list[str]) -> int:
    """How often the colour changes along a band."""
    return sum(a != b for a, b in zip(colours, colours[1:]))


def label_upload(page, path, activities, rate="50"):
    page.set_input_files("input[name=file]", str(path))
    page.fill("input[name=rate]", rate)
    page.fill("#activities", ", ".join(activities))
    with page.expect_response("**/api/label") as response:
        page.click("#label-button")
    return response.value


def test_label_an_uploaded_recording(page, hapt_csv, tmp_path):
    response = label_upload(page, hapt_csv, BASIC)
    assert response.ok
    labelled = response.json()
    page.wait_for_selector("#f1-raw")
    scores = labelled["scores"]
    assert page.text_content("#f1-raw") == f"{100 * scores['raw']['macro_f1']:.1f}"
    assert page.text_content("#f1-smoothed") == f"{100 * scores['smoothed']['macro_f1']:.1f}"
    truth, raw = np.array(labelled["windows"]["truth"]), np.array(labelled["windows"]["raw"])
    known = truth >= 0
    assert scores["windows"] == known.sum() and 0 < scores["raw"]["accuracy"] == pytest.approx((truth == raw)[known].mean())
    assert f"hapt-exp{EXPERIMENT}.csv" in page.text_content("#summary")
    page.wait_for_timeout(500)  # the detailed signal arrives after the overview
    smoothed_band, truth_band = band_colours(page, "predicted"), band_colours(page, "truth")
    legend = page.eval_on_selector_all("#legend i", "items => items.map(i => getComputedStyle(i).backgroundColor)")
    assert len(legend) == len(BASIC) + 3
    assert len(set(smoothed_band)) >= 2 and len(set(truth_band)) >= 3  # several activities, drawn as bands
    page.screenshot(path=str(tmp_path / "label-smoothed.png"), full_page=True)
    page.check("input[name=show][value=raw]")
    raw_band = band_colours(page, "predicted")
    assert changes(raw_band) > changes(smoothed_band)  # the raw labels flicker more
    box = page.locator("#plot").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 100)
    assert "smoothed:" in page.text_content("#tooltip") and "true:" in page.text_content("#tooltip")
    page.mouse.wheel(0, -600)  # zoom in around the pointer
    page.wait_for_timeout(400)
    assert changes(band_colours(page, "predicted")) < changes(raw_band)
    page.screenshot(path=str(tmp_path / "label-raw-zoomed.png"), full_page=True)
    download = page.get_attribute("#download", "href")
    assert download == f"/api/labelled/{labelled['key']}/timeline.csv"


def test_bad_file_shows_one_sentence(page, hapt_csv, tmp_path):
    lines = hapt_csv.read_text().splitlines()
    lines[9] = "0.9,0.1,oops,"
    bad = tmp_path / "broken.csv"
    bad.write_text("\n".join(lines) + "\n")
    label_upload(page, bad, BASIC)
    page.wait_for_selector("#error:not([hidden])")
    assert page.text_content("#error") == "broken.csv: line 10, field 'z': expected a number, found 'oops'"
    page.screenshot(path=str(tmp_path / "error.png"), full_page=True)


def test_search_and_open_a_result(page, tmp_path):
    page.click("button[data-view=search]")
    page.fill("#query", "walking upstairs")
    with page.expect_response("**/api/search") as response:
        page.click("#search-form button[type=submit]")
    hits = response.value.json()["hits"]
    page.wait_for_selector(".hit canvas")
    assert page.locator(".hit").count() == len(hits) == 12
    first = page.locator(".hit").first
    assert f"subject {hits[0]['subject']}" in first.text_content()
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    with page.expect_response("**/api/similar") as similar:
        first.locator("button").click()
    assert similar.value.ok and hits[0]["id"] not in [h["id"] for h in similar.value.json()["hits"]]
    page.wait_for_function("document.querySelector('#search-info').textContent.includes('windows like window')")
    with page.expect_response("**/api/label") as opened:
        page.locator(".hit").first.click()
    labelled = opened.value.json()
    page.wait_for_selector("#label-view:not([hidden]) #summary b")
    assert f"subject {page.input_value('select[name=subject]')}" in labelled["name"]
    assert page.text_content("#summary").startswith(labelled["name"])
    page.wait_for_timeout(500)
    page.screenshot(path=str(tmp_path / "opened-result.png"), full_page=True)


def test_model_page(page, tmp_path):
    page.click("button[data-view=model]")
    page.wait_for_selector("#card h2")
    text = page.text_content("#card")
    assert "uci-hapt" in text and "50 Hz" in text and "zeroshot" in text
    page.screenshot(path=str(tmp_path / "model.png"), full_page=True)
