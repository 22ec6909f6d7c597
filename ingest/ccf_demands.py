"""Reader for the CCF BDCI 2019 enterprise technology demands (需求库 sample data).

The file (``demands/requirements_ccf_bdci_2019.csv`` in the shared data folder, 371 rows,
evaluation use only — it may not ship with the product) has one record per line::

    'guid' , 'title' , 'content'

with single-quoted fields, ``" , "`` between them, CRLF line ends, and ``\\n`` escape
sequences inside ``content``. The content often has the sections 需求内容 / 预期目标 /
现有工作基础. Some contents are empty.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict

__all__ = ["CcfDemand", "DemandFileError", "read_ccf_demands"]

_RECORD_START = re.compile(r"^\s*'[0-9a-fA-F-]{8,}'\s*,")
_FIELDS = re.compile(
    r"^\s*'(?P<guid>[^']*)'\s*,\s*'(?P<title>.*?)'\s*,\s*'(?P<content>.*)'\s*$", re.S
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "", "\\": "\\", "'": "'"}
_ESCAPE = re.compile(r"\\(.)", re.S)
_SECTION = re.compile(r"(需求内容|预期目标|现有工作基础|技术指标|需求背景|主要内容)\s*[:：]")


class DemandFileError(ValueError):
    """A line of the demand file does not have the ``'guid' , 'title' , 'content'`` shape."""


class CcfDemand(BaseModel):
    """One enterprise technology demand.

    Attributes:
        guid: the record id from the file.
        title: the demand title (需求名称), stripped.
        content: the description with escapes decoded (real newlines), stripped; may be empty.
    """

    model_config = ConfigDict(frozen=True)

    guid: str
    title: str
    content: str

    @property
    def text(self) -> str:
        """Title and content joined by a newline (for classifiers that take one text)."""
        return f"{self.title}\n{self.content}".strip()

    def sections(self) -> dict[str, str]:
        """Split ``content`` by its headings (需求内容, 预期目标, 现有工作基础 ...).

        Text before the first heading goes under ``""``. Headings absent from the content
        are absent from the result.

        Example:
            >>> CcfDemand(guid="x", title="t", content="需求内容：A\\n预期目标：B").sections()
            {'需求内容': 'A', '预期目标': 'B'}
        """
        out: dict[str, str] = {}
        pos = 0
        name = ""
        for m in _SECTION.finditer(self.content):
            chunk = self.content[pos : m.start()].strip()
            if chunk or name:
                out[name] = chunk
            name, pos = m.group(1), m.end()
        chunk = self.content[pos:].strip()
        if chunk or name:
            out[name] = chunk
        return out


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def read_ccf_demands(path: str | Path, *, strict: bool = True) -> list[CcfDemand]:
    """Read the CCF BDCI 2019 demand file.

    Tolerates a UTF-8 BOM, CRLF or LF line ends, blank lines, and records broken over
    several physical lines (a line that does not start a new ``'guid' ,`` record continues
    the previous one). ``\\n``, ``\\t``, ``\\r``, ``\\\\`` and ``\\'`` are decoded; any other
    backslash (``RNN\\注意力``) is kept as written.

    Args:
        path: the ``requirements_ccf_bdci_2019.csv`` file.
        strict: raise on a malformed record (default); with ``False`` such records are
            skipped.

    Returns:
        The demands in file order.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        DemandFileError: in strict mode, for a record that is not ``'guid' , 'title' , 'content'``
            (the message gives the line number).

    Example:
        >>> demands = read_ccf_demands("../shared/data/demands/requirements_ccf_bdci_2019.csv")  # doctest: +SKIP
        >>> len(demands)  # doctest: +SKIP
        371
    """
    raw = Path(path).read_bytes().decode("utf-8-sig")
    records: list[tuple[int, str]] = []
    for lineno, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        if _RECORD_START.match(line) or not records:
            records.append((lineno, line))
        else:
            first, text = records[-1]
            records[-1] = (first, text + "\n" + line)
    demands: list[CcfDemand] = []
    for lineno, record in records:
        m = _FIELDS.match(record)
        if m is None:
            if strict:
                raise DemandFileError(
                    f"{path}:{lineno}: expected \"'guid' , 'title' , 'content'\", got {record[:80]!r}; "
                    "pass strict=False to skip malformed records."
                )
            continue
        demands.append(
            CcfDemand(
                guid=m.group("guid").strip(),
                title=_unescape(m.group("title")).strip(),
                content=_unescape(m.group("content")).strip(),
            )
        )
    return demands
