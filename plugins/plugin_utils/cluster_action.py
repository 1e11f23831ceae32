# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The controller side of the cluster modules (``group/clusternet.k8s.cluster``), as kubernetes.core's action plugin
does it for its own modules:

- the connection options set with ``module_defaults`` for ``group/kubernetes.core.k8s`` apply too, below the
  module's own (task arguments, ``module_defaults`` of the module or of ``group/clusternet.k8s.cluster``);
- when the task runs on the controller, a relative ``kubeconfig`` and ``src`` are looked for in the ``files``
  directories of the role and the playbook, and a vault-encrypted ``kubeconfig`` is decrypted for the task;
- ``template`` is rendered on the controller (as ``ansible.builtin.template`` renders) into ``definition``.
"""

from __future__ import annotations

import os

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

try:
    import yaml
except ImportError:  # reported when a template needs it
    yaml = None

try:  # ansible-core 2.19 and later
    from ansible.template import trust_as_template
    AnsibleEnvironment = None
except ImportError:
    trust_as_template = None
    from ansible.template import AnsibleEnvironment

# kubernetes.core's connection options (and aliases): what its module_defaults group may give our modules.
CONNECTION_OPTIONS = {
    "kubeconfig": (), "context": (), "host": (), "api_key": (), "username": (), "password": (),
    "validate_certs": ("verify_ssl",), "ca_cert": ("ssl_ca_cert",), "client_cert": ("cert_file",),
    "client_key": ("key_file",), "proxy": (), "no_proxy": (), "proxy_headers": (), "persist_config": (),
    "impersonate_user": (), "impersonate_groups": (),
}
KUBERNETES_CORE_ACTION = "kubernetes.core.k8s"
TEMPLATE_OPTIONS = ("variable_start_string", "variable_end_string", "block_start_string", "block_end_string")
NEWLINES = {"\\n": "\n", "\\r": "\r", "\\r\\n": "\r\n"}


class ClusterAction(ActionBase):
    """Resolve on the controller what kubernetes.core resolves there, then run the module."""

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        decrypted = []
        try:
            self._kubernetes_core_defaults(args)
            if self._connection.transport == "local":
                self._local_files(args, decrypted)
            if args.get("template") is not None:
                args["definition"] = self._render(args.pop("template"), task_vars)
        except AnsibleError as exc:
            result.update(failed=True, msg=to_text(exc.message if hasattr(exc, "message") else exc))
            self._cleanup(decrypted)
            return result
        try:
            result.update(self._execute_module(module_name=self._task.action, module_args=args, task_vars=task_vars))
        finally:
            self._cleanup(decrypted)
        return result

    def _cleanup(self, decrypted):
        for path in decrypted:
            self._loader.cleanup_tmp_file(path)

    def _kubernetes_core_defaults(self, args):
        """Fill connection options the task lacks from ``module_defaults`` of the groups ``kubernetes.core.k8s`` is in
        (ansible-core's own rule for a group's defaults, ``get_action_args_with_defaults``)."""
        play = getattr(self._task._parent, "_play", None)
        groups = getattr(play, "_action_groups", {}).get(KUBERNETES_CORE_ACTION, [])
        if not groups:
            return
        given = {option for option, aliases in CONNECTION_OPTIONS.items() if any(a in args for a in (option,) + aliases)}
        for defaults in self._task.module_defaults or []:
            for key, values in defaults.items():
                if not key.startswith("group/") or key[len("group/"):] not in groups:
                    continue
                values = self._templar.template(values) or {}
                for option, aliases in CONNECTION_OPTIONS.items():
                    for name in (option,) + aliases:
                        if name in values and option not in given:
                            args[name] = values[name]
        return

    def _local_files(self, args, decrypted):
        """``kubeconfig`` (each of a ``:``-separated list) and ``src`` found in the search path, as kubernetes.core
        finds them when the module runs on the controller. A path found nowhere is left as given: the module then
        says it cannot read it."""
        kubeconfig = args.get("kubeconfig")
        if isinstance(kubeconfig, str) and kubeconfig:
            paths = []
            for path in kubeconfig.split(os.pathsep):
                found = self._find(path)
                real = self._loader.get_real_file(found, decrypt=True) if found else path
                if found and real != found:
                    decrypted.append(real)
                paths.append(real)
            args["kubeconfig"] = os.pathsep.join(paths)
        src = args.get("src")
        if isinstance(src, str) and src and "src" in self._module_options():
            args["src"] = self._find(src) or src

    def _find(self, path):
        try:
            return self._find_needle("files", path)
        except AnsibleError:
            return None

    def _module_options(self):
        return {"src", "template"} if self._task.action.endswith("k8s_apply") else set()

    def _render(self, template, task_vars):
        """The documents of ``template`` (a path, a mapping with ``path`` and Jinja settings, or a list of these),
        rendered with the task's variables, as a list of resource definitions."""
        if "template" not in self._module_options():
            raise AnsibleError("template is an option of clusternet.k8s.k8s_apply only")
        if yaml is None:
            raise AnsibleError("rendering template needs the PyYAML Python library")
        items = template if isinstance(template, list) else [template]
        definitions = []
        for i, item in enumerate(items):
            what = "template" if len(items) == 1 else "template[%d]" % i
            settings = _template_settings(item, what)
            source = self._find_needle("templates", settings.pop("path"))
            text = self._render_file(source, settings, task_vars)
            try:
                definitions.extend(d for d in yaml.safe_load_all(text) if d is not None)
            except yaml.YAMLError as exc:
                raise AnsibleError("%s %s: the rendered text is not valid YAML: %s"
                                   % (what, source, str(exc).splitlines()[0])) from None
        return definitions

    def _render_file(self, source, settings, task_vars):
        """``source`` rendered as ``ansible.builtin.template`` renders a file on this ansible-core."""
        searchpath = list(task_vars.get("ansible_search_path", [])) + [self._loader._basedir, os.path.dirname(source)]
        searchpath = [p for base in searchpath for p in (os.path.join(base, "templates"), base)]
        newline = settings.pop("newline_sequence")
        real = self._loader.get_real_file(source)
        try:
            with open(real, "rb") as handle:
                data = to_text(handle.read(), errors="surrogate_or_strict")
        except UnicodeError:
            raise AnsibleError("template %s: template files must be UTF-8 encoded" % source) from None
        finally:
            self._loader.cleanup_tmp_file(real)
        overrides = {k: v for k, v in settings.items() if v is not None}
        if trust_as_template is not None:
            templar = self._templar.copy_with_new_env(searchpath=searchpath, available_variables=task_vars)
            overrides["newline_sequence"] = newline
            return templar.template(trust_as_template(data), escape_backslashes=False, overrides=overrides)
        templar = self._templar.copy_with_new_env(environment_class=AnsibleEnvironment, searchpath=searchpath,
                                                  newline_sequence=newline, available_variables=task_vars)
        return templar.do_template(data, preserve_trailing_newlines=True, escape_backslashes=False, overrides=overrides)


