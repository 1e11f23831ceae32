# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""kube-apiserver's Service IP families and ClusterIP allocation, reproduced offline, one module per subject:
``service`` (the Service as the apiserver holds it, its error, storage.go's normalizations), ``ranges`` (service
CIDRs, their bands and the per-family allocator), ``validate`` (``ValidateService``'s IP rules), ``families``
(``initIPFamilyFields``: the policy and families a Service gets) and ``plan`` (``service_ip_plan``: the create and
update sequences and allocation; ``validate_service``).

Pure Python, no Ansible imports. Sources (kubernetes/kubernetes):

* ``pkg/registry/core/service/storage/storage.go``: ``beginCreate``, ``beginUpdate``,
  ``normalizeClusterIPs``, ``patchAllocatedValues``, ``defaultOnReadService``;
* ``pkg/registry/core/service/storage/alloc.go``: ``initIPFamilyFields``, ``allocClusterIPs``,
  ``allocIPs``, ``updateClusterIPs`` and their helpers;
* ``pkg/registry/core/service/strategy.go``: ``dropTypeDependentFields``;
* ``pkg/apis/core/validation/validation.go``: ``ValidateService``,
  ``ValidateServiceClusterIPsRelatedFields``, ``validateUpgradeDowngradeClusterIPs/IPFamilies``;
* ``pkg/registry/core/service/ipallocator/``: ``ipallocator.go`` (the IPAddress allocator),
  ``cidrallocator.go`` (``MetaAllocator``), ``bitmap.go`` (``calculateRangeOffset``, the legacy
  bitmap), ``interfaces.go`` (error texts); ``k8s.io/utils/net`` ``RangeSize``;
* ``pkg/controlplane/apiserver/options``: ``ServiceIPRange``.

The allocator modelled is the one kube-apiserver uses since 1.34 (``MultiCIDRServiceAllocator``
and ``DisableAllocatorDualWrite`` on): IPAddress objects, one allocator per service CIDR. Where
the apiserver picks at random, this package picks the lowest free address of the dynamic band,
then of the static band, which is the apiserver's own fallback order.

Names with a leading underscore are shared inside this package only.

The rules, their upstream origin and the assumptions: docs/service-ips.md.
"""
