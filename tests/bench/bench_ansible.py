"""Where users wait on the Ansible boundary: a task that uses one of our filters, and a filter call inside templating.

* **task with a filter** - a play of N ``set_fact`` tasks, each taking the first /24 of a /16: ours through
  ``clusternet.k8s.node_pod_cidrs``, the baseline through ``ansible.utils.ipsubnet`` (what a user would otherwise
  write). Both are real ``ansible-playbook`` runs; the target compares what one more task costs (the slope between
  the two largest sizes), so the playbook's start-up counts for neither.
* **filter call in templating** - one task whose template calls ``clusternet.k8s.pod_hosts`` N times in a loop,
  against the same N calls of the filter function in plain Python: the difference is what Ansible's templating
  adds per call (the target: at most 30 us).

  Not all of that difference can be the collection's. Measured on the 2-core bench machine (issue 15, ansible-core
  2.19, slope between 2,000 and 8,000 calls, best of 6): the same loop around a no-op filter (``pod |
  ansible.builtin.type_debug | length``) costs about 30 us a call, which is Ansible's own floor (the loop, the lazy
  ``pod``, the plugin call and its output); and the filter's own work runs about 20 us slower between template
  renders than in the baseline's tight loop (cold CPU caches: any heavy Python work between two calls does the same).
  What the collection's filter entry adds for a lazy ``pod`` over a plain one is under 10 us of the rest.
"""
from __future__ import annotations

from tests.bench.harness import Job, play, playbook_env, run_play, slope_difference_at_most, slope_ratio_at_most

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "namespace": "shop"},
       "spec": {"hostname": "web-0", "subdomain": "web", "containers": [{"name": "app", "image": "app:1"}],
                "hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db.internal"]}]},
       "status": {"podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}, {"ip": "fd00:10:244:1::7"}]}}


def _tasks(count, expression):
    return [{"name": "t%d" % i, "ansible.builtin.set_fact": {"x%d" % i: expression}} for i in range(count)]


def _facts(result):
    return [t["result"]["ansible_facts"] for t in result.tasks if t["task"].startswith("t")]


def _task_job(scale):
    sizes = [max(2, int(n * scale)) for n in (10, 20, 40, 80)]
    env = playbook_env()
    ours = "{{ (['n1'] | clusternet.k8s.node_pod_cidrs(['10.244.0.0/16'], [24]))['n1'][0] }}"
    theirs = "{{ '10.244.0.0/16' | ansible.utils.ipsubnet(24, 0) }}"
    return Job(
        name="task with a filter", baseline_name="ansible.utils.ipsubnet task", unit="tasks", sizes=sizes, repeat=2,
        prepare=lambda n: n, subprocess=(True, True),
        ours=lambda n: [list(f.values()) for f in _facts(run_play(play(_tasks(n, ours)), env))],
        baseline=lambda n: [list(f.values()) for f in _facts(run_play(play(_tasks(n, theirs)), env))],
        targets=[slope_ratio_at_most(1.5, "a task with one of our filters costs at most 1.5x one with an ansible.utils filter")])


def _templating_job(scale):
    from ansible_collections.clusternet.k8s.plugins.filter.pod_hosts import pod_hosts   # pylint: disable=import-outside-toplevel
    # large enough that ansible-playbook's start-up (which varies by about 0.1 s) is small next to the slope
    sizes = [max(10, int(n * scale)) for n in (2000, 4000, 8000, 16000)]
    env = playbook_env(())
    loop = "{% for i in range(n) %}{{ pod | clusternet.k8s.pod_hosts | length }},{% endfor %}"

    def ours(n):
        result = run_play(play([{"name": "t", "ansible.builtin.set_fact": {"out": loop}}], vars={"n": n, "pod": POD}), env)
        return _facts(result)[0]["out"]

    def baseline(n):
        out = []
        for _i in range(n):
            out.append("%d," % len(pod_hosts(POD)))
        text = "".join(out)
        return text

    return Job(
        name="filter call in templating", baseline_name="the filter's own work (Python)", unit="calls", sizes=sizes,
        repeat=3, prepare=lambda n: n, subprocess=(True, False), ours=ours, baseline=baseline,
        same=lambda a, b: str(a) == b,
        targets=[slope_difference_at_most(30e-6, "a filter call in templating costs at most 30 us beyond the filter's work")])


def jobs(scale=1.0):
    return [_task_job(scale), _templating_job(scale)]
