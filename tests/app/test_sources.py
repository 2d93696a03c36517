"""Which dataset folders the app may open, as named on the command line."""

from pathlib import Path

import pytest
import yaml

from wearclip.app.sources import Source, Sources, parse_root


def test_a_folder_is_named_by_its_dataset(hapt_root, tmp_path):
    assert parse_root(f"uci-hapt={hapt_root}") == Source("uci-hapt", hapt_root)
    assert parse_root(str(hapt_root)).name == "uci-hapt"  # the shared folder is named after its dataset
    (tmp_path / "dataset.yaml").write_text(yaml.safe_dump({"name": "mine", "sampling_rate": 50, "units": "g"}))
    assert parse_root(str(tmp_path)) == Source("generic", tmp_path)
    with pytest.raises(ValueError, match="as NAME=DIR"):
        parse_root(str(tmp_path.parent))
    with pytest.raises(FileNotFoundError, match="not found"):
        parse_root(str(tmp_path / "missing"))
    with pytest.raises(KeyError, match="unknown dataset 'hapt'"):
        parse_root(f"hapt={hapt_root}")


def test_one_number_per_dataset(hapt_root):
    relative = Path(*[".."] * len(Path.cwd().parts)) / hapt_root.relative_to("/")  # another spelling of the folder
    sources = Sources([Source("uci-hapt", hapt_root), Source("uci-hapt")], rate=50)
    assert sources.add(Source("uci-hapt", relative, "waist")) == 0
    assert sources.add(Source("uci-hapt")) == 1
    with pytest.raises(LookupError, match="no dataset number '2'"):
        sources.get("2")
    with pytest.raises(LookupError, match="no recording 'exp99' of subject '1'"):
        sources.recordings(1, {("1", "exp99")})
    found = sources.recordings(1, {("1", "exp01"), ("2", "exp03")})
    assert {(r.subject, r.recording, r.rate) for r in found.values()} == {("1", "exp01", 50), ("2", "exp03", 50)}
