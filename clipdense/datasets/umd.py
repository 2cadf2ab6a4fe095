"""UMD part-affordance dataset (Myers et al., ICRA 2015) in its released layout.

Layout (``data_root`` is the ``part-affordance-dataset`` folder)::

    part-affordance-dataset/category_split.txt     "<1|2> <tool>" per line, 1 = train, 2 = test
    part-affordance-dataset/novel_split.txt        the novel-category split, same format
    part-affordance-dataset/tools/<tool>/<tool>_<frame:08d>_rgb.jpg
    part-affordance-dataset/tools/<tool>/<tool>_<frame:08d>_label.mat   'gt_label' uint8 [H, W]

The toy world's copy (``clipdense.toyworld``) nests instances one level deeper
(``umd/<category>/<tool>/...``) and has no split files: instance folders are found in either
layout, and ``split=None`` takes every instance.

``gt_label`` holds one affordance id per pixel: 0 background, 1 grasp, 2 cut, 3 scoop,
4 contain, 5 pound, 6 support, 7 wrap-grasp.

Two sample modes:

* ``'semantic'``: one sample per frame, the 8-class label map as ``gt_seg_map`` (mIoU).
* ``'affordance'``: one sample per (frame, affordance present in it): ``text`` is the action
  prompt and ``gt_heatmap`` the binary part mask, so the AGD20K heat-map metrics and any
  text-queried affordance model run on UMD unchanged.
"""
import os
import os.path as osp
from typing import Dict, List, Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS, TRANSFORMS
from scipy.io import loadmat

UMD_CLASSES = ('background', 'grasp', 'cut', 'scoop', 'contain', 'pound', 'support', 'wrap-grasp')
UMD_PALETTE = [[0, 0, 0], [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200],
               [245, 130, 48], [145, 30, 180], [70, 240, 240]]
DEFAULT_ACTION_PROMPTS = {1: 'grasp', 2: 'cut', 3: 'scoop', 4: 'contain', 5: 'pound',
                          6: 'support', 7: 'wrap grasp'}
SPLIT_FILES = dict(category='category_split.txt', novel='novel_split.txt')


def read_umd_label(path: str) -> np.ndarray:
    """``gt_label`` of a ``*_label.mat`` as uint8 ``[H, W]`` (one-line error if absent)."""
    try:
        label = loadmat(path)['gt_label']
    except (OSError, ValueError, KeyError) as err:
        raise ValueError(f'{path} is not a UMD label file with a "gt_label" array ({err})') from None
    return np.asarray(label, dtype=np.uint8)


