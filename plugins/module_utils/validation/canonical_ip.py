# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""IP texts that are already canonical: ``net.IP.String()`` of ``ParseIPSloppy`` of such a text is the text itself.

Pure Python, no Ansible imports, and small on purpose: a caller that reads thousands of addresses (the ``hosts_file``
module) recognises the usual spelling here without importing or running the full parser of ``net.py``. It is a
recogniser, not a parser: what it does not recognise goes to ``net.py``, which decides (a test checks the two agree).
The rules and their upstream origin: docs/validation.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A decimal byte without leading zeros.
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# A non-zero group in lower case without leading zeros: a text with a "0" group goes to the full parser.
_GROUP = "[1-9a-f][0-9a-f]{0,3}"
# IPv6 as Go writes it, the zero groups being exactly the ones "::" stands for: eight groups without "::", or at most
# six written around "::" (so that it stands for two or more groups; the lookahead counts them, each group whole).
# "::ffff:..." is left to the full parser: an IPv4-mapped address is written as IPv4.
CANONICAL_IPV6 = ("(?:(?:{g}:){{7}}{g}|(?=:*(?:[0-9a-f]+(?![0-9a-f]):*){{0,6}}(?![0-9a-f:]))"
                  "(?:{g}(?::{g})*::|::(?!ffff:))(?:{g}(?::{g})*)?)").format(g=_GROUP)
CANONICAL_IPV4 = "(?:(?:%s\\.){3}%s)" % (_OCTET, _OCTET)
# Regex sources, each a single group: fullmatch them (a match is not anchored at its end).
CANONICAL_IP = "(?:%s|%s)" % (CANONICAL_IPV4, CANONICAL_IPV6)

_CANONICAL = re.compile(CANONICAL_IP)


def is_canonical_ip(text: str) -> bool:
    """Whether ``text`` is an IP address in canonical form (see the module's docstring). False says nothing: the
    text may still be an address, or even a canonical one in a rare spelling."""
    return _CANONICAL.fullmatch(text) is not None


def all_canonical_ips(texts: Iterable[str]) -> bool:
    """:func:`is_canonical_ip` of every text, at C speed: one match per text (a single match over all of them joined
    would keep backtracking state for every one, megabytes for a large block)."""
    return all(map(_CANONICAL.fullmatch, texts))
