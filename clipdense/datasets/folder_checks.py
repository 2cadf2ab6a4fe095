"""The one-line "data not found" error shared by the datasets that read a folder layout."""
import os.path as osp


def require_data_folders(dataset: str, data_prefix: dict, fix: str) -> None:
    """Raise ``FileNotFoundError`` naming the first missing images / labels folder.

    Args:
        dataset: the dataset's name as users know it (``'GTA5'``).
        data_prefix: the dataset's resolved ``data_prefix`` (``img_path``, ``seg_map_path``).
        fix: what to download and where to put it, appended to the message.
    """
    for what, key in (('images', 'img_path'), ('labels', 'seg_map_path')):
        folder = data_prefix.get(key)
        if folder is not None and not osp.isdir(folder):
            raise FileNotFoundError(f'{dataset} {what} not found at {folder}; {fix}')
