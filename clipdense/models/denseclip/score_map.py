"""Pixel-text score maps: cosine similarity between every dense embedding and every class text."""
import torch
import torch.nn.functional as F


def pixel_text_score_map(dense_embed: torch.Tensor, text_embed: torch.Tensor) -> torch.Tensor:
    """``s[b, k, y, x] = cos(dense_embed[b, :, y, x], text_embed[b, k])``.

    Args:
        dense_embed: ``[B, D, h, w]`` dense CLIP image embeddings.
        text_embed: ``[B, K, D]`` per-image class embeddings, or ``[K, D]`` shared by the batch.

    Returns:
        ``[B, K, h, w]`` cosine similarities in [-1, 1]. DenseCLIP divides by the temperature
        ``tau`` (0.07) where the map is used as logits.
    """
    if dense_embed.dim() != 4:
        raise ValueError(f'dense_embed must be [B, D, h, w], got shape {tuple(dense_embed.shape)}')
    if text_embed.dim() == 2:
        text_embed = text_embed.unsqueeze(0).expand(dense_embed.shape[0], -1, -1)
    if text_embed.shape[-1] != dense_embed.shape[1]:
        raise ValueError(f'text embeddings are {text_embed.shape[-1]}-d but dense embeddings '
                         f'{dense_embed.shape[1]}-d; use the text and image towers of one CLIP model')
    B, D, h, w = dense_embed.shape
    visual = F.normalize(dense_embed.flatten(2), dim=1)                 # [B, D, hw]
    text = F.normalize(text_embed, dim=-1)                              # [B, K, D]
    return torch.bmm(text, visual).view(B, -1, h, w)
