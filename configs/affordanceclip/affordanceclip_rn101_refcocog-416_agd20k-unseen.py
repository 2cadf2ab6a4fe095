# AffordanceCLIP zero-shot on AGD20K Unseen (25 affordances, objects unseen in AGD20K training).
# Same model and training as the Seen config: one trained checkpoint serves both splits.
_base_ = ['./affordanceclip_rn101_refcocog-416_agd20k-seen.py']

val_dataloader = dict(dataset=dict(split='Unseen'))
test_dataloader = val_dataloader
