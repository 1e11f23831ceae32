# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Names: DNS-1123 labels and subdomains, DNS-1035 labels, qualified names, label values, path segments.

Pure Python, no Ansible imports. Source: apimachinery ``pkg/util/validation/validation.go`` and
``pkg/api/validation/path``.

The rules, their upstream origin and the assumptions: docs/validation.md.
"""

from __future__ import annotations

import re

from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import FieldError, invalid


# ---------------------------------------------------------------------------------------------
# Names: apimachinery pkg/util/validation/validation.go
# ---------------------------------------------------------------------------------------------

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
_DNS1123_LABEL_RE = re.compile("^" + DNS1123_LABEL_FMT + "$")
_DNS1123_SUBDOMAIN_RE = re.compile("^" + DNS1123_SUBDOMAIN_FMT + "$")

QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
QUALIFIED_NAME_MAX = 63
_QUALIFIED_NAME_RE = re.compile("^" + QUALIFIED_NAME_FMT + "$")
_QUALIFIED_NAME_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                       "alphanumeric character")

LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?"
LABEL_VALUE_MAX = 63
_LABEL_VALUE_RE = re.compile("^" + LABEL_VALUE_FMT + "$")


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """``validation.RegexError``: note the doubled space Go leaves between examples."""
    if not examples:
        return msg + " (regex used for validation is '" + fmt + "')"
    msg += " (e.g. "
    for i, example in enumerate(examples):
        if i > 0:
            msg += " or "
        msg += "'" + example + "', "
    return msg + "regex used for validation is '" + fmt + "')"


def max_len_error(length: int, unit: str = "characters") -> str:
    """``MaxLenError``: pkg/util/validation says "characters", pkg/api/validate/content "bytes"."""
    return "must be no more than %d %s" % (length, unit)


def go_len(text: str) -> int:
    """``len()`` of a Go string: its UTF-8 bytes (a surrogate-escaped byte counts as one)."""
    try:
        return len(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # other lone surrogates: Go's decoders turn them into U+FFFD, 3 bytes
        return len(text.encode("utf-8", "surrogatepass"))


def _full(rx, value):
    # Go regexps here are anchored with ^...$ where "$" does not match before a trailing "\n".
    return "\n" not in value and rx.match(value) is not None


def is_dns1123_label(value: str) -> list[str]:
    """``IsDNS1123Label``: list of messages, empty when valid."""
    errs = []
    if go_len(value) > DNS1123_LABEL_MAX:
        errs.append(max_len_error(DNS1123_LABEL_MAX))
    if not _full(_DNS1123_LABEL_RE, value):
        if _full(_DNS1123_SUBDOMAIN_RE, value):
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                "and must start and end with an alphanumeric character",
                DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def is_dns1123_subdomain(value: str, unit: str = "characters") -> list[str]:
    """``IsDNS1123Subdomain``: list of messages, empty when valid. ``unit="bytes"`` gives the
    wording of ``content.IsDNS1123Subdomain`` (pkg/api/validate/content/dns.go)."""
    errs = []
    if go_len(value) > DNS1123_SUBDOMAIN_MAX:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX, unit))
    if not _full(_DNS1123_SUBDOMAIN_RE, value):
        errs.append(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            "and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def validate_dns1123_label(value: str, field: str) -> list[FieldError]:
    """``ValidateDNS1123Label``: field errors, one per message."""
    return [invalid(field, value, msg) for msg in is_dns1123_label(value)]


def validate_dns1123_subdomain(value: str, field: str) -> list[FieldError]:
    """``ValidateDNS1123Subdomain``."""
    return [invalid(field, value, msg) for msg in is_dns1123_subdomain(value)]


# apimachinery pkg/api/validation/path/name.go: what may stand as one segment of a URL path (the
# rule client-go's Request.Name/Namespace and the registry's key functions apply to every name).
NAME_MAY_NOT_BE = (".", "..")
NAME_MAY_NOT_CONTAIN = ("/", "%")


def is_valid_path_segment_name(value: str) -> list[str]:
    """``IsValidPathSegmentName``: list of messages, empty when valid."""
    for illegal in NAME_MAY_NOT_BE:
        if value == illegal:
            return ["may not be '%s'" % illegal]
    return ["may not contain '%s'" % illegal for illegal in NAME_MAY_NOT_CONTAIN if illegal in value]


def is_qualified_name(value: str) -> list[str]:
    """``IsQualifiedName`` (``content.IsLabelKey`` since apimachinery v0.35): a label or annotation key.

    The prefix is checked with ``content.IsDNS1123Subdomain``, whose length message says "bytes".
    """
    errs = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + msg for msg in is_dns1123_subdomain(prefix, "bytes"))
    else:
        return ["a valid label key " + regex_error(_QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    if not name:
        errs.append("name part must be non-empty")
    elif go_len(name) > QUALIFIED_NAME_MAX:
        errs.append("name part " + max_len_error(QUALIFIED_NAME_MAX, "bytes"))
    if not _full(_QUALIFIED_NAME_RE, name):
        errs.append("name part " + regex_error(_QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def is_valid_label_value(value: str) -> list[str]:
    """``IsValidLabelValue``."""
    errs = []
    if go_len(value) > LABEL_VALUE_MAX:
        errs.append(max_len_error(LABEL_VALUE_MAX, "bytes"))
    if not _full(_LABEL_VALUE_RE, value):
        errs.append(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
            "and must start and end with an alphanumeric character",
            LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


# ---------------------------------------------------------------------------------------------
# DNS-1035 labels (GCE resource names), CRD schema errors, label selectors
# ---------------------------------------------------------------------------------------------

DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
DNS1035_LABEL_MAX = 63
_DNS1035_LABEL_RE = re.compile("^" + DNS1035_LABEL_FMT + "$")


def is_dns1035_label(value: str) -> list[str]:
    """``IsDNS1035Label``: list of messages, empty when valid."""
    errs = []
    if go_len(value) > DNS1035_LABEL_MAX:
        errs.append(max_len_error(DNS1035_LABEL_MAX))
    if not _full(_DNS1035_LABEL_RE, value):
        errs.append(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
            "character, and end with an alphanumeric character", DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs
