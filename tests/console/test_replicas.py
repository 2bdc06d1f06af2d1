"""Two API replicas behind one proxy (docker-compose.yml) share the console secret, so a
console session signed in on one is a session on the other (issue 32.5): two real
``stockledger serve`` processes on one store and one secret; a third with another secret
proves the secret is what carries the session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from application.settings import Settings
from tests.api.conftest import post_history
from tests.console.conftest import issue_keys
from tests.e2e.conftest import Server
from tests.ops.test_compose import compose

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SESSION = "stockledger_session"


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[tuple[list[Server], dict[str, str]]]:
    """Two serves on one store and one console secret, and one with a secret of its own."""
    shared = Settings(
        database_url=None, data_dir=tmp_path / "var", console_secret=SecretStr("s" * 32)
    )
    post_history(shared)
    tokens = issue_keys(shared)
    other = shared.model_copy(update={"console_secret": SecretStr("o" * 32)})
    servers = [Server(shared, tmp_path), Server(shared, tmp_path), Server(other, tmp_path)]
    try:
        for server in servers:
            server.start()
        yield servers, tokens
    finally:
        for server in servers:
            if server.process is not None:
                server.stop()


def signed_in(server: Server, token: str) -> str:
    """The session cookie of signing in through ``server``'s console."""
    with httpx.Client(base_url=server.url, timeout=15) as client:
        page = client.get("/")
        answer = client.post("/sign-in", data={"csrf": CSRF.findall(page.text)[0], "key": token})
        assert answer.status_code == 303, answer.text
        return answer.cookies[SESSION]


def test_a_session_signed_in_on_one_replica_works_on_the_other(
    replicas: tuple[list[Server], dict[str, str]],
) -> None:
    (first, second, stranger), tokens = replicas
    cookie = signed_in(first, tokens["clerk"])
    with httpx.Client(base_url=second.url, cookies={SESSION: cookie}, timeout=15) as client:
        page = client.get("/record/waste")
        assert page.status_code == 200 and 'id="who"' in page.text, page.text
        form = {
            "csrf": CSRF.findall(page.text)[0],
            "waste_id": "W-replica",
            "location": "main",
            "lines[0].sku": "AB-001",
            "lines[0].quantity": "1",
            "note": "posted through the other replica",
        }
        assert client.post("/record/waste", data=form).status_code == 201
    with httpx.Client(base_url=first.url, cookies={SESSION: cookie}, timeout=15) as client:
        assert client.get("/record/waste").status_code == 200
    with httpx.Client(base_url=stranger.url, cookies={SESSION: cookie}, timeout=15) as client:
        answer = client.get("/record/waste")
        assert (answer.status_code, answer.headers["location"]) == (303, "/")


def test_every_api_replica_of_the_compose_file_gets_one_console_secret() -> None:
    api = compose()["services"]["api"]
    assert api["deploy"]["replicas"] >= 2
    secret = api["environment"]["STOCKLEDGER_CONSOLE_SECRET"]
    assert secret.startswith("${STOCKLEDGER_CONSOLE_SECRET:?"), secret
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    assert re.search(r"^STOCKLEDGER_CONSOLE_SECRET=\S+", example, re.MULTILINE)
