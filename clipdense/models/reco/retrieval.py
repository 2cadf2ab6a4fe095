"""ReCo step 1: rank an unlabelled image collection with CLIP and keep the top-k per concept.

The CLIP image embeddings of the collection are computed once and stored in an *index file*
(``torch.save`` of plain tensors and strings) that every later concept list reuses; adding
images to the folder only embeds the new ones. Retrieval is one matrix product
``text [K, D] @ index [N, D]^T`` followed by a top-k per concept.
"""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from open_clip.constants import OPENAI_DATASET_MEAN, OPENAI_DATASET_STD
from PIL import Image

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff')
INDEX_VERSION = 1


def list_images(source: str) -> Tuple[str, List[str]]:
    """Return ``(root, relative paths)`` of the images of a folder (recursive, sorted) or of a
    text file listing one image path per line (relative paths are relative to the file)."""
    if osp.isdir(source):
        root = osp.abspath(source)
        paths = sorted(osp.relpath(osp.join(d, f), root) for d, _, files in os.walk(root)
                       for f in files if f.lower().endswith(IMAGE_EXTENSIONS))
    elif osp.isfile(source):
        root = osp.dirname(osp.abspath(source))
        with open(source) as f:
            paths = [line.strip() for line in f if line.strip()]
    else:
        raise FileNotFoundError(f'unlabelled image collection {source!r} not found; give a folder of '
                                'images or a text file with one image path per line')
    if not paths:
        raise ValueError(f'no images ({"/".join(IMAGE_EXTENSIONS)}) found in {source!r}')
    return root, paths


def load_square_crop(path: str, size: int, resample=Image.BICUBIC) -> torch.Tensor:
    """Resize the shorter side to ``size`` and centre-crop: ``uint8 [3, size, size]`` RGB."""
    try:
        img = Image.open(path).convert('RGB')
    except (FileNotFoundError, OSError) as e:
        raise FileNotFoundError(f'cannot read image {path!r} ({e.__class__.__name__}); '
                                'restore the image collection the index was built from') from e
    w, h = img.size
    s = size / min(w, h)
    img = img.resize((max(size, round(w * s)), max(size, round(h * s))), resample)
    w, h = img.size
    left, top = (w - size) // 2, (h - size) // 2
    img = img.crop((left, top, left + size, top + size))
    return torch.from_numpy(np.asarray(img, dtype=np.uint8).copy()).permute(2, 0, 1)


def normalize_images(images: torch.Tensor, mean=OPENAI_DATASET_MEAN, std=OPENAI_DATASET_STD):
    """``[B, 3, H, W]`` RGB in 0..255 -> float, normalised by ``mean``/``std`` (given in 0..1)."""
    m = torch.tensor(mean, device=images.device).view(1, 3, 1, 1) * 255
    s = torch.tensor(std, device=images.device).view(1, 3, 1, 1) * 255
    return (images.float() - m) / s


class _CropDataset(torch.utils.data.Dataset):

    def __init__(self, paths: Sequence[str], size: int):
        self.paths, self.size = list(paths), size

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        return load_square_crop(self.paths[i], self.size)


@torch.no_grad()
def embed_images(clip_model, paths: Sequence[str], image_size: Optional[int] = None,
                 batch_size: int = 64, num_workers: int = 0) -> torch.Tensor:
    """L2-normalised CLIP image embeddings ``[N, D]`` (float32) of image files, in batches."""
    size = image_size or _clip_image_size(clip_model)
    device = next(clip_model.parameters()).device
    loader = torch.utils.data.DataLoader(_CropDataset(paths, size), batch_size=batch_size,
                                         num_workers=num_workers, shuffle=False)
    out = [F.normalize(clip_model.encode_image(normalize_images(x.to(device))).float(), dim=-1).cpu()
           for x in loader]
    return torch.cat(out) if out else torch.zeros(0, clip_model.visual.output_dim)


def _clip_image_size(clip_model) -> int:
    size = getattr(clip_model.visual, 'image_size', 224)
    return int(size[0] if isinstance(size, (tuple, list)) else size)


