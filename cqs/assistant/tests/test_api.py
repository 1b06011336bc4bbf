from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from django.test import Client

from cqs.assistant import llm
from cqs.assistant.models import QuestionLog

pytestmark = pytest.mark.django_db
URL = "/api/v1/assistant/ask"


def test_ask_returns_the_answer_json(demo: Any) -> None:
    r = Client().get(URL, {"q": "lam khai sinh o dau"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {
        "answer",
        "kind",
        "confident",
        "sources",
        "links",
        "conversation",
        "generated",
    }
    assert body["kind"] == "procedure"
    assert body["sources"][0]["type"] == "procedure"
    assert body["sources"][0]["id"] == "1.001193"
    assert body["links"][0]["url"] == "/thu-tuc/1.001193/"
    follow = Client().get(URL, {"q": "còn lệ phí thì sao", "conversation": body["conversation"]})
    assert follow.json()["sources"][0]["id"] == "1.001193"


def test_empty_question_is_422(demo: Any) -> None:
    r = Client().get(URL, {"q": ""})
    assert r.status_code == 422
    assert r.json()["code"] == "question_empty"
    assert r.json()["message"].startswith("Vui lòng nhập câu hỏi")
    assert Client().get(URL).status_code == 422


def test_ten_thousand_characters_get_a_clear_422(demo: Any) -> None:
    r = Client().get(URL, {"q": "khai sinh " * 1000})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "question_too_long"
    assert "tối đa 1.000 ký tự" in body["message"]
    assert body["details"]["max_length"] == 1000


def test_script_injection_is_plain_text(demo: Any) -> None:
    q = '<script>alert("x")</script> khai sinh <img src=x onerror=alert(1)>'
    r = Client().get(URL, {"q": q})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert "<script>" not in body["answer"]
    assert QuestionLog.objects.latest("id").question == q  # stored as text, as typed


def test_question_log_page_is_for_the_province_admin_only(demo: Any) -> None:
    Client().get(URL, {"q": "thời tiết hôm nay thế nào"})
    anonymous = Client().get("/quan-tri/tro-ly/")
    assert anonymous.status_code == 302
    for username in ("tiepnhan", "quantrixa", "congdan", "lanhdao"):
        c = Client()
        c.force_login(demo.user(username))
        assert c.get("/quan-tri/tro-ly/").status_code == 403, username
    c = Client()
    c.force_login(demo.user("quantri"))
    r = c.get("/quan-tri/tro-ly/")
    assert r.status_code == 200
    assert "thời tiết hôm nay thế nào" in r.content.decode()


def test_django_admin_for_the_assistant(demo: Any) -> None:
    c = Client()
    c.force_login(demo.user("quantri"))
    assert c.get("/admin/assistant/synonym/").status_code == 200
    r = c.post(
        "/admin/assistant/synonym/add/",
        {"term": "bé chào đời", "expansions_text": "khai sinh\ngiấy khai sinh"},
    )
    assert r.status_code == 302
    from cqs.assistant.models import Synonym
    from cqs.audit.models import AuditEvent

    assert Synonym.objects.get(term="bé chào đời").expansions == ["khai sinh", "giấy khai sinh"]
    assert AuditEvent.objects.filter(action="assistant.synonym_created").exists()
    assert c.get("/admin/assistant/questionlog/").status_code == 200


# --- The generative layer against a local chat-completions server ----------------------------


class ChatServer(BaseHTTPRequestHandler):
    reply: ClassVar[str] = ""
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        ChatServer.requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        payload = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": ChatServer.reply},
                    "finish_reason": "stop",
                }
            ],
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def chat_server(settings: Any) -> Iterator[type[ChatServer]]:
    server = HTTPServer(("127.0.0.1", 0), ChatServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CQS_ASSISTANT_LLM_URL = f"http://127.0.0.1:{server.server_port}"
    settings.CQS_ASSISTANT_LLM_MODEL = "test-model"
    settings.CQS_ASSISTANT_LLM_KEY = "k-123"
    ChatServer.requests = []
    yield ChatServer
    server.shutdown()
    server.server_close()


def test_llm_answer_with_citation_is_accepted(demo: Any, chat_server: Any) -> None:
    chat_server.reply = (
        "Bạn đăng ký kết hôn tại Ủy ban nhân dân cấp xã [1.000894]; "
        "thời hạn 1 ngày làm việc [1.000894]."
    )
    body = Client().get(URL, {"q": "đăng ký kết hôn mất bao lâu"}).json()
    assert body["generated"] is True
    assert body["answer"] == chat_server.reply
    sent = chat_server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["auth"] == "Bearer k-123"
    assert sent["body"]["model"] == "test-model"
    prompt = sent["body"]["messages"][1]["content"]
    assert "[1.000894]" in prompt
    assert "Thủ tục đăng ký kết hôn" in prompt


def test_llm_answer_with_an_invented_fee_is_rejected(demo: Any, chat_server: Any) -> None:
    chat_server.reply = "Lệ phí đăng ký kết hôn là 50.000 đồng [1.000894]."
    body = Client().get(URL, {"q": "lệ phí đăng ký kết hôn"}).json()
    assert body["generated"] is False
    assert "50.000" not in body["answer"]
    assert "Thủ tục phù hợp: Thủ tục đăng ký kết hôn" in body["answer"]


def test_llm_answer_without_citation_is_rejected(demo: Any, chat_server: Any) -> None:
    chat_server.reply = "Bạn ra Ủy ban xã nhé."
    body = Client().get(URL, {"q": "đăng ký kết hôn ở đâu"}).json()
    assert body["generated"] is False


def test_llm_is_not_asked_when_the_assistant_does_not_know(demo: Any, chat_server: Any) -> None:
    chat_server.reply = "Trời nắng [1.000894]."
    body = Client().get(URL, {"q": "thời tiết hôm nay thế nào"}).json()
    assert body["kind"] == "unknown"
    assert chat_server.requests == []


def test_llm_validation_rules() -> None:
    sources = [llm.Source("1.001193", "Lệ phí: 8.000 đồng. Thời hạn: 1 ngày làm việc")]
    assert llm.validate("Phí bản sao 8.000 đồng [1.001193]", sources) is None
    assert llm.validate("Mất 1 ngày [1.001193]", sources) is None
    assert llm.validate("Phí 8000đ", sources) == "no citation"
    assert llm.validate("Phí 10.000 đồng [1.001193]", sources) is not None
    assert llm.validate("Mất 3 ngày [1.001193]", sources) is not None
    assert llm.validate("Xem [9.999999]", sources) is not None
