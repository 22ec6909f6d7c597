"""File-format plumbing: CSV with a BOM, xlsx and docx that are byte-stable.

Office files are zip archives stamped with the current time (zip entry dates and
``docProps/core.xml``).  :func:`freeze_zip` rewrites them with fixed stamps so that the same
seed gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["CsvSink", "write_xlsx", "freeze_zip", "FIXED_STAMP"]

FIXED_STAMP = datetime(2026, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


class CsvSink:
    """Streams rows to a UTF-8 CSV file with BOM (what Excel in China saves)."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        # kept open across write() calls; closed by close() / the with-block
        self._fh = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self._w = csv.writer(self._fh, lineterminator="\r\n")
        self._w.writerow(header)
        self.rows = 0

    def write(self, row: Sequence[Any]) -> None:
        self._w.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> CsvSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_xlsx(
    path: Path,
    sheet: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] | None = None,
) -> int:
    """Write one sheet in write-only (streaming) mode; return the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    wb = Workbook(write_only=True)
    wb.properties.creator = "校企图谱"
    wb.properties.created = FIXED_STAMP
    ws = wb.create_sheet(sheet)
    if widths:
        from openpyxl.utils import get_column_letter

        for i, wdt in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = wdt
    bold = Font(bold=True)
    head = []
    for h in header:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        c.alignment = Alignment(horizontal="center")
        head.append(c)
    ws.append(head)
    n = 0
    for r in rows:
        ws.append(list(r))
        n += 1
    wb.save(path)
    freeze_zip(path)
    return n


def freeze_zip(path: Path) -> None:
    """Rewrite a zip-based office file with fixed timestamps (entry order kept)."""
    with zipfile.ZipFile(path) as zin:
        items = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    buf = io.BytesIO()
    stamp = "2026-01-01T00:00:00Z"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            if name == "docProps/core.xml":
                data = _CORE_DATES.sub(
                    lambda m: m.group(1) + stamp + m.group(3), data.decode("utf-8")
                ).encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FIXED_STAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())
