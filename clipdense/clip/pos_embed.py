"""How a position table meets a patch grid other than its own: one named setting per model.

A CLIP position table is ``[P + gh*gw, C]`` (``P`` prefix tokens: the class token for ViTs, the
pooled token for ResNet attention pools) for the grid the model was pretrained at. Each released
code brings it to another grid differently, and the choice changes every number downstream:

==================  ==========  =========  ===========================================================
preset              mode        antialias  when
==================  ==========  =========  ===========================================================
``'open_clip'``     bicubic     yes        every forward (open_clip's ``resize_pos_embed``, timm's
                                           ``resample_abs_pos_embed``; clipdense's default)
``'timm'``          bicubic     yes        every forward (the same as ``'open_clip'``)
``'bicubic'``       bicubic     no         every forward (ReCo's DeiT/ViT; clipdense <= 0.1)
``'denseclip'``     bilinear    no         once at load to ``grid`` (then a trainable table), and
                                           bilinearly again in a forward at another grid (DenseCLIP
                                           segmentation: 16x16 for 512 crops, 40x40 for 640)
``'denseclip_det'`` bilinear    no         once at load to ``grid`` (42x42), then **cropped**
                                           ``[:h, :w]`` per image (DenseCLIP detection)
==================  ==========  =========  ===========================================================

PyTorch's antialiased bicubic uses another kernel (a = -0.5) than its plain bicubic (a = -0.75),
so the two differ even when up-sampling. Configs pass a preset name or a dict, e.g.
``pos_embed=dict(mode='bilinear', antialias=False, when='load', grid=(16, 16))``.
"""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F

WHEN = ('forward', 'load', 'crop')
PRESETS = {
    'open_clip': dict(mode='bicubic', antialias=True, when='forward'),
    'timm': dict(mode='bicubic', antialias=True, when='forward'),
    'bicubic': dict(mode='bicubic', antialias=False, when='forward'),
    'denseclip': dict(mode='bilinear', antialias=False, when='load'),
    'denseclip_det': dict(mode='bilinear', antialias=False, when='crop', grid=(42, 42)),
}
DEFAULT_PRESET = 'open_clip'


def _pair(grid) -> Optional[Tuple[int, int]]:
    if grid is None:
        return None
    if isinstance(grid, int):
        return (grid, grid)
    h, w = grid
    return (int(h), int(w))


def square_grid(num_tokens: int) -> Tuple[int, int]:
    """The ``(g, g)`` grid of ``num_tokens`` patch positions; a one-line error if not square."""
    g = int(round(num_tokens ** 0.5))
    if g * g != num_tokens:
        raise ValueError(f'a position table of {num_tokens} patch positions is not square; '
                         'give its grid explicitly (src_grid=(h, w))')
    return (g, g)


