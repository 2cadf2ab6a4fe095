"""Fine-tuning the mask-adapted CLIP: contrastive loss, full vs mask-prompt-only training."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmengine.structures import BaseDataElement
from mmseg.registry import MODELS

from clipdense.models.ovseg import clip_contrastive_loss


def test_contrastive_loss_matches_hand_computation():
    img = F.normalize(torch.tensor([[1.0, 0.0], [0.6, 0.8]]), dim=-1)
    txt = F.normalize(torch.tensor([[1.0, 0.0], [0.0, 1.0]]), dim=-1)
    s = torch.tensor(10.0)
    logits = s * img @ txt.t()                                 # [[10, 0], [6, 8]]
    i2t = -(torch.log_softmax(logits, 1)[0, 0] + torch.log_softmax(logits, 1)[1, 1]) / 2
    t2i = -(torch.log_softmax(logits.t(), 1)[0, 0] + torch.log_softmax(logits.t(), 1)[1, 1]) / 2
    assert torch.allclose(clip_contrastive_loss(img, txt, s), (i2t + t2i) / 2)


def _finetuner(trainable, depth):
    init_default_scope('mmseg')
    return MODELS.build(dict(type='MaskAdaptedCLIPFinetuner', clip=dict(
        type='MaskAdaptedCLIP', arch='tiny-ViT', crop_size=64, mask_prompt_depth=depth, trainable=trainable)))


def _batch(n=6):
    g = torch.Generator().manual_seed(0)
    inputs = torch.randint(0, 256, (n, 3, 64, 64), generator=g, dtype=torch.uint8)
    samples = []
    for i in range(n):
        s = BaseDataElement(metainfo=dict(category=['red', 'sky', 'dog'][i % 3]))
        m = torch.zeros(64, 64, dtype=torch.bool)
        m[8 * (i % 4):8 * (i % 4) + 32, 10:50] = True
        s.region_mask = m
        samples.append(s)
    return dict(inputs=list(inputs), data_samples=samples)


@pytest.mark.parametrize('trainable, depth', [('full', 0), ('prompt', 3)])
def test_loss_falls_and_only_the_chosen_parameters_move(trainable, depth):
    model = _finetuner(trainable, depth)
    model.train()
    frozen = {k: v.clone() for k, v in model.clip.state_dict().items() if not k.startswith('prompts.')}
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad],
                            lr=1e-3 if trainable == 'full' else 5e-2)
    losses = []
    for _ in range(12):
        data = model.data_preprocessor(_batch(), True)
        loss = model(**data, mode='loss')['loss_contrastive']
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0], losses
    after = model.clip.state_dict()
    text_same = all(torch.equal(v, after[k]) for k, v in frozen.items() if k.startswith('text.'))
    visual_same = all(torch.equal(v, after[k]) for k, v in frozen.items() if k.startswith('visual.'))
    assert text_same                                          # text tower frozen in both modes
    assert visual_same == (trainable == 'prompt')


def test_name_embeddings_are_cached_per_name():
    model = _finetuner('full', 0)
    a = model.name_embeddings(['dog', 'cat', 'dog'])
    assert torch.equal(a[0], a[2]) and set(model._name_cache) == {'cat', 'dog'}


def test_nothing_to_train_is_an_error():
    with pytest.raises(ValueError, match='nothing to fine-tune'):
        _finetuner('none', 0)
