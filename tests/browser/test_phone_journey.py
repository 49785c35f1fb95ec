"""A first-time resident sends a tailoring request from a 360 × 740 phone: measured.

The time model, for a 75-year-old who is new to the form (conservative on purpose):
- reading: 100 words a minute, every visible word of the page's main content, once;
- typing on a phone's keyboard: one character a second;
- a tap (find the field or box, then hit it): 2 seconds;
- scrolling: 1.5 seconds per screen of the page's height.
The page says how long the form takes; the test holds it to the model, rounded up to whole
minutes, and the whole to under three minutes.
"""

from __future__ import annotations

import math
import re

from playwright.sync_api import expect

PHONE_SCREEN = {"width": 360, "height": 740}
READING_WORDS_PER_MINUTE = 100
SECONDS_PER_CHARACTER = 1.0
SECONDS_PER_TAP = 2.0
SECONDS_PER_SCREEN = 1.5

# What a first-time resident types for a tailoring job, and nothing more.
ANSWERS = {
    # The first service's own questions: what the garment is, and (a tap) what it needs.
    "input[id$='_garment']": "spodnie",
    "#description": "Skrócić spodnie o 5 cm",
    "#name": "Anna Kowalska",
    "#phone": "600123456",
}

# Visible words of the main content, in document order, up to the first form control, and
# in all. Text a sighted reader does not see (closed details, visually hidden helpers, the
# honeypot) is not counted.
WORDS_JS = """
() => {
  const main = document.getElementById('main');
  const first = main.querySelector('input:not([type=hidden]), textarea, select');
  const seen = (el) => el.checkVisibility() && !el.closest('.visually-hidden, .honeypot')
    && !(el.closest('details:not([open])') && !el.closest('summary'));
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  let before = 0, all = 0, reachedFirst = false;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!reachedFirst && first
        && (first.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING)) {
      reachedFirst = true;
    }
    if (!node.parentElement || !seen(node.parentElement)) continue;
    const words = node.textContent.split(/\\s+/).filter(w => /[\\p{L}\\p{N}]/u.test(w)).length;
    all += words;
    if (!reachedFirst) before += words;
  }
  return {before, all};
}
"""


def test_a_first_time_tailoring_request_takes_under_three_minutes_on_a_phone(page, live_server):
    page.set_viewport_size(PHONE_SCREEN)
    page.goto(live_server("/zglos"))

    first_choice = page.locator("#category_id-0")
    box = first_choice.bounding_box()
    assert box["y"] + box["height"] <= PHONE_SCREEN["height"], "the first choice is below the fold"
    words = page.evaluate(WORDS_JS)
    screens = page.evaluate("document.documentElement.scrollHeight") / PHONE_SCREEN["height"]
    fields = page.locator(
        "form.request-form :is(input, textarea, select):not([type=hidden]):not([tabindex='-1'])"
    )
    field_count = len({name for name in fields.evaluate_all("els => els.map(e => e.name)")})

    taps = 0
    first_choice.check()
    taps += 1
    for selector, text in ANSWERS.items():
        page.locator(selector).click()
        page.locator(selector).press_sequentially(text)
        taps += 1
    for selector in ("input[id$='_alteration-0']", "#is_senior", "#consent"):
        page.locator(selector).check()
        taps += 1
    characters = sum(len(text) for text in ANSWERS.values())

    modelled = (
        words["all"] / READING_WORDS_PER_MINUTE * 60
        + characters * SECONDS_PER_CHARACTER
        + (taps + 1) * SECONDS_PER_TAP  # and the tap on "Send"
        + screens * SECONDS_PER_SCREEN
    )
    said = re.search(r"około (\d+) minut", page.locator("main").inner_text())
    print(
        f"\nphone journey at 360 × 740: {screens:.1f} screens, {words['before']} words before "
        f"the first choice, {words['all']} words in all, {field_count} fields, "
        f"{characters} characters typed, {taps + 1} taps; modelled {modelled:.0f} s "
        f"({modelled / 60:.1f} min); the page says {said.group(0) if said else 'nothing'}"
    )

    assert modelled < 180
    assert said, "the form says how long it takes"
    assert int(said.group(1)) == max(1, math.ceil(modelled / 60))

    with page.expect_navigation():
        page.locator("form.request-form button[type=submit]").click()
    expect(page.locator("#reference")).to_have_text(re.compile(r"^KR/\d{4}/\d{4}$"))


def test_the_request_goes_through_and_is_followed_with_javascript_off(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE_SCREEN, locale="pl-PL")
    page = context.new_page()
    try:
        page.goto(live_server("/zglos"))
        page.locator("#category_id-0").check()
        # The conditions of a service open without JavaScript too.
        page.locator(".radio__details summary").first.click()
        expect(page.locator(".radio__details").first).to_have_attribute("open", "")
        for selector, text in ANSWERS.items():
            page.locator(selector).fill(text)
        page.locator("input[id$='_alteration-0']").check()
        page.locator("#is_senior").check()
        page.locator("#consent").check()
        with page.expect_navigation():
            page.locator("form.request-form button[type=submit]").click()
        reference = page.locator("#reference").inner_text()
        assert re.fullmatch(r"KR/\d{4}/\d{4}", reference)

        page.locator("#status-link").click()
        expect(page.locator("#status")).to_have_text("Wysłane – czeka na sprawdzenie")
        page.get_by_role("link", name=re.compile("Strona do wydruku")).click()
        expect(page.locator("#reference")).to_have_text(reference)
        # No button that would need JavaScript to do anything is shown.
        expect(page.locator("[data-print]")).to_be_hidden()
    finally:
        context.close()
