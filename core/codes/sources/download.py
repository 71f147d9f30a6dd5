"""Fetch the CMS HCPCS zip and pick the alpha-numeric file out of it."""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

_WANTED = re.compile(r"ANWEB.*\.(txt|xlsx)$", re.IGNORECASE)
MAX_BYTES = 200 * 1024 * 1024


class DownloadError(Exception):
    pass


def fetch_hcpcs(url: str, folder: Path, timeout: float = 60.0) -> Path:
    """Download `url` into `folder` and return the extracted alpha-numeric file (.txt preferred)."""
    target = folder / "hcpcs.zip"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, target.open("wb") as out:
            copied = 0
            while chunk := response.read(1 << 16):
                copied += len(chunk)
                if copied > MAX_BYTES:
                    raise DownloadError("the download is larger than any HCPCS file should be")
                out.write(chunk)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DownloadError(f"could not download {url}: {getattr(exc, 'reason', exc)}") from exc
    try:
        with zipfile.ZipFile(target) as archive:
            names = sorted((n for n in archive.namelist() if _WANTED.search(n)), key=lambda n: not n.endswith("txt"))
            if not names:
                raise DownloadError("the zip holds no alpha-numeric HCPCS file (…ANWEB….txt or .xlsx)")
            chosen = folder / Path(names[0]).name
            with archive.open(names[0]) as src, chosen.open("wb") as dst:
                shutil.copyfileobj(src, dst)
    except zipfile.BadZipFile as exc:
        raise DownloadError("the download is not a zip file") from exc
    return chosen
