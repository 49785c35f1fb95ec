"""One axe run per page and width is enough: the default rules contain the WCAG ones."""

from .conftest import BEST_PRACTICE_OPTIONS, WCAG_OPTIONS, axe_rules_run


def test_the_rules_axe_runs_by_default_include_every_wcag_2_1_a_and_aa_rule(page, live_server):
    page.goto(live_server("/"))

    default = axe_rules_run(page, BEST_PRACTICE_OPTIONS)
    wcag = axe_rules_run(page, WCAG_OPTIONS)

    assert wcag and wcag <= default
