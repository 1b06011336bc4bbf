from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest

from cqs.payments import rules

SECRET = "SECRETKEYFORTESTS0123456789ABCDE"
PARAMS = {
    "vnp_Version": "2.1.0",
    "vnp_Command": "pay",
    "vnp_TmnCode": "DEMOV210",
    "vnp_Amount": "1806000",
    "vnp_CurrCode": "VND",
    "vnp_TxnRef": "5",
    "vnp_OrderInfo": "Thanh toan don hang :5",
    "vnp_OrderType": "other",
    "vnp_Locale": "vn",
    "vnp_ReturnUrl": "https://domainmerchant.vn/ReturnUrl",
    "vnp_IpAddr": "127.0.0.1",
    "vnp_CreateDate": "20210801153333",
}


def test_hash_data_is_the_documented_query_string() -> None:
    # VNPAY's guide shows this URL for these parameters (same order, same encoding).
    assert rules.hash_data(PARAMS) == (
        "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
        "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5"
        "&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl"
        "&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
    )


def test_signature_matches_an_independent_hmac_sha512() -> None:
    # Computed here with the standard library only: sorted, quote_plus-encoded, HMAC-SHA512.
    expected = hmac.new(
        SECRET.encode(), urlencode(sorted(PARAMS.items())).encode(), hashlib.sha512
    ).hexdigest()
    url = rules.signed_url("https://sandbox.example/paymentv2/vpcpay.html", PARAMS, SECRET)
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["vnp_SecureHash"] == expected
    assert {k: v for k, v in query.items() if k != "vnp_SecureHash"} == PARAMS
    assert rules.verify(query, SECRET)


def test_signature_ignores_hash_fields_and_catches_tampering() -> None:
    signed = {**PARAMS, "vnp_SecureHash": rules.sign(PARAMS, SECRET), "vnp_SecureHashType": "x"}
    assert rules.verify(signed, SECRET)
    assert not rules.verify({**signed, "vnp_Amount": "1"}, SECRET)
    assert not rules.verify(signed, "another-secret")
    assert not rules.verify(PARAMS, SECRET)  # no hash at all


def test_vnpay_time_is_gmt7() -> None:
    moment = datetime(2026, 1, 5, 3, 30, 0, tzinfo=ZoneInfo("UTC"))
    assert rules.vnpay_time(moment) == "20260105103000"
    assert rules.parse_vnpay_time("20260105103000") == moment
    assert rules.parse_vnpay_time("not a date") is None
    assert rules.vnpay_amount(8000) == "800000"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (5, "Năm đồng"),
        (11, "Mười một đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (25, "Hai mươi lăm đồng"),
        (105, "Một trăm linh năm đồng"),
        (8_000, "Tám nghìn đồng"),
        (50_000, "Năm mươi nghìn đồng"),
        (110_000, "Một trăm mười nghìn đồng"),
        (200_000, "Hai trăm nghìn đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (1_000_010, "Một triệu không trăm mười đồng"),
        (2_000_000, "Hai triệu đồng"),
        (1_250_000_000, "Một tỷ hai trăm năm mươi triệu đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
    ],
)
def test_amount_in_words(amount: int, words: str) -> None:
    assert rules.amount_in_words(amount) == words


def test_receipt_numbers() -> None:
    assert rules.receipt_number(1) == "0000001"
    assert rules.receipt_series("CQ/{yy}E", 2026) == "CQ/26E"
    with pytest.raises(ValueError, match="out of range"):
        rules.receipt_number(0)


def test_querydr_checksum_is_the_pipe_joined_values_in_the_documented_order() -> None:
    request = {
        "vnp_IpAddr": "127.0.0.1",
        "vnp_OrderInfo": "Kiem tra giao dich 5",
        "vnp_RequestId": "R1",
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": "DEMOV210",
        "vnp_TxnRef": "5",
        "vnp_TransactionDate": "20210801153333",
        "vnp_CreateDate": "20210801160000",
        "vnp_Extra": "not signed",
    }
    data = (
        "R1|2.1.0|querydr|DEMOV210|5|20210801153333|20210801160000|127.0.0.1|Kiem tra giao dich 5"
    )
    assert rules.querydr_hash_data(request, rules.QUERYDR_REQUEST_FIELDS) == data
    expected = hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()
    assert rules.querydr_sign(request, SECRET, rules.QUERYDR_REQUEST_FIELDS) == expected
    # The answer: absent fields are empty between the bars, and any change breaks it.
    answer = {"vnp_ResponseId": "A", "vnp_Command": "querydr", "vnp_ResponseCode": "91"}
    assert (
        rules.querydr_hash_data(answer, rules.QUERYDR_RESPONSE_FIELDS) == "A|querydr|91" + "|" * 12
    )
    answer["vnp_SecureHash"] = rules.querydr_sign(answer, SECRET, rules.QUERYDR_RESPONSE_FIELDS)
    assert rules.querydr_verify(answer, SECRET, rules.QUERYDR_RESPONSE_FIELDS)
    assert not rules.querydr_verify(
        {**answer, "vnp_ResponseCode": "00"}, SECRET, rules.QUERYDR_RESPONSE_FIELDS
    )
    assert not rules.querydr_verify(
        {**answer, "vnp_SecureHash": ""}, SECRET, rules.QUERYDR_RESPONSE_FIELDS
    )