class ImageIndex:
    """CLIP embeddings of an unlabelled image collection.

    Attributes:
        root: folder the ``paths`` are relative to.
        paths: ``N`` relative image paths.
        embeddings: ``[N, D]`` L2-normalised image embeddings (stored as float16).
        meta: ``arch``, ``checkpoint`` and ``image_size`` of the CLIP that made the index.
    """

    def __init__(self, root: str, paths: Sequence[str], embeddings: torch.Tensor, meta: dict):
        if len(paths) != len(embeddings):
            raise ValueError(f'index has {len(paths)} paths but {len(embeddings)} embeddings')
        self.root, self.paths, self.meta = root, list(paths), dict(meta)
        self.embeddings = embeddings.half()

    def __len__(self):
        return len(self.paths)

    def save(self, file: str) -> None:
        os.makedirs(osp.dirname(osp.abspath(file)), exist_ok=True)
        torch.save(dict(version=INDEX_VERSION, root=self.root, paths=self.paths,
                        embeddings=self.embeddings, meta=self.meta), file)

    @classmethod
    def load(cls, file: str) -> 'ImageIndex':
        if not osp.isfile(file):
            raise FileNotFoundError(f'ReCo image index {file!r} not found; build it with '
                                    f'`python tools/reco_build_index.py --images <folder> --out {file}`')
        data = torch.load(file, map_location='cpu', weights_only=True)
        if not isinstance(data, dict) or data.get('version') != INDEX_VERSION:
            raise ValueError(f'{file!r} is not a ReCo image index (version {INDEX_VERSION}); rebuild it '
                             'with tools/reco_build_index.py')
        return cls(data['root'], data['paths'], data['embeddings'], data['meta'])

    def rank(self, text_embeds: torch.Tensor, k: int, chunk: int = 65536) -> Tuple[torch.Tensor, torch.Tensor]:
        """Top-``k`` images per text embedding: ``scores [K, k]`` (descending) and ``indices [K, k]``.

        Cosine similarities are computed ``chunk`` images at a time and merged into a running
        top-k, so memory stays ``O(K * (chunk + k))`` for any collection size.
        """
        if k > len(self):
            raise ValueError(f'asked for the top {k} images but the index holds only {len(self)}; '
                             'lower k or index more images')
        text = F.normalize(text_embeds.float().cpu(), dim=-1)
        best_s = text.new_empty(len(text), 0)
        best_i = torch.empty(len(text), 0, dtype=torch.long)
        for start in range(0, len(self), chunk):
            sims = text @ self.embeddings[start:start + chunk].float().t()
            idx = torch.arange(start, start + sims.shape[1]).expand(len(text), -1)
            s, j = torch.cat([best_s, sims], 1).topk(min(k, best_s.shape[1] + sims.shape[1]), dim=1)
            best_s, best_i = s, torch.cat([best_i, idx], 1).gather(1, j)
        return best_s, best_i

    def retrieve(self, text_embeds: torch.Tensor, k: int) -> List[List[str]]:
        """Absolute paths of the top-``k`` images of every concept (best first)."""
        _, idx = self.rank(text_embeds, k)
        return [[osp.join(self.root, self.paths[i]) for i in row] for row in idx.tolist()]


def build_image_index(source: str, clip_model, index_file: Optional[str] = None, meta: Optional[dict] = None,
                      batch_size: int = 64, num_workers: int = 0, log=print) -> ImageIndex:
    """Build, or update and reuse, the index of ``source`` (a folder or a list file).

    If ``index_file`` exists and was made by the same CLIP (``meta``), its embeddings are kept,
    images no longer in ``source`` are dropped and only new images are embedded; the file is
    rewritten only when something changed.
    """
    meta = dict(meta or {})
    meta.setdefault('image_size', _clip_image_size(clip_model))
    root, paths = list_images(source)
    known = {}
    if index_file and osp.isfile(index_file):
        old = ImageIndex.load(index_file)
        if old.meta != meta:
            raise ValueError(f'index {index_file!r} was built with {old.meta}, not {meta}; '
                             'pass another --out file or delete it to rebuild')
        if osp.abspath(old.root) == root:
            known = {p: e for p, e in zip(old.paths, old.embeddings)}
    new = [p for p in paths if p not in known]
    if not new and len(known) == len(paths) and known:
        log(f'reusing the index {index_file} ({len(paths)} images)')
        return ImageIndex(root, paths, torch.stack([known[p] for p in paths]), meta)
    log(f'embedding {len(new)} new images ({len(known)} reused)')
    fresh = embed_images(clip_model, [osp.join(root, p) for p in new], meta['image_size'],
                         batch_size, num_workers)
    known.update({p: e for p, e in zip(new, fresh.half())})
    index = ImageIndex(root, paths, torch.stack([known[p] for p in paths]), meta)
    if index_file:
        index.save(index_file)
    return index
