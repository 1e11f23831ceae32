"""API errors as kube-apiserver renders them: ``Status`` objects and field errors."""
import json


class ApiError(Exception):
    """An error answered as a ``Status`` object (``reason`` empty means StatusReasonUnknown)."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self):
        status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": self.message}
        if self.reason:
            status["reason"] = self.reason
        if self.details:
            status["details"] = self.details
        status["code"] = self.code
        return status


def render(value):
    """A field error value as Go's field package prints it: %q strings, bare numbers, %#v string slices."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[]string{%s}" % ", ".join(json.dumps(v) for v in value)
    return json.dumps(value, separators=(",", ":"))


class FieldError:
    """One ``field.Error``: its ``str()`` is the apiserver's ``path: Type: value: detail``."""

    TYPES = {
        "invalid": ("FieldValueInvalid", "Invalid value"),
        "required": ("FieldValueRequired", "Required value"),
        "unsupported": ("FieldValueNotSupported", "Unsupported value"),
        "forbidden": ("FieldValueForbidden", "Forbidden"),
        "duplicate": ("FieldValueDuplicate", "Duplicate value"),
    }
    _NO_VALUE = object()

    def __init__(self, kind, field, value=_NO_VALUE, detail=""):
        self.kind, self.field, self.value, self.detail = kind, field, value, detail

    def body(self):
        text = self.TYPES[self.kind][1]
        if self.kind in ("forbidden", "required"):
            return text + (": " + self.detail if self.detail else "")
        if self.value is not self._NO_VALUE:
            text += ": " + render(self.value)
        return text + (": " + self.detail if self.detail else "")

    def __str__(self):
        return "%s: %s" % (self.field, self.body())

    def cause(self):
        return {"reason": self.TYPES[self.kind][0], "message": self.body(), "field": self.field}


def _details(res, name, kind=None):
    details = {"name": name} if name else {}
    if res.group:
        details["group"] = res.group
    details["kind"] = kind or res.plural
    return details


def not_found(res, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (res.qualified, name), _details(res, name))


def already_exists(res, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (res.qualified, name), _details(res, name))


def conflict(res, name, why="the object has been modified; please apply your changes to the latest version and try again"):
    return ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s' % (res.qualified, name, why), _details(res, name))


def invalid(res, name, errors):
    """``errors.NewInvalid``: one error is printed bare, several as a Go slice ``[a, b]``."""
    text = str(errors[0]) if len(errors) == 1 else "[%s]" % ", ".join(str(e) for e in errors)
    details = _details(res, name, res.kind)
    details["causes"] = [e.cause() for e in errors]
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (res.group_kind, name, text), details)


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def forbidden(res, name, why):
    return ApiError(403, "Forbidden", '%s "%s" is forbidden: %s' % (res.qualified, name, why), _details(res, name))


def method_not_allowed():
    return ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")


def unsupported_media_type(content_type, accepted):
    return ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: " + ", ".join(accepted))


def internal(message):
    return ApiError(500, "InternalError", "Internal error occurred: " + message, {"causes": [{"message": message}]})


def unknown(code, message):
    """What the apiserver answers for a plain Go error: no reason, the error text as message."""
    return ApiError(code, "", message)


def expired(message):
    return ApiError(410, "Expired", message)


def unauthorized():
    return ApiError(401, "Unauthorized", "Unauthorized")


def too_many_requests(retry_after):
    return ApiError(429, "TooManyRequests", "Too many requests, please try again later.",
                    {"retryAfterSeconds": retry_after}, {"Retry-After": str(retry_after)})


def path_not_found():
    return ApiError(404, "NotFound", "the server could not find the requested resource",
                    {"causes": [{"reason": "UnexpectedServerResponse", "message": "404 page not found"}]})
