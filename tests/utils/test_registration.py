import sys

from clipdense.utils.registration import import_submodules


def test_import_submodules_imports_every_module(tmp_path, monkeypatch):
    pkg = tmp_path / 'fakepkg'
    (pkg / 'sub').mkdir(parents=True)
    (pkg / '__init__.py').write_text('')
    (pkg / 'sub' / '__init__.py').write_text('')
    (pkg / 'a.py').write_text('SEEN = True\n')
    (pkg / 'sub' / 'b.py').write_text('SEEN = True\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    import_submodules('fakepkg')
    assert sys.modules['fakepkg.a'].SEEN and sys.modules['fakepkg.sub.b'].SEEN
