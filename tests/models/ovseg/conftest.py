from .tiny import one_thread  # noqa: F401  (autouse for every OVSeg model test)
