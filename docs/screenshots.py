"""Take the README's screenshots from a running MESM (`make run` in another terminal).

.venv/bin/python docs/screenshots.py [http://127.0.0.1:8000]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

# The main page of each stage, also taken 360 px wide (a phone) and checked for sideways scrolling.
NARROW = ("overview", "objective-form", "inbox", "calendar", "director", "learning", "guide", "guide-listening")
BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).parent / "screenshots"
PAGES = [
    ("overview", "/o/biblioteca-demo/"),
    ("objectives", "/o/biblioteca-demo/objectives/"),
    ("objective-form", "/o/biblioteca-demo/objectives/new/"),
    ("plan", "/o/biblioteca-demo/plan/"),
    ("inbox", "/o/biblioteca-demo/listening/"),
    ("sources", "/o/biblioteca-demo/listening/sources/"),
    ("query-form", "/o/biblioteca-demo/listening/queries/1/"),
    ("alert-rules", "/o/biblioteca-demo/listening/alert-rules/"),
    ("members", "/o/biblioteca-demo/members/"),
    ("calendar", "/o/biblioteca-demo/calendar/"),
    ("balance", "/o/biblioteca-demo/calendar/balance/"),
    ("trends", "/o/biblioteca-demo/trends/"),
    ("learning", "/o/biblioteca-demo/learning/"),
    ("director", "/o/biblioteca-demo/metrics/"),
    ("api-docs", "/api/docs/"),
    ("guide", "/o/biblioteca-demo/guide/"),
    ("guide-listening", "/o/biblioteca-demo/guide/listening/"),
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for lang, width in (("es", 1280), ("en", 1280), ("es", 360), ("en", 360)):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale=lang)
            page = context.new_page()
            page.goto(f"{BASE}/accounts/login/")
            page.fill("#id_username", "ana")
            page.fill("#id_password", "mesm-demo-2026")
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            page.evaluate(
                "lang => fetch('/i18n/setlang/', {method: 'POST', headers: {'Content-Type': "
                "'application/x-www-form-urlencoded', 'X-CSRFToken': document.cookie.match(/csrftoken=([^;]+)/)[1]},"
                " body: 'language=' + lang})",
                lang,
            )
            for name, path in PAGES:
                if width < 400 and name not in NARROW:
                    continue
                page.goto(BASE + path)
                page.wait_for_load_state("networkidle")
                # 360 px is also what a 1280 px window shows at 200 % zoom, more or less: the page
                # must not scroll sideways (wide tables scroll inside their own box instead).
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 0:
                    print(f"{name} ({lang}, {width} px) is {overflow} px wider than the window")
                # Long lists (the inbox) are shown as the first screen, not the whole page.
                page.screenshot(path=OUT / f"{name}-{lang}-{width}.png", full_page=name != "inbox")
            context.close()
        browser.close()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
