import pytest

from clipdense.models.anovl.tfa import TrainingFreeLocalizer


@pytest.fixture(scope='session')
def tiny_tfa():
    """One tiny training-free localizer for the AnoVL tests (its prompt cache is shared too)."""
    return TrainingFreeLocalizer('tiny-ViT', score_layers=(2, 4), image_views='single')
