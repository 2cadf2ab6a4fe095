# DenseCLIP with CLIP RN101 + Semantic FPN on ADE20K-150 (512x512, 80k iterations). Same recipe
# as the RN50 config; RN101's joint embedding is 512-d.
_base_ = ['./denseclip_fpn_rn50_8xb4-80k_ade20k-512x512.py']

clip_arch = 'RN101'
clip_checkpoint = '~/.cache/clipdense/clip'  # a folder holding OpenAI's RN101.pt (or the file)
model = dict(
    backbone=dict(arch=clip_arch, checkpoint=clip_checkpoint),
    text_encoder=dict(arch=clip_arch, checkpoint=clip_checkpoint),
    context_decoder=dict(visual_dim=512))
