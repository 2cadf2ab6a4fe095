"""Geometry of a street scene, shared by both rendering domains.

A scene is a list of painted layers ``(part, mask)`` in drawing order (later layers occlude
earlier ones). ``part`` names what is drawn (``'car_window'``, ``'trunk'``, ...);
:data:`PART_CLASS` gives the street class each part belongs to. A vanishing point on the
horizon gives simple perspective: things further down the image are closer, hence larger.
"""
from typing import List, Tuple

import numpy as np

from .drawing import box_mask, coords, ellipse_mask

PART_CLASS = {
    'sky': 'sky', 'building': 'building', 'window': 'building', 'road': 'road', 'lane': 'road',
    'sidewalk': 'sidewalk', 'vegetation': 'vegetation', 'trunk': 'vegetation', 'pole': 'pole',
    'person': 'person', 'head': 'person', 'car': 'car', 'car_window': 'car', 'wheel': 'car',
    'ego': 'ego vehicle',
}


def sample_street_layout(rng: np.random.Generator, h: int, w: int,
                         ego_vehicle: bool = False) -> List[Tuple[str, np.ndarray]]:
    """Random street geometry of size ``h x w`` as ordered ``(part, bool mask [H, W])`` layers."""
    yy, xx = coords(h, w)
    horizon = h * rng.uniform(0.36, 0.5)
    vx = w * rng.uniform(0.35, 0.65)
    depth = np.maximum(yy - horizon, 0)          # 0 at the horizon, grows towards the camera
    k_road, k_side = rng.uniform(1.1, 2.0), 0.0
    k_side = k_road + rng.uniform(0.5, 1.1)
    layers = [('sky', np.ones((h, w), bool))]

    # buildings: piecewise-constant roof line, lower towards the vanishing point
    edges = np.cumsum(rng.uniform(0.08, 0.25, 12) * w)
    roof = np.zeros(w, np.float32)
    start = -rng.uniform(0, 0.1 * w)
    for stop in edges:
        cols = slice(max(int(start), 0), max(int(stop), 0))
        far = np.abs((start + stop) / 2 - vx) / w
        roof[cols] = horizon - h * rng.uniform(0.08, 0.4) * (0.35 + 1.4 * far)
        start = stop
    roof_gap = rng.random(len(edges)) < 0.15   # a few gaps show the sky
    building = (yy >= np.maximum(roof, 0)[None, :]) & (yy < horizon + 2)
    building |= (yy >= horizon) & (np.abs(xx - vx) >= depth * k_side)
    layers.append(('building', building))
    win_w, win_h = rng.uniform(3, 6), rng.uniform(4, 7)
    windows = building & (np.mod(xx, win_w * 2) < win_w) & (np.mod(yy, win_h * 2) < win_h) & (yy < horizon)
    layers.append(('window', windows))

    side = (yy >= horizon) & (np.abs(xx - vx) < depth * k_side)
    road = (yy >= horizon) & (np.abs(xx - vx) < depth * k_road)
    layers += [('sidewalk', side), ('road', road)]
    lane = road & (np.abs(xx - vx) < depth * 0.04 + 0.3) & (np.mod(depth ** 0.5, 2.4) < 1.2)
    layers.append(('lane', lane))

    things = []  # (base y, part layers) drawn far to near
    for _ in range(rng.integers(1, 5)):       # trees at the outer sidewalk edge
        base = horizon + rng.uniform(0.1, 0.5) * (h - horizon)
        d = base - horizon
        sign = rng.choice([-1, 1])
        x = vx + sign * d * rng.uniform(k_road + 0.2, k_side + 0.5)
        trunk = box_mask(yy, xx, base - 1.6 * d, x - 0.04 * d - 0.5, base, x + 0.04 * d + 0.5)
        crown = ellipse_mask(yy, xx, base - 1.9 * d, x, 0.6 * d + 2, 0.45 * d + 2)
        crown |= ellipse_mask(yy, xx, base - 1.5 * d, x + sign * 0.25 * d, 0.4 * d + 1, 0.4 * d + 1)
        things.append((base, [('trunk', trunk), ('vegetation', crown)]))
    if rng.random() < 0.6:                    # a hedge in front of the buildings
        y0 = horizon + rng.uniform(0.0, 0.1) * h
        hedge = (yy >= horizon) & (np.abs(xx - vx) >= depth * k_side - 1) & \
            (np.abs(xx - vx) < depth * (k_side + 0.4)) & (yy > y0)
        things.append((horizon, [('vegetation', hedge)]))
    for _ in range(rng.integers(0, 4)):       # poles on the sidewalk
        base = horizon + rng.uniform(0.15, 0.9) * (h - horizon)
        d = base - horizon
        x = vx + rng.choice([-1, 1]) * d * rng.uniform(k_road + 0.05, k_side - 0.05)
        pole = box_mask(yy, xx, base - 2.2 * d, x - 0.03 * d - 0.6, base, x + 0.03 * d + 0.6)
        things.append((base, [('pole', pole)]))
    for _ in range(rng.integers(0, 4)):       # people on the sidewalk
        base = horizon + rng.uniform(0.15, 0.95) * (h - horizon)
        d = base - horizon
        x = vx + rng.choice([-1, 1]) * d * rng.uniform(k_road + 0.1, k_side)
        ph = d * rng.uniform(0.8, 1.1)
        body = ellipse_mask(yy, xx, base - 0.5 * ph, x, 0.42 * ph, 0.12 * ph + 0.6)
        head = ellipse_mask(yy, xx, base - 0.98 * ph, x, 0.1 * ph + 0.5, 0.08 * ph + 0.5)
        things.append((base, [('person', body), ('head', head)]))
    for _ in range(rng.integers(0, 4)):       # cars on the road
        base = horizon + rng.uniform(0.1, 1.0) * (h - horizon)
        d = base - horizon
        cw = d * rng.uniform(0.9, 1.3)
        x = vx + rng.uniform(-1, 1) * max(d * k_road - cw / 2, 0)
        ch = cw * rng.uniform(0.45, 0.6)
        body = box_mask(yy, xx, base - 0.62 * ch, x - cw / 2, base - 0.12 * ch, x + cw / 2)
        cabin = box_mask(yy, xx, base - ch, x - 0.33 * cw, base - 0.6 * ch, x + 0.33 * cw)
        glass = box_mask(yy, xx, base - 0.92 * ch, x - 0.27 * cw, base - 0.64 * ch, x + 0.27 * cw)
        wheels = (ellipse_mask(yy, xx, base - 0.12 * ch, x - 0.3 * cw, 0.12 * ch + 0.5, 0.1 * cw + 0.5)
                  | ellipse_mask(yy, xx, base - 0.12 * ch, x + 0.3 * cw, 0.12 * ch + 0.5, 0.1 * cw + 0.5))
        things.append((base, [('car', body | cabin), ('car_window', glass), ('wheel', wheels)]))
    for _, parts in sorted(things, key=lambda t: t[0]):
        layers += parts
    if ego_vehicle:                           # the camera car's bonnet, as in Cityscapes
        hood = (yy > h * rng.uniform(0.9, 0.95)) & (np.abs(xx - w / 2) < w * 0.45 + (yy - h) * 2)
        layers.append(('ego', hood))
    return layers
