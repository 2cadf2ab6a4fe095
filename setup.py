"""clipdense: dense and open-vocabulary perception with CLIP on the OpenMMLab stack."""
from setuptools import find_packages, setup

# Tested ranges. mmcv itself is not listed: it must be mmcv 2.1.0 built from source with its ops
# (tools/install_env.sh does that and caches the wheel); pip's mmcv-lite breaks `import mmseg.models`.
INSTALL_REQUIRES = [
    'torch>=2.1,<=2.14.1',
    'torchvision>=0.16,<=0.29.1',
    'mmengine>=0.10.4,<0.11',
    'mmsegmentation>=1.2.2,<1.3',
    'mmdet>=3.3.0,<3.4',
    'open_clip_torch>=3.0,<3.4',
    'numpy>=1.24',
    'scipy>=1.10',
    'opencv-python-headless>=4.8',
    'pycocotools>=2.0.7',
    'ftfy',
    'regex',
]

setup(
    name='clipdense',
    version='0.1.0',
    description='Dense and open-vocabulary perception with CLIP for MMSegmentation / MMDetection',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['clipdense', 'clipdense.*']),
    package_data={'clipdense': ['clip/model_configs/*.json', 'assets/*']},
    python_requires='>=3.9',
    install_requires=INSTALL_REQUIRES,
    extras_require={'tests': ['pytest>=7']},
    license='Apache-2.0',
)
