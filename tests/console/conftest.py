"""Console fixtures: the real app through ASGI (``console``), and a real ``stockledger
serve`` driven by a real headless Chromium (``browser``, tests marked ``browser``).

Chromium and chromedriver come from Debian (``.ci/run`` installs them); a machine without
them fails the browser tests with a clear message rather than skipping them.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from application.ledger import Ledger
from application.settings import Settings
from tests.api.conftest import ROLES, post_history
from tests.e2e.conftest import Server, wait_until

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Console:
    """A TestClient on the app that signs in through the console's own forms."""

    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens
        self.csrf = ""

    def sign_in(self, role: str) -> Console:
        self.client.cookies.clear()
        page = self.client.get("/")
        answer = self.client.post(
            "/sign-in",
            data={"csrf": CSRF.findall(page.text)[0], "key": self.tokens[role]},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        self.csrf = CSRF.findall(self.client.get("/stock").text)[0]
        return self

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, follow_redirects=False, **kwargs)

    def post(self, path: str, data: dict[str, str] | None = None, csrf: bool = True) -> Any:
        form = {**({"csrf": self.csrf} if csrf else {}), **(data or {})}
        return self.client.post(path, data=form, follow_redirects=False)

    def api(self, path: str, role: str = "admin", **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        return self.client.get(path, headers=headers, **kwargs)

    def settle(self) -> None:
        """Wait until the read models have read everything posted so far (a page that lists
        a read model shows what it has read, as a user sees a settled store)."""
        state = self.client.app.state  # type: ignore[attr-defined]
        assert state.read_models.wait_for(state.ledger.head(), 30), "read models caught up"


@contextmanager
def views_held(settings: Settings, seconds: float = 0.5) -> Iterator[None]:
    """The read models' SQLite store held by another connection from now until ``seconds``
    after the block began (their runners cannot write meanwhile): what is posted inside is
    not read until then, and a page asked inside must wait for them or show less."""
    holder = sqlite3.connect(
        settings.data_dir / "views.sqlite", isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(seconds, holder.rollback)
    release.start()
    try:
        yield
    finally:
        release.join()
        holder.close()


def document_cells(page: str) -> list[str]:
    """A page's movement document cells as a person reads them (``ui.document``), in page
    order."""
    return [
        unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r'<td class="document">(.*?)</td>', page, re.S)
    ]


def issue_keys(settings: Settings) -> dict[str, str]:
    ledger = Ledger(settings)
    try:
        return {role: ledger.issue_key(role, role, issued_by="test")[1] for role in ROLES}
    finally:
        ledger.close()


@pytest.fixture
def store(tmp_path: Path) -> Settings:
    """A SQLite store holding January and February 2025 (tests.api.conftest.post_history)."""
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    post_history(settings)
    return settings


@pytest.fixture
def console(store: Settings) -> Iterator[Console]:
    tokens = issue_keys(store)
    yield from settled_console(store, tokens)


def settled_console(settings: Settings, tokens: dict[str, str]) -> Iterator[Console]:
    """The console through ASGI, once its read models have caught up with the history posted
    before the app started (pages show the read models as they are, as a user would see a
    settled store)."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        state = client.app.state  # type: ignore[attr-defined]
        head = state.ledger.recorder.max_notification_id() or 0
        assert state.read_models.wait_for(head, 60), "read models caught up"
        yield Console(client, tokens)


# --- The browser ------------------------------------------------------------------------------


def chrome() -> Any:
    """Debian's headless Chromium through its own chromedriver (Selenium Manager never runs:
    the driver's path is given)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if binary is None or driver is None:
        pytest.fail(
            "the console's browser tests need Debian's chromium and chromedriver: "
            "apt-get install chromium chromium-driver (.ci/run does it)",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1400,1000")
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


class Browser:
    """One Chromium on one running server, signing in with a role's key."""

    def __init__(self, driver: Any, server: Server, tokens: dict[str, str]) -> None:
        self.driver = driver
        self.server = server
        self.tokens = tokens

    def open(self, path: str) -> Any:
        self.driver.get(self.server.url + path)
        return self.driver

    def sign_in(self, role: str) -> Browser:
        from selenium.webdriver.common.by import By

        self.driver.delete_all_cookies()
        self.open("/")
        self.driver.find_element(By.ID, "key").send_keys(self.tokens[role])
        self.driver.find_element(By.CSS_SELECTOR, "form.stacked button").click()
        self.wait(lambda: self.driver.find_elements(By.ID, "who"), "the signed-in header")
        return self

    def wait(self, condition: Callable[[], Any], what: str, timeout: float = 15) -> None:
        """Waits for ``condition``; an element replaced while it was read (the live region
        refreshing, or a form's answer still loading: Chromium then reports a stale element,
        a missing one or an "unhandled inspector error") counts as not yet. A condition that
        never holds still fails, naming ``what``, when the time is up."""
        from selenium.common.exceptions import WebDriverException

        def settled() -> Any:
            try:
                return condition()
            except WebDriverException:
                return False

        wait_until(settled, timeout, what)

    def text(self, css: str) -> str:
        from selenium.webdriver.common.by import By

        return str(self.driver.find_element(By.CSS_SELECTOR, css).text)

    def all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def api(self, path: str, role: str = "admin") -> Any:
        import httpx

        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        answer = httpx.get(self.server.url + path, headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """A real ``stockledger serve`` on a store holding post_history() and a real headless
    Chromium, shared by a module's tests (each signs in afresh; none undoes another's
    reading: a closed period or a rebuild leaves every figure as it was)."""
    workdir = tmp_path_factory.mktemp("console")
    store = Settings(database_url=None, data_dir=workdir / "var")
    post_history(store)
    tokens = issue_keys(store)
    server = Server(store, workdir).start()
    try:
        driver = chrome()
        try:
            yield Browser(driver, server, tokens)
        finally:
            driver.quit()
    finally:
        server.stop()
