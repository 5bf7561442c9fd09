"""Money is read from people's typing into integer pence, exactly."""
import pytest

from grants.money import MoneyError, format_pence, parse_pounds


@pytest.mark.parametrize("typed, pence", [
    ("£1,250.50", 125050), ("1250.5", 125050), ("1250", 125000), (" 1 250 ", 125000),
    ("0.01", 1), ("£10,000", 1_000_000), ("99.99", 9999),
])
def test_accepted_forms_become_exact_pence(typed, pence):
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize("typed, message", [
    ("", "Enter an amount"), ("-5", "more than £0"), ("abc", "pounds and pence"),
    ("12.345", "pounds and pence"), ("1e5", "pounds and pence"), ("0", "more than £0"),
    ("100000000", "£10,000,000 or less"), ("£", "pounds and pence"), ("1.2.3", "pounds and pence"),
    ("NaN", "pounds and pence"), ("٣٤", "pounds and pence"),
])
def test_bad_amounts_get_a_clear_message(typed, message):
    with pytest.raises(MoneyError) as caught:
        parse_pounds(typed)
    assert message in str(caught.value)


def test_zero_allowed_when_asked():
    assert parse_pounds("0", allow_zero=True) == 0


def test_formatting_drops_pence_only_for_whole_pounds():
    assert format_pence(125050) == "£1,250.50"
    assert format_pence(1_500_000) == "£15,000"
    assert format_pence(-2500) == "-£25"
    assert format_pence(5, always_pence=True) == "£0.05"
