# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: survey_values
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: Variables as their argument spec reads them, from the text an AWX survey or -e gives
description:
  - A role's argument spec accepts the text Ansible converts (an AWX survey answers with strings, and C(-e) gives
    them too) but hands the role the values as given. This filter converts them, by the spec, once for the role.
  - 'By the option''s C(type): a C(list) of C(str) from the items between commas and whitespace
    (C(10.244.0.0/16,fd00:10:244::/56), one per line); a C(list) of other elements from the entries between commas
    and newlines, trimmed (C(10.0.0.5 db, 10.0.0.6 cache)); a C(dict) from JSON or YAML text starting with C({), else
    from C(NAME=value) pairs separated by commas or whitespace (C(IPv4=24,IPv6=64)); an C(int) or a C(bool) from its
    text. The C(options) of a mapping, or of each mapping of a list, are converted the same way.'
  - Values that are not text, or that cannot be converted, are returned as they are (the argument spec names the
    mistake); variables without a spec are returned as they are.
options:
  _input:
    description: The variables, name to value.
    type: dict
    required: true
  spec:
    description: The argument spec's C(options) (as in C(meta/argument_specs.yml)), name to option.
    type: dict
    required: true
seealso:
  - module: ansible.builtin.validate_argument_spec
"""

EXAMPLES = r"""
- name: A role's variables as its argument spec reads them
  ansible.builtin.set_fact:
    arguments: >-
      {{ {'cidrs': '10.244.0.0/16, fd00:10:244::/56', 'masks': 'IPv4=25,IPv6=64'}
         | clusternet.k8s.survey_values({'cidrs': {'type': 'list', 'elements': 'str'},
                                         'masks': {'type': 'dict', 'options': {'IPv4': {'type': 'int'}, 'IPv6': {'type': 'int'}}}}) }}
  # {"cidrs": ["10.244.0.0/16", "fd00:10:244::/56"], "masks": {"IPv4": 25, "IPv6": 64}}
"""

RETURN = r"""
_value:
  description: The variables, each converted by its spec.
  type: dict
"""

from ansible_collections.clusternet.k8s.plugins.module_utils import survey
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import filter_entry


@filter_entry
def survey_values(values, spec):
    if not isinstance(values, dict) or not isinstance(spec, dict):
        raise InputError("survey_values takes a mapping of variables and a mapping of their specs")
    return survey.survey_values(values, spec)


class FilterModule(object):
    def filters(self):
        return {"survey_values": survey_values}
