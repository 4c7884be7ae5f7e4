from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def catalog():
    from app.plans.catalog_files import load_catalog_from_files

    return load_catalog_from_files(ROOT / "data")


@pytest.fixture(scope="session")
def router(catalog):
    from app.domain.routing import Router

    measures, lexicon = catalog
    return Router(measures, lexicon)


@pytest.fixture(scope="session")
def lexicon(catalog):
    return catalog[1]
