"""Masked phone numbers and e-mail addresses."""

import pytest

from kjd.reports.masking import mask_contacts, mask_email, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800000001", "138****0001"),
        ("138 0000 0001", "138 **** 0001"),
        ("0431-85000000", "0431-****0000"),
        ("010-12345678", "010-****5678"),
        ("+86 138 0000 0001", "+86 138 **** 0001"),
        ("8500000", "***0000"),
        ("12345", "12345"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("zhangsan@example.com", "z***@example.com"),
        ("a@jlu.edu.cn", "a***@jlu.edu.cn"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_mask_email(address, masked):
    assert mask_email(address) == masked


def test_mask_contacts_several_in_one_cell():
    text = "联系人A：13800000021；联系人B：0431-85000022\nli@example.com"
    assert mask_contacts(text) == (
        "联系人A：138****0021；联系人B：0431-****0022\nl***@example.com"
    )


def test_mask_contacts_empty():
    assert mask_contacts(None) is None
    assert mask_contacts("") == ""
