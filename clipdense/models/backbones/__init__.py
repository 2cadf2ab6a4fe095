from .clip_vision import CLIPVisionBackbone

__all__ = ['CLIPVisionBackbone']
