"""Tiny MVTec AD / VisA trees in their real on-disk layouts for the AnoVL tests."""
import os
import os.path as osp

import numpy as np
from PIL import Image


def _sample(rng, size, defect):
    """A textured grey image; with ``defect`` a bright square and its 0/255 mask."""
    img = rng.integers(90, 140, (size, size, 3)).astype(np.uint8)
    mask = np.zeros((size, size), np.uint8)
    if defect:
        y, x = rng.integers(2, size // 2, 2)
        s = size // 4
        img[y:y + s, x:x + s] = (250, 240, 60)
        mask[y:y + s, x:x + s] = 255
    return img, mask


def write_mvtec_tree(root, categories=('bottle', 'wood'), defects=('crack',), n_good=2, n_bad=2,
                     size=48, seed=0):
    """``root/<cat>/{train/good, test/good, test/<defect>, ground_truth/<defect>}``."""
    rng = np.random.default_rng(seed)
    for cat in categories:
        for split, defect, n in [('train', 'good', n_good), ('test', 'good', n_good)] + \
                [('test', d, n_bad) for d in defects]:
            folder = osp.join(root, cat, split, defect)
            os.makedirs(folder, exist_ok=True)
            for i in range(n):
                img, mask = _sample(rng, size, defect != 'good')
                Image.fromarray(img).save(osp.join(folder, f'{i:03d}.png'))
                if defect != 'good':
                    gt = osp.join(root, cat, 'ground_truth', defect)
                    os.makedirs(gt, exist_ok=True)
                    Image.fromarray(mask).save(osp.join(gt, f'{i:03d}_mask.png'))
    return str(root)


def write_visa_tree(root, categories=('candle', 'pcb1'), n_normal=2, n_anomaly=2, size=48, seed=0):
    """``root/<cat>/Data/{Images,Masks}/...`` and ``root/split_csv/1cls.csv``."""
    rng = np.random.default_rng(seed)
    rows = ['object,split,label,image,mask']
    for cat in categories:
        for label, n in (('normal', n_normal), ('anomaly', n_anomaly)):
            sub = 'Normal' if label == 'normal' else 'Anomaly'
            os.makedirs(osp.join(root, cat, 'Data', 'Images', sub), exist_ok=True)
            os.makedirs(osp.join(root, cat, 'Data', 'Masks', 'Anomaly'), exist_ok=True)
            for i in range(n):
                img, mask = _sample(rng, size, label == 'anomaly')
                img_rel = f'{cat}/Data/Images/{sub}/{i:03d}.JPG'
                Image.fromarray(img).save(osp.join(root, img_rel), format='JPEG', quality=95)
                mask_rel = ''
                if label == 'anomaly':
                    mask_rel = f'{cat}/Data/Masks/Anomaly/{i:03d}.png'
                    Image.fromarray((mask > 0).astype(np.uint8) * 2).save(osp.join(root, mask_rel))
                rows.append(f'{cat},test,{label},{img_rel},{mask_rel}')
        rows.append(f'{cat},train,normal,{cat}/Data/Images/Normal/000.JPG,')
    os.makedirs(osp.join(root, 'split_csv'), exist_ok=True)
    with open(osp.join(root, 'split_csv', '1cls.csv'), 'w') as f:
        f.write('\n'.join(rows) + '\n')
    return str(root)
