# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Field errors in kube-apiserver's format, and the apimachinery validators they come from.

Pure Python, no Ansible imports. Every rule that produces an apiserver message for a name, a
label key, an IP or a CIDR lives here, so the hosts, Downward API, dual-stack and persistent-IP
cores share one wording.

Sources: apimachinery ``pkg/util/validation/field/errors.go`` (error text), ``validation.go``
(DNS-1123, qualified names) and ``ip.go`` (IP/CIDR parsing), golang ``strconv/quote.go``.

The rules, their upstream origin and the assumptions: docs/validation.md.
"""

from __future__ import annotations

import ipaddress
import math
import re
import socket
import unicodedata
from typing import Any, Container, Iterable, Sequence, Union

# ---------------------------------------------------------------------------------------------
# Go's strconv.Quote (fmt %q): used by error values and by the Downward API's FormatMap.
# ---------------------------------------------------------------------------------------------

_GO_ESCAPES = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}


# Go 1.21 to 1.26 (those of current Kubernetes releases) carry Unicode 15.0.0 tables. Python's
# unicodedata may be older (3.11: 14.0.0) or newer (3.13: 15.1.0); the code points whose
# printability differs between those versions (all newly assigned, all printable) are corrected here.
GO_UNICODE_VERSION = "15.0.0"
_PRINTABLE_SINCE_15_0 = (
    (0x0CF3, 0x0CF3), (0x0ECE, 0x0ECE), (0x10EFD, 0x10EFF), (0x1123F, 0x11241), (0x11B00, 0x11B09), (0x11F00, 0x11F10),
    (0x11F12, 0x11F3A), (0x11F3E, 0x11F59), (0x1342F, 0x1342F), (0x13440, 0x13455), (0x1B132, 0x1B132), (0x1B155, 0x1B155),
    (0x1D2C0, 0x1D2D3), (0x1DF25, 0x1DF2A), (0x1E030, 0x1E06D), (0x1E08F, 0x1E08F), (0x1E4D0, 0x1E4F9), (0x1F6DC, 0x1F6DC),
    (0x1F774, 0x1F776), (0x1F77B, 0x1F77F), (0x1F7D9, 0x1F7D9), (0x1FA75, 0x1FA77), (0x1FA87, 0x1FA88), (0x1FAAD, 0x1FAAF),
    (0x1FABB, 0x1FABD), (0x1FABF, 0x1FABF), (0x1FACE, 0x1FACF), (0x1FADA, 0x1FADB), (0x1FAE8, 0x1FAE8), (0x1FAF7, 0x1FAF8),
    (0x2B739, 0x2B739), (0x31350, 0x323AF))
_PRINTABLE_SINCE_15_1 = ((0x2FFC, 0x2FFF), (0x31EF, 0x31EF), (0x2EBF0, 0x2EE5D))
_UNIDATA = tuple(int(part) for part in unicodedata.unidata_version.split("."))


def _in_ranges(code, ranges):
    return any(low <= code <= high for low, high in ranges)


def _go_is_print(ch):
    """Go's ``unicode.IsPrint``: letters, marks, numbers, punctuation, symbols and ASCII space,
    by Go's Unicode 15.0.0 tables."""
    code = ord(ch)
    if code >= 0x0CF3 and _UNIDATA != (15, 0, 0):
        if _UNIDATA < (15, 0, 0) and _in_ranges(code, _PRINTABLE_SINCE_15_0):
            return True
        if _UNIDATA > (15, 0, 0) and _in_ranges(code, _PRINTABLE_SINCE_15_1):
            return False
    return ch == " " or unicodedata.category(ch)[0] in "LMNPS"


def go_quote(value: str | bytes) -> str:
    """Quote ``value`` exactly like Go's ``strconv.Quote``.

    ``value`` may be ``str`` or ``bytes``; invalid UTF-8 bytes (or lone surrogates from
    ``surrogateescape``) become ``\\xNN`` as Go does.
    """
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0xDC80 <= code <= 0xDCFF:  # an undecodable byte carried by surrogateescape
            out.append("\\x%02x" % (code - 0xDC00))
        elif 0xD800 <= code <= 0xDFFF:  # Go's JSON decoder makes other lone surrogates U+FFFD, printed as is
            out.append("\ufffd")
        elif _go_is_print(ch):
            out.append(ch)
        elif code in _GO_ESCAPES:
            out.append(_GO_ESCAPES[code])
        elif code < 0x20 or code == 0x7F:
            out.append("\\x%02x" % code)
        elif code < 0x10000:
            out.append("\\u%04x" % code)
        else:
            out.append("\\U%08x" % code)
    out.append('"')
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# field.Path and field.Error
# ---------------------------------------------------------------------------------------------


