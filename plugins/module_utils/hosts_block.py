# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""One owned block in a node's ``/etc/hosts``, edited the way kubespray's former ``blockinfile`` task did
(``# BEGIN <marker>`` ... ``# END <marker>``): host entries in user input, parsed, checked and merged by IP,
rendered between the markers in the file's own line endings.

Pure Python, no Ansible imports, and none of the pod rules (the ``hosts_file`` module loads only this). The rules and
the assumptions: docs/hosts.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, strings, type_name
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.canonical_ip import all_canonical_ips, is_canonical_ip

# validation.field (paths into structured input), validation.go_text (Go's quoting of bad values) and validation.net
# (the IP parser) are imported in the functions that need them: the usual input of the hosts_file module, a text of
# lines with canonical IPs, needs none of them but for an error, and a module compiles all it imports on every run.

# Host entries in user input: {name: ip or [ips]}, [{ip, hostnames}], ["ip name name"], [[ip, [names]]]


def entry_pairs(entries: Any, what: str) -> Iterator[tuple[str, list[str], str]]:
    """Yield ``(ip, hostnames, where)`` from any accepted input shape, type-checked."""
    from ansible_collections.clusternet.k8s.plugins.module_utils.validation import field  # pylint: disable=import-outside-toplevel
    index = field.index
    if isinstance(entries, dict):
        for name, ips in entries.items():
            where = "%s[%s]" % (what, _go_quote(name) if isinstance(name, str) else type_name(name))
            expect(name, str, where + " key")
            if isinstance(ips, str):
                yield ips, [name], where
                continue
            for k, ip in enumerate(expect(ips, list, where)):
                yield expect(ip, str, index(where, k)), [name], where
        return
    if not isinstance(entries, (list, tuple)):
        raise InputError("%s must be a mapping of hostname to IP(s), or a list of {ip, hostnames} mappings, "
                         "\"ip name ...\" strings or [ip, [names]] pairs; got %s" % (what, type_name(entries)))
    for i, item in enumerate(entries):
        yield _list_item(item, index(what, i), field)


def _list_item(item, where, field):
    if isinstance(item, str):
        lines = [line for line in item.splitlines() if line.strip()]
        if len(lines) > 1:  # read as one line, the names of the second would resolve to the first IP
            raise InputError('%s holds %d lines: %s; give one "ip name ..." string per line, each its own list item'
                             % (where, len(lines), _go_quote(item)))
        fields = item.split()
        if not fields:
            raise InputError("%s is an empty string: expected \"ip name ...\"" % where)
        return fields[0], fields[1:], where
    if isinstance(item, dict):
        unknown = sorted(_go_quote(str(k)) for k in item if k not in ("ip", "hostnames"))
        if unknown:
            raise InputError("%s has unknown keys %s: an entry has only ip and hostnames" % (where, ", ".join(unknown)))
        names = item.get("hostnames")
        return (expect(item.get("ip"), str, field.child(where, "ip")),
                _names([] if names is None else names, field.child(where, "hostnames")), where)
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return expect(item[0], str, field.index(where, 0)), _names(item[1], field.index(where, 1)), where
    raise InputError("%s must be a {ip, hostnames} mapping, an \"ip name ...\" string or an [ip, [names]] pair, got %s"
                     % (where, type_name(item)))


def _go_quote(value):
    """``go_text.go_quote``, for an error's text."""
    from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote  # pylint: disable=import-outside-toplevel
    return go_quote(value)


def _names(value, where):
    if not isinstance(value, (list, tuple)):
        raise InputError("%s must be a list of hostnames, got %s" % (where, type_name(value)))
    return strings(list(value), where)


def merge_by_ip(keyed: Iterable[tuple[Any, str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Merge ``(key, ip, names)`` by address key in first-seen order, keeping the first spelling
    of each address and dropping names repeated for one address."""
    # No object per address but the result's (thousands of addresses are a normal block): the given names list
    # until the address repeats, then a list of our own.
    names_of: dict = {}
    spelling: dict = {}
    own: set = set()
    for key, ip, names in keyed:
        found = names_of.get(key)
        if found is None:
            names_of[key] = names
            spelling[key] = ip
        elif key in own:
            found += names
        else:
            names_of[key] = found + names
            own.add(key)
    # A name repeated for one address is dropped (a dict keeps the first of each); most lists have no repeat.
    return [(spelling[key], names if len(set(names)) == len(names) else list(dict.fromkeys(names)))
            for key, names in names_of.items()]


# Node hosts files

# What breaks the one-line, whitespace-separated format: whitespace (incl. newlines), '#', C0/C1
# controls, and lone surrogates (not encodable as UTF-8).
UNSAFE_NAME = re.compile("[\\s#\\x00-\\x1f\\x7f-\\x9f\\ud800-\\udfff]")
_UNSAFE_MARKER = re.compile("[\\n\\r\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ud800-\\udfff]")
# glibc splits hosts lines on C isspace() characters; the newline already ended the line.
_HOSTS_FIELD = re.compile("[^ \\t\\v\\f\\r]+")
# The characters UNSAFE_NAME refuses but for those that cannot be in a field of a line: the field separators, the
# newline and '#' (it starts a comment). A unit test checks the two agree on every code point.
_UNSAFE_IN_TEXT = re.compile("[\\x00-\\x08\\x0e-\\x1f\\x7f-\\x9f\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
                             "\\ud800-\\udfff]")


def parse_hosts(text: str) -> list[tuple[str, list[str]]]:
    """Entries of a hosts file: ``[(ip, [names])]`` per line, in file order, as written.

    Blank lines, comment lines and inline ``#`` comments are ignored; nothing is validated or
    merged (a line with only an address gives an empty name list).
    """
    expect(text, str, "hosts file content")
    entries = []
    for line in text.split("\n"):
        fields = _HOSTS_FIELD.findall(line.partition("#")[0])
        if fields:
            entries.append((fields[0], fields[1:]))
    return entries


def _text_entries(text, what):
    """The compact text form, one text of ``ip name ...`` lines read as the resolver reads a hosts file (blank lines
    and ``#`` comments skipped), checked in one pass: the refusals of :func:`_checked`, in the same order. A text
    without a character that could make a name unsafe once lines are split into fields (``_UNSAFE_IN_TEXT``) needs
    no check per name, and a line's place is spelled out only for an error (10,000 lines are a normal block).

    The usual text, such a text whose every IP is written in canonical form, is read in bulk without a parse: its
    fields are ``str.split()``'s (the whitespace it splits on besides the field separators is all in
    ``_UNSAFE_IN_TEXT``) and a regex (validation/canonical_ip.py) finds each IP canonical already. Any other text is
    read line by line, each IP parsed.
    """
    safe = _UNSAFE_IN_TEXT.search(text) is None
    lines = text.split("\n")
    if safe:
        rows = [fields for fields in map(str.split, [line.partition("#")[0] for line in lines] if "#" in text else lines)
                if fields]
        if all_canonical_ips([fields[0] for fields in rows]):
            return _names_after_ip(rows)
    return _text_lines(lines, safe, what)


def _names_after_ip(rows):
    """``(ip, ip, names)`` of each row of fields: the row itself, its IP taken out, is the list of names (one list a
    line rather than two: fewer objects for the garbage collector to go through)."""
    for fields in rows:
        ip = fields.pop(0)
        yield ip, ip, fields


def _text_lines(lines, safe, what):
    """:func:`_text_entries` line by line."""
    for number, line in enumerate(lines, 1):
        fields = _HOSTS_FIELD.findall(line.partition("#")[0])
        if not fields:
            continue
        canonical = _canonical_ip(fields[0]) if safe else None
        if canonical is None:
            yield _checked(fields[0], fields[1:], "%s line %d" % (what, number))
        else:
            yield canonical, canonical, fields[1:]


def _canonical_ip(ip):
    """The canonical text of the address ``ip`` (``net.IP.String()`` of ``ParseIPSloppy``), or None."""
    if is_canonical_ip(ip):
        return ip
    from ansible_collections.clusternet.k8s.plugins.module_utils.validation import net  # pylint: disable=import-outside-toplevel
    parsed = net.ip_value_sloppy(ip)
    return None if parsed is None else net.ip_text(*parsed)


def _node_entry_pairs(entries, what):
    """:func:`entry_pairs`, plus the compact mapping of a node hosts file: IP to its names (a list, or one string of
    names), recognised by its keys being IP addresses."""
    if isinstance(entries, dict) and entries and all(isinstance(k, str) and _canonical_ip(k) for k in entries):
        for ip, names in entries.items():
            where = "%s[%s]" % (what, _go_quote(ip))
            yield ip, names.split() if isinstance(names, str) else _names(names, where), where
        return
    yield from entry_pairs(entries, what)


def _checked(ip, names, where):
    """``(canonical ip, canonical ip, names)`` after refusing what would break the file."""
    canonical = _canonical_ip(ip)
    if canonical is None:
        raise InputError("%s: %s is not an IP address (expected IPv4 like 10.9.8.7 or IPv6 like 2001:db8::ffff)"
                         % (where, _go_quote(ip)))
    for name in names:
        if not name or UNSAFE_NAME.search(name):
            raise InputError("%s: hostname %s must be non-empty and must not contain whitespace, newlines, '#' or "
                             "control characters" % (where, _go_quote(name)))
    return canonical, canonical, names


def _checked_entries(entries, what):
    """``(canonical ip, canonical ip, names)`` of every entry of any accepted shape, refusing what would break the
    file."""
    if isinstance(entries, str):
        return _text_entries(entries, what)
    return (_checked(ip, names, where) for ip, names, where in _node_entry_pairs(entries, what))


class HostEntries(list):
    """Entries that went through :func:`validate_host_entries`: passing them again costs nothing."""


def validate_host_entries(entries: Any, what: str = "entries") -> HostEntries:
    """Host entries for a node hosts file: ``[(ip, [names])]`` merged by IP, first-seen order.

    Accepts ``{name: ip or [ips]}``, a list of ``{ip, hostnames}``, of ``"ip name ..."`` strings
    or of ``[ip, [names]]`` pairs (so its own result is valid input), and the compact shapes: one text of
    ``"ip name ..."`` lines, or ``{ip: [names] or "names"}`` (see :func:`_node_entry_pairs`). Only what would break the
    file format is refused: an IP that is not IPv4/IPv6 (``ParseIPSloppy``), an IP without names,
    an empty name, or a name with whitespace, a newline, ``#`` or a control character, so no
    entry can inject a line. Names are deliberately not held to DNS-1123: node files
    legitimately hold upper case and other names. IPs come out in canonical form, because
    resolvers read leading zeros as octal and one spelling per address keeps merging exact.
    """
    if isinstance(entries, HostEntries):
        return entries
    merged = merge_by_ip(_checked_entries(entries, what))
    for ip, names in merged:
        if not names:
            raise InputError("%s: %s has no hostnames; a hosts-file line needs at least one name" % (what, ip))
    return HostEntries(merged)


def duplicate_names(entries: Any) -> dict[str, list[str]]:
    """``{name: [ips]}`` for names that resolve to more than one IP of one family.

    One IPv4 plus one IPv6 address is normal dual-stack and not reported. Names compare
    case-insensitively, as resolvers do; a reported name lists all its IPs, both families, in
    entry order, under its first spelling.
    """
    entries = validate_host_entries(entries)
    for family_entries in ([n for ip, names in entries if ":" not in ip for n in names],
                           [n for ip, names in entries if ":" in ip for n in names]):
        lowered = set(map(str.lower, family_entries))
        if len(lowered) != len(family_entries):
            break
    else:  # no name twice in one family: nothing to report
        return {}
    seen: dict = {}  # lower-case name: [first spelling, ips, families seen (bits), a family seen twice]
    for ip, names in entries:
        family = 2 if ":" in ip else 1  # validated entries are canonical
        for name in names:
            low = name.lower()
            found = seen.get(low)
            if found is None:
                seen[low] = [name, [ip], family, False]
            else:
                found[1].append(ip)
                found[3] = found[3] or bool(found[2] & family)
                found[2] |= family
    return {spelling: ips for spelling, ips, _families, twice in seen.values() if twice}


def _marker_lines(marker):
    expect(marker, str, "marker")
    if not marker or _UNSAFE_MARKER.search(marker):
        raise InputError("marker %s must be non-empty, on one line and free of control characters" % _go_quote(marker))
    return "# BEGIN %s" % marker, "# END %s" % marker


# A line ends with CRLF, LF or a lone CR (files written on every platform); a file uses the first it has.
_LINE_BREAK = re.compile("\r\n|\n|\r")


def newline_of(text: str) -> str:
    """The file's own line ending: the first one it has (``\\r\\n``, ``\\n`` or a lone ``\\r``), ``\\n`` when none."""
    found = _LINE_BREAK.search(expect(text, str, "hosts file content"))
    return found.group(0) if found else "\n"


def _ends_with_line_break(text):
    return text.endswith(("\n", "\r"))


def _line_break_before(text, offset):
    """The length of the line break that ends at ``offset``: 2 for CRLF, 1 for LF or CR, 0 for none."""
    if text.endswith("\r\n", 0, offset):
        return 2
    return 1 if offset and text[offset - 1] in "\r\n" else 0


def render_block(entries: Any, marker: str, newline: str = "\n") -> str:
    """The owned block: ``# BEGIN <marker>``, one ``ip<TAB>name name`` line per IP, ``# END <marker>``,
    each line ending in ``newline``. ``entries`` are validated (:func:`validate_host_entries`); an
    empty list gives a block with only its markers."""
    begin, end = _marker_lines(marker)
    lines = ["%s\t%s%s" % (ip, " ".join(names), newline) for ip, names in validate_host_entries(entries)]
    return begin + newline + "".join(lines) + end + newline


def _line_numbers(text, offsets):
    return ", ".join(str(len(_LINE_BREAK.findall(text, 0, offset)) + 1) for offset in offsets) or "none"


def _whole_lines(text, line):
    """The offsets where ``line`` (one line, no line break in it) is a whole line of ``text``."""
    found, at = [], text.find(line)
    while at >= 0:
        end = at + len(line)
        if (at == 0 or text[at - 1] in "\r\n") and (end == len(text) or text[end] in "\r\n"):
            found.append(at)
        at = text.find(line, end)
    return found


def _find_block(text, marker):
    """``(start, stop)`` offsets of the block (its END line's line break included), or ``None``.

    A marker line is a whole line, whatever ends it (CRLF, LF or CR).
    """
    begins, ends = (_whole_lines(text, line) for line in _marker_lines(marker))
    if not begins and not ends:
        return None
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise InputError("the markers of block %s are duplicated or unbalanced (BEGIN lines: %s; END lines: %s); "
                         "fix the file by hand" % (_go_quote(marker), _line_numbers(text, begins), _line_numbers(text, ends)))
    stop = ends[0] + len(_marker_lines(marker)[1])
    line_break = _LINE_BREAK.match(text, stop)
    return begins[0], stop if line_break is None else line_break.end()


def update_block(text: str, entries: Any, marker: str) -> str:
    """``text`` with the block of ``marker`` replaced by ``entries``, appended when absent, or
    removed when ``entries`` is ``None``. Bytes outside the block never change.

    The block's lines end as the file's own lines do (:func:`newline_of`). A file without a final
    line break keeps having none: a block appended to it is preceded by a line break and has none
    at its end, and removing such a block at the end of the file removes that line break too, so
    adding then removing a block gives back the original text. Duplicated or unbalanced markers
    raise :class:`InputError` rather than guessing which lines are owned.
    """
    expect(text, str, "hosts file content")
    newline = newline_of(text)
    span = _find_block(text, marker)
    if entries is None:
        if span is None:
            return text
        start, stop = span
        if stop == len(text) and not _ends_with_line_break(text):  # the line break it was appended after goes too
            start -= _line_break_before(text, start)
        return text[:start] + text[stop:]
    block = render_block(entries, marker, newline)
    if span is None:
        if not text or _ends_with_line_break(text):
            return text + block
        return text + newline + block[:-len(newline)]
    start, stop = span
    if stop == len(text) and not _ends_with_line_break(text):
        block = block[:-len(newline)]
    return text[:start] + block + text[stop:]
