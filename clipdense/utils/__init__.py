from .compat import apply_stack_patches

__all__ = ['apply_stack_patches']
