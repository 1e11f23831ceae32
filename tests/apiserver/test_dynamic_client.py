"""kubernetes.dynamic.DynamicClient: discovery, custom resources, server-side apply, watch."""
import pytest
from kubernetes.dynamic.exceptions import ConflictError, ResourceNotFoundError

from tests.apiserver.test_patch_apply import WIDGET_CRD


def widget(name, size, **extra):
    return dict({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": {"size": size}}, **extra)


def test_discovery_finds_builtins_and_new_crds(dynamic):
    assert dynamic.resources.get(api_version="apps/v1", kind="Deployment").namespaced
    with pytest.raises(ResourceNotFoundError):
        dynamic.resources.get(api_version="example.com/v1", kind="Widget")
    crds = dynamic.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    created = crds.create(body=WIDGET_CRD)
    assert {c.type: c.status for c in created.status.conditions}["Established"] == "True"
    widgets = dynamic.resources.get(api_version="example.com/v1", kind="Widget")
    assert (widgets.name, widgets.namespaced, widgets.short_names) == ("widgets", True, ["wg"])
    assert widgets.subresources["status"].name == "widgets/status"


def test_custom_resources_crud_and_status(dynamic, namespace):
    dynamic.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition").create(body=WIDGET_CRD)
    widgets = dynamic.resources.get(api_version="example.com/v1", kind="Widget")
    made = widgets.create(body=widget("w", 1), namespace=namespace)
    assert made.metadata.generation == 1
    widgets.status.patch(body={"status": {"ready": True}}, name="w", namespace=namespace, content_type="application/merge-patch+json")
    fetched = widgets.get(name="w", namespace=namespace)
    assert fetched.status.ready is True and fetched.spec.size == 1
    assert [w.metadata.name for w in widgets.get(namespace=namespace).items] == ["w"]
    widgets.delete(name="w", namespace=namespace)
    assert widgets.get(namespace=namespace).items == []


def test_server_side_apply_through_the_dynamic_client(dynamic, namespace):
    dynamic.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition").create(body=WIDGET_CRD)
    widgets = dynamic.resources.get(api_version="example.com/v1", kind="Widget")
    body = widget("ssa", 1, spec={"size": 1, "ports": [{"name": "http", "port": 80}]})
    widgets.server_side_apply(body=body, name="ssa", namespace=namespace, field_manager="one")
    other = widget("ssa", 1, spec={"size": 1, "ports": [{"name": "dns", "port": 53}]})
    merged = widgets.server_side_apply(body=other, name="ssa", namespace=namespace, field_manager="two")
    assert [p.name for p in merged.spec.ports] == ["http", "dns"]
    with pytest.raises(ConflictError) as exc:
        widgets.server_side_apply(body=widget("ssa", 5), name="ssa", namespace=namespace, field_manager="two")
    assert '.spec.size' in str(exc.value.body)
    forced = widgets.server_side_apply(body=widget("ssa", 5), name="ssa", namespace=namespace, field_manager="two", force_conflicts=True)
    assert forced.spec.size == 5 and [p.name for p in forced.spec.ports] == ["http"]


def test_dynamic_watch(dynamic, namespace):
    configmaps = dynamic.resources.get(api_version="v1", kind="ConfigMap")
    configmaps.create(body={"metadata": {"name": "seen"}}, namespace=namespace)
    events = [(e["type"], e["object"].metadata.name) for e in configmaps.watch(namespace=namespace, timeout=1)]
    assert events == [("ADDED", "seen")]