def _template_settings(item, what):
    """kubernetes.core's ``template`` entry: a path, or ``{path, variable_start_string, variable_end_string,
    block_start_string, block_end_string, trim_blocks, lstrip_blocks, newline_sequence}``."""
    settings = {"trim_blocks": True, "lstrip_blocks": False, "newline_sequence": "\n"}
    if isinstance(item, str):
        settings["path"] = item
        return settings
    if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not item["path"]:
        raise AnsibleError("%s must be a path or a mapping with a path (and Jinja settings), got %r" % (what, item))
    unknown = sorted(set(item) - {"path", "trim_blocks", "lstrip_blocks", "newline_sequence"} - set(TEMPLATE_OPTIONS))
    if unknown:
        raise AnsibleError("%s: unknown settings %s; a template takes path, %s, trim_blocks, lstrip_blocks and "
                           "newline_sequence" % (what, ", ".join(unknown), ", ".join(TEMPLATE_OPTIONS)))
    settings["path"] = item["path"]
    for key in TEMPLATE_OPTIONS:
        if item.get(key) is not None:
            if not isinstance(item[key], str):
                raise AnsibleError("%s.%s must be a string, got %r" % (what, key, item[key]))
            settings[key] = item[key]
    for key in ("trim_blocks", "lstrip_blocks"):
        if key in item:
            try:
                settings[key] = boolean(item[key], strict=True)
            except TypeError:
                raise AnsibleError("%s.%s must be a boolean, got %r" % (what, key, item[key])) from None
    newline = NEWLINES.get(item.get("newline_sequence", "\n"), item.get("newline_sequence", "\n"))
    if newline not in ("\n", "\r", "\r\n"):
        raise AnsibleError("%s.newline_sequence must be \\n, \\r or \\r\\n, got %r" % (what, item["newline_sequence"]))
    settings["newline_sequence"] = newline
    return settings
