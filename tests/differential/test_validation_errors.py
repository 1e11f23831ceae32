"""validation_errors against kube-apiserver's create path, in process (the oracle): Pods, every workload,
Services, Nodes and ServiceCIDRs. (Gateway and GKEIPRoute are CRDs: test_validation_apiserver.py sends
everything, them included, to the real apiserver.)"""
from hypothesis import given

from ansible_collections.clusternet.k8s.plugins.filter.validation_errors import validation_errors

from .harness import Counter, check, differential
from .objects import BUILTIN, hostile_objects


def test_validation_errors(oracle, cases):
    ran = Counter()

    @differential(cases)
    @given(BUILTIN)
    def case(obj):
        ran()
        check("validation_errors", validation_errors, oracle["validation_errors"], [obj])

    case()
    assert ran.count >= cases


def test_validation_errors_hostile(oracle, cases):
    """Values of the wrong JSON type or out of their Go type's range: the decoding error, or (when the
    value decodes) the validation errors."""
    ran = Counter()

    @differential(cases)
    @given(hostile_objects())
    def case(obj):
        ran()
        check("validation_errors", validation_errors, oracle["validation_errors"], [obj])

    case()
    assert ran.count >= cases
