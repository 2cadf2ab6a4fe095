"""Write tiny CLIP checkpoints in the real released formats (shared by the tests)."""
import torch

from clipdense.clip.eva_clip_keys import timm_to_eva_key


def save_openai_state_dict(model, path, image_size=64):
    sd = {k: v.clone() for k, v in model.state_dict().items()}
    # OpenAI's weights carry these three entries that open_clip drops.
    sd['input_resolution'] = torch.tensor(image_size)
    sd['context_length'] = torch.tensor(model.context_length)
    sd['vocab_size'] = torch.tensor(model.vocab_size)
    torch.save(sd, path)


class _TorchScriptHolder(torch.nn.Module):
    """A module whose state_dict has exactly ``sd``'s keys, scriptable like OpenAI's archive."""

    def __init__(self, sd):
        super().__init__()
        for key, value in sd.items():
            *parents, leaf = key.split('.')
            mod = self
            for name in parents:
                if not hasattr(mod, name):
                    mod.add_module(name, torch.nn.Module())
                mod = getattr(mod, name)
            mod.register_buffer(leaf, value.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


def save_openai_torchscript(model, path, image_size=64):
    sd = dict(model.state_dict())
    sd['input_resolution'] = torch.tensor(image_size)
    sd['context_length'] = torch.tensor(model.context_length)
    sd['vocab_size'] = torch.tensor(model.vocab_size)
    torch.jit.save(torch.jit.script(_TorchScriptHolder(sd)), path)


def save_open_clip_training_checkpoint(model, path):
    torch.save({'epoch': 3, 'name': 'tiny',
                'state_dict': {'module.' + k: v for k, v in model.state_dict().items()}}, path)


def save_eva_clip(model, path):
    """EVA-CLIP's own layout: vision keys under ``visual.`` with EVA names, plus rope buffers."""
    sd = {}
    for key, value in model.state_dict().items():
        if key.startswith('visual.trunk.'):
            sub = key[len('visual.trunk.'):]
            if 'rope' in sub:
                continue
            sd['visual.' + timm_to_eva_key(sub)] = value
        else:
            sd[key] = value
    sd['visual.rope.freqs_cos'] = torch.zeros(64, 16)
    sd['visual.rope.freqs_sin'] = torch.zeros(64, 16)
    torch.save(sd, path)
