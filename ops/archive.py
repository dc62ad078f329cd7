"""The backup archive: one tar file holding the database dump, the uploaded files under media/ and,
last, manifest.json, which lists every other member with its size and sha256. Written under a
temporary name in the destination folder and renamed when complete; read back only after every
member has been checked against the manifest."""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
MEDIA = "media"
CHUNK = 1 << 20


class CorruptArchive(Exception):
    """The archive is unreadable, incomplete or does not match its manifest."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class HashingReader:
    """Reads a file for tarfile and hashes what passes through."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def media_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


class ArchiveWriter:
    """Adds members to the tar and remembers each one's size and sha256 for the manifest."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.members: list[dict[str, Any]] = []

    def add_file(self, path: Path, name: str) -> None:
        with path.open("rb") as handle:
            info = tarfile.TarInfo(name)
            stat = os.fstat(handle.fileno())
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
            reader = HashingReader(handle)
            self.tar.addfile(info, reader)
        self.members.append({"name": name, "size": info.size, "sha256": reader.digest.hexdigest()})

    def add_media(self, root: Path) -> None:
        for path in media_files(root):
            self.add_file(path, f"{MEDIA}/{path.relative_to(root).as_posix()}")

    def add_manifest(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Add manifest.json, last; answer it as written (with the members' list)."""
        manifest = {**manifest, "members": self.members}
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(data), 0o600, 0
        self.tar.addfile(info, BytesIO(data))
        return manifest


def media_count(manifest: dict[str, Any]) -> int:
    return sum(
        1 for member in manifest.get("members", []) if str(member.get("name", "")).startswith(f"{MEDIA}/")
    )


def safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in {"", ".", ".."} for part in path.parts):
        raise CorruptArchive(_("The archive holds a member with an unsafe name: %(name)s") % {"name": name})
    return path


def unpack(archive: Path, into: Path) -> dict[str, Any]:
    """Extract every member into ``into`` and check it against the manifest: the same members, sizes
    and sha256. Answers the manifest; raises CorruptArchive on anything else."""
    seen: dict[str, tuple[int, str]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for info in tar:
                name = safe_name(info.name)
                if not info.isfile():
                    raise CorruptArchive(
                        _("The archive holds something other than files: %(name)s") % {"name": info.name}
                    )
                source = tar.extractfile(info)
                assert source is not None
                if str(name) == MANIFEST:
                    manifest = json.loads(source.read(CHUNK * 64))
                    continue
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                seen[str(name)] = (info.size, digest.hexdigest())
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise CorruptArchive(
            _("The archive cannot be read (%(error)s): it is damaged or incomplete.") % {"error": exc}
        ) from exc
    if not isinstance(manifest, dict):
        raise CorruptArchive(_("The archive has no manifest: it is incomplete or not a Gongjian backup."))
    try:
        listed = {m["name"]: (int(m["size"]), str(m["sha256"])) for m in manifest["members"]}
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptArchive(_("The archive's manifest is malformed.")) from exc
    wrong = sorted(name for name in listed.keys() | seen.keys() if listed.get(name) != seen.get(name))
    if wrong:
        raise CorruptArchive(
            _("The archive does not match its manifest (missing, extra or changed: %(names)s).")
            % {"names": ", ".join(wrong[:10]) + (" …" if len(wrong) > 10 else "")}
        )
    return manifest
