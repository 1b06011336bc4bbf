from __future__ import annotations

from datetime import date

import pytest

from cqs.documents import rules


@pytest.mark.parametrize(
    ("abbr", "agency", "unit", "expected"),
    [
        ("QĐ", "UBND", "", "QĐ-UBND"),
        ("KH", "UBND", "", "KH-UBND"),
        ("QyĐ", "UBND", "", "QyĐ-UBND"),
        (rules.OFFICIAL_LETTER, "UBND", "VP", "UBND-VP"),
        (rules.OFFICIAL_LETTER, "STP", "", "STP"),
    ],
)
def test_notation_per_decree_30(abbr: str, agency: str, unit: str, expected: str) -> None:
    assert rules.notation(type_abbr=abbr, agency_abbr=agency, unit_abbr=unit) == expected


def test_number_and_notation_pads_below_ten() -> None:
    assert rules.number_and_notation(12, "QĐ-UBND") == "Số: 12/QĐ-UBND"
    assert rules.number_and_notation(5, "UBND-VP") == "Số: 05/UBND-VP"
    assert rules.number_and_notation(208, "UBND-VP") == "Số: 208/UBND-VP"
    with pytest.raises(ValueError, match="start at 1"):
        rules.number_text(0)


def test_parse_number_notation() -> None:
    assert rules.parse_number_notation("Số: 12/QĐ-UBND") == (12, "QĐ-UBND")
    assert rules.parse_number_notation("208/UBND-VP") == (208, "UBND-VP")
    assert rules.parse_number_notation("QĐ-UBND") is None
    assert rules.parse_number_notation("12/") is None


def test_every_appendix_iii_type_has_a_distinct_abbreviation() -> None:
    abbrs = [a for a, _ in rules.DOCUMENT_TYPES]
    assert len(abbrs) == len(set(abbrs)) == 27
    assert ("QĐ", "Quyết định") in rules.DOCUMENT_TYPES


def test_register_restarts_each_year() -> None:
    assert rules.register_year(date(2026, 12, 31)) == 2026
    assert rules.register_year(date(2027, 1, 1)) == 2027


def test_due_state() -> None:
    d = date(2026, 3, 10)
    soon = date(2026, 3, 6)
    assert (
        rules.due_state(today=date(2026, 3, 1), deadline=d, soon_from=soon)
        == rules.DueState.ON_TRACK
    )
    assert (
        rules.due_state(today=date(2026, 3, 6), deadline=d, soon_from=soon)
        == rules.DueState.DUE_SOON
    )
    assert (
        rules.due_state(today=date(2026, 3, 11), deadline=d, soon_from=soon)
        == rules.DueState.OVERDUE
    )
    assert (
        rules.due_state(
            today=date(2026, 3, 11), deadline=d, soon_from=soon, done_on=date(2026, 3, 10)
        )
        == rules.DueState.DONE_ON_TIME
    )
    assert (
        rules.due_state(
            today=date(2026, 3, 11), deadline=d, soon_from=soon, done_on=date(2026, 3, 11)
        )
        == rules.DueState.DONE_LATE
    )
    assert rules.due_state(today=d, deadline=None, soon_from=None) == rules.DueState.NONE


def test_retry_delay_grows_and_is_capped() -> None:
    delays = [rules.retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays[0] == 30 and delays[1] == 60 and delays[2] == 120
    assert max(delays) == 3600
    assert delays == sorted(delays)
