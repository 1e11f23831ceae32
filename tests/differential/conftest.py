"""The differential tier's fixtures: the oracle at each release of tests/kube/releases.txt (one process per release
for the session), the newest release's oracle for the shipped vectors, and the case count."""
import pytest

from tests.support.kube_cluster import kubernetes_release, releases
from tests.support.oracle import close_oracle, oracle_filters


@pytest.fixture(scope="session", params=list(reversed(releases())))
def oracle(request):
    """The oracle at one supported release: each generated test runs once per release, the filter called with that
    release as its ``kubernetes_version``. Newest first, as tests/run builds them: the older oracles' builds go on
    while the newest judges."""
    with oracle_filters(request.param) as filters:
        yield filters
    if request.param != kubernetes_release():
        close_oracle(request.param)


@pytest.fixture(scope="session")
def newest_oracle():
    """The oracle at the pinned release: the judge of the shipped vectors, which are that release's."""
    with oracle_filters() as filters:
        yield filters


@pytest.fixture
def cases(request):
    """``--differential-cases`` generated cases per filter; for a test run at an older release,
    ``--differential-older-cases`` (default a quarter of it: CI's budget)."""
    newest = request.config.getoption("--differential-cases")
    older = request.config.getoption("--differential-older-cases")
    if "oracle" in request.fixturenames and request.getfixturevalue("oracle").release != kubernetes_release():
        return older if older is not None else max(1, newest // 4)
    return newest
