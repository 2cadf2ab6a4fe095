"""Zero-shot anomaly localisation with plain CLIP patch-vs-text scores (the WinCLIP/AnoVL
baseline without windows or adapters), and AUROC.

For a category word ``obj`` two state embeddings are built by prompt ensembling: normal
(``'a flawless {obj}'``, ...) and anomalous (``'a {obj} with a scratch'``, ...). Each
value-path patch embedding gets the anomaly log-odds ``100 * (cos(patch, anomalous) -
cos(patch, normal))`` (the logit of CLIP's two-way softmax; kept as log-odds so that
confident scores do not saturate into ties), bilinearly upsampled to the image: the anomaly map.
The image score is the mean of the global embedding's log-odds and the map's maximum.
"""
import glob
import os.path as osp
from typing import Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from scipy.stats import rankdata

from clipdense.clip import TextTower

from .clip_pretraining import normalise_images

NORMAL_STATES = ('a flawless {}', 'a photo of a perfect {}', 'a clean {} without defect', 'a normal {}')
ANOMALY_STATES = ('a {} with a scratch', 'a {} with a hole', 'a {} with a stain',
                  'a photo of a damaged {}', 'a {} with a defect')


@torch.no_grad()
def state_embeddings(model, object_words: Sequence[str]) -> torch.Tensor:
    """L2-normalised ``[2, D]``: the mean normal and the mean anomalous prompt embedding."""
    tower = TextTower(model)
    out = []
    for states in (NORMAL_STATES, ANOMALY_STATES):
        prompts = [s.format(w) for s in states for w in object_words]
        emb = F.normalize(tower(tower.tokenize(prompts)).float(), dim=-1).mean(0)
        out.append(F.normalize(emb, dim=-1))
    return torch.stack(out)


@torch.no_grad()
def anomaly_maps(encoder, images: np.ndarray, states: torch.Tensor, input_size: int = None,
                 batch_size: int = 32) -> Tuple[np.ndarray, np.ndarray]:
    """Anomaly maps ``float [N, H, W]`` and image scores ``[N]`` (log-odds, higher = more
    anomalous) for ``uint8 [N, H, W, 3]`` images; the encoder sees them at their own size
    or resized to ``input_size``."""
    maps, scores = [], []
    h, w = images.shape[1:3]
    for i in range(0, len(images), batch_size):
        x = normalise_images(torch.from_numpy(images[i:i + batch_size]))
        if input_size:
            x = F.interpolate(x, size=(input_size, input_size), mode='bilinear', align_corners=False)
        out = encoder(x)
        dense = F.normalize(out['dense_embed'], dim=1)
        sim = torch.einsum('bdhw,kd->bkhw', dense, states)
        p = F.interpolate(100 * (sim[:, 1:] - sim[:, :1]), size=(h, w), mode='bilinear',
                          align_corners=False)[:, 0]
        g = F.normalize(out['global_embed'], dim=-1) @ states.t()
        g = 100 * (g[:, 1] - g[:, 0])
        maps.append(p.numpy())
        scores.append(0.5 * (g.numpy() + p.flatten(1).max(1).values.numpy()))
    return np.concatenate(maps), np.concatenate(scores)


def auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U with tied ranks); ``labels`` are 0/1."""
    scores, labels = np.asarray(scores, np.float64).ravel(), np.asarray(labels).ravel().astype(bool)
    n_pos, n_neg = labels.sum(), (~labels).sum()
    if n_pos == 0 or n_neg == 0:
        raise ValueError('AUROC needs both normal and anomalous samples')
    ranks = rankdata(scores)
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def load_mvtec_test(root: str, category: str):
    """Test images ``uint8 [N, H, W, 3]``, masks ``bool [N, H, W]``, defect names ``[N]`` of an
    MVTec-layout category folder ``<root>/<category>``."""
    folder = osp.join(root, category, 'test')
    paths = sorted(glob.glob(osp.join(folder, '*', '*.png')))
    if not paths:
        raise FileNotFoundError(f'no test images under {folder}; generate the toy MVTec set with '
                                '`python -m clipdense.toyworld --parts mvtec`')
    images, masks, defects = [], [], []
    for p in paths:
        defect = osp.basename(osp.dirname(p))
        img = np.asarray(Image.open(p).convert('RGB'))
        mask_path = osp.join(root, category, 'ground_truth', defect,
                             osp.splitext(osp.basename(p))[0] + '_mask.png')
        mask = np.asarray(Image.open(mask_path)) > 0 if defect != 'good' else np.zeros(img.shape[:2], bool)
        images.append(img)
        masks.append(mask)
        defects.append(defect)
    return np.stack(images), np.stack(masks), defects


def heatmap_overlay(image: np.ndarray, heat: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """Blend a ``[H, W]`` map in [0, 1] over ``image`` with a blue-to-red colour ramp."""
    h = np.clip(heat, 0, 1)[..., None]
    ramp = np.concatenate([np.clip(2 * h, 0, 1), np.clip(1.5 - np.abs(4 * h - 2), 0, 1),
                           np.clip(1.5 - 2 * h, 0, 1)], -1) * 255
    return np.clip((1 - alpha) * image + alpha * ramp, 0, 255).astype(np.uint8)
