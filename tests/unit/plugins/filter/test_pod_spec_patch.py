"""The pod_spec_patch filter: the pod spec fields at each kind's path, validated as a whole object."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.pod_spec_patch import FilterModule
from ansible_collections.clusternet.k8s.plugins.filter.validation_errors import FilterModule as Validation
from ansible_collections.clusternet.k8s.plugins.module_utils.resources import POD_SPEC_PATHS

pod_spec_patch = FilterModule().filters()["pod_spec_patch"]
validation_errors = Validation().filters()["validation_errors"]

ALIASES = {"hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db"]}]}


@pytest.mark.parametrize("kind, api_version, path", [
    ("Pod", "v1", ["spec"]),
    ("Deployment", "apps/v1", ["spec", "template", "spec"]),
    ("StatefulSet", "apps/v1", ["spec", "template", "spec"]),
    ("DaemonSet", "apps/v1", ["spec", "template", "spec"]),
    ("ReplicaSet", "apps/v1", ["spec", "template", "spec"]),
    ("ReplicationController", "v1", ["spec", "template", "spec"]),
    ("Job", "batch/v1", ["spec", "template", "spec"]),
    ("CronJob", "batch/v1", ["spec", "jobTemplate", "spec", "template", "spec"]),
    ("PodTemplate", "v1", ["template", "spec"]),
])
def test_each_kind_at_its_path(kind, api_version, path):
    patch = pod_spec_patch({"kind": kind, "name": "web", "namespace": "shop"}, ALIASES)
    expected = ALIASES
    for part in reversed(path):
        expected = {part: expected}
    assert patch == dict({"apiVersion": api_version, "kind": kind, "metadata": {"name": "web", "namespace": "shop"}}, **expected)


def test_every_kind_with_a_pod_spec_is_covered():
    for kind in POD_SPEC_PATHS:
        assert pod_spec_patch({"kind": kind, "name": "x"}, {})["kind"] == kind


def test_api_version_namespace_and_other_keys():
    patch = pod_spec_patch({"kind": "CronJob", "name": "nightly", "apiVersion": "batch/v1beta1", "entries": [1], "namespace": ""}, {})
    assert patch == {"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "nightly"},
                     "spec": {"jobTemplate": {"spec": {"template": {"spec": {}}}}}}


def test_spec_is_copied():
    spec = {"hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db"]}]}
    patch = pod_spec_patch({"kind": "Pod", "name": "p"}, spec)
    patch["spec"]["hostAliases"][0]["ip"] = "x"
    assert spec["hostAliases"][0]["ip"] == "10.0.0.5"


def test_errors_carry_the_workload_path():
    patch = pod_spec_patch({"kind": "Deployment", "name": "web"}, {"hostAliases": [{"ip": "10.0.0.300", "hostnames": ["db"]}]})
    # the patch alone, created as it is, also lacks the Deployment's selector
    assert validation_errors(patch) == [
        'spec.selector: Required value',
        'spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`',
        'spec.template.spec.hostAliases[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']
    # validated as the patch it is, only the rules of the fields it carries
    assert validation_errors(patch, patch=True) == [
        'spec.template.spec.hostAliases[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']


@pytest.mark.parametrize("kind", ["CronJob", "DaemonSet", "Deployment", "Job", "Pod", "PodTemplate", "ReplicaSet",
                                  "ReplicationController", "StatefulSet"])
def test_a_valid_patch_of_every_kind_has_no_errors(kind):
    patch = pod_spec_patch({"kind": kind, "name": "w"}, {"hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db"]}]})
    assert validation_errors(patch, patch=True) == []


def test_patch_must_be_a_boolean():
    with pytest.raises(AnsibleFilterError) as err:
        validation_errors({"kind": "Pod"}, patch="yes")
    assert str(err.value) == "validation_errors: patch must be a boolean, got string 'yes'"


KINDS = "CronJob, DaemonSet, Deployment, Job, Pod, PodTemplate, ReplicaSet, ReplicationController, StatefulSet"


@pytest.mark.parametrize("reference, spec, message", [
    ({"kind": "Service", "name": "s"}, {}, "pod_spec_patch: reference.kind 'Service' has no pod spec; kinds with one: " + KINDS),
    ({"kind": "Pod", "name": ""}, {}, "pod_spec_patch: reference.name must not be empty"),
    ({"kind": "Pod"}, {}, "pod_spec_patch: reference.name must be a string, got null None"),
    ({"kind": "Pod", "name": "p", "namespace": 3}, {}, "pod_spec_patch: reference.namespace must be a string, got integer 3"),
    ({"kind": "Pod", "name": "p"}, [], "pod_spec_patch: spec must be a mapping, got list []"),
    ("Pod/p", {}, "pod_spec_patch: reference must be a mapping, got string 'Pod/p'"),
])
def test_errors_are_filter_errors(reference, spec, message):
    with pytest.raises(AnsibleFilterError) as err:
        pod_spec_patch(reference, spec)
    assert str(err.value) == message
