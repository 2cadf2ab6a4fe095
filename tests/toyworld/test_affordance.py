"""UMD part-affordance layout: rgb + label.mat pairs with the right affordance ids."""
import glob
import os.path as osp

import numpy as np
import scipy.io
from PIL import Image

from clipdense.toyworld.affordance import UMD_SIZE, instance_colours, render_tool
from clipdense.toyworld.vocabulary import AFFORDANCE_IDS, TOOL_PARTS


def test_umd_tree_is_well_formed(toy_root):
    for tool, parts in TOOL_PARTS.items():
        rgbs = sorted(glob.glob(osp.join(toy_root, 'umd', tool, f'{tool}_01', f'{tool}_01_*_rgb.jpg')))
        assert [osp.basename(p) for p in rgbs] == [f'{tool}_01_{i:08d}_rgb.jpg' for i in (1, 2, 3)]
        for path in rgbs:
            label = scipy.io.loadmat(path.replace('_rgb.jpg', '_label.mat'))['gt_label']
            img = Image.open(path)
            assert img.mode == 'RGB' and label.shape == (img.height, img.width) == UMD_SIZE
            assert label.dtype == np.uint8
            ids = {AFFORDANCE_IDS[a] for _, a in parts}
            assert set(np.unique(label)) == {0} | ids, (path, np.unique(label))


def test_umd_dataset_class_reads_the_tree(toy_root):
    import pytest

    import clipdense  # noqa: F401
    from mmseg.registry import DATASETS
    try:
        ds = DATASETS.build(dict(type='UMDDataset', data_root=osp.join(toy_root, 'umd'),
                                 split=None, pipeline=[]))
    except (KeyError, TypeError) as err:  # the dataset class belongs to the AffordanceCLIP work
        pytest.skip(f'UMD dataset class not usable here: {err}')
    assert len(ds) == len(TOOL_PARTS) * 3


def test_parts_sit_where_the_tool_is():
    rng = np.random.default_rng(0)
    for tool in TOOL_PARTS:
        img, label = render_tool(rng, tool, instance_colours(rng, tool))
        (_, first), (_, second) = TOOL_PARTS[tool]
        a, b = label == AFFORDANCE_IDS[first], label == AFFORDANCE_IDS[second]
        assert a.sum() > 20 and b.sum() > 5
        # part pixels differ from the table around them
        table = img[label == 0].mean(0)
        assert np.abs(img[a].mean(0) - table).sum() > 40 or np.abs(img[b].mean(0) - table).sum() > 40
