# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The work of the cluster and host modules, free of Ansible: ``backends/<x>.py`` is the backend of
``plugins/modules/<x>.py`` and only that module imports it (tests/unit/test_import_rules.py)."""
