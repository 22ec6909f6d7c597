"""Tabular readers on real files written in tmp_path: encodings, headers, quarantine, accounting."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import tracemalloc
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from graph.errors import IngestError
from ingest.ccf_demands import read_ccf_demands
from ingest.readers import iter_records, read_table
from ingest.readers.demands import parse_ccf_line
from ingest.records import DemandRecord, PatentRecord, Quarantined
from tests.conftest import REPO, shared_data

EXAMPLES = REPO / "docs" / "examples"
PATENT_HEADER = ["申请号", "发明名称", "申请人", "发明人", "IPC分类号", "申请日", "专利类型"]
GOOD_PATENTS = [
    [
        "CN202110123456.7",
        "一种寒地农机作业路径规划方法",
        "哈尔滨工业大学;某农机公司",
        "张三;李四",
        "G06Q 10/04",
        "2021-03-05",
        "发明",
    ],
    [
        "202120654321.9",
        "一种玉米秸秆打捆装置",
        "东北农业大学",
        "赵六、钱七",
        "A01D 59/04",
        "2021.03.05",
        "实用新型",
    ],
    [
        "CN 2022301112226",
        "冰雪运动头盔",
        "某冰雪装备（集团）有限公司",
        "孙八",
        "",
        "2022年4月1日",
        "外观设计专利",
    ],
]


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def split(items: list[object]) -> tuple[list[object], list[Quarantined]]:
    records = [i for i in items if not isinstance(i, Quarantined)]
    return records, [i for i in items if isinstance(i, Quarantined)]


def assert_accounted(reading, items: list[object]) -> None:
    """Every non-blank data row gave exactly one record or one row-level quarantine."""
    stats = reading.stats
    rows = [i.row for i in items if i.row is not None]
    assert len(rows) == len(set(rows)) or stats.format == "xlsx"  # row numbers restart per sheet
    assert stats.rows == stats.records + stats.quarantined_rows
    assert stats.rows == len(rows)
    assert stats.file_problems == sum(
        1 for i in items if isinstance(i, Quarantined) and i.row is None
    )


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoding", "reported"), [("gbk", "gb18030"), ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")]
)
def test_csv_encodings(tmp_path: Path, encoding: str, reported: str) -> None:
    path = write_csv(tmp_path / "p.csv", [PATENT_HEADER, *GOOD_PATENTS], encoding)
    reading = read_table(path)
    items = list(reading)
    records, problems = split(items)
    assert reading.stats.encoding == reported
    assert not problems and len(records) == 3
    first = records[0]
    assert isinstance(first, PatentRecord)
    assert first.applicants == ["哈尔滨工业大学", "某农机公司"]
    assert [r.application_number for r in records] == [
        "CN202110123456.7",
        "CN202120654321.9",
        "CN202230111222.6",
    ]
    assert [r.patent_type for r in records] == ["发明", "实用新型", "外观设计"]
    assert all(r.application_date for r in records)
    assert_accounted(reading, items)


def test_undecodable_file_is_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00" * 0 + bytes(range(0x80, 0x100)) * 4)
    items = list(iter_records(path))
    assert len(items) == 1 and isinstance(items[0], Quarantined)
    assert "编码" in items[0].reason and items[0].row is None


def test_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "p.tsv"
    path.write_text(
        "\n".join("\t".join(r) for r in [PATENT_HEADER, *GOOD_PATENTS]), encoding="utf-8"
    )
    reading = read_table(path)
    assert len(split(list(reading))[0]) == 3 and reading.stats.delimiter == "\t"


# --------------------------------------------------------------------------- XLSX


def test_xlsx_variant_headers_on_row_3(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "专利"
    ws.append(["某高校专利清单"])
    ws.append([])
    ws.append(
        [
            "Application Number",
            "Title",
            "Applicants",
            "Inventors",
            "IPC",
            "公开（公告）号",
            "申请 日",
            "备注",
        ]
    )
    ws.append(
        [
            "CN202110123456.7",
            "一种寒地农机作业路径规划方法",
            "哈工大; 某公司",
            "张三, 李四",
            "G06F 16/35, G06N 3/08",
            "CN112345678A",
            dt.datetime(2021, 3, 5),
            "x",
        ]
    )
    ws.append([None, None])  # blank row: skipped and counted
    ws.append(
        [
            202120654321.9,
            "一种玉米秸秆打捆装置",
            "东北农业大学",
            "赵六",
            "A01D59/04",
            None,
            44260,
            None,
        ]
    )
    wb.create_sheet("说明").append(["仅供示例"])
    other = wb.create_sheet("需求")
    other.append(["企业名称", "需求名称", "拟投入资金"])
    other.append(["某公司", "寒地播种", "50万元"])
    path = tmp_path / "patents.xlsx"
    wb.save(path)

    reading = read_table(path)
    items = list(reading)
    records, problems = split(items)
    assert not problems
    kinds = Counter(r.kind for r in records)
    assert kinds == {"patent": 2, "demand": 1}  # each sheet under its own kind
    assert reading.kind is None  # mixed workbook
    patents = [r for r in records if isinstance(r, PatentRecord)]
    assert patents[0].source.endswith("patents.xlsx#专利") and patents[0].row == 1
    assert patents[0].ipc_codes == ["G06F 16/35", "G06N 3/08"] and patents[0].inventors == [
        "张三",
        "李四",
    ]
    assert patents[0].publication_number == "CN112345678A"
    assert patents[0].application_date == "2021-03-05"
    assert patents[1].application_number == "CN202120654321.9" and patents[1].row == 3
    assert patents[1].application_date == "2021-03-05"  # serial 44260
    info = reading.tables[0]
    assert info.header_row == 3 and info.ignored == ["备注"]
    assert "说明" in reading.stats.skipped_sheets
    assert reading.stats.blank_rows == 1

    only_patents = list(iter_records(path, kind="patent"))
    assert {r.kind for r in only_patents} == {"patent"}


def test_corrupt_and_legacy_workbooks(tmp_path: Path) -> None:
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    for name, word in [("bad.xlsx", "Excel"), ("old.xls", ".xls")]:
        items = list(iter_records(tmp_path / name))
        assert len(items) == 1 and isinstance(items[0], Quarantined) and word in items[0].reason


def test_workbook_without_any_header(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.save(tmp_path / "x.xlsx")
    [item] = list(iter_records(tmp_path / "x.xlsx"))
    assert isinstance(item, Quarantined) and "表头" in item.reason and "姓名" in item.reason


# --------------------------------------------------------------------------- quarantine


def test_missing_required_column_quarantines_the_file(tmp_path: Path) -> None:
    rows = [[c for i, c in enumerate(r) if i != 0] for r in [PATENT_HEADER, *GOOD_PATENTS]]
    path = write_csv(tmp_path / "no_number.csv", rows)
    items = list(iter_records(path))
    assert len(items) == 1
    [problem] = items
    assert isinstance(problem, Quarantined)
    assert problem.field == "申请号" and problem.row is None
    assert (
        "缺少必需列「申请号」" in problem.reason and "发明名称" in problem.reason
    )  # names headers found
    assert str(path) in problem.message()


def test_malformed_date_row_is_quarantined_and_others_load(tmp_path: Path) -> None:
    bad = list(GOOD_PATENTS[1])
    bad[5] = "2021-13-45"
    path = write_csv(tmp_path / "p.csv", [PATENT_HEADER, GOOD_PATENTS[0], bad, GOOD_PATENTS[2]])
    reading = read_table(path)
    items = list(reading)
    records, problems = split(items)
    assert len(records) == 2 and len(problems) == 1
    [q] = problems
    assert q.row == 2 and q.field == "申请日" and "日期" in q.reason
    assert q.source_key == "CN202120654321.9"  # known before the bad field
    assert q.message().startswith(f"{path}:2 [申请日]: ")
    assert q.raw and q.raw["申请日"] == "2021-13-45"
    assert_accounted(reading, items)


def test_bad_rows_of_every_kind(tmp_path: Path) -> None:
    cases = {
        "patent": (
            [*PATENT_HEADER],
            ["CN202110123456.3", "标题", "", "", "", "", ""],
            "申请号",
            "校验位",
        ),
        "demand": (
            ["企业名称", "需求名称", "预算", "批次"],
            ["某公司", "需求", "很多", "2026H1"],
            "预算",
            "预算",
        ),
        "enterprise": (
            ["企业名称", "统一社会信用代码"],
            ["某公司", "91440300708461136X"],
            "统一社会信用代码",
            "校验位",
        ),
        "achievement": (
            ["成果名称", "完成单位", "是否开放许可"],
            ["成果", "某大学", "也许"],
            "是否开放许可",
            "是/否",
        ),
    }
    for kind, (header, row, field, word) in cases.items():
        path = write_csv(tmp_path / f"{kind}.csv", [header, row])
        [q] = list(iter_records(path, kind=kind))
        assert (
            isinstance(q, Quarantined) and q.row == 1 and q.field == field and word in q.reason
        ), (kind, q)


def test_blank_required_value(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "d.csv", [["企业名称", "需求名称"], ["某公司", ""], ["某公司", "寒地播种"]]
    )
    records, problems = split(list(iter_records(path)))
    assert len(records) == 1 and problems[0].field == "需求名称" and "必填" in problems[0].reason


def test_too_long_title_is_a_row_problem(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [["企业名称", "需求名称"], ["某公司", "长" * 600]])
    [q] = list(iter_records(path))
    assert isinstance(q, Quarantined) and q.field == "需求名称" and "500" in q.reason


def test_unquoted_comma_shifts_are_caught(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "企业名称,需求名称,技术领域\n某公司,寒地播种,农机\n某公司,耐寒管材,新材料,化工\n",
        encoding="utf-8",
    )
    records, problems = split(list(iter_records(path)))
    assert len(records) == 1 and problems[0].row == 2 and "没有表头" in problems[0].reason


def test_phone_numbers_are_masked_in_quarantine(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "d.csv",
        [
            ["企业名称", "需求名称", "联系电话", "截止日期"],
            ["某公司", "需求", "13812345678", "明年"],
        ],
    )
    [q] = list(iter_records(path))
    assert q.raw["联系电话"] == "138****5678"


@pytest.mark.parametrize(
    ("content", "word"),
    [
        (b"", "为空"),
        (b"\n\n  \n", "为空"),
        ("申请号,发明名称\n".encode(), "没有数据行"),
        (b"a,b\n1,2\n", "表头"),
    ],
)
def test_file_level_problems(tmp_path: Path, content: bytes, word: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    reading = read_table(path)
    items = list(reading)
    assert len(items) == 1 and isinstance(items[0], Quarantined) and word in items[0].reason
    assert items[0].row is None and reading.stats.file_problems == 1


def test_missing_file_and_unknown_kind(tmp_path: Path) -> None:
    [q] = list(iter_records(tmp_path / "nope.csv"))
    assert isinstance(q, Quarantined) and "不存在" in q.reason
    with pytest.raises(IngestError, match="patent, demand"):
        read_table(tmp_path / "nope.csv", kind="patents")


def test_wrong_kind_is_a_file_problem(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [PATENT_HEADER, *GOOD_PATENTS])
    [q] = list(iter_records(path, kind="enterprise"))
    assert isinstance(q, Quarantined) and "企业名录" in q.reason


def test_broken_csv_quotes_are_row_problems(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "企业名称,需求名称,需求内容\n"
        '某公司,寒地播种,"多行\n内容"\n'  # a legitimate multi-line cell
        '某公司,"一种"新型"装置",x\n'  # a stray quote inside a quoted cell
        "某公司,耐寒管材,y\n"
        '某公司,"未闭合,z\n'  # an unterminated quote swallows the rest of the file
        "某公司,被吞掉的行,w\n",
        encoding="utf-8",
    )
    reading = read_table(path)
    items = list(reading)
    records, problems = split(items)
    assert [r.title for r in records] == ["寒地播种", "耐寒管材"]
    assert records[0].content == "多行\n内容"
    assert [q.row for q in problems] == [2, 4]
    assert (
        "第4行" in problems[0].reason
        and "第6–7行" in problems[1].reason
        and "引号" in problems[1].reason
    )
    assert_accounted(reading, items)


# --------------------------------------------------------------------------- JSON Lines


def test_jsonl_with_a_broken_line(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "application_number": "CN202110123456.7",
                "title": "A",
                "applicants": ["甲（集团）, 乙"],
            },
            ensure_ascii=False,
        ),
        '{"application_number": "CN202120654321.9", "title": ',
        "",
        json.dumps(
            {"申请号": "202230111222.6", "发明名称": "C", "法律状态": "有效", "extra": 1},
            ensure_ascii=False,
        ),
        "[1, 2]",
        json.dumps({"title": "no number"}),
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reading = read_table(path)
    items = list(reading)
    records, problems = split(items)
    assert [r.source_key for r in records] == ["CN202110123456.7", "CN202230111222.6"]
    assert records[0].applicants == ["甲（集团）, 乙"]  # list items are not split again
    assert [(q.row, q.field) for q in problems] == [(2, None), (5, None), (6, "申请号")]
    assert "JSON" in problems[0].reason and "缺少" in problems[2].reason
    assert reading.stats.blank_rows == 1 and "extra" in reading.tables[0].ignored
    assert_accounted(reading, items)


# --------------------------------------------------------------------------- keys and accounting


def test_demand_keys_do_not_depend_on_row_order(tmp_path: Path) -> None:
    header = ["企业名称", "需求名称", "批次"]
    rows = [
        ["某公司（集团）", "寒地 播种", "2026上"],
        ["另一公司", "耐寒管材", "2026年下半年"],
        ["某公司(集团)", "寒地播种", "2026H2"],
    ]
    a = [r.source_key for r in iter_records(write_csv(tmp_path / "a.csv", [header, *rows]))]
    b = [
        r.source_key for r in iter_records(write_csv(tmp_path / "b.csv", [header, *reversed(rows)]))
    ]
    assert sorted(a) == sorted(b)
    assert a[0] == a[2] == "某公司(集团)|寒地播种"  # same demand, two batches: one key
    reading = read_table(tmp_path / "a.csv")
    list(reading)
    assert reading.stats.duplicate_keys == 1


def test_enterprise_keys(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["企业名称", "统一社会信用代码", "企业规模", "专精特新", "高新技术企业"],
            ["某科技有限公司", "91440300708461136t", "中小企业", "小巨人", "是"],
            ["某 农机 公司", "", "龙头", "否", "否"],
        ],
    )
    first, second = list(iter_records(path))
    assert first.source_key == first.credit_code == "91440300708461136T"
    assert (first.specialised, first.little_giant, first.high_tech) == (True, True, True)
    assert second.source_key == "某农机公司" and second.scale == "龙头企业"


def test_achievement_patent_references(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["成果名称", "完成单位", "关联专利", "是否开放许可"],
            [
                "寒地农机系统",
                "哈尔滨工业大学；某公司",
                "ZL202110123456.7、CN112345678A、一种大豆蛋白提取工艺",
                "是",
            ],
        ],
    )
    [rec] = list(iter_records(path))
    assert rec.patents == ["CN202110123456.7", "CN112345678A", "一种大豆蛋白提取工艺"]
    assert rec.open_licence is True and rec.source_key == "寒地农机系统|哈尔滨工业大学"


def test_every_row_is_accounted_for(tmp_path: Path) -> None:
    rng = random.Random(7)
    dates = ["2021-03-05", "2021/3/5", "bad", "", "2021-02-30", "20210305"]
    numbers = ["CN202110123456.7", "202120654321.9", "CN202110123456.3", "", "x"]
    rows: list[list[object]] = [["标题行"], PATENT_HEADER]
    for _ in range(300):
        if rng.random() < 0.1:
            rows.append([])
            continue
        rows.append(
            [
                rng.choice(numbers),
                rng.choice(["题目", ""]),
                "甲;乙",
                "丙",
                "",
                rng.choice(dates),
                rng.choice(["发明", "", "怪"]),
            ]
        )
    path = write_csv(tmp_path / "mixed.csv", rows)
    reading = read_table(path)
    items = list(reading)
    non_blank = sum(1 for r in rows[2:] if r)
    assert reading.stats.rows == non_blank
    assert reading.stats.blank_rows == 300 - non_blank
    assert sorted(i.row for i in items) == [n for n, r in enumerate(rows[2:], 1) if r]
    assert_accounted(reading, items)


def test_memory_stays_flat(tmp_path: Path) -> None:
    """Rows are streamed: peak memory while reading a 12 MB file stays far below its size."""
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["企业名称", "需求名称", "需求内容"])
        for i in range(200):
            writer.writerow([f"企业{i}", f"需求{i}", "内容" * 10_000])
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_records(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 200
    assert peak < size / 2, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"


# --------------------------------------------------------------------------- examples and corpus


@pytest.mark.parametrize(
    "name",
    [
        "patents.csv",
        "patents_gbk.csv",
        "patents.xlsx",
        "patents.jsonl",
        "demands.csv",
        "demands.xlsx",
        "enterprises.csv",
        "achievements.csv",
    ],
)
def test_documented_examples_load_cleanly(name: str) -> None:
    reading = read_table(EXAMPLES / name)
    items = list(reading)
    records, problems = split(items)
    assert records and not problems, [p.message() for p in problems]
    assert reading.kind == name.split("_")[0].split(".")[0].rstrip("s")


@pytest.mark.shared_data
def test_ccf_corpus_loads_without_loss() -> None:
    path = shared_data("demands", "requirements_ccf_bdci_2019.csv")
    reading = read_table(path)
    items = list(reading)
    records, problems = split(items)
    assert reading.stats.format == "ccf" and not problems
    assert len(records) == 371 and len({r.source_key for r in records}) == 371
    assert all(isinstance(r, DemandRecord) and r.enterprise is None and r.title for r in records)
    assert "\\n" not in records[1].content and "\n" in records[1].content
    # the wrapped ccf_demands reader and this module's line fallback agree on every line
    theirs = read_ccf_demands(path)
    lines = [line for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    mine = [parse_ccf_line(line, str(path), n) for n, line in enumerate(lines, 1)]
    assert [(r.source_key, r.title, r.content) for r in records] == [
        (m.source_key, m.title, m.content) for m in mine
    ]
    assert [d.guid for d in theirs] == [r.source_key for r in records]


def test_ccf_fallback_quarantines_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "ccf.csv"
    path.write_text(
        "'13a581e1-2d7e-4c8d-b350-e3ab36dbe6a0' , '防爆锂离子电池的研发' , '第一行\\n第二行' \r\n"
        "\r\n"
        "这一行不是记录\r\n"
        "'fe5abf02-4272-40fd-8b6e-a4e827c7e762' , '高韧性CBN单晶' , '' \r\n",
        encoding="utf-8",
    )
    reading = read_table(path)
    items = list(reading)
    records, problems = split(items)
    assert [r.title for r in records] == ["防爆锂离子电池的研发", "高韧性CBN单晶"]
    assert records[0].content == "第一行\n第二行" and records[1].content == ""
    assert [q.row for q in problems] == [2] and reading.stats.blank_rows == 1
    assert_accounted(reading, items)


def test_utf16_tab_separated_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    text = "\r\n".join("\t".join(r) for r in [PATENT_HEADER, *GOOD_PATENTS])
    path.write_bytes(text.encode("utf-16"))  # with BOM, as Excel's "Unicode text"
    reading = read_table(path)
    assert len(split(list(reading))[0]) == 3
    assert (reading.stats.encoding, reading.stats.delimiter) == ("utf-16", "\t")


def test_formats_doc_lists_exactly_the_accepted_headers() -> None:
    """docs/formats.md's alias tables are the specs, so the docs cannot drift from the code."""
    from ingest.readers import SPECS

    doc = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    for kind, spec in SPECS.items():
        section = doc.split(f'(`kind="{kind}"`')[1].split("\n## ")[0]
        rows = [line for line in section.splitlines() if line.startswith("| `")]
        documented = {}
        for line in rows:
            field, label, aliases, required = (c.strip() for c in line.strip("|").split("|"))
            documented[field.strip("`")] = (
                label,
                tuple(a for a in aliases.split("、") if a),
                required == "是",
            )
        expected = {c.field: (c.label, c.aliases, c.required) for c in spec.columns}
        assert documented == expected, kind
