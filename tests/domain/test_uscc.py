import pytest

from app.domain.uscc import USCCError, check_digit, is_valid_uscc, normalize_uscc, validate_uscc

VALID = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)


def test_wrong_check_digit_is_refused():
    with pytest.raises(USCCError) as e:
        validate_uscc("91350100M000100Y44")
    assert e.value.code == "check_digit"
    assert "校验位" in e.value.message


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_wrong_length_is_refused(code):
    with pytest.raises(USCCError) as e:
        validate_uscc(code)
    assert e.value.code == "length"


def test_lowercase_is_refused_strictly_but_normalised_for_people():
    with pytest.raises(USCCError) as e:
        validate_uscc("91350100m000100y43")
    assert e.value.code == "charset"
    assert validate_uscc(normalize_uscc("91350100m000100y43")) == "91350100M000100Y43"


def test_full_width_is_refused_strictly_but_normalised_for_people():
    full = "９１３５０１００Ｍ０００１００Ｙ４３"
    with pytest.raises(USCCError):
        validate_uscc(full)
    assert normalize_uscc(" " + full + "\u3000") == "91350100M000100Y43"


@pytest.mark.parametrize("letter", "IOZSV")
def test_letters_outside_the_standard_alphabet_are_refused(letter):
    code = "91350100M000100" + letter + "43"
    with pytest.raises(USCCError) as e:
        validate_uscc(code)
    assert e.value.code == "charset"


def test_check_digit_can_be_a_letter_or_zero():
    assert check_digit("91110000600037341") == "L"
    # weighted sum ≡ 0 (mod 31) gives "0", not the out-of-range value 31
    assert check_digit("91110000000000025") == "0"
    assert is_valid_uscc("911100000000000250")
