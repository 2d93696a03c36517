"""The JSON API in process (Starlette's TestClient) over a briefly trained model and real UCI HAPT files."""

import asyncio
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score
from starlette.datastructures import UploadFile
from starlette.testclient import TestClient

from tests.app.conftest import EXPERIMENT, USER
from wearclip.app import create_app
from wearclip.app.server import UserError
from wearclip.app.sources import Source
from wearclip.data import datasets
from wearclip.study.smoothing import bouts

pytestmark = pytest.mark.slow  # the session's model takes about half a minute to train


@pytest.fixture(scope="module")
def client(model, trained, index, hapt_root):
    app = create_app(model, "test model", trained[0], [Source("uci-hapt", hapt_root)], [index],
                     max_upload_bytes=8 << 20)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def upload(client, path, name=None, activities=None, **fields):
    classes = datasets.get("uci-hapt").classes
    data = {"activities": ", ".join(activities or classes), "rate": "50", "units": "g"} | fields
    with open(path, "rb") as f:
        return client.post("/api/label", data=data, files={"file": (name or path.name, f, "text/csv")})


def test_page_and_info(client):
    page = client.get("/")
    assert page.status_code == 200 and "<script src=\"/static/app.js\">" in page.text
    for asset in ("/static/app.js", "/static/app.css"):
        assert client.get(asset).status_code == 200
    info = client.get("/api/info").json()
    assert info["model"] == "test model" and info["units"] == ["g", "m/s2"]
    assert [s["title"] for s in info["sources"]] == ["uci-hapt (uci-hapt)"]  # the index's source is the same folder
    assert info["indexes"][0]["source"] == 0 and info["indexes"][0]["windows"] > 100
    listing = client.get("/api/sources/0").json()
    assert listing["subjects"][str(int(USER))] == ["exp01", "exp02"]  # user 1 made experiments 1 and 2


def test_upload_and_dataset_recording_agree(client, hapt_csv, hapt_root):
    uploaded = upload(client, hapt_csv).json()
    picked = client.post("/api/label", data={"activities": ", ".join(datasets.get("uci-hapt").classes),
                                              "source": "0", "subject": str(int(USER)), "recording": f"exp{EXPERIMENT}"}).json()
    samples = len(np.loadtxt(hapt_root / "RawData" / f"acc_exp{EXPERIMENT}_user{USER}.txt"))
    windows = uploaded["windows"]
    assert len(windows["start"]) == (samples - 100) // 50 + 1  # 2 s windows every second at 50 Hz
    for key in ("start", "raw", "smoothed", "truth"):
        assert windows[key] == picked["windows"][key]
    assert uploaded["scores"] == picked["scores"]
    truth, raw = np.array(windows["truth"]), np.array(windows["raw"])
    known = truth >= 0
    assert uploaded["scores"]["windows"] == known.sum() > 0
    expected = f1_score(truth[known], raw[known], labels=np.unique(truth[known]), average="macro", zero_division=0)
    assert uploaded["scores"]["raw"]["macro_f1"] == pytest.approx(expected, abs=1e-12)
    assert len(bouts(windows["smoothed"])) < len(bouts(windows["raw"]))
    p = np.array(windows["p"])
    np.testing.assert_allclose(p.sum(1), 1, atol=len(uploaded["activities"]) * 5e-4)  # rounded to 3 decimals
    np.testing.assert_array_equal(p[np.arange(len(raw)), raw], p.max(1))  # raw = the most probable (rounding keeps order)


def test_parquet_with_times_and_m_s2_gives_the_same_windows(client, hapt_csv, tmp_path):
    frame = pd.read_csv(hapt_csv, keep_default_na=False)
    from_csv = upload(client, hapt_csv).json()
    g = 9.80665  # the standard gravity wearclip converts m/s2 with (docs/data.md)
    table = frame.assign(x=frame.x * g, y=frame.y * g, z=frame.z * g, timestamp=np.arange(len(frame)) / 50)
    table.to_parquet(tmp_path / "hapt.parquet", index=False)
    from_parquet = upload(client, tmp_path / "hapt.parquet", units="m/s2", rate="").json()
    assert from_parquet["windows"]["start"] == from_csv["windows"]["start"]
    assert from_parquet["windows"]["truth"] == from_csv["windows"]["truth"]
    table.loc[7, "timestamp"] = 0.01  # goes back in time after row 7's predecessor (0.12 s)
    table.to_parquet(tmp_path / "backwards.parquet", index=False)
    assert error_of(upload(client, tmp_path / "backwards.parquet", units="m/s2")) == (
        "backwards.parquet: row 8: timestamp 0.01 goes backwards (previous 0.12)")


