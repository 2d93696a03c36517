"""LLM vocabulary generation against a small local server on 127.0.0.1 that speaks the
OpenAI chat-completions API: validation, caching, retries, timeouts and clear errors."""

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from wearclip.cli import app
from wearclip.text import class_sentences, load_vocabulary
from wearclip.text.llm import (
    ChatClient,
    EndpointError,
    MalformedOutputError,
    RefusalError,
    generate,
    write_generated,
)


def _reply(content=None, refusal=None, finish="stop"):
    message = {"role": "assistant", "content": content}
    if refusal:
        message["refusal"] = refusal
    return {"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": message, "finish_reason": finish}]}


def good_answer(prompt: str) -> str:
    """What a well-behaved model answers to each of the shipped prompts."""
    found = re.search(r'(?:doing|activity) "([^"]+)"', prompt)
    activity = found.group(1) if found else "?"
    if "paraphrases of this sentence" in prompt:
        # as many rewrites as asked for, each naming the sentence it rewrites, plus one duplicate
        count = int(re.search(r"Write (\d+) paraphrases", prompt).group(1))
        sentence = re.search(r'^"(.+)"$', prompt, re.MULTILINE).group(1)
        items = [f"Rewrite {i} of: {sentence}." for i in range(count)] + [f"Rewrite 0 of: {sentence}"]
        return "```json\n" + json.dumps({"paraphrases": items}) + "\n```"
    if "Which body parts" in prompt:
        return json.dumps({"body_parts": ["thighs", "knees", "knees", "an implausibly long body part name"]})
    if "Describe how the body moves" in prompt:
        return json.dumps({"movement": f"The legs move rhythmically while {activity}"})
    templates = [f"Template number {i} for {{activity}}" for i in range(17)] + ["no placeholder", "{activity} {activity}"]
    return "Sure! " + json.dumps({"templates": templates})


class Server:
    """A chat-completions endpoint; ``behave(request) -> (status, body, headers, delay)`` may be swapped."""

    def __init__(self):
        self.requests = []
        self.behave = lambda request: (200, _reply(good_answer(request["messages"][-1]["content"])), {}, 0)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                request["authorization"] = self.headers.get("Authorization")
                outer.requests.append(request)
                if self.path != "/v1/chat/completions":
                    status, body, headers, delay = 404, {"error": "not found"}, {}, 0
                else:
                    status, body, headers, delay = outer.behave(request)
                time.sleep(delay)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.httpd.shutdown()


@pytest.fixture
def client(server, tmp_path):
    server.requests.clear()
    return ChatClient(server.url, "tiny-model", api_key="secret", retries=2, backoff=0.01, timeout=5, cache_dir=tmp_path / "llm")


@pytest.fixture(autouse=True)
def _reset(server):
    def default(request):
        return 200, _reply(good_answer(request["messages"][-1]["content"])), {}, 0

    server.behave = default
    server.requests.clear()


def test_paraphrases_are_15_rewrites_of_each_of_the_33_template_sentences(client, server, tmp_path):
    classes = ["walking", "juggling three balls"]
    results = generate(client, "paraphrases", classes)
    # the study: 15 rewrites x 33 templates = 495 per activity; each reply's duplicate is dropped, the fence tolerated
    assert [len(results[c]) for c in classes] == [495, 495]
    assert len(server.requests) == 2 * 33
    assert server.requests[0]["model"] == "tiny-model" and server.requests[0]["authorization"] == "Bearer secret"
    assert server.requests[0]["messages"][0]["role"] == "system"
    asked = [r["messages"][1]["content"] for r in server.requests[:33]]
    sentences = class_sentences(["walking"], "random-template")[0]
    assert all(f'"{s}"' in text and "Write 15 paraphrases" in text for s, text in zip(sentences, asked))
    out = write_generated(tmp_path / "mine.yaml", "paraphrases", results, None, "tiny-model at test")
    groups = class_sentences(classes, "paraphrase", vocabulary=out)
    assert groups[1][0] == f"Rewrite 0 of: {class_sentences(['juggling three balls'], 'template:0')[0][0]}."
    assert len(groups[1]) == 495


def test_a_rerun_makes_no_call(client, server):
    first = generate(client, "movement", ["walking"])
    calls = len(server.requests)
    again = ChatClient(client.endpoint, client.model, cache_dir=client.cache_dir, temperature=client.temperature)
    assert generate(again, "movement", ["walking"]) == first
    assert len(server.requests) == calls and again.calls == 0
    assert first["walking"] == "The legs move rhythmically while walking."


def test_kinds_merge_into_one_vocabulary_file(client, tmp_path):
    out = tmp_path / "uci.yaml"
    for kind in ("body-parts", "movement", "templates"):
        write_generated(out, kind, generate(client, kind, ["walking", "sitting"]), "uci-hapt", f"tiny at {kind}")
    vocabulary = load_vocabulary(out)
    assert vocabulary.get("walking").body_parts == ("thighs", "knees")  # duplicate and over-long item dropped
    assert vocabulary.get("sitting").movement.endswith("sitting.")
    assert len(vocabulary.templates) == 17  # the two invalid templates are dropped
    sentences = class_sentences(["walking"], "random-template+body-parts", "uci-hapt", vocabulary=out)[0]
    assert sentences[0] == "Template number 0 for walking. The body parts involved are the thighs and knees."
    assert out.read_text().count("movement: tiny at movement") == 1