class PosEmbedResampling:
    """A position-table resampling rule.

    Args:
        mode: ``F.interpolate`` mode (``'bicubic'``, ``'bilinear'``, ...).
        antialias: ``F.interpolate``'s ``antialias``.
        when: ``'forward'`` (resample to every input's grid), ``'load'`` (resample once to
            ``grid``, keep that table, resample again only for another grid) or ``'crop'``
            (resample once to ``grid``, then take its top-left ``[:h, :w]`` per input).
        grid: ``(h, w)`` of the table after the one-time resize (``'load'`` / ``'crop'``).
        align_corners: ``F.interpolate``'s ``align_corners`` (``False`` everywhere in CLIP code).
    """

    def __init__(self, mode: str = 'bicubic', antialias: bool = True, when: str = 'forward',
                 grid: Union[None, int, Sequence[int]] = None, align_corners: bool = False):
        if when not in WHEN:
            raise ValueError(f'pos_embed when={when!r}: choose one of {WHEN}')
        if when in ('load', 'crop') and grid is None:
            raise ValueError(f"pos_embed when={when!r} needs grid=(h, w): the table's grid after "
                             'the one-time resize (e.g. crop size // patch size)')
        self.mode, self.antialias, self.when = mode, bool(antialias), when
        self.grid = _pair(grid)
        self.align_corners = None if mode in ('nearest', 'area', 'nearest-exact') else align_corners

    @classmethod
    def build(cls, cfg=None) -> 'PosEmbedResampling':
        """From ``None`` (the default preset), a preset name, a dict (may name a ``preset`` and
        override its fields) or an instance."""
        if isinstance(cfg, PosEmbedResampling):
            return cfg
        if cfg is None:
            cfg = DEFAULT_PRESET
        if isinstance(cfg, str):
            if cfg not in PRESETS:
                raise ValueError(f'unknown pos_embed preset {cfg!r}; choose one of {sorted(PRESETS)} '
                                 'or give dict(mode=..., antialias=..., when=..., grid=...)')
            return cls(**PRESETS[cfg])
        cfg = dict(cfg)
        base = dict(PRESETS[cfg.pop('preset')]) if 'preset' in cfg else {}
        base.update(cfg)
        try:
            return cls(**base)
        except TypeError as err:
            raise ValueError(f'bad pos_embed setting {cfg}: {err}') from None

    def __repr__(self) -> str:
        return (f'PosEmbedResampling(mode={self.mode!r}, antialias={self.antialias}, '
                f'when={self.when!r}, grid={self.grid})')

    def resample(self, table: torch.Tensor, grid: Sequence[int], num_prefix: int = 1,
                 src_grid: Optional[Sequence[int]] = None) -> torch.Tensor:
        """Resample ``table`` ``[P + sh*sw, C]`` (or ``[1, P + sh*sw, C]``) to ``grid`` (h, w);
        returns ``table`` itself when the grids are equal. Interpolates in float32."""
        squeeze = table.dim() == 2
        t = table[None] if squeeze else table
        src = _pair(src_grid) or square_grid(t.shape[1] - num_prefix)
        grid = _pair(grid)
        if src == grid:
            return table
        prefix, spatial = t[:, :num_prefix], t[:, num_prefix:]
        c = spatial.shape[-1]
        spatial = spatial.float().reshape(1, src[0], src[1], c).permute(0, 3, 1, 2)
        spatial = F.interpolate(spatial, size=grid, mode=self.mode, antialias=self.antialias,
                                align_corners=self.align_corners)
        spatial = spatial.permute(0, 2, 3, 1).reshape(1, grid[0] * grid[1], c).to(table.dtype)
        out = torch.cat([prefix, spatial], dim=1)
        return out[0] if squeeze else out

    def table_at_load(self, table: torch.Tensor, num_prefix: int = 1) -> Optional[torch.Tensor]:
        """The table to keep as the model's parameter (``'load'``/``'crop'``), else ``None``."""
        if self.when == 'forward':
            return None
        return self.resample(table, self.grid, num_prefix)

    def for_grid(self, table: torch.Tensor, grid: Sequence[int], num_prefix: int = 1,
                 src_grid: Optional[Sequence[int]] = None) -> torch.Tensor:
        """The table for one input's patch grid ``(h, w)``: resampled, or cropped for ``'crop'``."""
        grid = _pair(grid)
        if self.when != 'crop':
            return self.resample(table, grid, num_prefix, src_grid)
        squeeze = table.dim() == 2
        t = table[None] if squeeze else table
        src = _pair(src_grid) or square_grid(t.shape[1] - num_prefix)
        if grid[0] > src[0] or grid[1] > src[1]:
            raise ValueError(f'input patch grid {grid} exceeds the {src} position table that '
                             "pos_embed when='crop' crops from; raise pos_embed grid or resize the input")
        c = t.shape[-1]
        spatial = t[:, num_prefix:].reshape(1, src[0], src[1], c)[:, :grid[0], :grid[1]]
        out = torch.cat([t[:, :num_prefix], spatial.reshape(1, grid[0] * grid[1], c)], dim=1)
        return out[0] if squeeze else out


def install_table(owner: torch.nn.Module, name: str, resampling: PosEmbedResampling,
                  num_prefix: int = 1) -> Tuple[int, int]:
    """Apply ``resampling``'s one-time resize to the table ``owner.<name>`` (a Parameter, kept
    trainable as it was) and return the grid of the table the module now holds."""
    table = getattr(owner, name)
    new = resampling.table_at_load(table.data, num_prefix)
    if new is None:
        n = table.shape[-2] - num_prefix
        return square_grid(n)
    setattr(owner, name, torch.nn.Parameter(new.clone(), requires_grad=table.requires_grad))
    return resampling.grid
