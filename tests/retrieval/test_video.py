"""The X-CLIP video bridge, offline: a tiny random X-CLIP (tokenizer and frame processor included) saved to a
temporary folder, tiny videos written with PyAV, real UCI HAPT windows, planted matches ranked first."""

import re

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from wearclip.cli import app
from wearclip.config.model import WearClipConfig
from wearclip.data import datasets
from wearclip.data.windows import make_windows
from wearclip.errors import DataFormatError
from wearclip.models.wearclip import WearClip
from wearclip.retrieval.index import index_dataset
from wearclip.retrieval.video import (
    VideoEmbeddings,
    VideoEncoder,
    frame_indices,
    read_frames,
    reference_sentences,
    sensor_to_video,
    video_files,
    video_space,
    video_to_sensor,
)
from wearclip.text.encoders import default_text_encoder
from wearclip.text.templates import base_sentence

av = pytest.importorskip("av")

PROJECTION = 8
NUM_FRAMES = 4


@pytest.fixture(autouse=True, scope="module")
def text_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WEARCLIP_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


def write_video(path, levels, size=(40, 56), tint=(1.0, 1.0, 1.0)):
    """An MPEG-4 file whose frame i is a flat image of grey level ``levels[i]`` (times a colour tint)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.height, stream.width = size
        stream.pix_fmt = "yuv420p"
        for level in levels:
            image = np.empty((*size, 3), np.uint8)
            image[:] = np.clip(np.array(tint) * level, 0, 255).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture(scope="module")
def xclip(tmp_path_factory):
    """A tiny random X-CLIP folder: model, a byte-level CLIP tokenizer (no merges), a 32 px frame processor."""
    from tokenizers import pre_tokenizers
    from transformers import CLIPTokenizer, VideoMAEImageProcessor, XCLIPConfig, XCLIPModel

    folder = tmp_path_factory.mktemp("xclip") / "tiny-xclip"
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = ["<|startoftext|>", "<|endoftext|>", *alphabet, *(c + "</w>" for c in alphabet)]
    tokenizer = CLIPTokenizer(vocab={t: i for i, t in enumerate(vocab)}, merges=[])
    tiny = {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2}
    config = XCLIPConfig(
        text_config=tiny | {"max_position_embeddings": 96, "vocab_size": len(vocab)},
        vision_config=tiny | {"image_size": 32, "patch_size": 16, "num_frames": NUM_FRAMES, "mit_hidden_size": PROJECTION,
                              "mit_intermediate_size": 16, "mit_num_hidden_layers": 1, "mit_num_attention_heads": 2},
        projection_dim=PROJECTION, prompt_layers=1, prompt_attention_heads=2,
    )
    torch.manual_seed(0)
    XCLIPModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    VideoMAEImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    """Four clearly different clips (tints, brightness ramps, lengths) in one folder, plus a stray file."""
    folder = tmp_path_factory.mktemp("videos")
    write_video(folder / "a_red_ramp.mp4", np.linspace(40, 250, 12), tint=(1, 0.1, 0.1))
    write_video(folder / "b_green_flat.mp4", [180] * 9, tint=(0.1, 1, 0.2))
    write_video(folder / "c_blue_dark.mp4", np.linspace(200, 20, 15), tint=(0.2, 0.2, 1))
    write_video(folder / "d_grey_flicker.mp4", [30, 220] * 5)
    (folder / "notes.txt").write_text("not a video")
    return video_files([folder])


@pytest.fixture(scope="module")
def hapt_windows(hapt_root):
    dataset = datasets.load("uci-hapt", hapt_root)
    return make_windows([r for r in dataset.recordings() if r.subject in ("1", "2")], dataset.classes)


def test_frames_are_sampled_uniformly():
    assert frame_indices(10, 4).tolist() == [1, 3, 6, 8]
    assert frame_indices(2, 4).tolist() == [0, 0, 1, 1]
    with pytest.raises(ValueError):
        frame_indices(0, 4)


def test_read_frames_decodes_the_sampled_frames(tmp_path):
    path = write_video(tmp_path / "ramp.mp4", 10 + 20 * np.arange(12))
    frames = read_frames(path, 4)
    assert frames.shape == (4, 40, 56, 3) and frames.dtype == np.uint8
    # frames 1, 4, 7, 10 of the ramp have grey levels 30, 90, 150, 210 (MPEG-4 is lossy: +-6)
    np.testing.assert_allclose(frames.reshape(4, -1).mean(1), [30, 90, 150, 210], atol=6)
    short = read_frames(write_video(tmp_path / "short.mp4", [20, 200]), 4)
    np.testing.assert_allclose(short.reshape(4, -1).mean(1), [20, 20, 200, 200], atol=6)


def test_unreadable_videos_are_named(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 50)
    with pytest.raises(DataFormatError, match="broken.mp4"):
        read_frames(bad, 4)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no video files"):
        video_files([tmp_path / "empty"])
    with pytest.raises(FileNotFoundError, match="missing.mp4"):
        video_files([tmp_path / "missing.mp4"])


def test_video_encoder_embeds_each_video_on_its_own(xclip, videos):
    encoder = VideoEncoder(str(xclip))
    assert (encoder.num_frames, encoder.dim) == (NUM_FRAMES, PROJECTION)
    together = encoder.encode(videos, batch_size=4)
    alone = encoder.encode(videos[2:3], batch_size=1)
    assert together.embeddings.shape == (4, PROJECTION) and together.model == str(xclip)
    assert [p.rsplit("/", 1)[-1] for p in together.names] == [p.name for p in videos]
    np.testing.assert_allclose(np.linalg.norm(together.embeddings, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(alone.embeddings[0], together.embeddings[2], atol=1e-5)
    cosine = together.embeddings @ together.embeddings.T
    assert (cosine[~np.eye(4, dtype=bool)] < 1 - 1e-4).all()  # different clips, different embeddings


def test_video_embeddings_file_round_trip_and_errors(tmp_path):
    original = VideoEmbeddings(["a.mp4", "b.mp4"], np.array([[3.0, 4.0], [0.0, 2.0]], np.float32), "some/xclip")
    loaded = VideoEmbeddings.load(original.save(tmp_path / "v.npz"))
    assert loaded.names == original.names and loaded.model == "some/xclip"
    np.testing.assert_allclose(loaded.embeddings, [[0.6, 0.8], [0.0, 1.0]])
    np.savez(tmp_path / "no_names.npz", embeddings=np.ones((2, 3)))
    with pytest.raises(DataFormatError, match=r"no_names.npz: missing arrays \['names'\]"):
        VideoEmbeddings.load(tmp_path / "no_names.npz")
    np.savez(tmp_path / "mismatch.npz", names=np.array(["a"]), embeddings=np.ones((2, 3)))
    with pytest.raises(DataFormatError, match="mismatch.npz"):
        VideoEmbeddings.load(tmp_path / "mismatch.npz")
    np.savez(tmp_path / "pickled.npz", names=np.array([{"a": 1}], dtype=object), embeddings=np.ones((1, 3)))
    with pytest.raises(DataFormatError, match="pickled.npz"):
        VideoEmbeddings.load(tmp_path / "pickled.npz")


def xclip_model(xclip):
    config = WearClipConfig(text_encoder=str(xclip), text_dim=PROJECTION, head_depth=1)
    model = WearClip(config)
    model.set_normalization([0.8, 0.0, 0.1], [0.4, 0.3, 0.3])
    return model.eval()


def test_planted_video_is_ranked_first_for_every_window(tmp_path, xclip, videos, hapt_windows):
    embedded = VideoEncoder(str(xclip)).encode(videos)
    model = xclip_model(xclip)
    index = index_dataset(model, datasets.load("uci-hapt"), tmp_path / "idx", recordings=["exp01"])
    targets = video_space(model, embedded, reference_sentences(index))
    assert targets.shape == (4, model.config.embed_dim)
    for planted in range(4):
        with torch.no_grad():  # every window now embeds onto the planted video's direction
            model.sensor_head.net[0].weight.zero_()
            model.sensor_head.net[0].bias.copy_(targets[planted])
        index = index_dataset(model, datasets.load("uci-hapt"), tmp_path / f"idx{planted}", recordings=["exp01"])
        hits = sensor_to_video(index, model, embedded, [0, 5, len(index) - 1], k=4)
        assert hits.groupby("id").video.first().tolist() == [embedded.names[planted]] * 3
        assert hits[hits["rank"] == 1].similarity.min() == pytest.approx(1.0, abs=2e-3)
        assert hits[hits["rank"] == 2].similarity.max() < 0.999
    with pytest.raises(IndexError, match="window ids"):
        sensor_to_video(index, model, embedded, [len(index)])


def test_planted_window_is_ranked_first_for_every_video(tmp_path, xclip, videos):
    embedded = VideoEncoder(str(xclip)).encode(videos)
    model = xclip_model(xclip)
    index = index_dataset(model, datasets.load("uci-hapt"), tmp_path / "idx", recordings=["exp01"])
    planted = 123
    with torch.no_grad():  # every video now maps onto the planted window's stored embedding
        model.text_head.net[0].weight.zero_()
        model.text_head.net[0].bias.copy_(torch.from_numpy(index.vectors([planted])[0]))
    hits = video_to_sensor(index, model, embedded, k=3)
    assert hits[hits["rank"] == 1].id.tolist() == [planted] * 4
    assert hits["query"].unique().tolist() == embedded.names
    wrong = VideoEmbeddings(["x"], np.ones((1, PROJECTION + 1), np.float32), "other")
    with pytest.raises(ValueError, match="text head takes 8"):
        video_space(model, wrong, ["someone walking"])


def test_a_video_pointing_where_a_sentence_points_lands_on_that_sentence(xclip):
    # X-CLIP's towers share directions, not norms: a unit video embedding along a sentence's text feature
    # is scaled to the text features' norm before the (nonlinear) text head, so it lands where the sentence does
    torch.manual_seed(1)
    model = WearClip(WearClipConfig(text_encoder=str(xclip), text_dim=PROJECTION)).eval()  # 2-layer heads
    sentence = "someone walking upstairs"
    feature = default_text_encoder(str(xclip)).encode([sentence])[0]
    video = VideoEmbeddings(["v"], (feature / feature.norm()).numpy()[None], str(xclip))
    with torch.no_grad():
        want = model.embed_text([sentence])
    np.testing.assert_allclose(video_space(model, video, [sentence]).numpy(), want.numpy(), atol=1e-5)


def table_rows(output: str) -> list[list[str]]:
    """The cells of rich table rows in CLI output."""
    return [[c.strip() for c in line.strip("│").split("│")] for line in output.splitlines() if re.match(r"^│\s*\d", line)]


def test_pretrain_against_xclip_text_then_search_videos_from_the_cli(tmp_path, xclip, videos, hapt_windows):
    from wearclip.config.train import TrainConfig
    from wearclip.train.pretrain import fit_pretraining

    torch.manual_seed(0)
    train, val = hapt_windows.of_subjects(["1"]), hapt_windows.of_subjects(["2"])
    result = fit_pretraining(xclip_model(xclip), train, val, TrainConfig(epochs=1, batch_size=128),
                             class_sentences=[[base_sentence(c)] for c in train.classes])
    checkpoint = result.model.save_pretrained(tmp_path / "ckpt")

    runner = CliRunner()
    index = tmp_path / "idx"
    done = runner.invoke(app, ["index", str(checkpoint), "--dataset", "uci-hapt", "--recording", "exp01", "-o", str(index)])
    assert done.exit_code == 0, done.output
    text = runner.invoke(app, ["search", str(index), "someone walking upstairs", "-k", "3"])
    assert text.exit_code == 0, text.output
    assert [r[0] for r in table_rows(text.output)] == ["1", "2", "3"]

    saved = tmp_path / "videos.npz"
    forward = runner.invoke(app, ["search-video", str(index), "--videos", str(videos[0].parent), "--window", "0",
                                  "--window", "42", "-k", "2", "--save-video-embeddings", str(saved)], terminal_width=200)
    assert forward.exit_code == 0, forward.output
    assert "window 0:" in forward.output and "window 42:" in forward.output
    assert len(table_rows(forward.output)) == 4 and saved.is_file()
    again = runner.invoke(app, ["search-video", str(index), "--video-embeddings", str(saved), "--window", "0",
                                "--window", "42", "-k", "2"], terminal_width=200)
    assert table_rows(again.output) == table_rows(forward.output)

    reverse = runner.invoke(app, ["search-video", str(index), "--video-embeddings", str(saved), "-k", "2"], terminal_width=200)
    assert reverse.exit_code == 0, reverse.output
    assert len(table_rows(reverse.output)) == 2 * len(videos)
    model = WearClip.from_pretrained(checkpoint)
    from wearclip.retrieval.index import EmbeddingIndex

    want = video_to_sensor(EmbeddingIndex(index), model, VideoEmbeddings.load(saved), k=2)
    assert [int(r[1]) for r in table_rows(reverse.output)] == want.id.tolist()

    both = runner.invoke(app, ["search-video", str(index), "-k", "2"], terminal_width=200)
    assert both.exit_code == 2 and "either --videos or --video-embeddings" in both.output
    outside = runner.invoke(app, ["search-video", str(index), "--video-embeddings", str(saved), "--window", "99999"],
                            terminal_width=200)
    assert outside.exit_code == 2 and "[99999] not in [0," in outside.output
