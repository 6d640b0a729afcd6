"""The one check of a correlation ID handed to the API."""

import pytest

from widget_server.api.references import MESSAGE, checked
from widget_server.errors import ApiError


def test_a_well_formed_reference_passes_unchanged():
    assert checked("O-aB3dE9z") == "O-aB3dE9z"


def test_a_retyped_lowercase_o_passes_only_where_retyping_is_expected():
    assert checked("o-aB3dE9z", retyped=True) == "o-aB3dE9z"
    with pytest.raises(ApiError, match=MESSAGE):
        checked("o-aB3dE9z")


@pytest.mark.parametrize(
    "reference", ["", "O-", "O-aB3dE9", "O-aB3dE9zz", "X-aB3dE9z", "O-aB3d-9z"]
)
def test_anything_else_is_a_400(reference):
    with pytest.raises(ApiError, match=MESSAGE) as raised:
        checked(reference, retyped=True)
    assert raised.value.status == 400
