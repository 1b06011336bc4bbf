"""Catalogue search as a citizen types it: with or without accents, any case, any filter."""

from __future__ import annotations

import pytest

from cqs.catalogue.models import Procedure
from cqs.catalogue.selectors import procedure_get, procedure_search, sectors_with_counts
from cqs.catalogue.tests.helpers import BIRTH, MARRIAGE, demo_entries, matches
from cqs.core.errors import NotFound


def _codes(**filters: str) -> list[str]:
    return [p.code for p in procedure_search(**filters)]


@pytest.mark.parametrize(
    "query", ["khai sinh", "KHAI SINH", "Khai Sinh", "khai  sinh", "khái sính"]
)
def test_birth_registration_found_whatever_the_case_and_accents(demo, query):
    codes = _codes(q=query)

    assert BIRTH in codes
    assert MARRIAGE not in codes
    assert set(codes) == {e["code"] for e in demo_entries() if matches(e, "khai sinh")}


@pytest.mark.parametrize(
    "query", ["đăng ký kết hôn", "dang ky ket hon", "ĐĂNG KÝ KẾT HÔN", "Dang Ky Ket Hon"]
)
def test_marriage_registration_found_with_or_without_accents(demo, query):
    codes = _codes(q=query)

    assert MARRIAGE in codes
    assert BIRTH not in codes
    assert set(codes) == {e["code"] for e in demo_entries() if matches(e, "dang ky ket hon")}


def test_accented_and_plain_queries_give_the_same_results(demo):
    assert _codes(q="chứng thực di chúc") == _codes(q="chung thuc di chuc") != []


def test_d_with_stroke_folds_to_d(demo):
    """'đ' is a letter of its own in Unicode (no combining mark): it must still fold to 'd'."""
    assert _codes(q="đất đai") == _codes(q="dat dai") != []
    assert set(_codes(q="ĐẤT ĐAI")) == {e["code"] for e in demo_entries() if matches(e, "dat dai")}


def test_search_by_procedure_code(demo):
    assert _codes(q=BIRTH) == [BIRTH]
    assert _codes(q=f"  {MARRIAGE} ") == [MARRIAGE]


def test_search_by_sector_name(demo):
    codes = _codes(q="ly lich tu phap")

    assert codes
    assert {p.sector.code for p in procedure_search(q="ly lich tu phap")} == {"ly-lich-tu-phap"}


def test_words_are_anded_not_ored(demo):
    broad = set(_codes(q="khai sinh"))
    narrow = set(_codes(q="khai sinh luu dong"))

    assert narrow
    assert narrow < broad
    for p in procedure_search(q="khai sinh luu dong"):
        assert "luu dong" in p.search_text
        assert "khai sinh" in p.search_text
    # Words from two different procedures match neither of them.
    assert _codes(q="ket hon giay phep xay dung") == []


def test_word_order_does_not_matter(demo):
    assert set(_codes(q="sinh khai")) == set(_codes(q="khai sinh"))


def test_unknown_word_finds_nothing(demo):
    assert _codes(q="tàu vũ trụ") == []


def test_empty_query_lists_every_active_procedure(demo):
    assert len(_codes()) == len(demo_entries())
    assert len(_codes(q="   ")) == len(demo_entries())


def test_inactive_procedures_are_hidden(demo):
    Procedure.objects.filter(code=BIRTH).update(is_active=False)

    assert BIRTH not in _codes(q="khai sinh")
    with pytest.raises(NotFound):
        procedure_get(BIRTH)


def test_filter_by_sector(demo):
    expected = {e["code"] for e in demo_entries() if e["sector"]["code"] == "chung-thuc"}

    assert set(_codes(sector="chung-thuc")) == expected
    assert _codes(sector="khong-co-linh-vuc-nay") == []


@pytest.mark.parametrize("level", ["commune", "province", "central"])
def test_filter_by_level(demo, level):
    expected = {e["code"] for e in demo_entries() if e["level"] == level}

    assert set(_codes(level=level)) == expected


@pytest.mark.parametrize("online_level", ["full", "partial", "none"])
def test_filter_by_online_level(demo, online_level):
    expected = {e["code"] for e in demo_entries() if e["online_level"] == online_level}

    assert set(_codes(online_level=online_level)) == expected
    assert expected  # the demo has each kind


def test_filters_combine_with_the_query(demo):
    codes = _codes(q="khai sinh", online_level="none")

    expected = {
        e["code"] for e in demo_entries() if matches(e, "khai sinh") and e["online_level"] == "none"
    }
    assert set(codes) == expected
    assert BIRTH not in codes  # birth registration is fully online


def test_filter_by_agency_code(demo):
    birth = Procedure.objects.get(code=BIRTH)
    commune = birth.agencies.order_by("code").first()
    assert commune is not None

    codes = _codes(agency=commune.code)

    assert BIRTH in codes
    assert len(codes) == len(set(codes))
    assert set(codes) == set(commune.procedures.values_list("code", flat=True))
    province_level = {e["code"] for e in demo_entries() if e["level"] == "province"}
    assert not province_level & set(codes)
    assert _codes(agency="999.99.99.Z99") == []


def test_results_are_ordered_by_sector_name_then_code(demo):
    rows = [(p.sector.name, p.code) for p in procedure_search()]

    assert rows == sorted(rows)


def test_procedure_get_returns_documents_and_steps(demo):
    p = procedure_get(BIRTH)

    assert p.documents.count() > 0
    assert sum(s.share_percent for s in p.steps.all()) == 100


def test_procedure_get_unknown_code_is_not_found_in_vietnamese(demo):
    with pytest.raises(NotFound) as caught:
        procedure_get("9.999999")

    assert "9.999999" in caught.value.message
    assert "Không tìm thấy" in caught.value.message


def test_sectors_with_counts_match_the_catalogue(demo):
    expected: dict[str, int] = {}
    for e in demo_entries():
        expected[e["sector"]["code"]] = expected.get(e["sector"]["code"], 0) + 1

    assert {s.code: s.procedure_count for s in sectors_with_counts()} == expected


def test_sector_without_active_procedures_is_not_listed(demo):
    Procedure.objects.filter(sector__code="giam-ngheo").update(is_active=False)

    assert "giam-ngheo" not in {s.code for s in sectors_with_counts()}
