#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_apply
author:
  - clusternet.k8s maintainers (@clusternet)
version_added: 0.1.0
short_description: Server-side apply Kubernetes objects, or delete them
description:
  - Applies one or many resource definitions with Kubernetes server-side apply under a field manager,
    or deletes them with O(state=absent), in the order given.
  - The task reports C(changed) only when a live object changes (server-owned fields such as
    C(managedFields), C(resourceVersion) and C(status) aside), so a second run reports no change.
  - In check mode, the API server's dry run (C(dryRun=All)) tells what would change; nothing is stored.
  - In diff mode, each changed object's diff shows only the fields that change.
  - When an object fails, the task stops and reports which objects were applied and which were not. An object the
    server accepted counts as applied, and the task as changed, whatever fails afterwards - its wait, or the answer to
    the write itself (the object is then read back to see whether the write went through).
options:
  definition:
    description:
      - The objects to apply, as one mapping, a list of mappings, or YAML text with one or more documents.
      - Objects of C(kind) V(List) (or any C(*List)) are replaced by their C(items).
      - At least one object must be given (an empty list or YAML text without a document is refused, as kubectl refuses
        it); the same holds for O(src).
      - Each object needs C(apiVersion), C(kind) and C(metadata.name); O(api_version), O(kind) and O(name) fill those
        a definition lacks.
      - Mutually exclusive with O(src) and O(template).
    type: raw
    aliases: [resource_definition, inline]
  src:
    description:
      - Path to a YAML file with one or more documents.
      - As for C(kubernetes.core.k8s) - when the task runs on the controller (a C(local) connection), a relative path is
        looked for in the C(files) directories of the role and the playbook, then from the current directory; on
        another host, the path is read there.
      - Mutually exclusive with O(definition) and O(template).
    type: path
  template:
    description:
      - A Jinja2 template of one or more YAML documents, rendered on the controller with the task's variables as
        C(ansible.builtin.template) renders (looked for in the C(templates) directories of the role and the playbook).
      - A path; or a mapping with C(path) and the Jinja settings C(variable_start_string), C(variable_end_string),
        C(block_start_string), C(block_end_string), C(trim_blocks) (default V(true)), C(lstrip_blocks) (default
        V(false)) and C(newline_sequence) (V(\\n), V(\\r) or V(\\r\\n)); or a list of these, rendered in order.
      - Mutually exclusive with O(definition) and O(src).
    type: raw
  kind:
    description:
      - The kind of the object, when O(definition), O(src) and O(template) give none (C(kind) and O(name) alone
        name an object, for example to delete it), or for the definitions that have no C(kind).
    type: str
  api_version:
    description:
      - The apiVersion for O(kind), and of the definitions that have no C(apiVersion).
    type: str
    default: v1
    aliases: [api, version]
  name:
    description:
      - The name of the object, when no definition names it (C(metadata.name)).
    type: str
  state:
    description:
      - V(present) applies each object; V(absent) deletes it (an object that does not exist, or whose kind the
        server does not serve, is already absent).
    type: str
    choices: [present, absent]
    default: present
  namespace:
    description:
      - Namespace for namespaced objects whose definition has no C(metadata.namespace). Defaults to V(default).
      - Ignored for cluster-scoped objects.
    type: str
  continue_on_error:
    description:
      - When an object fails, go on with the next ones instead of stopping, as C(kubernetes.core.k8s) does with
        O(continue_on_error=true). The task then succeeds; each failed object has C(action=failed) and its C(error) in
        RV(objects), and a warning names them.
    type: bool
    default: false
  delete_options:
    description:
      - The C(DeleteOptions) of O(state=absent).
    type: dict
    suboptions:
      propagationPolicy:
        description:
          - Whether and how garbage collection deletes the dependents (C(Foreground), C(Background)) or leaves them
            (C(Orphan)). The kind's default when unset.
        type: str
        choices: [Foreground, Background, Orphan]
      gracePeriodSeconds:
        description:
          - Seconds before the object is deleted (V(0) - at once). The kind's default when unset.
        type: int
      preconditions:
        description:
          - Delete only if the live object still has this C(uid) and/or C(resourceVersion); otherwise the API server
            answers 409 Conflict and the task fails.
        type: dict
        suboptions:
          uid:
            description: The object's C(metadata.uid).
            type: str
          resourceVersion:
            description: The object's C(metadata.resourceVersion).
            type: str
extends_documentation_fragment:
  - clusternet.k8s.k8s_auth_options
  - clusternet.k8s.k8s_apply_options
  - clusternet.k8s.k8s_wait_options
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details: The API server's dry run (C(dryRun=All)) predicts the result; waits are skipped.
  diff_mode:
    support: full
    details: One diff per changed object, with only the fields that change.
  platform:
    platforms: all
  action:
    support: full
    details: An action plugin finds O(src), O(template) and O(kubeconfig) on the controller, as C(kubernetes.core.k8s).
  async:
    support: none
  bypass_host_loop:
    support: none
