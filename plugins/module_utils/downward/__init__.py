# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The Downward API, one module per subject: ``fieldpath`` (field labels, subscripts, metadata values),
``exposure`` (what may be exposed where: kube-apiserver's rules for env and volumes, and the builders),
``container_resources`` (the per-pod container and resources index, resource values), ``env_values`` (the env
values a container sees), ``volume_files`` (the downwardAPI volume files: items, modes, paths), ``values`` (what
each container of a pod sees) and ``inputs`` (list and int32 readers, the ``Unresolved`` marker).

Pure Python, no Ansible imports. The rules, their upstream origin and the assumptions: docs/downward-api.md.
"""