def test_retries_server_errors_then_succeeds(client, server):
    answers = iter([(500, {"error": "busy"}, {}, 0), (429, {"error": "slow down"}, {"Retry-After": "0"}, 0)])
    default = server.behave
    server.behave = lambda request: next(answers, None) or default(request)
    assert generate(client, "movement", ["walking"])["walking"]
    assert len(server.requests) == 3


def test_gives_up_with_a_clear_error(client, server):
    server.behave = lambda request: (503, {"error": "overloaded"}, {}, 0)
    with pytest.raises(EndpointError, match=r"HTTP 503.*gave up after 3 attempts"):
        generate(client, "movement", ["walking"])
    server.behave = lambda request: (401, {"error": "bad key"}, {}, 0)
    with pytest.raises(EndpointError, match="HTTP 401"):
        generate(client, "movement", ["walking"])
    assert len(server.requests) == 4  # 401 is not retried


def test_timeout_and_unreachable_endpoint(client, server, tmp_path):
    server.behave = lambda request: (200, _reply('{"movement": "late"}'), {}, 1.5)
    slow = ChatClient(server.url, "m", timeout=0.3, retries=1, backoff=0.01, cache_dir=tmp_path / "a")
    with pytest.raises(EndpointError, match="unreachable.*timed out"):
        generate(slow, "movement", ["walking"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    nowhere = ChatClient(f"http://127.0.0.1:{port}/v1", "m", retries=1, backoff=0.01, cache_dir=tmp_path / "b")
    with pytest.raises(EndpointError, match="unreachable"):
        generate(nowhere, "movement", ["walking"])
    wrong_path = ChatClient(server.url.removesuffix("/v1"), "m", retries=0, cache_dir=tmp_path / "c")
    with pytest.raises(EndpointError, match="HTTP 404"):
        generate(wrong_path, "movement", ["walking"])


@pytest.mark.parametrize(
    "body, error, match",
    [
        (_reply("The knees bend a lot."), MalformedOutputError, "expected a JSON object with 'movement'"),
        (_reply('{"description": "x"}'), MalformedOutputError, "no 'movement'"),
        (_reply('{"movement": 3}'), MalformedOutputError, "at least 5 words"),
        (_reply(None), MalformedOutputError, "empty message"),
        ({"unexpected": True}, MalformedOutputError, "not a chat-completions reply"),
        (_reply("I'm sorry, but I can't help with that."), RefusalError, "declined"),
        (_reply(None, refusal="I cannot do this"), RefusalError, "refused: I cannot do this"),
        (_reply("", finish="content_filter"), RefusalError, "content filter"),
    ],
)
def test_malformed_output_and_refusals_fail_clearly_and_are_not_cached(client, server, body, error, match):
    server.behave = lambda request: (200, body, {}, 0)
    with pytest.raises(error, match=match) as caught:
        generate(client, "movement", ["walking"])
    assert "activity 'walking'" in str(caught.value)
    assert not client.cache_dir.exists() or not list(client.cache_dir.iterdir())


def test_too_few_paraphrases_is_an_error(client, server):
    server.behave = lambda request: (200, _reply(json.dumps({"paraphrases": ["one", "one", "two words here"]})), {}, 0)
    with pytest.raises(MalformedOutputError, match="1 valid distinct items, at least 15 needed"):
        generate(client, "paraphrases", ["walking"])


def test_cli_generate_then_show(server, tmp_path, monkeypatch):
    monkeypatch.setenv("WEARCLIP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MY_KEY", "k123")
    out = tmp_path / "hapt.yaml"
    runner = CliRunner()
    args = ["text", "generate", "uci-hapt", "--kind", "body-parts", "--endpoint", server.url, "--model", "tiny",
            "--api-key-env", "MY_KEY", "--out", str(out), "--classes", "walking,sitting"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "wrote body-parts" in result.output and server.requests[-1]["authorization"] == "Bearer k123"
    assert load_vocabulary(out).dataset == "uci-hapt"
    again = runner.invoke(app, args)
    assert "0 calls" in again.output
    shown = runner.invoke(app, ["text", "show", "uci-hapt", "--mode", "base+body-parts", "--vocabulary", str(out)])
    assert shown.exit_code == 0 and "involved are the thighs and knees" in shown.output.replace("\n", " ")
    server.behave = lambda request: (500, {}, {}, 0)
    failed = runner.invoke(app, [*args[:-2], "--classes", "standing", "--retries", "0"])
    assert failed.exit_code == 2 and "HTTP 500" in failed.output
    bad = runner.invoke(app, [*args[:4], "colours", *args[5:]])
    assert bad.exit_code != 0 and "choose one of" in bad.output