def child(path: str, *names: str) -> str:
    """``field.Path.Child``: ``spec`` + ``hostAliases`` -> ``spec.hostAliases``."""
    for name in names:
        path = "%s.%s" % (path, name) if path else name
    return path


def index(path: str, i: int) -> str:
    """``field.Path.Index``: ``spec.hostAliases[0]``."""
    return "%s[%d]" % (path, i)


def key(path: str, k: str) -> str:
    """``field.Path.Key``: ``metadata.labels[app]``."""
    return "%s[%s]" % (path, k)


OMIT = object()  # field.OmitValueType: the error prints its type without a value

_TYPE_TEXT = {
    "NotFound": "Not found",
    "Required": "Required value",
    "Duplicate": "Duplicate value",
    "Invalid": "Invalid value",
    "NotSupported": "Unsupported value",
    "Forbidden": "Forbidden",
    "TooLong": "Too long",
    "TooMany": "Too many",
    "Internal": "Internal error",
    "TypeInvalid": "Invalid value",
}


class GoSyntax(object):
    """A bad value already rendered the way ``field.Error`` prints it: ``str()`` is that text."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


_GO_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _go_json_string(text):
    """A string as Go's ``encoding/json`` writes it (HTML-safe, Go 1.22+ short escapes, bad UTF-8 as U+FFFD)."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _GO_JSON_ESCAPES:
            out.append(_GO_JSON_ESCAPES[ch])
        elif code < 0x20 or ch in "<>&" or code in (0x2028, 0x2029):
            out.append("\\u%04x" % code)
        elif 0xD800 <= code <= 0xDFFF:  # undecodable bytes and lone surrogates are not valid UTF-8
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_json(value: Any) -> str:
    """``json.Marshal`` of a decoded value: maps with sorted keys, ``None`` as ``null``, no spaces.

    A :class:`GoSyntax` inside is taken as already rendered (a nested struct or slice).
    """
    if isinstance(value, GoSyntax):
        return value.text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return _go_json_string(value)
    if isinstance(value, dict):
        return "{%s}" % ",".join("%s:%s" % (_go_json_string(str(k)), go_json(value[k])) for k in sorted(value, key=str))
    return "[%s]" % ",".join(go_json(item) for item in value)


def go_json_value(value: Any) -> GoSyntax:
    """A bad value of a named string type (``core.IPFamily``) or a pointer (``*IPFamilyPolicy``).

    Since apimachinery 1.34 ``ErrorBody`` prints only plain ``string`` with ``%q``; everything else
    goes through ``json.Marshal``, so ``"IPv4"`` stays ``"IPv4"`` but ``"<"`` becomes ``"\\u003c"``.
    """
    return GoSyntax(go_json(value))


def go_string_slice(values: Sequence[Any]) -> GoSyntax:
    """A ``[]string`` (or ``[]core.IPFamily``) bad value: JSON since apimachinery 1.34 (``["a","b"]``).

    An empty list is a nil slice (decoded from JSON without the field): ``null``.
    """
    return GoSyntax(go_json(list(values)) if values else "null")


def go_struct(fields: Iterable[tuple[str, Any]]) -> GoSyntax:
    """An internal-API struct bad value: JSON with the Go field names (internal types have no
    json tags), in declaration order: ``go_struct([("IP", "10.0.0.1")])`` prints ``{"IP":"10.0.0.1"}``."""
    return GoSyntax("{%s}" % ",".join("%s:%s" % (_go_json_string(name), go_json(value)) for name, value in fields))


def go_struct_slice(structs: Sequence[GoSyntax]) -> GoSyntax:
    """A slice of structs made with :func:`go_struct`: ``[{"IP":"a"}]``; empty is a nil slice, ``null``."""
    return GoSyntax("[%s]" % ",".join(s.text for s in structs) if structs else "null")


