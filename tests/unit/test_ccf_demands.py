"""The CCF BDCI 2019 demand reader on small hand-made files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.ccf_demands import CcfDemand, DemandFileError, read_ccf_demands


def _write(tmp_path: Path, text: str, *, bom: bool = False) -> Path:
    path = tmp_path / "demands.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def test_reads_records_with_escapes_crlf_and_bom(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "'13a581e1-2d7e-4c8d-b350-e3ab36dbe6a0' , '防爆锂离子电池的研发' , "
        "'需求内容：\\n电池安全。\\t预期目标：\\n不爆炸。' \r\n"
        "'fe5abf02-4272-40fd-8b6e-a4e827c7e762' , '金银花全基因组技术' , '' \r\n",
        bom=True,
    )
    first, second = read_ccf_demands(path)
    assert first.guid == "13a581e1-2d7e-4c8d-b350-e3ab36dbe6a0"
    assert first.title == "防爆锂离子电池的研发"
    assert first.content == "需求内容：\n电池安全。\t预期目标：\n不爆炸。"
    assert first.sections() == {"需求内容": "电池安全。", "预期目标": "不爆炸。"}
    assert second.content == ""
    assert second.text == "金银花全基因组技术"


def test_unknown_escapes_are_kept_and_broken_lines_are_joined(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "'eb9e2e1f-f83c-474b-bd90-777fd2e42a97' , '语义分析' , 'RNN\\注意力\\Transformer\n"
        "第二行' \n",
    )
    (demand,) = read_ccf_demands(path)
    assert demand.content == "RNN\\注意力\\Transformer\n第二行"


def test_malformed_record(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "'eb9e2e1f-f83c-474b-bd90-777fd2e42a97' , '只有标题'\n"
        "'fe5abf02-4272-40fd-8b6e-a4e827c7e762' , '标题' , '内容' \n",
    )
    with pytest.raises(DemandFileError, match=":1: expected"):
        read_ccf_demands(path)
    assert [d.title for d in read_ccf_demands(path, strict=False)] == ["标题"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_ccf_demands(tmp_path / "absent.csv")


def test_sections_without_headings() -> None:
    assert CcfDemand(guid="x", title="t", content="只有正文").sections() == {"": "只有正文"}
