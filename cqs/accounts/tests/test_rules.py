from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqs.accounts.rules import ID_PROVINCE_CODES, IdNumberError, parse_id_number


def test_valid_number_is_decoded() -> None:
    # 022 Quảng Ninh; 0 = male born 1900-1999; 90 = 1990.
    info = parse_id_number("022090001234")
    assert info.province_name == "Quảng Ninh"
    assert info.male
    assert info.birth_year() == 1990


@pytest.mark.parametrize(
    ("number", "year", "male"),
    [
        ("001100123456", 1900, False),  # 1 = female, 20th century
        ("079303000001", 2003, False),  # 3 = female, 21st century
        ("079299000001", 2099, True),  # 2 = male, 21st century
        ("068412000000", 2112, True),  # 4 = male, 22nd century
        ("044999000000", 2399, False),  # 9 = female, 24th century
    ],
)
def test_century_and_sex_digit(number: str, year: int, male: bool) -> None:
    info = parse_id_number(number)
    assert info.birth_year() == year
    assert info.male is male


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("02209000123", "đúng 12 chữ số"),
        ("0220900012345", "đúng 12 chữ số"),
        ("02209000123a", "đúng 12 chữ số"),
        ("", "đúng 12 chữ số"),
        ("003090001234", "«003» không tồn tại"),  # 003 is not a province code
        ("097090001234", "«097» không tồn tại"),
    ],
)
def test_invalid_numbers_are_explained(number: str, message: str) -> None:
    with pytest.raises(IdNumberError, match=message):
        parse_id_number(number)


def test_birth_year_must_match_when_declared() -> None:
    assert parse_id_number("022090001234", birth_year=1990).birth_year() == 1990
    with pytest.raises(IdNumberError, match="không khớp năm sinh"):
        parse_id_number("022090001234", birth_year=2090)


def test_there_are_63_pre_2025_province_codes() -> None:
    assert len(ID_PROVINCE_CODES) == 63
    assert ID_PROVINCE_CODES["022"] == "Quảng Ninh"
    assert ID_PROVINCE_CODES["079"] == "Hồ Chí Minh"


@given(
    province=st.sampled_from(sorted(ID_PROVINCE_CODES)),
    century=st.integers(0, 9),
    year=st.integers(0, 99),
    tail=st.integers(0, 999_999),
)
def test_every_well_formed_number_round_trips(
    province: str, century: int, year: int, tail: int
) -> None:
    number = f"{province}{century}{year:02d}{tail:06d}"
    info = parse_id_number(number)
    assert info.birth_year() == 1900 + 100 * (century // 2) + year
    assert info.male is (century % 2 == 0)
    assert parse_id_number(number, birth_year=info.birth_year()) == info
