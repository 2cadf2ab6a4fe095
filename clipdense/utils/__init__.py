from .compat import apply_stack_patches, close_distributed

__all__ = ['apply_stack_patches', 'close_distributed']
