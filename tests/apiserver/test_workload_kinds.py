"""Jobs, CronJobs, ReplicaSets, ReplicationControllers and PodTemplates: discovery, OpenAPI, defaults, status
subresource and generation, through the official Python client and the real kubectl."""
import json

import kubernetes
import yaml

from tests.apiserver.test_kubectl import ok

POD_SPEC = {"restartPolicy": "Never", "containers": [{"name": "main", "image": "registry.example/job:1"}]}


def job(name="work", labels=None):
    template = {"spec": POD_SPEC}
    if labels:
        template["metadata"] = {"labels": labels}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": {"template": template}}


def cron_job(name="nightly", image="registry.example/job:1"):
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name}, "spec": {
        "schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "OnFailure", "containers": [{"name": "main", "image": image}]}}}}}}


def replica_set(name="web", replicas=None):
    spec = {"selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "app", "image": "registry.example/web:1"}]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name}, "spec": spec}


def test_discovery_lists_the_kinds(kubectl):
    rows = {tuple(line.split()) for line in ok(kubectl("api-resources", "--no-headers")).splitlines()}
    assert {("jobs", "batch/v1", "true", "Job"), ("cronjobs", "cj", "batch/v1", "true", "CronJob"),
            ("replicasets", "rs", "apps/v1", "true", "ReplicaSet"), ("replicationcontrollers", "rc", "v1", "true", "ReplicationController"),
            ("podtemplates", "v1", "true", "PodTemplate")} <= rows


def test_discovery_documents_and_openapi(raw):
    batch = raw("GET", "/apis/batch/v1").body
    assert [(r["name"], r.get("shortNames"), r.get("categories")) for r in batch["resources"]] == [
        ("cronjobs", ["cj"], ["all"]), ("cronjobs/status", None, None), ("jobs", None, ["all"]), ("jobs/status", None, None)]
    assert "batch" in [g["name"] for g in raw("GET", "/apis").body["groups"]]
    core = {r["name"] for r in raw("GET", "/api/v1").body["resources"]}
    assert {"replicationcontrollers", "replicationcontrollers/status", "podtemplates"} <= core
    assert "podtemplates/status" not in core
    paths = raw("GET", "/openapi/v3").body["paths"]
    assert {"apis/batch/v1", "apis/apps/v1", "api/v1"} <= set(paths)
    doc = raw("GET", "/openapi/v3/apis/batch/v1").body
    schemas = doc["components"]["schemas"]
    assert schemas["io.k8s.api.batch.v1.CronJob"]["x-kubernetes-group-version-kind"] == [{"group": "batch", "kind": "CronJob", "version": "v1"}]
    assert "/apis/batch/v1/namespaces/{namespace}/jobs/{name}/status" in doc["paths"]


def test_job_defaults_selector_and_status(kubectl, namespace):
    made = json.loads(ok(kubectl("create", "-n", namespace, "-o", "json", "-f", "-", input=yaml.safe_dump(job(labels={"app": "work"})))))
    uid, spec = made["metadata"]["uid"], made["spec"]
    assert made["metadata"]["generation"] == 1 and made["status"] == {}
    assert made["metadata"]["labels"] == {"app": "work"}       # from the template, before the generated labels
    assert {k: spec[k] for k in ("completions", "parallelism", "backoffLimit", "completionMode", "suspend", "podReplacementPolicy",
                                 "manualSelector")} == {"completions": 1, "parallelism": 1, "backoffLimit": 6, "completionMode": "NonIndexed",
                                                        "suspend": False, "podReplacementPolicy": "TerminatingOrFailed", "manualSelector": False}
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert spec["template"]["metadata"]["labels"] == {"app": "work", "job-name": "work", "batch.kubernetes.io/job-name": "work",
                                                      "controller-uid": uid, "batch.kubernetes.io/controller-uid": uid}
    assert spec["template"]["spec"]["dnsPolicy"] == "ClusterFirst"
    manual = job("manual")
    manual["spec"].update(manualSelector=True, selector={"matchLabels": {"mine": "yes"}})
    manual["spec"]["template"]["metadata"] = {"labels": {"mine": "yes"}}
    made = json.loads(ok(kubectl("create", "-n", namespace, "-o", "json", "-f", "-", input=yaml.safe_dump(manual))))
    assert made["spec"]["selector"] == {"matchLabels": {"mine": "yes"}} and made["spec"]["template"]["metadata"]["labels"] == {"mine": "yes"}


def test_job_status_subresource_and_generation(api_client, kubectl, namespace):
    batch = kubernetes.client.BatchV1Api(api_client)
    batch.create_namespaced_job(namespace, job())
    ok(kubectl("patch", "job", "work", "-n", namespace, "--subresource", "status", "--type", "merge", "-p", json.dumps({"status": {"active": 1}})))
    got = batch.read_namespaced_job("work", namespace)
    assert (got.status.active, got.metadata.generation) == (1, 1)
    got = batch.patch_namespaced_job("work", namespace, {"spec": {"suspend": True}, "status": {"active": 5}})
    assert (got.spec.suspend, got.status.active, got.metadata.generation) == (True, 1, 2)
    got = batch.patch_namespaced_job("work", namespace, {"metadata": {"annotations": {"note": "x"}}})
    assert got.metadata.generation == 2
    assert 'job.batch "work" deleted' in ok(kubectl("delete", "job", "work", "-n", namespace))


def test_cron_job_defaults_generation_and_name_limit(api_client, kubectl, namespace):
    batch = kubernetes.client.BatchV1Api(api_client)
    made = batch.create_namespaced_cron_job(namespace, cron_job())
    assert (made.spec.concurrency_policy, made.spec.suspend, made.spec.successful_jobs_history_limit, made.spec.failed_jobs_history_limit) == (
        "Allow", False, 3, 1)
    pod = made.spec.job_template.spec.template.spec
    assert (pod.restart_policy, pod.scheduler_name, pod.containers[0].termination_message_policy) == ("OnFailure", "default-scheduler", "File")
    assert made.spec.job_template.spec.backoff_limit is None      # SetDefaults_Job is for Jobs, not job templates
    assert made.metadata.generation == 1
    changed = batch.patch_namespaced_cron_job("nightly", namespace, {"spec": {"schedule": "0 4 * * *"}})
    assert changed.metadata.generation == 2
    long_name = "c" * 53
    result = kubectl("create", "-n", namespace, "-f", "-", input=yaml.safe_dump(cron_job(long_name)))
    assert result.returncode != 0
    assert 'metadata.name: Invalid value: "%s": must be no more than 52 characters' % long_name in result.stderr
    assert "cronjob.batch/nightly" in ok(kubectl("get", "all", "-n", namespace, "-o", "name")).split()


def test_client_side_apply_of_a_cron_job_uses_strategic_merge(kubectl, namespace):
    first = cron_job()
    first["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "registry.example/side:1"})
    ok(kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(first)))
    ok(kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(cron_job(image="registry.example/job:2"))))
    got = json.loads(ok(kubectl("get", "cronjob", "nightly", "-n", namespace, "-o", "json")))
    containers = got["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("main", "registry.example/job:2")]
    assert containers[0]["terminationMessagePath"] == "/dev/termination-log"     # kept: a merge by name, not a replacement


def test_server_side_apply_to_a_cron_job_pod_template(raw, namespace):
    path = "/apis/batch/v1/namespaces/%s/cronjobs/nightly" % namespace
    raw("POST", "/apis/batch/v1/namespaces/%s/cronjobs" % namespace, cron_job())
    patch = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"},
             "spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db"]}]}}}}}}
    reply = raw("PATCH", path, yaml.safe_dump(patch), "application/apply-patch+yaml", [("fieldManager", "aliases")])
    assert reply.status == 200, reply.body
    pod = reply.body["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["hostAliases"] == [{"ip": "10.0.0.5", "hostnames": ["db"]}] and pod["containers"][0]["name"] == "main"
    mine = next(e for e in reply.body["metadata"]["managedFields"] if e["manager"] == "aliases")
    aliases = mine["fieldsV1"]["f:spec"]["f:jobTemplate"]["f:spec"]["f:template"]["f:spec"]["f:hostAliases"]
    assert aliases == {'k:{"ip":"10.0.0.5"}': {".": {}, "f:hostnames": {}, "f:ip": {}}}


def test_replica_set_defaults_status_and_generation(api_client, namespace):
    apps = kubernetes.client.AppsV1Api(api_client)
    made = apps.create_namespaced_replica_set(namespace, replica_set())
    assert (made.spec.replicas, made.metadata.generation, made.status.replicas) == (1, 1, 0)
    status = apps.patch_namespaced_replica_set_status("web", namespace, {"status": {"replicas": 1, "readyReplicas": 1}})
    assert (status.status.ready_replicas, status.metadata.generation) == (1, 1)
    scaled = apps.patch_namespaced_replica_set("web", namespace, {"spec": {"replicas": 3}})
    assert (scaled.spec.replicas, scaled.metadata.generation, scaled.status.ready_replicas) == (3, 2, 1)
    assert [rs.metadata.name for rs in apps.list_namespaced_replica_set(namespace).items] == ["web"]


def test_replication_controller_takes_selector_and_labels_from_its_template(core, namespace):
    made = core.create_namespaced_replication_controller(namespace, {"metadata": {"name": "legacy"}, "spec": {"template": {
        "metadata": {"labels": {"app": "legacy"}}, "spec": {"containers": [{"name": "app", "image": "registry.example/legacy:1"}]}}}})
    assert (made.spec.selector, made.metadata.labels, made.spec.replicas) == ({"app": "legacy"}, {"app": "legacy"}, 1)
    assert (made.status.replicas, made.metadata.generation) == (0, 1)
    assert made.spec.template.spec.restart_policy == "Always"


def test_pod_template_generation_follows_the_template(core, namespace):
    made = core.create_namespaced_pod_template(namespace, {"metadata": {"name": "tpl"}, "template": {
        "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}]}}})
    assert (made.metadata.generation, made.template.spec.dns_policy) == (1, "ClusterFirst")
    labelled = core.patch_namespaced_pod_template("tpl", namespace, {"metadata": {"labels": {"x": "y"}}})
    assert labelled.metadata.generation == 1
    changed = core.patch_namespaced_pod_template("tpl", namespace, {"template": {"metadata": {"labels": {"app": "tpl"}}}})
    assert changed.metadata.generation == 2


def test_dynamic_client_finds_the_kinds(dynamic, namespace):
    jobs = dynamic.resources.get(api_version="batch/v1", kind="Job")
    jobs.create(body=job(), namespace=namespace)
    assert [j.metadata.name for j in jobs.get(namespace=namespace).items] == ["work"]
    assert dynamic.resources.get(api_version="apps/v1", kind="ReplicaSet").namespaced