def format_value(value: Any) -> str:
    """How ``field.Error.ErrorBody`` prints a bad value (apimachinery 1.34+).

    ``string`` with ``%q``, integers and booleans as they are, anything else (a slice, a map,
    ``nil``) with ``json.Marshal``: ``null`` is not quoted.
    """
    if isinstance(value, GoSyntax):
        return value.text
    if isinstance(value, str):
        return go_quote(value)
    return go_json(value)


class FieldError(object):
    """One ``field.Error``: ``str()`` gives the apiserver's text ``path: Type: value: detail``."""

    __slots__ = ("type", "field", "value", "detail")

    def __init__(self, type_, field, value=OMIT, detail=""):
        self.type = type_
        self.field = field
        self.value = value
        self.detail = detail

    def body(self):
        text = _TYPE_TEXT[self.type]
        if self.type not in ("Required", "Forbidden", "TooLong", "Internal") and self.value is not OMIT:
            text = "%s: %s" % (text, format_value(self.value))
        if self.detail:
            text = "%s: %s" % (text, self.detail)
        return text

    def __str__(self):
        return "%s: %s" % (self.field, self.body()) if self.field else self.body()

    __repr__ = __str__

    def as_dict(self):
        return {"field": self.field, "type": self.type, "detail": self.detail}

    def __eq__(self, other):
        return isinstance(other, FieldError) and str(self) == str(other)

    def __hash__(self):
        return hash(str(self))


def invalid(field: str, value: Any, detail: str) -> FieldError:
    return FieldError("Invalid", field, value, detail)


def required(field: str, detail: str = "") -> FieldError:
    return FieldError("Required", field, OMIT, detail)


def forbidden(field: str, detail: str) -> FieldError:
    return FieldError("Forbidden", field, OMIT, detail)


def duplicate(field: str, value: Any) -> FieldError:
    return FieldError("Duplicate", field, value)


def not_found(field: str, value: Any) -> FieldError:
    return FieldError("NotFound", field, value)


def internal_error(field: str, detail: str) -> FieldError:
    """``field.InternalError``: the detail is the Go error's text."""
    return FieldError("Internal", field, OMIT, detail)


def too_long(field: str, max_length: int) -> FieldError:
    """``field.TooLong``: the value is never printed; the limit is in bytes."""
    return FieldError("TooLong", field, OMIT, "may not be more than %d %s" % (max_length, "byte" if max_length == 1 else "bytes"))


def too_many(field: str, actual: int | None, limit: int) -> FieldError:
    if actual is None:
        detail = "must have at most %d items" % limit
        return FieldError("TooMany", field, OMIT, detail)
    return FieldError("TooMany", field, actual, "must have at most %d items" % limit)


def not_supported(field: str, value: Any, valid_values: Sequence[str]) -> FieldError:
    detail = ""
    if valid_values:
        detail = "supported values: " + ", ".join(go_quote(v) for v in valid_values)
    return FieldError("NotSupported", field, value, detail)


def aggregate(errors: Iterable[object]) -> str:
    """``utilerrors.NewAggregate(...).Error()``: one error prints as itself; several print once each
    (a repeated text is dropped), as ``[a, b]`` unless only one text is left."""
    texts = list(dict.fromkeys(str(e) for e in errors))
    if len(texts) == 1:
        return texts[0]
    return "[" + ", ".join(texts) + "]"


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
# IPs and CIDRs: Go's net.ParseIP as forked by k8s.io/utils/net (ParseIPSloppy) and netip.
# ---------------------------------------------------------------------------------------------

# Parsed forms, for annotations: Union, as ``X | Y`` of classes fails at import on the Pythons before 3.10.
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

_DIGITS = "0123456789"
_HEX = "0123456789abcdefABCDEF"
_GO_BIG = 0xFFFFFF


def _go_number(digits, base):
    """Go's forked ``dtoi``/``xtoi``: the value of a run of digits, ``None`` once it reaches 0xFFFFFF.

    There is no limit on the number of digits: leading zeros never make the value grow.
    """
    significant = digits.lstrip("0")
    if len(significant) > 8:  # at least 16**8 or 10**8, both past 0xFFFFFF
        return None
    value = int(significant or "0", base)
    return value if value < _GO_BIG else None


