# STUB: replaced by the Service IP core.
def validate_service(obj):
    return []
