"""``wearclip serve`` wires the model, the dataset folders and the indexes into the app (uvicorn replaced by
a recorder, the app then driven in process)."""

import pytest
import uvicorn
from starlette.testclient import TestClient
from typer.testing import CliRunner

from wearclip.cli import app


@pytest.fixture
def served(monkeypatch):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda asgi, **options: calls.append((asgi, options)))
    return calls


@pytest.mark.slow
def test_serve_without_index_indexes_the_embedded_copy(served, trained, hapt_root):
    result = CliRunner().invoke(app, ["serve", "--model", str(trained[0]), "--root", f"uci-hapt={hapt_root}"])
    assert result.exit_code == 0, result.output
    asgi, options = served[0]
    assert options["host"] == "127.0.0.1" and options["port"] == 8765
    with TestClient(asgi) as client:
        info = client.get("/api/info").json()
        assert [s["title"] for s in info["sources"]] == ["uci-hapt (uci-hapt)", "uci-hapt (embedded copy)"]
        assert info["indexes"][0]["dataset"] == "uci-hapt (embedded copy)"
        assert info["indexes"][0]["windows"] == 22364  # every 2 s window, 1 s apart, of the 61 recordings
        hits = client.post("/api/search", json={"query": "lying down", "k": 3}).json()["hits"]
        assert len(hits) == 3 and hits[0]["source"] == 1


def test_serve_refuses_an_unnamed_folder(served, tmp_path):
    result = CliRunner().invoke(app, ["serve", "--model", str(tmp_path / "never-loaded"), "--root", str(tmp_path)])
    assert result.exit_code != 0 and "as NAME=DIR" in result.output
    assert not served
