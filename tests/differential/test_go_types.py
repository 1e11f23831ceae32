"""The Go types validation_errors decodes objects into (plugins/module_utils/validation/_go_types.py) are those of
the oracle's release: the module is what tests/kube/gotypes.py makes of ``oracle --go-types``."""
import json
import os
import subprocess

from tests.kube.gotypes import TARGET, render
from tests.support.kube_cluster import ensure_binary


def test_go_types_are_the_releases():
    table = json.loads(subprocess.run([ensure_binary("oracle"), "--go-types"], check=True, capture_output=True,
                                      text=True).stdout)
    with open(TARGET, encoding="utf-8") as module:
        shipped = module.read()
    assert shipped == render(table), ("plugins/module_utils/validation/_go_types.py is not the release's (%s): regenerate it with "
                                      "tests/kube/gotypes.py" % table["release"])
    assert os.path.basename(TARGET) == "_go_types.py"
