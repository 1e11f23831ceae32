"""pytest plugin: ``--differential-cases N``, the number of generated cases per filter of the differential
tier (``tests/differential``) at the newest release, and ``--differential-older-cases M`` at each older release of
``tests/kube/releases.txt``. CI's default is 2000 and a quarter of it (500); long runs pass more."""

DEFAULT_CASES = 2000


def pytest_addoption(parser):
    parser.addoption("--differential-cases", type=int, default=DEFAULT_CASES, metavar="N",
                     help="generated cases per filter in tests/differential at the newest release (default %d)"
                     % DEFAULT_CASES)
    parser.addoption("--differential-older-cases", type=int, default=None, metavar="M",
                     help="generated cases per filter at each older release (default: a quarter of N)")