def _parse_ipv4_fields(text, sloppy):
    """Four dotted decimal fields; ``sloppy`` allows leading zeros (Go 1.16 net.ParseIP)."""
    fields = text.split(".")
    if len(fields) != 4:
        return None
    value = 0
    for f in fields:
        if not f or any(c not in _DIGITS for c in f):
            return None
        if not sloppy and len(f) > 1 and f[0] == "0":
            return None
        n = _go_number(f, 10)
        if n is None or n > 255:
            return None
        value = (value << 8) | n
    return value


def _parse_ipv6_int(text, sloppy):
    """Go parseIPv6: hex groups, one ``::``, an optional trailing dotted IPv4. No zones."""
    if not text:
        return None
    groups = []
    ellipsis = -1
    s = text
    if s.startswith("::"):
        ellipsis = 0
        s = s[2:]
        if not s:
            return 0
    while s:
        i = 0
        while i < len(s) and s[i] in _HEX:
            i += 1
        if i == 0:
            return None
        if i < len(s) and s[i] == ".":
            # trailing IPv4: must be the last part and leave room for 2 groups
            if ellipsis < 0 and len(groups) != 6:
                return None
            if len(groups) + 2 > 8:
                return None
            v4 = _parse_ipv4_fields(s, sloppy)
            if v4 is None:
                return None
            groups.extend([v4 >> 16, v4 & 0xFFFF])
            s = ""
            break
        if not sloppy and i > 4:
            return None
        n = _go_number(s[:i], 16)
        if n is None or n > 0xFFFF:
            return None
        groups.append(n)
        s = s[i:]
        if not s:
            break
        if s[0] != ":" or len(s) == 1:
            return None
        s = s[1:]
        if s[0] == ":":
            if ellipsis >= 0:
                return None
            ellipsis = len(groups)
            s = s[1:]
            if not s:
                break
        if len(groups) == 8:
            return None
    if len(groups) > 8:
        return None
    if ellipsis < 0:
        if len(groups) != 8:
            return None
    else:
        if len(groups) >= 8:
            return None
        groups = groups[:ellipsis] + [0] * (8 - len(groups)) + groups[ellipsis:]
    value = 0
    for g in groups:
        value = (value << 16) | g
    return value


_V4_MAPPED = 0xFFFF << 32


def _to_address(value, is_v6_text):
    """Go's view of a parsed address: an IPv4-mapped IPv6 address is IPv4."""
    if not is_v6_text:
        return ipaddress.IPv4Address(value)
    if value >> 32 == 0xFFFF:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return ipaddress.IPv6Address(value)


def parse_ip_sloppy(text: Any) -> IPAddress | None:
    """``netutils.ParseIPSloppy``: an ``ipaddress`` address (IPv4 for v4-mapped) or ``None``."""
    if not isinstance(text, str):
        return None
    if "%" not in text:  # Python's parser accepts a subset of Go's forms (plus zones): a fast path
        try:
            addr = ipaddress.ip_address(text)
        except ValueError:
            pass
        else:
            return addr if addr.version == 4 or addr.ipv4_mapped is None else addr.ipv4_mapped
    if ":" in text:
        value = _parse_ipv6_int(text, sloppy=True)
        return None if value is None else _to_address(value, True)
    value = _parse_ipv4_fields(text, sloppy=True)
    return None if value is None else _to_address(value, False)


_HEX_COLON = re.compile(r"[0-9a-fA-F:]{2,39}")


def ip_value_sloppy(text: Any) -> tuple[int, int] | None:
    """:func:`parse_ip_sloppy` as integers: ``(value, 4 or 6)`` in Go's view (an IPv4-mapped IPv6 address is IPv4),
    or ``None``. Parsing an address once into an integer, and formatting it once (:func:`ip_text`), is the cheap way.

    The common forms are read by the C library's ``inet_pton``, which POSIX holds to four decimal fields of at most
    three digits for IPv4 (a subset of Go's forms, same value) and every implementation to RFC 4291 text for hex
    groups with at most one ``::``. Everything else (leading zeros, longer groups, embedded IPv4) goes through the
    full parser.
    """
    if not isinstance(text, str):
        return None
    try:
        if ":" not in text:
            return int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big"), 4
        if "." not in text and _HEX_COLON.fullmatch(text):
            value = int.from_bytes(socket.inet_pton(socket.AF_INET6, text), "big")
            return (value & 0xFFFFFFFF, 4) if value >> 32 == 0xFFFF else (value, 6)
    except (OSError, ValueError):  # refused here (e.g. leading zeros, longer groups): the full parser decides
        pass
    address = parse_ip_sloppy(text)
    return None if address is None else (int(address), address.version)


