"""pytest plugin: ``--differential-cases N``, the number of generated cases per filter of the differential
tier (``tests/differential``). The tier's CI default is 2000; long runs pass more."""

DEFAULT_CASES = 2000


def pytest_addoption(parser):
    parser.addoption("--differential-cases", type=int, default=DEFAULT_CASES, metavar="N",
                     help="generated cases per filter in tests/differential (default %d)" % DEFAULT_CASES)
