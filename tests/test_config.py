"""Settings: one registry, safe defaults, production refuses unsafe ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kommunkvalitet import config
from kommunkvalitet.errors import ConfigurationError


def test_secret_key_is_generated_once_into_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("KOMMUNKVALITET_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("KOMMUNKVALITET_ENV", raising=False)
    first = config.secret_key()
    assert len(first) > 40 and (tmp_path / "secret_key").read_text() == first
    assert config.secret_key() == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_production_refuses_a_missing_secret_key_and_debug(monkeypatch):
    monkeypatch.setenv("KOMMUNKVALITET_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        config.secret_key()
    monkeypatch.setenv("KOMMUNKVALITET_DEBUG", "true")
    with pytest.raises(ConfigurationError, match="DEBUG"):
        config.debug()


def test_settings_module_fails_to_load_in_production_without_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(KOMMUNKVALITET_ENV="production", KOMMUNKVALITET_DATA_DIR=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, "-c", "import kommunkvalitet.settings"], env=env, capture_output=True, text=True
    )
    assert proc.returncode != 0 and "SECRET_KEY must be set" in proc.stderr


def test_every_setting_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for setting in config.SETTINGS:
        assert f"`{setting.name}`" in readme, setting.name


@pytest.mark.parametrize(
    ("value", "backend"),
    [
        ("", "kommunkvalitet.web.pagecache.FileCache"),
        ("memory", "django.core.cache.backends.locmem.LocMemCache"),
        ("OFF", "django.core.cache.backends.dummy.DummyCache"),
        ("redis://127.0.0.1:6379/0", "django.core.cache.backends.redis.RedisCache"),
        ("memcached://127.0.0.1:11211", "django.core.cache.backends.memcached.PyMemcacheCache"),
    ],
)
def test_the_page_cache_setting_chooses_the_backend(monkeypatch, tmp_path, value, backend):
    monkeypatch.setenv("KOMMUNKVALITET_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KOMMUNKVALITET_PAGE_CACHE", value)
    cache = config.page_cache()
    assert cache["BACKEND"] == backend
    if value.startswith("memcached://"):
        assert cache["LOCATION"] == "127.0.0.1:11211"
    if not value:
        assert cache["LOCATION"] == str(tmp_path / "cache" / "pages")


def test_an_unknown_page_cache_is_refused(monkeypatch):
    monkeypatch.setenv("KOMMUNKVALITET_PAGE_CACHE", "disk")
    with pytest.raises(ConfigurationError, match="KOMMUNKVALITET_PAGE_CACHE"):
        config.page_cache()


def test_the_file_cache_compresses_faster_and_reads_django_s_own_entries(tmp_path):
    from django.core.cache.backends.filebased import FileBasedCache

    from kommunkvalitet.web.pagecache import FileCache

    page = (200, [("Content-Type", "text/html")], ("<tr><td>77,5 %</td></tr>" * 5000).encode())
    ours, djangos = FileCache(str(tmp_path), {}), FileBasedCache(str(tmp_path), {})
    ours.set("ours", page)
    djangos.set("django", page)
    assert ours.get("ours") == page == ours.get("django") == djangos.get("ours")
    # zlib's level 1: quicker, a bigger file than Django's level 6
    assert Path(ours._key_to_file("ours")).stat().st_size > Path(djangos._key_to_file("django")).stat().st_size


def test_a_full_file_cache_drops_its_oldest_entries_not_random_ones(tmp_path, monkeypatch):
    """``kommunkvalitet warm`` fills the page cache with the current data version's pages; when the folder
    is full the oldest third goes (the pages of an old version, never asked for again), not a random third."""
    import os

    from kommunkvalitet.web import pagecache

    monkeypatch.setattr(pagecache, "CULL_EVERY", 1)  # count the folder on every write
    cache = pagecache.FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 9, "CULL_FREQUENCY": 3}})
    for i in range(9):
        cache.set(f"k{i}", i)
        os.utime(cache._key_to_file(f"k{i}"), (1000 + i, 1000 + i))  # k0 the oldest
    cache.set("new", 9)  # the folder holds 9: the oldest 3 go first
    assert [cache.get(f"k{i}") for i in range(9)] == [None, None, None, 3, 4, 5, 6, 7, 8]
    assert cache.get("new") == 9
