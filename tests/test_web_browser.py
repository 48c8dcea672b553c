"""A cataloger's session in headless Chromium against a real `serve` over the demo paintings.

The 12 example paintings are analysed with the tiny model (`--engine local`), one with a
hostile title; the server runs in a thread on a free 127.0.0.1 port. Search, open a work,
sign in, correct its analysis, find the corrected word, check thumbnails loaded and that the
hostile title is text. Needs Debian's `chromium` and `chromium-driver` (`make test` installs
them as root); skipped with that reason otherwise.

WEB_SCREENSHOT=path also saves the object page there (how docs/object-page.png was made).
"""

from __future__ import annotations

import csv
import os
import shutil
import threading
import uuid

import pytest

from archive_analyzer.commands.serve import build_server
from archive_analyzer.db.roles import CATALOGER_PASSWORD_ENV, create_roles
from archive_analyzer.run.analyze import analyze
from archive_analyzer.web import WebConfig
from tests.conftest import EXAMPLES, free_port

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="no chromium/chromedriver on PATH: browser tests skipped "
    "(as root, `make test` installs Debian's chromium and chromium-driver)",
)
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ready  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

HOSTILE = '<script>window.pwned = 1; alert("pwned")</script>'
HOSTILE_ID = "irinainina_071"
PASSWORD = "browser-cat 1"
CORRECTION = "Leonardo models the sitter in soft sfumato; the ermine echoes her turn."


@pytest.fixture
def demo_catalogue(tmp_path, db, settings_for):
    folder = tmp_path / "paintings"
    shutil.copytree(EXAMPLES, folder)
    with open(EXAMPLES / "manifest.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["object_id"] == HOSTILE_ID:
            row["title"] = HOSTILE
    with open(folder / "manifest.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    settings = settings_for(folder, manifest=str(folder / "manifest.csv"), collection="demo")
    summary = analyze(settings, engine="local", progress=False)
    assert summary.analysed == 12
    return db


@pytest.fixture
def cataloger(db, monkeypatch):
    import psycopg

    suffix = uuid.uuid4().hex[:8]
    names = [f"browser_{kind}_{suffix}" for kind in ("writer", "reader", "cataloger")]
    monkeypatch.setenv(CATALOGER_PASSWORD_ENV, PASSWORD)
    create_roles(db, *names)
    yield names[2]
    with psycopg.connect(db.url, autocommit=True) as conn:
        for name in names:
            conn.execute(f"DROP OWNED BY {name}")
            conn.execute(f"DROP ROLE {name}")


@pytest.fixture
def server(demo_catalogue, cataloger, tmp_path):
    config = WebConfig(demo_catalogue.url, tmp_path / "home", cataloger_role=cataloger)
    httpd = build_server(config, free_port())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--window-size=1280,1100", "--disable-gpu"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    driver.implicitly_wait(2)
    yield driver
    driver.quit()


def loaded(driver, image) -> bool:
    done = "return arguments[0].complete"
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(done, image))
    return driver.execute_script("return arguments[0].naturalWidth", image) > 0


def search(driver, base: str, text: str, mode: str = "text") -> None:
    driver.get(base + "/")
    driver.find_element(By.ID, "q").send_keys(text)
    Select(driver.find_element(By.ID, "mode")).select_by_value(mode)
    driver.find_element(By.CSS_SELECTOR, "form[role=search] button[type=submit]").click()


def test_a_catalogers_session(server, browser):
    search(browser, server, "Ermine", mode="fuzzy")
    first = browser.find_element(By.CSS_SELECTOR, ".card a")
    assert first.text == "Lady with an Ermine"
    thumb = first.find_element(By.TAG_NAME, "img")
    assert thumb.get_attribute("alt") == "Lady with an Ermine" and loaded(browser, thumb)
    first.click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Lady with an Ermine"
    assert loaded(browser, browser.find_element(By.ID, "object-image"))

    browser.find_element(By.LINK_TEXT, "Sign in").click()
    browser.find_element(By.ID, "reviewer").send_keys("Ada Cataloger")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    assert "Signed in as Ada Cataloger" in browser.find_element(By.TAG_NAME, "header").text
    browser.find_element(By.ID, "verdict-corrected").click()
    text = browser.find_element(By.ID, "corrected-text")
    text.clear()
    text.send_keys(CORRECTION)
    browser.find_element(By.CSS_SELECTOR, ".review button[type=submit]").click()
    WebDriverWait(browser, 10).until(ready.presence_of_element_located((By.ID, "review-recorded")))
    assert browser.find_element(By.ID, "analysis-text").text.startswith("Leonardo models")
    if os.environ.get("WEB_SCREENSHOT"):
        height = browser.execute_script("return document.body.scrollHeight")
        browser.set_window_size(1280, min(height + 140, 2400))
        browser.save_screenshot(os.environ["WEB_SCREENSHOT"])

    search(browser, server, "sfumato")
    cards = browser.find_elements(By.CSS_SELECTOR, ".card a")
    assert [card.text for card in cards] == ["Lady with an Ermine"]
    assert "sfumato" in browser.find_element(By.CSS_SELECTOR, ".card mark").text.lower()


def test_a_hostile_title_is_shown_as_text(server, browser):
    browser.get(f"{server}/objects/{HOSTILE_ID}")
    assert browser.find_element(By.TAG_NAME, "h1").text == HOSTILE
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert browser.execute_script("return document.querySelectorAll('script').length") == 0
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_element(By.ID, "object-image").get_attribute("alt") == HOSTILE
    search(browser, server, "pwned", mode="fuzzy")
    titles = [card.text for card in browser.find_elements(By.CSS_SELECTOR, ".card .title")]
    assert HOSTILE in titles
