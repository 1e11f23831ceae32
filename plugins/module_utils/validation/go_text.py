# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Go's own rendering of values in error texts: ``strconv.Quote`` (``%q``) and ``encoding/json``.

Pure Python, no Ansible imports. Source: golang ``strconv/quote.go``, ``unicode`` tables,
``encoding/json/encode.go``.

The rules, their upstream origin and the assumptions: docs/validation.md.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Iterable, Sequence


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