def _v6_layout(zeros):
    """``(format, first, count)`` for the groups whose bits in ``zeros`` are set (first group highest) being zero: the
    longest run of two or more zero groups (the first of equals) is written ``::`` (RFC 5952, as Go and Python)."""
    best_first, best_count, first = -1, 1, -1
    for i in range(8):
        if not zeros >> (7 - i) & 1:
            first = -1
            continue
        if first < 0:
            first = i
        if i - first + 1 > best_count:
            best_first, best_count = first, i - first + 1
    if best_first < 0:
        return ":".join(["%x"] * 8), -1, 0
    return ":".join(["%x"] * best_first) + "::" + ":".join(["%x"] * (8 - best_first - best_count)), best_first, best_count


_V6_LAYOUTS = [_v6_layout(zeros) for zeros in range(256)]


def _v6_text(value):
    """RFC 5952 text of an IPv6 address (as Go's ``net.IP.String()`` and Python print it)."""
    groups = (value >> 112, value >> 96 & 0xFFFF, value >> 80 & 0xFFFF, value >> 64 & 0xFFFF,
              value >> 48 & 0xFFFF, value >> 32 & 0xFFFF, value >> 16 & 0xFFFF, value & 0xFFFF)
    text, first, count = _V6_LAYOUTS[(not groups[0]) << 7 | (not groups[1]) << 6 | (not groups[2]) << 5 | (not groups[3]) << 4
                                     | (not groups[4]) << 3 | (not groups[5]) << 2 | (not groups[6]) << 1 | (not groups[7])]
    return text % (groups if first < 0 else groups[:first] + groups[first + count:])


def ip_text(value: int, version: int) -> str:
    """``net.IP.String()`` of an address given as an integer: dotted IPv4, an IPv4-mapped IPv6 address as IPv4."""
    if version == 4:
        return "%d.%d.%d.%d" % (value >> 24, (value >> 16) & 255, (value >> 8) & 255, value & 255)
    if value >> 32 == 0xFFFF:
        return ip_text(value & 0xFFFFFFFF, 4)
    return _v6_text(value)


def _parse_ip_strict(text):
    """``netip.ParseAddr`` minus zones: ``(address, is4in6)`` or ``None``."""
    if ":" in text:
        value = _parse_ipv6_int(text, sloppy=False)
        if value is None:
            return None
        return ipaddress.IPv6Address(value), value >> 32 == 0xFFFF
    value = _parse_ipv4_fields(text, sloppy=False)
    return None if value is None else (ipaddress.IPv4Address(value), False)


def parse_ip_stdlib(text: Any) -> IPAddress | None:
    """Go's own ``net.ParseIP`` (``netip.ParseAddr`` without zones since Go 1.22), as pflag's IP flags
    use it: leading zeros are refused; an IPv4-mapped address is IPv4. ``None`` when it does not parse."""
    parsed = _parse_ip_strict(text) if isinstance(text, str) else None
    if parsed is None:
        return None
    address, mapped = parsed
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if mapped else address


def go_ip_string(addr: IPAddress) -> str:
    """``net.IP.String()`` of a parsed address: an IPv4-mapped IPv6 address prints as IPv4."""
    if addr.version == 4:
        return str(addr)
    mapped = addr.ipv4_mapped
    return str(mapped) if mapped is not None else addr.compressed


def go_netip_string(addr: IPAddress) -> str:
    """``netip.Addr.String()``: as :func:`go_ip_string`, but an IPv4-mapped IPv6 address keeps its
    IPv6 form, ``::ffff:1.2.3.4``."""
    if addr.version == 6 and addr.ipv4_mapped is not None:
        return "::ffff:%s" % addr.ipv4_mapped
    return go_ip_string(addr)


def ip_family(addr: IPAddress) -> str:
    """``IPv4`` or ``IPv6`` as Kubernetes names the family."""
    return "IPv4" if addr.version == 4 else "IPv6"


