"""CLIP image index of an unlabelled collection and top-k retrieval (clipdense.models.reco.retrieval)."""
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from clipdense.clip import build_clip
from clipdense.models.reco.retrieval import (ImageIndex, build_image_index, embed_images, list_images,
                                             load_square_crop, normalize_images)


def write_images(folder, n, seed=0, size=(40, 56)):
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    for i in range(n):
        img = rng.integers(0, 256, (*size, 3), dtype=np.uint8)
        Image.fromarray(img).save(os.path.join(folder, f'img_{seed}_{i:03d}.png'))


@pytest.fixture(scope='module')
def clip():
    torch.manual_seed(0)
    return build_clip('tiny-ViT')


def test_list_images_folder_and_list_file(tmp_path):
    write_images(str(tmp_path / 'a' / 'b'), 2)
    write_images(str(tmp_path / 'a'), 1, seed=1)
    (tmp_path / 'a' / 'notes.txt').write_text('not an image')
    root, paths = list_images(str(tmp_path / 'a'))
    assert paths == ['b/img_0_000.png', 'b/img_0_001.png', 'img_1_000.png']
    lst = tmp_path / 'list.txt'
    lst.write_text('a/img_1_000.png\n\na/b/img_0_001.png\n')
    root2, paths2 = list_images(str(lst))
    assert root2 == str(tmp_path) and paths2 == ['a/img_1_000.png', 'a/b/img_0_001.png']
    with pytest.raises(FileNotFoundError, match='unlabelled image collection'):
        list_images(str(tmp_path / 'missing'))


def test_square_crop_is_resized_and_centred(tmp_path):
    img = np.zeros((20, 40, 3), np.uint8)
    img[:, 10:30] = 255                                  # a centred white band, half the width
    Image.fromarray(img).save(tmp_path / 'x.png')
    crop = load_square_crop(str(tmp_path / 'x.png'), 10, Image.NEAREST)
    assert crop.shape == (3, 10, 10) and crop.dtype == torch.uint8
    assert crop.min() == 255                             # the centre crop is the band


def test_rank_equals_brute_force_sort():
    g = torch.Generator().manual_seed(0)
    emb = F.normalize(torch.randn(50, 16, generator=g), dim=1)
    index = ImageIndex('/root', [f'{i}.png' for i in range(50)], emb, dict(arch='x'))
    text = torch.randn(5, 16, generator=g)
    sims = F.normalize(text, dim=1) @ index.embeddings.float().t()
    expected = sims.argsort(dim=1, descending=True)[:, :10]
    for chunk in (7, 50, 65536):                         # merging of chunked top-k must not matter
        scores, idx = index.rank(text, 10, chunk=chunk)
        assert torch.equal(idx, expected)
        assert torch.allclose(scores, sims.gather(1, expected))
    paths = index.retrieve(text, 3)
    assert paths[2] == [f'/root/{i}.png' for i in expected[2, :3].tolist()]
    with pytest.raises(ValueError, match='only 50'):
        index.rank(text, 51)


def test_embeddings_are_clip_image_embeddings(tmp_path, clip):
    write_images(str(tmp_path), 3)
    root, paths = list_images(str(tmp_path))
    full = [os.path.join(root, p) for p in paths]
    got = embed_images(clip, full, batch_size=2)
    crops = torch.stack([load_square_crop(p, 64) for p in full])
    with torch.no_grad():
        want = F.normalize(clip.encode_image(normalize_images(crops)), dim=-1)
    assert got.shape == (3, 64) and torch.allclose(got, want, atol=1e-5)


def test_index_is_built_once_and_reused_across_calls(tmp_path, clip):
    pool, file = str(tmp_path / 'pool'), str(tmp_path / 'index.pth')
    write_images(pool, 4)
    calls = []
    original = clip.encode_image

    def counting(x):
        calls.append(len(x))
        return original(x)

    clip.encode_image = counting
    try:
        meta = dict(arch='tiny-ViT', checkpoint='None')
        first = build_image_index(pool, clip, file, meta, batch_size=8, log=lambda m: None)
        assert sum(calls) == 4 and os.path.isfile(file)
        stamp = os.path.getmtime(file)
        again = build_image_index(pool, clip, file, meta, log=lambda m: None)
        assert sum(calls) == 4 and os.path.getmtime(file) == stamp        # nothing re-embedded
        assert torch.equal(again.embeddings, first.embeddings)
        write_images(pool, 1, seed=7)                                    # one new image
        grown = build_image_index(pool, clip, file, meta, log=lambda m: None)
        assert sum(calls) == 5 and len(grown) == 5
        loaded = ImageIndex.load(file)
        assert loaded.paths == grown.paths and torch.equal(loaded.embeddings, grown.embeddings)
        old = [grown.paths.index(p) for p in first.paths]
        assert torch.equal(grown.embeddings[old], first.embeddings)
        with pytest.raises(ValueError, match='was built with'):
            build_image_index(pool, clip, file, dict(arch='ViT-B-16', checkpoint='None'))
    finally:
        clip.encode_image = original


def test_missing_index_file_names_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match='reco_build_index.py'):
        ImageIndex.load(str(tmp_path / 'nope.pth'))
