"""The shared one-line "data not found" error."""
import pytest

from clipdense.datasets.folder_checks import require_data_folders


def test_names_the_first_missing_folder_and_the_fix(tmp_path):
    (tmp_path / 'images').mkdir()
    prefix = dict(img_path=str(tmp_path / 'images'), seg_map_path=str(tmp_path / 'labels'))
    with pytest.raises(FileNotFoundError, match=r'^Toy labels not found at .*labels; get it$'):
        require_data_folders('Toy', prefix, 'get it')
    (tmp_path / 'labels').mkdir()
    require_data_folders('Toy', prefix, 'get it')                       # both present: no error
    require_data_folders('Toy', dict(img_path=str(tmp_path / 'images')), 'x')  # no labels: test split