notes:
  - Before any request, each C(apiVersion), C(metadata.name) and (for namespaced kinds) C(metadata.namespace) is checked with
    kube-apiserver's rules for its kind (a ConfigMap's name is a DNS-1123 subdomain, a Service's a DNS-1035 label; a kind
    without a known rule, such as a custom resource, gets the rule every name obeys - no C(/), C(%), C(.) or C(..)), and
    every path segment is quoted, so no name can reach another object.
  - The values of a Secret's C(data) and C(stringData) never show. Diffs mask them as C(kubectl diff) does (V(***), and
    V(*** (before)) and V(*** (after)) where a value changes), returned objects and the task's arguments as V(***).
  - A C(metadata.managedFields) in a definition is dropped (objects fetched from a cluster carry one and the
    server would reject it). A C(metadata.namespace) on a cluster-scoped object is dropped, as kubectl does.
  - In check mode, an object in a namespace that an earlier object of the list would create, or of a kind that an
    earlier CustomResourceDefinition would create, cannot be dry-run (the dry run stored nothing); it is reported
    as V(created) with its definition as RV(objects[].result), unchecked by the server.
requirements:
  - PyYAML (Python library), for YAML text in O(definition) and for O(src)
  - How each option and return value compares with C(kubernetes.core.k8s) - docs/kubernetes_core_parity.md in the
    collection's repository.
seealso:
  - module: kubernetes.core.k8s
    description: The module whose options and connection settings this one takes.
  - name: Server-side apply
    description: How field managers, ownership and conflicts work.
    link: https://kubernetes.io/docs/reference/using-api/server-side-apply/
"""

EXAMPLES = r"""
- name: Apply a namespace and a config map
  clusternet.k8s.k8s_apply:
    definition:
      - apiVersion: v1
        kind: Namespace
        metadata:
          name: web
      - apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
          namespace: web
        data:
          mode: production

- name: Apply every document of a file and wait until the deployment is available
  clusternet.k8s.k8s_apply:
    src: /srv/manifests/web.yaml
    namespace: web
    wait: true
    wait_condition:
      type: Available
    wait_timeout: 300

- name: Apply rendered YAML, taking over fields another manager (here kubectl) set
  clusternet.k8s.k8s_apply:
    definition: "{{ lookup('ansible.builtin.template', 'service.yaml.j2') }}"
    force_conflicts: true

- name: Wait for a value rather than a condition
  clusternet.k8s.k8s_apply:
    definition: "{{ gateway }}"
    wait: true
    wait_jsonpath:
      path: '{.status.addresses[0].value}'

- name: Set the connection once for every cluster module of the collection
  module_defaults:
    group/clusternet.k8s.cluster:
      kubeconfig: /etc/kubernetes/admin.conf
      context: production
  block:
    - name: Remove the config map, and wait until it is gone
      clusternet.k8s.k8s_apply:
        state: absent
        definition:
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: web-settings
            namespace: web
        wait: true
"""

RETURN = r"""
result:
  description:
    - The object as the API server holds it after the task (without C(metadata.managedFields)), when
      exactly one definition was given; in check mode, as the server's dry run says it would be.
    - Empty for O(state=absent).
  returned: success, when one definition was given
  type: dict
  sample:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web-settings
      namespace: web
      resourceVersion: "1042"
      uid: 7f0c5a3e-2a61-4a55-9b7c-2b0f0e9c1d11
    data:
      mode: production
objects:
  description:
    - One entry per definition, in order. On failure, also returned, with the failed object's entry
      (C(action=failed), C(error)) and the objects not attempted (C(action=skipped)); an object that was applied
      before its wait failed keeps its action (C(created), C(updated), C(deleted)) and has an C(error).
  returned: always
  type: list
  elements: dict
  contains:
    apiVersion:
      description: The object's apiVersion.
      type: str
      sample: v1
    kind:
      description: The object's kind.
      type: str
      sample: ConfigMap
    name:
      description: The object's name.
      type: str
      sample: web-settings
    namespace:
      description: The object's namespace; null for cluster-scoped objects.
      type: str
      sample: web
    action:
      description:
        - V(created), V(updated), V(unchanged), V(deleted), V(absent) (nothing to delete), V(deleting)
          (deletion was already pending), V(failed) or V(skipped) (not attempted after a failure).
      type: str
      sample: created
    changed:
      description: Whether this object changed (or, in check mode, would change).
      type: bool
      sample: true
    result:
      description: The object after the task, without C(metadata.managedFields); empty when absent or not applied.
      type: dict
      sample: {}
    error:
      description: Why the object failed, or why its wait failed after it was applied.
      type: str
      returned: when RV(objects[].action=failed), or when the object was applied and then its wait failed
      sample: 'apply ConfigMap web/web-settings failed: HTTP 422 Unprocessable Entity (Invalid): ...'