def test_signal_envelope_bounds_the_samples(client, hapt_csv):
    key = upload(client, hapt_csv).json()["key"]
    signal = pd.read_csv(hapt_csv)[["x", "y", "z"]].to_numpy()
    times = np.arange(len(signal)) / 50
    start, end = 100.0, 400.0
    envelope = client.get(f"/api/labelled/{key}/signal", params={"start": start, "end": end, "points": 200}).json()
    inside = signal[(times >= start) & (times <= end)]
    assert len(envelope["t"]) <= 200 and envelope["samples"] == len(inside)
    lo, hi = np.array(envelope["lo"]), np.array(envelope["hi"])
    assert (lo <= hi).all()
    np.testing.assert_allclose(lo.min(1), inside.min(0), atol=5e-5)  # values rounded to 4 decimals
    np.testing.assert_allclose(hi.max(1), inside.max(0), atol=5e-5)
    close = client.get(f"/api/labelled/{key}/signal", params={"start": 100, "end": 110, "points": 2000}).json()
    assert close["lo"] == close["hi"] and len(close["t"]) == close["samples"]  # few samples: every one


def test_timeline_csv_download(client, hapt_csv):
    labelled = upload(client, hapt_csv, activities=["walking", "sitting", "lying down"], stickiness="0.9").json()
    response = client.get(f"/api/labelled/{labelled['key']}/timeline.csv")
    assert response.headers["content-disposition"].endswith('-timeline.csv"')
    table = pd.read_csv(io.StringIO(response.text))
    assert list(table.columns[:7]) == ["segment", "start_s", "end_s", "activity", "activity_raw", "similarity", "label"]
    assert len(table) == len(labelled["windows"]["start"])
    names = labelled["activities"]
    assert list(table["activity"]) == [names[i] for i in labelled["windows"]["smoothed"]]


def error_of(response, status=400):
    assert response.status_code == status, response.text[:300]
    message = response.json()["error"]
    assert "Traceback" not in message and "\n" not in message
    return message


def test_bad_files_are_one_sentence_naming_the_line(client, hapt_csv, tmp_path):
    lines = hapt_csv.read_text().splitlines()
    lines[41] = "0.9,abc,0.1,"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    assert error_of(upload(client, bad)) == "bad.csv: line 42, field 'y': expected a number, found 'abc'"
    assert "enter the sampling rate" in error_of(upload(client, hapt_csv, rate=""))
    assert "at least two activities" in error_of(upload(client, hapt_csv, activities=["walking"]))
    assert "expected a .csv" in error_of(upload(client, hapt_csv, name="notes.txt"))
    assert "stickiness" in error_of(upload(client, hapt_csv, stickiness="1.5"))
    headerless = tmp_path / "headerless.csv"
    headerless.write_text("1,2,3\n4,5,6\n")
    assert "headerless.csv: line 1: missing column(s)" in error_of(upload(client, headerless))


