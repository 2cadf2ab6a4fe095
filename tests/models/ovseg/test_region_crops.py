"""Batched masked crops: boxes, enlargement, crop geometry and the fill outside the mask."""
import torch
import torch.nn.functional as F

from clipdense.models.ovseg import crop_masked_regions, expand_boxes, mask_boxes


def test_mask_boxes_are_tight_with_exclusive_ends_and_empty_masks_get_the_image():
    masks = torch.zeros(3, 6, 8, dtype=torch.bool)
    masks[0, 1:3, 2:5] = True
    masks[1, 5, 7] = True
    boxes = mask_boxes(masks)
    assert boxes.tolist() == [[2, 1, 5, 3], [7, 5, 8, 6], [0, 0, 8, 6]]


def test_expand_boxes_scales_about_the_centre_and_clips():
    boxes = torch.tensor([[2.0, 2.0, 4.0, 6.0], [0.0, 0.0, 2.0, 2.0]])
    out = expand_boxes(boxes, 2.0, height=8, width=5)
    assert out.tolist() == [[1.0, 0.0, 5.0, 8.0], [0.0, 0.0, 3.0, 3.0]]


def test_full_image_box_at_native_size_is_the_masked_image():
    img = torch.randn(1, 3, 16, 16)
    mask = torch.zeros(1, 16, 16)
    mask[0, 0, 0] = mask[0, 15, 15] = 1.0                     # box = whole image
    mask[0, 4:12, 3:9] = 1.0
    crops, region = crop_masked_regions(img, mask, torch.tensor([0]), torch.tensor([0]), size=16, fill=-7.0)
    inside = mask[0] > 0.5
    assert torch.equal(region[0], inside)
    assert torch.allclose(crops[0][:, inside], img[0][:, inside], atol=1e-6)
    assert (crops[0][:, ~inside] == -7.0).all()


def test_crop_of_a_box_upsampled_matches_bilinear_interpolation_inside():
    img = torch.arange(2 * 3 * 20 * 20, dtype=torch.float32).view(2, 3, 20, 20)
    masks = torch.zeros(3, 20, 20)
    masks[2, 4:9, 6:16] = 1.0                                 # box x 6..16, y 4..9 of image 1
    crops, region = crop_masked_regions(img, masks, torch.tensor([2]), torch.tensor([1]), size=20)
    ref = F.interpolate(img[1:2, :, 4:9, 6:16], size=(20, 20), mode='bilinear', align_corners=False)[0]
    # away from the box border (where roi_align reads real neighbours instead of clamping) they agree
    assert torch.allclose(crops[0][:, 4:-4, 2:-2], ref[:, 4:-4, 2:-2], atol=1e-3)
    assert region.all()


def test_each_crop_uses_its_own_image_and_mask():
    img = torch.stack([torch.full((3, 8, 8), 1.0), torch.full((3, 8, 8), 2.0)])
    masks = torch.zeros(4, 8, 8)
    masks[1, :4, :4] = 1.0
    masks[2, 4:, 4:] = 1.0
    crops, region = crop_masked_regions(img, masks, torch.tensor([2, 1]), torch.tensor([1, 0]), size=4)
    assert crops.shape == (2, 3, 4, 4) and region.all()
    assert (crops[0] == 2.0).all() and (crops[1] == 1.0).all()