@DATASETS.register_module()
class UMDDataset(BaseSegDataset):
    """UMD tool images with per-pixel affordance labels.

    Args:
        data_root: the ``part-affordance-dataset`` folder.
        split: ``'category'`` (novel instances, category_split.txt), ``'novel'``
            (novel categories, novel_split.txt) or ``None`` (every instance, any subset).
        subset: ``'train'`` (split id 1) or ``'test'`` (split id 2).
        mode: ``'semantic'`` or ``'affordance'`` (see the module docstring).
        action_prompts: affordance id -> prompt text (``'affordance'`` mode).
        frame_stride: keep every n-th frame per tool (the human-labelled frames are every 3rd).
    """

    METAINFO = dict(classes=UMD_CLASSES, palette=UMD_PALETTE)

    def __init__(self, data_root: str, split: str = 'category', subset: str = 'test',
                 mode: str = 'semantic', action_prompts: Optional[Dict[int, str]] = None,
                 frame_stride: int = 1, **kwargs):
        if split is not None and split not in SPLIT_FILES:
            raise ValueError(f'UMD split {split!r} is unknown; use one of {sorted(SPLIT_FILES)}')
        if subset not in ('train', 'test'):
            raise ValueError(f'UMD subset {subset!r} is unknown; use "train" or "test"')
        if mode not in ('semantic', 'affordance'):
            raise ValueError(f'UMD mode {mode!r} is unknown; use "semantic" or "affordance"')
        if frame_stride < 1:
            raise ValueError(f'frame_stride must be >= 1, got {frame_stride}')
        self.split, self.subset, self.mode, self.frame_stride = split, subset, mode, frame_stride
        self.action_prompts = dict(DEFAULT_ACTION_PROMPTS)
        self.action_prompts.update({int(k): v for k, v in (action_prompts or {}).items()})
        kwargs.setdefault('img_suffix', '_rgb.jpg')
        kwargs.setdefault('seg_map_suffix', '_label.mat')
        super().__init__(data_root=data_root, **kwargs)

    def _tool_folders(self) -> Dict[str, str]:
        """Instance name -> folder, from ``tools/<tool>`` (UMD) or ``<category>/<tool>`` (toy)."""
        def subdirs(path):
            return [osp.join(path, d) for d in sorted(os.listdir(path)) if osp.isdir(osp.join(path, d))]

        tools_dir = osp.join(self.data_root, 'tools')
        if osp.isdir(tools_dir):
            parents = [tools_dir]
        else:
            parents = subdirs(self.data_root) if osp.isdir(self.data_root) else []
        folders = {osp.basename(d): d for parent in parents for d in subdirs(parent)}
        if not folders:
            raise FileNotFoundError(
                f'no UMD tool folders below {self.data_root}; set data_root to the extracted '
                'part-affordance-dataset folder (holding tools/ and the split files)')
        return folders

    def _split_tools(self, folders: Dict[str, str]) -> List[str]:
        if self.split is None:
            return sorted(folders)
        path = osp.join(self.data_root, SPLIT_FILES[self.split])
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'UMD split file not found: {path}; set data_root to the extracted '
                'part-affordance-dataset folder (holding tools/ and the split files)')
        wanted = 1 if self.subset == 'train' else 2
        tools = []
        with open(path) as f:
            for n, line in enumerate(f, 1):
                parts = line.split()
                if not parts:
                    continue
                if len(parts) != 2 or parts[0] not in ('1', '2'):
                    raise ValueError(f'{path}:{n} should read "<1|2> <tool>", got {line.strip()!r}')
                if int(parts[0]) == wanted:
                    tools.append(parts[1])
        return sorted(tools)

    def load_data_list(self) -> List[dict]:
        folders = self._tool_folders()
        data_list = []
        for tool in self._split_tools(folders):
            folder = folders.get(tool)
            if folder is None:
                raise FileNotFoundError(f'UMD tool folder {tool} listed in the split is missing '
                                        f'below {self.data_root}')
            stems = sorted(n[:-len(self.seg_map_suffix)] for n in os.listdir(folder)
                           if n.endswith(self.seg_map_suffix))
            for stem in stems[::self.frame_stride]:
                info = dict(img_path=osp.join(folder, stem + self.img_suffix),
                            seg_map_path=osp.join(folder, stem + self.seg_map_suffix),
                            label_map=None, reduce_zero_label=False, seg_fields=[],
                            object=tool.rsplit('_', 1)[0], tool=tool)
                if self.mode == 'semantic':
                    data_list.append(info)
                    continue
                present = np.unique(read_umd_label(info['seg_map_path']))
                for aff in present[present > 0].tolist():
                    data_list.append(dict(info, affordance_id=aff, affordance=UMD_CLASSES[aff],
                                          text=self.action_prompts[aff]))
        if not data_list:
            raise FileNotFoundError(f'no UMD frames for split={self.split} subset={self.subset} '
                                    f'below {self.data_root}')
        return data_list


@TRANSFORMS.register_module()
class LoadUMDAnnotations(BaseTransform):
    """Load ``gt_label`` from the ``_label.mat`` as ``gt_seg_map`` (uint8 ids); with an
    ``affordance_id`` in the results, also ``gt_heatmap`` = that part's mask (float32 0/1)."""

    def transform(self, results: dict) -> dict:
        label = read_umd_label(results['seg_map_path'])
        results['gt_seg_map'] = label
        results.setdefault('seg_fields', []).append('gt_seg_map')
        if 'affordance_id' in results:
            results['gt_heatmap'] = (label == results['affordance_id']).astype(np.float32)
        return results