status:
  description: The HTTP status of the failed request.
  returned: failure, when the API server answered
  type: int
  sample: 409
reason:
  description: The reason of the server's C(Status), for example V(Conflict), V(Invalid) or V(NotFound).
  returned: failure, when the API server answered
  type: str
  sample: Conflict
causes:
  description: The causes of the server's C(Status) (field, reason, message).
  returned: failure, when the API server answered
  type: list
  elements: dict
  sample:
    - field: .data.mode
      message: conflict with "kubectl-client-side-apply" using v1
      reason: FieldManagerConflict
last_object:
  description: The last version of the object seen before a wait timed out (null if it did not exist).
  returned: failure, when a wait timed out
  type: dict
  sample: {}
"""

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.apply import ApplyOptions, BatchFailure, apply_all, summary
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.module import (
    apply_argument_spec, cluster_argument_spec, cluster_module, connect, fail, require_libraries, wait_argument_spec,
    wait_check)
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.objects import load_definitions, read_definitions

DELETE_OPTIONS_SPEC = {
    "propagationPolicy": {"type": "str", "choices": ["Foreground", "Background", "Orphan"]},
    "gracePeriodSeconds": {"type": "int"},
    "preconditions": {"type": "dict", "options": {"uid": {"type": "str"}, "resourceVersion": {"type": "str"}}},
}


def argument_spec():
    return cluster_argument_spec(
        definition={"type": "raw", "aliases": ["resource_definition", "inline"]},
        src={"type": "path"},
        template={"type": "raw"},
        kind={"type": "str"},
        api_version={"type": "str", "default": "v1", "aliases": ["api", "version"]},
        name={"type": "str"},
        state={"type": "str", "default": "present", "choices": ["present", "absent"]},
        namespace={"type": "str"},
        continue_on_error={"type": "bool", "default": False},
        delete_options={"type": "dict", "options": DELETE_OPTIONS_SPEC},
        **apply_argument_spec(),
        **wait_argument_spec()
    )


def options(module):
    params = module.params
    delete_options = {k: v for k, v in (params["delete_options"] or {}).items() if v is not None}
    if "preconditions" in delete_options:
        delete_options["preconditions"] = {k: v for k, v in delete_options["preconditions"].items() if v is not None}
    return ApplyOptions(state=params["state"], field_manager=params["field_manager"], force=params["force_conflicts"],
                        check_mode=module.check_mode, namespace=params["namespace"], wait=params["wait"],
                        wait_for=wait_check(params), wait_timeout=params["wait_timeout"], wait_sleep=params["wait_sleep"],
                        continue_on_error=params["continue_on_error"], delete_options=delete_options or None)


def definitions_of(params):
    """The definitions of ``definition``, ``src`` or (as kubernetes.core) the ``kind``/``name`` shorthand alone, with
    ``api_version``, ``kind`` and ``name`` filling what a definition lacks."""
    defaults = {"apiVersion": params["api_version"], "kind": params["kind"], "name": params["name"]}
    if params["src"]:
        return read_definitions(params["src"], defaults), "src %s" % params["src"]
    if params["definition"] is not None:
        return load_definitions(params["definition"], defaults=defaults), "definition"
    if not params["kind"] or not params["name"]:
        raise InputError("nothing to %s: give definition, src or template, or kind and name"
                         % ("apply" if params["state"] == "present" else "delete"))
    return load_definitions({}, defaults=defaults), "kind and name"


def main():
    module = cluster_module(argument_spec=argument_spec(), supports_check_mode=True,
                            mutually_exclusive=[("definition", "src", "template"), ("wait_condition", "wait_jsonpath")])
    params = module.params
    if params["template"] is not None:  # the action plugin renders it into definition
        module.fail_json(msg="template is rendered on the controller by the clusternet.k8s.k8s_apply action plugin; "
                             "run the module through it (as a task), not on its own")
    require_libraries(module, need_yaml=params["src"] is not None or isinstance(params["definition"], str))
    try:
        definitions, source = definitions_of(params)
        if not definitions:  # kubectl's error for nothing to apply or delete
            raise InputError("%s: no objects passed to %s" % (source, "apply" if params["state"] == "present" else "delete"))
        settings = options(module)  # bad input fails before any connection is made
        outcomes = apply_all(connect(module), definitions, settings)
    except BatchFailure as exc:
        fail(module, exc, **summary(exc.outcomes))
    except (InputError, K8sError) as exc:
        fail(module, exc, changed=False, objects=[])
    failed = ["%s: %s" % (o.ref, o.error) for o in outcomes if o.action == "failed"]
    if failed:
        module.warn("continue_on_error: %d of %d objects failed: %s" % (len(failed), len(outcomes), "; ".join(failed)))
    module.exit_json(**summary(outcomes, with_diff=module._diff))


if __name__ == "__main__":
    main()
