"""Import every module of a package so that its ``@register_module`` decorators run."""
import importlib
import pkgutil


def import_submodules(package_name: str) -> None:
    """Recursively import all modules below ``package_name`` (registration side effects)."""
    package = importlib.import_module(package_name)
    for info in pkgutil.walk_packages(package.__path__, prefix=package_name + '.'):
        importlib.import_module(info.name)
