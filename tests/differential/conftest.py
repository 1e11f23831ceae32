"""The differential tier's fixtures: the oracle (one process for the session) and the case count."""
import pytest

from tests.support.oracle import oracle_filters


@pytest.fixture(scope="session")
def oracle():
    with oracle_filters() as filters:
        yield filters


@pytest.fixture(scope="session")
def cases(request):
    """``--differential-cases``: generated cases per filter."""
    return request.config.getoption("--differential-cases")
