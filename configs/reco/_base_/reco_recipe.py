# ReCo (Shin et al., NeurIPS 2022): every number of the zero-shot recipe.
# Weights are local files (nothing is downloaded):
#   checkpoints/clip/                  OpenAI CLIP ViT-L-14 (retrieval) and ViT-B-16 (dense), see clipdense.clip
#   checkpoints/deit_s_sin_dist.pth    DeiT-S/16 trained on Stylized-ImageNet (Naseer et al.), the paper's
#                                      co-segmentation encoder; DINO ViT-S/16 also works
#                                      (encoder.arch='vit_small_patch16_224').
# The unlabelled collection is ImageNet-1k train (as in the paper); its CLIP index is built once with
#   python tools/reco_build_index.py --images data/imagenet/train --out data/reco/imagenet_train_ViT-L-14.pth
_base_ = ['../../_base_/default_runtime.py']

model = dict(
    type='ReCoSegmentor',
    # Images reach the model as RGB 0..255: the ViT and CLIP normalise them their own way.
    data_preprocessor=dict(type='SegDataPreProcessor', mean=[0.0, 0.0, 0.0], std=[1.0, 1.0, 1.0],
                           bgr_to_rgb=True, pad_val=0, seg_pad_val=255),
    class_names=None,                     # set by each benchmark config
    retrieval_clip=dict(arch='ViT-L-14', checkpoint='checkpoints/clip'),  # paper: ViT-L/14@336px
    clip=dict(arch='ViT-B-16', checkpoint='checkpoints/clip'),  # dense value path (paper: DenseCLIP RN50x16)
    encoder=dict(arch='deit_small_distilled_patch16_224', checkpoint='checkpoints/deit_s_sin_dist.pth'),
    index=dict(file='data/reco/imagenet_train_ViT-L-14.pth', images=None, batch_size=64, num_workers=4),
    co_segmentation=dict(
        k=50,                             # archive size: images retrieved per concept
        image_size=224,                   # archive images: shorter side 224, centre crop
        text_attention=True,              # language-guided co-segmentation
        temperature=10.0,                 # tau of sigma(tau * cos) for the text attention
        context_concepts=('tree', 'sky', 'building', 'road', 'person'),  # context elimination
        context_aliases=dict(),           # concept -> context concept whose reference it reuses
        batch_size=16, chunk=4096),
    templates='reco85',                   # 80 ImageNet templates + 5 scene templates (DenseCLIP's)
    dense_clip_inference=True,            # refine with sigma(10 * cos(CLIP dense, text))
    temperature=10.0,
    test_cfg=dict(mode='whole'))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
