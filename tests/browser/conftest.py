"""Fixtures for the real-browser UI tests: Debian's Chromium driven by Playwright.

The browser is Debian's /usr/bin/chromium (`make browser` installs it); Playwright never
downloads one. Each test gets a fresh browser context against pytest-django's live server,
with the demo province re-seeded after the previous test's flush.
"""

from __future__ import annotations

import os

# Playwright's sync API runs an asyncio event loop in this thread, and Django then refuses
# ORM calls from it (SynchronousOnlyOperation). The tests are synchronous; allow it before
# anything touches the database.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000

# Turns every Content-Security-Policy violation into a console error the tests can see
# (Chromium logs most of them itself; this also catches report-only and late ones).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (run `make browser`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@dataclass
class UI:
    """One browser context on the live server, recording console errors."""

    browser: Any
    base_url: str
    contexts: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def new_page(self, **context_options: Any) -> Any:
        context = self.browser.new_context(
            base_url=self.base_url, locale="vi-VN", **context_options
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        self.contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                self.errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None
            ),
        )
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        return page

    def login(self, page: Any, username: str, password: str | None = None) -> None:
        from django.conf import settings

        page.goto("/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password or settings.CQS_DEMO_PASSWORD)
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
        page.wait_for_load_state()

    def assert_clean(self, *, allow: tuple[str, ...] = ()) -> None:
        """No console errors and no CSP violations (bar the expected ones in `allow`)."""
        unexpected = [e for e in self.errors if not any(a in e for a in allow)]
        assert unexpected == [], "console errors:\n" + "\n".join(unexpected)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def plain_static_names(settings: Any) -> None:
    """Link /static/cqs/cqs.css, not a hashed name from an old `collectstatic` manifest.

    The live server serves static files from the app finders (the sources), which know no
    hashed names; after `make run` left staticfiles/staticfiles.json behind, every
    stylesheet link would 404. Plain names also mean a CSS edit shows up at once.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def fast_password_hashing(settings: Any) -> None:
    """Re-seeding after every flush hashes each demo password again; Argon2 makes that
    about 3 s a test. The login form and backends under test do not depend on the hasher."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture
def ui(
    browser: Any,
    live_server: Any,
    plain_static_names: None,
    fast_password_hashing: None,  # before the seed below
    seeded_transactional_db: None,
) -> Iterator[UI]:
    session = UI(browser=browser, base_url=live_server.url)
    yield session
    session.close()
