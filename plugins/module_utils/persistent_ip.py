# STUB: replaced by the persistent-IP core.
def validate_gateway(obj):
    return []


def validate_gkeiproute(obj):
    return []
