from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def api_en(api_as: Any) -> Any:
    def make(username: str | None) -> Any:
        client = api_as(username)
        client.headers["Accept-Language"] = "en"
        return client

    return make