def _parse_ip_errors(field, value, strict):
    ip = parse_ip_sloppy(value)
    if ip is None:
        return None, [invalid(field, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")]
    errs = []
    if strict:
        parsed = _parse_ip_strict(value)
        if parsed is None:
            errs.append(invalid(field, value, "must not have leading 0s"))
        elif parsed[1]:
            errs.append(invalid(field, value, "must not be an IPv4-mapped IPv6 address"))
    return ip, errs


def is_valid_ip_for_legacy_field(field: str, value: Any, strict: bool = False,
                                  valid_old: Container[Any] = ()) -> list[FieldError]:
    """``IsValidIPForLegacyField``; ``strict`` is the StrictIPCIDRValidation gate (default off).

    ``valid_old``: the values of the stored object, accepted as they are (KEP-4858 ratcheting).
    Never checks canonical form: legacy fields only warn about it.
    """
    if value in valid_old:
        return []
    return _parse_ip_errors(field, value, strict)[1]


def is_valid_ip(field: str, value: Any) -> list[FieldError]:
    """``IsValidIP``: strict parsing and canonical form."""
    ip, errs = _parse_ip_errors(field, value, True)
    if errs:
        return errs
    canonical = go_ip_string(ip)
    if value != canonical:
        return [invalid(field, value, "must be in canonical form (%s)" % go_quote(canonical))]
    return []


def _split_cidr(text):
    if not isinstance(text, str) or "/" not in text:
        return None
    ip_text, _sep, bits = text.partition("/")
    return ip_text, bits


def parse_cidr_sloppy(text: Any) -> tuple[IPAddress, IPNetwork] | None:
    """``netutils.ParseCIDRSloppy``: the masked network (IPv4 for v4-mapped) or ``None``.

    Returns ``(address, network)``: the address as written and the network it belongs to.
    """
    parts = _split_cidr(text)
    if parts is None:
        return None
    ip_text, bits = parts
    is6 = ":" in ip_text
    value = _parse_ipv6_int(ip_text, True) if is6 else _parse_ipv4_fields(ip_text, True)
    if value is None or not bits or any(c not in _DIGITS for c in bits):
        return None
    width = 128 if is6 else 32
    prefix = _go_number(bits, 10)
    if prefix is None or prefix > width:
        return None
    masked = value & (((1 << width) - 1) ^ ((1 << (width - prefix)) - 1))
    if is6 and masked >> 32 == 0xFFFF and prefix >= 96:
        net: IPNetwork = ipaddress.IPv4Network((masked & 0xFFFFFFFF, prefix - 96))
    elif is6:
        net = ipaddress.IPv6Network((masked, prefix))
    else:
        net = ipaddress.IPv4Network((masked, prefix))
    return _to_address(value, is6), net


def go_cidr_string(net: IPNetwork) -> str:
    """``net.IPNet.String()``."""
    return "%s/%d" % (go_ip_string(net.network_address), net.prefixlen)


def _parse_cidr_errors(field, value, strict):
    parsed = parse_cidr_sloppy(value)
    if parsed is None:
        return None, [invalid(field, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")]
    errs = []
    if strict:
        ip_text, bits = _split_cidr(value)
        strict_ip = _parse_ip_strict(ip_text)
        if strict_ip is None or (len(bits) > 1 and bits[0] == "0"):
            errs.append(invalid(field, value, "must not have leading 0s in IP or prefix length"))
        elif strict_ip[1]:
            errs.append(invalid(field, value, "must not have an IPv4-mapped IPv6 address"))
        else:
            addr = strict_ip[0]
            if int(addr) != int(ipaddress.ip_network((int(addr), int(bits)), strict=False).network_address):
                errs.append(invalid(field, value, "must not have bits set beyond the prefix length"))
    return parsed[1], errs


def is_valid_cidr_for_legacy_field(field: str, value: Any, strict: bool = False,
                                    valid_old: Container[Any] = ()) -> list[FieldError]:
    """``IsValidCIDRForLegacyField``: as :func:`is_valid_ip_for_legacy_field`, for CIDRs."""
    if value in valid_old:
        return []
    return _parse_cidr_errors(field, value, strict)[1]


def is_valid_cidr(field: str, value: Any) -> list[FieldError]:
    """``IsValidCIDR``: strict, subnet form, canonical."""
    net, errs = _parse_cidr_errors(field, value, True)
    if errs:
        return errs
    canonical = go_cidr_string(net)
    if value != canonical:
        return [invalid(field, value, "must be in canonical form (%s)" % go_quote(canonical))]
    return []


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


def json_type(value: Any) -> str:
    """The OpenAPI type name kube-openapi reports for a decoded JSON/YAML value."""
    for kind, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
                       (dict, "object"), (list, "array")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__


def schema_type_error(field: str, value: Any, expected: str) -> FieldError:
    """A CRD schema type mismatch as apiextensions-apiserver reports kube-openapi's ``InvalidType``.

    ``spec.port: Invalid value: "string": spec.port in body must be of type integer: "string"``
    """
    actual = json_type(value)
    return FieldError("TypeInvalid", field, actual, "%s in body must be of type %s: %s" % (field, expected, go_quote(actual)))


def _go_regexp(pattern):
    # RE2's "$" (no multi-line flag) matches only at the very end; Python's also before a final "\n".
    out, in_class, escaped = [], False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "$" and not in_class:
            ch = "\\Z"
        out.append(ch)
    return re.compile("".join(out))


_SCHEMA_PATTERNS: dict[str, re.Pattern[str]] = {}


def schema_string_error(field: str, value: Any, max_length: int | None = None, min_length: int | None = None,
                        pattern: str | None = None) -> FieldError | None:
    """The CRD schema's string checks, as the API server reports the first that fails; ``None`` when valid.

    kube-openapi's ``stringValidator`` checks maxLength, minLength, then pattern (counted in characters,
    pattern searched unanchored like Go's ``MatchString``). ``pattern`` is the CRD's Go regexp text.
    """
    if not isinstance(value, str):
        return schema_type_error(field, value, "string")
    if max_length is not None and len(value) > max_length:
        return too_long(field, max_length)
    if min_length is not None and len(value) < min_length:
        return invalid(field, value, "%s in body should be at least %d chars long" % (field, min_length))
    if pattern is not None:
        if pattern not in _SCHEMA_PATTERNS:
            _SCHEMA_PATTERNS[pattern] = _go_regexp(pattern)
        if not _SCHEMA_PATTERNS[pattern].search(value):
            return invalid(field, value, "%s in body should match '%s'" % (field, pattern))
    return None


def schema_int_error(field: str, value: Any, minimum: int | None = None,
                     maximum: int | None = None) -> FieldError | None:
    """The CRD schema's integer checks (type, minimum, maximum); ``None`` when valid."""
    if json_type(value) != "integer":
        return schema_type_error(field, value, "integer")
    if minimum is not None and value < minimum:
        return invalid(field, value, "%s in body should be greater than or equal to %d" % (field, minimum))
    if maximum is not None and value > maximum:
        return invalid(field, value, "%s in body should be less than or equal to %d" % (field, maximum))
    return None


def schema_int32_errors(field: str, value: Any, minimum: int | None = None,
                        maximum: int | None = None) -> list[FieldError]:
    """The CRD schema's checks of an ``integer`` of ``format: int32`` (kube-openapi), every error: a string
    or an array is of the wrong type; a boolean or an object fails the int32 format and prints as ``""``;
    a number with a fraction fails it as ``float64`` and as a value that must be an int32 (a JSON
    integer out of the int32 range only as the latter); then the range, the value as Go prints it."""
    errors = []
    kind = json_type(value)
    if kind in ("string", "array"):
        return [schema_type_error(field, value, "integer")]
    if kind in ("boolean", "object"):
        return [FieldError("TypeInvalid", field, "", '%s in body must be of type int32: ""' % field)]
    not_int32 = FieldError("Invalid", "<nil>", "", "Checked value must be of type integer with format int32 in %s" % field)
    in_range = -(1 << 31) <= value < (1 << 31)
    if isinstance(value, float) and not (math.isfinite(value) and value == int(value) and in_range):
        errors += [FieldError("TypeInvalid", field, "float64", '%s in body must be of type int32: "float64"' % field), not_int32]
    elif not in_range:
        errors.append(not_int32)
    shown = GoSyntax(_go_float(value)) if isinstance(value, float) else value
    if minimum is not None and value < minimum:
        errors.append(invalid(field, shown, "%s in body should be greater than or equal to %d" % (field, minimum)))
    if maximum is not None and value > maximum:
        errors.append(invalid(field, shown, "%s in body should be less than or equal to %d" % (field, maximum)))
    return errors


def _go_float(value):
    """A float64 as Go's ``%v`` prints it (``strconv.FormatFloat(f, 'g', -1, 64)``): 1e+20, 1.5, 2."""
    text = repr(value)
    if "e" in text or "E" in text:
        mantissa, exponent = text.split("e")
        mantissa = mantissa[:-2] if mantissa.endswith(".0") else mantissa
        sign = "-" if exponent.startswith("-") else "+"
        return "%se%s%02d" % (mantissa, sign, int(exponent.lstrip("+-")))
    if abs(value) >= 1e21:
        return _go_float(float("%e" % value))
    return text[:-2] if text.endswith(".0") else text


def schema_items_error(field: str, value: Any, min_items: int | None = None,
                       max_items: int | None = None) -> FieldError | None:
    """The CRD schema's array checks (type, minItems, maxItems); ``None`` when valid."""
    if not isinstance(value, list):
        return schema_type_error(field, value, "array")
    if min_items is not None and len(value) < min_items:
        return invalid(field, len(value), "%s in body should have at least %d items" % (field, min_items))
    if max_items is not None and len(value) > max_items:
        return too_many(field, len(value), max_items)
    return None


def validate_label_selector(selector: Any, field: str) -> list[FieldError]:
    """``metav1validation.ValidateLabelSelector`` on a selector decoded from YAML/JSON.

    The schema's type checks come first, since a decoded mapping may hold anything; map keys are
    visited in sorted order where Go's map order is random.
    """
    if not isinstance(selector, dict):
        return [schema_type_error(field, selector, "object")]
    errs = []
    labels_path = child(field, "matchLabels")
    match_labels = selector.get("matchLabels")
    if isinstance(match_labels, dict):
        for name in sorted(match_labels, key=str):
            errs.extend(_label_pair_errors(name, match_labels[name], labels_path))
    elif match_labels is not None:
        errs.append(schema_type_error(labels_path, match_labels, "object"))
    expressions = selector.get("matchExpressions")
    if expressions is not None:
        error = schema_items_error(child(field, "matchExpressions"), expressions)
        if error:
            return errs + [error]
        for i, requirement in enumerate(expressions):
            errs.extend(_requirement_errors(requirement, index(child(field, "matchExpressions"), i)))
    return errs


def _label_pair_errors(name, value, field):
    # ValidateLabels: both messages are reported at matchLabels itself, not at the key.
    if not isinstance(name, str):
        return [schema_type_error(field, name, "string")]
    if not isinstance(value, str):
        return [schema_type_error(child(field, name), value, "string")]
    errs = [invalid(field, name, msg) for msg in is_qualified_name(name)]
    return errs + [invalid(field, value, msg) for msg in is_valid_label_value(value)]


def _requirement_errors(requirement, field):
    """``ValidateLabelSelectorRequirement``, after the schema's checks of one matchExpressions item."""
    if not isinstance(requirement, dict):
        return [schema_type_error(field, requirement, "object")]
    shape = [required(child(field, name)) for name in ("key", "operator") if requirement.get(name) is None]
    for name in ("key", "operator"):
        if requirement.get(name) is not None and not isinstance(requirement[name], str):
            shape.append(schema_type_error(child(field, name), requirement[name], "string"))
    values = requirement.get("values")
    values = [] if values is None else values
    if not isinstance(values, list):
        shape.append(schema_type_error(child(field, "values"), values, "array"))
    else:
        shape.extend(schema_type_error(index(child(field, "values"), i), v, "string")
                     for i, v in enumerate(values) if not isinstance(v, str))
    if shape:
        return shape
    errs = []
    operator = requirement["operator"]
    if operator in ("In", "NotIn"):
        if not values:
            errs.append(required(child(field, "values"), "must be specified when `operator` is 'In' or 'NotIn'"))
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            errs.append(forbidden(child(field, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    else:
        errs.append(invalid(child(field, "operator"), operator, "not a valid selector operator"))
    errs.extend(invalid(child(field, "key"), requirement["key"], msg) for msg in is_qualified_name(requirement["key"]))
    for i, value in enumerate(values):
        errs.extend(invalid(index(child(field, "values"), i), value, msg) for msg in is_valid_label_value(value))
    return errs
