import json

import pytest

from bistand.core.json_input import MAX_DEPTH, JSONInputError, load_json, nesting_exceeds


def test_documents_up_to_the_depth_limit_are_read():
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH

    assert nesting_exceeds(load_json(text), MAX_DEPTH) is False


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 200_000])
def test_deeper_nesting_is_refused_in_swedish_not_a_recursion_error(depth):
    text = '{"a": ' + "[" * depth + "]" * depth + "}"
    if depth > MAX_DEPTH + 1:
        with pytest.raises(RecursionError):
            json.loads(text)  # what load_json guards against

    with pytest.raises(JSONInputError) as error:
        load_json(text)
    assert error.value.code == "invalid_json"
    assert "för djupt nästlad" in error.value.message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(constant):
    with pytest.raises(JSONInputError) as error:
        load_json(f'{{"amount": {constant}}}')
    assert error.value.code == "invalid_json"
    assert f"{constant} är inte ett tillåtet tal" in error.value.message
