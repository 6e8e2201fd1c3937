"""quiz=llm against a small OpenAI-compatible chat server started by the test."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lecturelab.keyphrases import stem_key
from lecturelab.quiz.cli import main as quiz_main
from lecturelab.quiz.schema import check_question, duplicates, leaks
from lecturelab.transcript.sentences import find_key
from tests.quiz_fixtures import PHRASES, lecture_dir


def _blank_items(prompt: str) -> list[dict]:
    """One valid blank per chunk (from its first keyphrase sentence) and two invalid items."""
    items = []
    for num, text in re.findall(r"^\[(\d+)\] (.*)$", prompt, re.M):
        if text.startswith("Welcome"):   # a greeting makes no stem (rules.sentence_stems)
            continue
        for p in PHRASES:
            spans = find_key(text, stem_key(p))
            if len(spans) == 1:
                a, b = spans[0]
                items.append({"type": "blank", "stem": "LLM: " + text[:a] + "____" + text[b:], "answer": text[a:b],
                              "keyphrase": p, "sentence": int(num)})
                break
        if items:
            break
    items.append({"type": "blank", "stem": "The ____ is entangled.", "answer": "quantum entanglement",
                  "sentence": int(num)})
    items.append({"type": "blank", "stem": "A ____ here.", "answer": "model", "sentence": 9999})
    return items


class ChatServer(BaseHTTPRequestHandler):
    mode = "ok"
    requests: list = []
    custom = staticmethod(lambda prompt: [])   # mode "custom": the items for a prompt

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ChatServer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if self.mode == "error":
            self.send_error(500, "model crashed")
            return
        prompt = body["messages"][-1]["content"]
        content = {"ok": lambda: "```json\n" + json.dumps({"questions": _blank_items(prompt)}) + "\n```",
                   "garbage": lambda: "Sorry, I cannot help with that.",
                   "invalid": lambda: json.dumps({"questions": _blank_items(prompt)[1:]}),
                   "custom": lambda: json.dumps({"questions": ChatServer.custom(prompt)})}[self.mode]()
        reply = json.dumps({"id": "x", "object": "chat.completion", "model": body["model"],
                            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                         "finish_reason": "stop"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    ChatServer.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ChatServer)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _run(folder, httpd, *extra):
    url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    argv = [str(folder), "quiz=llm", f"quiz.url={url}", "quiz.model=test-model", "quiz.types=[blank]",
            "quiz.num_questions=4", "quiz.chunk_words=40", "quiz.background=[none.txt]", "quiz.cache_dir=null", *extra]
    assert quiz_main(argv) == 0
    return json.loads((folder / "quiz.json").read_text())


def test_llm_questions_are_validated_and_grounded(tmp_path, server, monkeypatch):
    monkeypatch.setenv("LECTURELAB_LLM_API_KEY", "sekrit")
    ChatServer.mode = "ok"
    folder = lecture_dir(tmp_path / "l")
    q = _run(folder, server)
    assert q["generator"] == {"name": "llm", "url": q["generator"]["url"], "model": "test-model", "fallback": False,
                              "llm_questions": 4}
    qs = q["questions"]
    assert len(qs) == 4 and all(x["stem"].startswith("LLM: ") and "_____" in x["stem"] for x in qs)
    assert [check_question(x) for x in qs] == [[]] * 4 and duplicates(qs) == [] and leaks(qs) == []
    text = json.loads((folder / "transcript.json").read_text())["text"]
    assert all(x["answer"] in text and x["explanation"] in text for x in qs)
    assert "dropped 8 invalid LLM question(s), e.g.: answer 'quantum entanglement' does not occur" in q["notes"][0]
    req = ChatServer.requests
    assert len(req) == 4 and {r["path"] for r in req} == {"/v1/chat/completions"}
    assert {r["auth"] for r in req} == {"Bearer sekrit"} and req[0]["body"]["model"] == "test-model"


@pytest.mark.parametrize("mode,reason", [("garbage", "reply holds no JSON object"), ("error", "HTTP 500"),
                                         ("invalid", "the LLM gave no valid question")])
def test_llm_failure_falls_back_to_rules_and_says_so(tmp_path, server, monkeypatch, mode, reason):
    monkeypatch.delenv("LECTURELAB_LLM_API_KEY", raising=False)
    ChatServer.mode = mode
    q = _run(lecture_dir(tmp_path / "l"), server)
    assert q["generator"]["fallback"] is True
    assert any(reason in n and "rule-based generator" in n for n in q["notes"]), q["notes"]
    assert len(q["questions"]) == 4 and not any(x["stem"].startswith("LLM") for x in q["questions"])
    assert ChatServer.requests[0]["auth"] is None