def test_upload_size_limit(client, tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x,y,z\n" + b"0.1,0.2,0.3\n" * 800_000)  # 9.2 MiB
    assert "uploads up to 8 MiB" in error_of(upload(client, big), 413)


def test_upload_limit_holds_while_reading(client):
    """A request that declares no length (or a false one) is still cut off once the file passes the limit."""
    state = client.app.state.wearclip
    upload = UploadFile(io.BytesIO(b"0.1,0.2,0.3\n" * 800_000), filename="streamed.csv")  # 9.2 MiB
    with pytest.raises(UserError, match="uploads up to 8 MiB"):
        asyncio.run(state.save_upload(upload))
    assert not list(Path(state.uploads.name).iterdir())  # nothing half-written is left behind


def test_no_file_outside_the_given_folders(client, hapt_csv, tmp_path):
    for path in ("/static/../pyproject.toml", "/static/%2e%2e/server.py", "/static/..%2f..%2fpyproject.toml",
                 "/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml", "/api/sources/..%2f..", "/api/labelled/..%2f/signal",
                 "/etc/passwd", "/static//etc/passwd"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "[project]" not in response.text and "root:" not in response.text
    form = {"activities": "walking, sitting"}
    assert "no dataset number" in error_of(client.post("/api/label", data=form | {"source": "../../etc"}), 404)
    assert "no recording" in error_of(client.post("/api/label", data=form | {"source": "0", "subject": "../..",
                                                                             "recording": "/etc/passwd"}), 404)
    assert "no longer held" in error_of(client.get("/api/labelled/0123456789abcdef/timeline.csv"), 404)
    assert client.get("/api/labelled/../../etc/timeline.csv").status_code == 404
    sneaky = upload(client, hapt_csv, name="../../../sneaky.csv")
    assert sneaky.status_code == 200 and sneaky.json()["name"] == "sneaky.csv"
    assert not list(tmp_path.parent.glob("**/sneaky.csv"))


def test_search_matches_the_index_and_opens_its_recording(client, index, model):
    result = client.post("/api/search", json={"query": "walking upstairs", "k": 5}).json()
    assert client.app.state.wearclip.archive.model_of(index) is model  # same weights: no second copy loaded
    expected = index.search_text(model, ["walking upstairs"], 5)
    assert [h["id"] for h in result["hits"]] == expected.id.tolist()
    np.testing.assert_allclose([h["score"] for h in result["hits"]], expected.similarity, atol=5e-5)
    assert result["search_ms"] > 0
    for hit in result["hits"]:
        assert np.array(hit["signal"]).shape == (3, 100)  # 2 s at 50 Hz
        row = index.manifest.iloc[hit["id"]]
        assert (hit["subject"], hit["recording"], hit["start"]) == (row.subject, row.recording, row.start)
    signal = np.array(result["hits"][0]["signal"])
    np.testing.assert_allclose(signal, index.windows([result["hits"][0]["id"]])[0], atol=5e-4)


def test_faiss_backend_finds_the_same_windows(client, model, trained, index):
    pytest.importorskip("faiss")
    with TestClient(create_app(model, "faiss", trained[0], [], [index], backend="faiss")) as faiss_client:
        for query in ("lying down", "walking downstairs"):
            exact, faiss = (c.post("/api/search", json={"query": query, "k": 8}).json()["hits"] for c in (client, faiss_client))
            assert [h["id"] for h in faiss] == [h["id"] for h in exact]


def test_more_like_this_excludes_the_window_itself(client, index):
    result = client.post("/api/similar", json={"index": 0, "id": 7, "k": 4}).json()
    ids = [h["id"] for h in result["hits"]]
    expected = [i for i in index.search(index.vectors([7]), 5)[1][0] if i != 7][:4]
    assert ids == expected and 7 not in ids
    for window in (10**9, -1, "x"):
        assert "no such window" in error_of(client.post("/api/similar", json={"index": 0, "id": window}), 404)
    assert "no index number" in error_of(client.post("/api/similar", json={"index": 5, "id": 1}), 404)
    for k in (0, 101, "ten"):
        assert "between 1 and 100" in error_of(client.post("/api/search", json={"query": "walking", "k": k}))
    assert "type what to look for" in error_of(client.post("/api/search", json={"query": " "}))
    assert "not JSON" in error_of(client.post("/api/search", content=b"{"))


def test_model_card_reads_the_run_folder(client, trained):
    card = client.get("/api/model").json()
    assert card["training data"] == "uci-hapt"
    assert card["input"]["rate"].startswith("50 Hz")
    assert [f["name"] for f in card["figures"]] == ["zeroshot"]
    assert 0 < card["figures"][0]["macro_f1"] < 1
    assert card["sources"] == ["config.json", f"{trained[0].parent.name}/metrics.json"]


def test_model_card_from_config_alone_and_beside_a_broken_metrics_file(model, trained, tmp_path):
    from wearclip.app.card import model_card

    bare = model_card(model, "bare", None)
    assert bare["figures"] == [] and bare["sources"] == ["config.json"] and bare["document"] is None
    checkpoint = model.save_pretrained(tmp_path / "checkpoint")
    (tmp_path / "metrics.json").write_text("{not json")
    (checkpoint / "README.md").write_text("# my model\nTrained for the tests.\n")
    card = model_card(model, "broken", checkpoint)
    assert card["sources"] == ["config.json", f"{tmp_path.name}/metrics.json (not valid JSON, skipped)",
                               "checkpoint/README.md"]
    assert card["document"].startswith("# my model")
