"""CV reader (简历): every format, the messy variants of real CVs, and bad input.

The shipped examples under ``docs/examples/cv_*`` are part of the contract: the format
documentation quotes them.  ``cv_table.docx`` and ``cv_text_layer.pdf`` were written with
:func:`make_docx` and :func:`make_pdf` below (``python -m tests.unit.test_readers_cv``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.readers import cv_text
from ingest.readers.cv import CV_SUFFIXES, cv_from_mapping, read_cv
from ingest.readers.cv_text import (
    find_patent_numbers,
    normalize_degree,
    normalize_patent_number,
    normalize_phone,
    normalize_titles,
    parse_cv_text,
    parse_year_range,
    split_organization,
)
from ingest.records import CVRecord, Quarantined

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"
DEMO_CVS = REPO / "ingest" / "demo" / "cvs"

SCAN_REASON = "PDF 无文本层（可能是扫描件），需先 OCR"


# --------------------------------------------------------------------------- helpers


def make_pdf(lines: list[str], path: Path | None = None) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Chinese included), no dependencies.

    The font is the Adobe standard CJK font STSong-Light with the predefined UTF-16 CMap
    (``UniGB-UTF16-H``), so viewers render it and pypdf decodes it without embedded fonts.
    """

    def utf16_hex(text: str) -> str:
        return "<" + text.encode("utf-16-be").hex().upper() + ">"

    ops = ["BT", "/F1 11 Tf", "15 TL", "50 800 Td"]
    ops += [f"{utf16_hex(line)} Tj T*" for line in lines]
    ops.append("ET")
    content = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        b"/FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    if path is not None:
        path.write_bytes(bytes(out))
    return bytes(out)


def make_blank_pdf(path: Path) -> None:
    """A PDF with a page and no text layer, like a scan without OCR."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with path.open("wb") as handle:
        writer.write(handle)


def make_docx(path: Path) -> None:
    """A Word CV as offices fill them in: a title, a label/value table, headed paragraphs."""
    import docx

    document = docx.Document()
    document.add_paragraph("个人简历")
    table = document.add_table(rows=4, cols=4)
    rows = [
        ["姓名", "王建国", "性别", "男"],
        ["出生年月", "1975.03", "职称", "研究员，博士生导师"],
        ["工作单位", "黑龙江省农业科学院耕作栽培研究所", "电子邮箱", "wangjg@example.org.cn"],
        ["手机", "13800000007", "所在团队", "寒地耕作团队（负责人）"],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("研究方向：黑土地保护、寒地水稻栽培")
    document.add_paragraph("教育经历")
    education = document.add_table(rows=3, cols=4)
    for r, row in enumerate(
        [
            ["起止时间", "学校", "专业", "学位"],
            ["1993-1997", "东北农业大学", "农学", "学士"],
            ["1997-2003", "东北农业大学", "作物栽培学与耕作学", "博士"],
        ]
    ):
        for c, value in enumerate(row):
            education.cell(r, c).text = value
    document.add_paragraph("工作经历")
    document.add_paragraph("2003-至今 黑龙江省农业科学院 耕作栽培研究所 研究员")
    document.add_paragraph("授权专利")
    document.add_paragraph("1. 一种寒地水稻旱直播装置，ZL202220111222.0")
    document.save(str(path))


PDF_LINES = [
    "姓名：刘洋",
    "性别：男",
    "出生年月：1980年2月",
    "职称：副教授，硕士生导师",
    "工作单位：黑龙江大学电子工程学院",
    "研究方向：集成电路设计；功率半导体",
    "教育经历：",
    "1998.09-2002.07 哈尔滨工业大学 微电子学 学士",
    "2002.09-2007.07 哈尔滨工业大学 微电子学与固体电子学 博士",
    "工作经历：",
    "2007.07-至今 黑龙江大学 电子工程学院 副教授",
    "授权专利：",
    "1. 一种功率器件驱动电路，CN201810345678.1",
    "联系方式：电话 13800000008，邮箱 liuyang@example.edu.cn",
]


def only(records: list[CVRecord | Quarantined]) -> CVRecord | Quarantined:
    assert len(records) == 1, records
    return records[0]


def parse(text: str, key: str = "t") -> CVRecord | Quarantined:
    return parse_cv_text(text, source=f"{key}.txt", source_key=key)


# --------------------------------------------------------------------------- text formats


def test_faculty_page_txt() -> None:
    rec = only(list(read_cv(EXAMPLES / "cv_faculty.txt")))
    assert isinstance(rec, CVRecord)
    assert rec.source_key == "cv_faculty"
    assert (rec.name, rec.gender, rec.birth_year, rec.birth_date) == ("张伟", "男", 1978, "1978-05")
    assert rec.titles == ["教授", "博导"]
    assert rec.employer is not None
    assert (rec.employer.organization, rec.employer.unit) == (
        "哈尔滨工业大学",
        "计算机科学与技术学院",
    )
    assert (rec.employer.title, rec.employer.start, rec.employer.end) == ("教授", 2010, None)
    assert (rec.team, rec.team_role) == ("智能感知团队", "负责人")
    assert [(p.organization, p.unit, p.title, p.start, p.end) for p in rec.positions] == [
        ("东北林业大学", "信息与计算机工程学院", "讲师", 2005, 2010),
        ("哈尔滨工业大学", "计算机科学与技术学院", "教授", 2010, None),
    ]
    assert [(e.school, e.major, e.degree, e.start, e.end) for e in rec.education] == [
        ("吉林大学", "软件工程", "学士", 1997, 2001),
        ("哈尔滨工业大学", "计算机科学与技术", "博士", 2001, 2005),
    ]
    assert rec.research_directions == ["知识图谱", "机器学习", "智能感知"]
    assert [(p.name, p.year, p.funder) for p in rec.projects] == [
        ("寒地农业生产异常检测的知识图谱方法研究", 2021, "国家自然科学基金面上项目"),
        ("冰雪旅游客流预测关键技术", 2019, "黑龙江省重点研发计划"),
    ]
    assert rec.patents == ["CN202110123456.7", "CN202120654321.9"]
    assert rec.awards == ["2020年 黑龙江省科学技术奖二等奖"]
    assert (rec.phone, rec.email, rec.language) == ("13800000001", "zhangwei@example.edu.cn", "zh")
    assert rec.text is not None and "智能感知团队" in rec.text


def test_heading_variants_fullwidth_and_year_ranges() -> None:
    """姓  名 with spaces, 【】 headings, 学习经历 / 工作履历 / 研究领域 / 代表性专利, E-mail."""
    rec = only(list(read_cv(EXAMPLES / "cv_messy.txt")))
    assert isinstance(rec, CVRecord)
    assert (rec.name, rec.gender, rec.birth_year, rec.birth_date) == ("李明", "女", 1982, "1982-03")
    assert rec.titles == ["副教授", "硕导"]
    assert rec.employer is not None
    assert (rec.employer.organization, rec.employer.unit) == ("东北农业大学", "工程学院")
    assert (rec.employer.role, rec.employer.start) == ("副院长", 2015)
    assert [(e.school, e.major, e.degree, e.start, e.end) for e in rec.education] == [
        ("东北农业大学", "农业机械化及其自动化", "学士", 2000, 2004),
        ("中国农业大学", "农业工程", "博士", 2004, 2009),
    ]
    assert [(p.title, p.start, p.end) for p in rec.positions] == [
        ("讲师", 2009, 2015),
        ("副教授", 2015, None),
    ]
    assert rec.research_directions == ["智能农机装备", "寒地水稻精准播种"]
    assert rec.patents == ["CN201910234567.8", "CN201810345678.1"]
    assert (rec.phone, rec.email) == ("13800000002", "liming@example.edu.cn")
    assert rec.awards == []  # the papers section does not leak into other fields


def test_prose_cv() -> None:
    rec = only(list(read_cv(EXAMPLES / "cv_prose.txt")))
    assert isinstance(rec, CVRecord)
    assert (rec.name, rec.gender, rec.birth_year) == ("王建国", "男", 1975)
    assert rec.titles == ["研究员", "博导"]
    assert rec.employer is not None
    assert (rec.employer.organization, rec.employer.unit) == (
        "黑龙江省农业科学院",
        "土壤肥料与环境资源研究所",
    )
    assert (rec.employer.title, rec.employer.role) == ("研究员", "所长")
    assert (rec.team, rec.team_role) == ("黑土地保护团队", "负责人")
    assert [(e.school, e.major, e.degree, e.end) for e in rec.education] == [
        ("东北农业大学", "土壤学", "博士", 2003)
    ]
    assert ("东北林业大学", "林学院", "副教授", 2003, 2008) in [
        (p.organization, p.unit, p.title, p.start, p.end) for p in rec.positions
    ]
    assert rec.research_directions == ["黑土地保护", "寒地作物养分管理"]
    assert rec.awards == ["黑龙江省科技进步一等奖", "全国农牧渔业丰收奖二等奖"]
    assert (rec.phone, rec.email) == ("0451-80000003", "wangjg@example.org.cn")


def test_english_markdown_cv() -> None:
    rec = only(list(read_cv(EXAMPLES / "cv_english.md")))
    assert isinstance(rec, CVRecord)
    assert rec.language == "en"
    assert (rec.name, rec.name_en, rec.gender) == ("李娜", "Na Li", "女")
    assert rec.titles == ["副教授", "硕导"]
    assert rec.employer is not None
    assert rec.employer.organization == "Harbin Engineering University"
    assert rec.employer.unit == "College of Intelligent Systems Science and Engineering"
    assert rec.employer.start == 2019
    assert [(e.school, e.degree, e.major, e.end) for e in rec.education] == [
        ("Harbin Engineering University", "学士", "Automation", 2010),
        ("Harbin Institute of Technology", "博士", "Control Science and Engineering", 2015),
    ]
    assert [(p.title, p.start, p.end) for p in rec.positions] == [
        ("讲师", 2015, 2019),
        ("副教授", 2019, None),
    ]
    assert rec.research_directions == ["Underwater robotics", "SLAM", "multi-sensor fusion"]
    assert rec.patents == ["CN201910234567.8"]
    assert (rec.phone, rec.email) == ("13800000004", "lina@example.edu.cn")


def test_english_prose() -> None:
    rec = parse(
        "Wei Zhang is a Professor and PhD Supervisor at the School of Computer Science and "
        "Technology, Harbin Institute of Technology. He received his Ph.D. in Computer Science "
        "from Harbin Institute of Technology in 2005. His research interests include knowledge "
        "graphs, machine learning and intelligent sensing."
    )
    assert isinstance(rec, CVRecord)
    assert (rec.name, rec.language, rec.titles) == ("Wei Zhang", "en", ["教授", "博导"])
    assert rec.employer is not None
    assert rec.employer.organization == "Harbin Institute of Technology"
    assert [(e.school, e.degree, e.major, e.end) for e in rec.education] == [
        ("Harbin Institute of Technology", "博士", "Computer Science", 2005)
    ]
    assert rec.research_directions == [
        "knowledge graphs",
        "machine learning",
        "intelligent sensing",
    ]


def test_english_cv_without_name_heading_uses_the_first_line() -> None:
    rec = parse(
        "Curriculum Vitae\nHong Wang\nTitle: Professor\nAffiliation: Harbin Engineering University\n"
    )
    assert isinstance(rec, CVRecord)
    assert (rec.name, rec.titles) == ("Hong Wang", ["教授"])


def test_gb18030_text_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("姓名：赵敏\n职称：讲师\n工作单位：黑龙江大学\n".encode("gb18030"))
    rec = only(list(read_cv(path)))
    assert isinstance(rec, CVRecord)
    assert (rec.name, rec.titles) == ("赵敏", ["讲师"])


def test_inline_fields_and_tables_in_markdown() -> None:
    rec = parse(
        "| 姓名 | 孙强 | 性别 | 男 |\n|---|---|---|---|\n| 职称 | 高级工程师 | 手机 | 13800000009 |\n"
        "工作单位：哈尔滨电机厂有限责任公司技术中心\n"
    )
    assert isinstance(rec, CVRecord)
    assert (rec.name, rec.gender, rec.titles, rec.phone) == (
        "孙强",
        "男",
        ["高级工程师"],
        "13800000009",
    )
    assert rec.employer is not None
    assert (rec.employer.organization, rec.employer.unit) == (
        "哈尔滨电机厂有限责任公司",
        "技术中心",
    )


def test_sub_headings_stay_in_their_section_and_single_fields_combine() -> None:
    rec = parse(
        "姓名：张伟\n主持项目：\n国家级项目：\n"
        "1. 国家自然科学基金面上项目“寒地作物表型识别方法研究”（2021）\n"
        "省部级项目：\n2. 黑龙江省自然科学基金“黑土保护监测”（2019）\n"
        "学术兼职：\n中国人工智能学会理事\n"
        "毕业院校：东北农业大学\n学历：博士\n专业：农业工程专业\n"
    )
    assert isinstance(rec, CVRecord)
    assert [(p.name, p.year) for p in rec.projects] == [
        ("寒地作物表型识别方法研究", 2021),
        ("黑土保护监测", 2019),
    ]
    assert rec.awards == []
    assert [(e.school, e.degree, e.major) for e in rec.education] == [
        ("东北农业大学", "博士", "农业工程")
    ]


def test_value_on_the_line_after_its_label() -> None:
    rec = parse("姓名\n张伟\n职称\n副教授\n工作单位\n东北林大机电工程学院\n")
    assert isinstance(rec, CVRecord)
    assert (rec.name, rec.titles) == ("张伟", ["副教授"])
    assert rec.employer is not None
    assert (rec.employer.organization, rec.employer.unit) == ("东北林大", "机电工程学院")


# --------------------------------------------------------------------------- docx, pdf


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "wang.docx"
    make_docx(path)
    rec = only(list(read_cv(path)))
    assert isinstance(rec, CVRecord)
    assert (rec.source_key, rec.name, rec.gender, rec.birth_date) == (
        "wang",
        "王建国",
        "男",
        "1975-03",
    )
    assert rec.titles == ["研究员", "博导"]
    assert rec.employer is not None
    assert (rec.employer.organization, rec.employer.unit, rec.employer.start) == (
        "黑龙江省农业科学院",
        "耕作栽培研究所",
        2003,
    )
    assert (rec.team, rec.team_role) == ("寒地耕作团队", "负责人")
    assert [(e.school, e.major, e.degree) for e in rec.education] == [
        ("东北农业大学", "农学", "学士"),
        ("东北农业大学", "作物栽培学与耕作学", "博士"),
    ]
    assert rec.patents == ["CN202220111222.0"]
    assert (rec.phone, rec.email) == ("13800000007", "wangjg@example.org.cn")


def test_shipped_docx_and_pdf_examples() -> None:
    docx_rec = only(list(read_cv(EXAMPLES / "cv_table.docx")))
    pdf_rec = only(list(read_cv(EXAMPLES / "cv_text_layer.pdf")))
    assert isinstance(docx_rec, CVRecord) and docx_rec.name == "王建国"
    assert isinstance(pdf_rec, CVRecord) and pdf_rec.name == "刘洋"


def test_pdf_with_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "liu.pdf"
    make_pdf(PDF_LINES, path)
    rec = only(list(read_cv(path)))
    assert isinstance(rec, CVRecord)
    assert (rec.name, rec.titles) == ("刘洋", ["副教授", "硕导"])
    assert rec.employer is not None
    assert (rec.employer.organization, rec.employer.unit, rec.employer.start) == (
        "黑龙江大学",
        "电子工程学院",
        2007,
    )
    assert [(e.start, e.end, e.degree) for e in rec.education] == [
        (1998, 2002, "学士"),
        (2002, 2007, "博士"),
    ]
    assert rec.research_directions == ["集成电路设计", "功率半导体"]
    assert rec.patents == ["CN201810345678.1"]


def test_pdf_without_text_layer_is_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    make_blank_pdf(path)
    bad = only(list(read_cv(path)))
    assert isinstance(bad, Quarantined)
    assert bad.source == str(path)
    assert bad.reason.startswith(SCAN_REASON)
    assert "OCR" in bad.message()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.pdf", b"%PDF-1.4\nnot really a pdf"),
        ("broken.docx", b"PK\x03\x04 not a zip"),
        ("empty.docx", b""),
    ],
)
def test_corrupt_office_files_are_quarantined(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    bad = only(list(read_cv(path)))
    assert isinstance(bad, Quarantined)
    assert "无法读取" in bad.reason and "corrupt" in bad.reason


def test_spaced_out_pdf_text_is_joined(tmp_path: Path) -> None:
    spaced = [" ".join(line) if not line.startswith(("19", "20")) else line for line in PDF_LINES]
    path = tmp_path / "spaced.pdf"
    make_pdf(spaced, path)
    rec = only(list(read_cv(path)))
    assert isinstance(rec, CVRecord)
    assert rec.name == "刘洋"


# --------------------------------------------------------------------------- structured


def test_structured_json_example() -> None:
    rec = only(list(read_cv(EXAMPLES / "cv_structured.json")))
    assert isinstance(rec, CVRecord)
    assert rec.source_key == "cv-example-001"
    assert rec.titles == ["副教授", "硕导"]
    assert (rec.team, rec.team_role) == ("生物质复合材料团队", "成员")
    assert rec.employer is not None and rec.employer.start == 2018
    assert rec.patents == ["CN202310876543.9"]
    assert rec.text and "生物质复合材料" in rec.text and "13800000005" not in rec.text


def test_structured_yaml_example_splits_org_and_unit() -> None:
    rec = only(list(read_cv(EXAMPLES / "cv_structured.yaml")))
    assert isinstance(rec, CVRecord)
    assert rec.source_key == "cv-example-002"
    assert rec.employer is not None
    assert (rec.employer.organization, rec.employer.unit) == (
        "哈尔滨北方农业装备股份有限公司",
        "研究院",
    )
    assert rec.phone == "13800000006"


def test_jsonl_example_mixes_structured_english_and_text() -> None:
    records = list(read_cv(EXAMPLES / "cv_batch.jsonl"))
    assert all(isinstance(r, CVRecord) for r in records)
    assert [(r.source_key, r.row, r.name, r.language) for r in records] == [
        ("cv-example-101", 1, "周杰", "zh"),
        ("cv-example-102", 2, "Hong Wang", "en"),
        ("cv-example-103", 3, "刘洋", "zh"),
    ]
    english = records[1]
    assert (english.titles, english.team, english.team_role) == (
        ["教授", "博导"],
        "Space Robotics",
        "负责人",
    )
    from_text = records[2]
    assert from_text.employer is not None and from_text.employer.role == "副院长"


def test_broken_jsonl_line_is_quarantined_and_the_rest_loads(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"name": "赵敏", "titles": ["副教授"]}, ensure_ascii=False),
                '{"name": "孙强", "titles": [broken',
                "",
                json.dumps({"name": "钱进", "birth_year": "abc"}, ensure_ascii=False),
                json.dumps({"titles": ["教授"], "phone": "13800000010"}, ensure_ascii=False),
                json.dumps({"source_id": "x-9", "name": "周杰"}, ensure_ascii=False),
                "[1, 2]",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    records = list(read_cv(path))
    assert [type(r).__name__ for r in records] == [
        "CVRecord",
        "Quarantined",
        "Quarantined",
        "Quarantined",
        "CVRecord",
        "Quarantined",
    ]
    first, broken, bad_year, no_name, keyed, not_object = records
    assert (first.source_key, first.row) == ("batch:1", 1)
    assert (broken.row, broken.field, broken.source) == (2, None, str(path))
    assert "JSON 格式错误" in broken.reason and "invalid JSON" in broken.reason
    assert (bad_year.row, bad_year.field) == (4, "birth_year")
    assert "不符合简历格式" in bad_year.reason and "schema violation" in bad_year.reason
    assert (no_name.row, no_name.field) == (5, "name")
    assert no_name.raw == {"titles": ["教授"], "phone": "138****0010"}  # personal data masked
    assert (keyed.source_key, keyed.row) == ("x-9", 6)
    assert not_object.row == 7 and "object" in not_object.reason


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"name": "张伟", "positions": [{"unit": "信息学院"}]}, "positions.0.organization"),
        ({"name": "张伟", "education": "哈工大"}, "education"),
        ({"name": "张伟", "gender": "未知"}, "gender"),
        ({"name": "张伟", "language": "fr"}, "language"),
        ({"name": "张伟", "birth_year": 1789}, "birth_year"),
        (
            {
                "name": "张伟",
                "employer": {"organization": "哈工大", "role": "顾问"},
                "team_role": "顾问",
            },
            "team_role",
        ),
    ],
)
def test_schema_violations_name_the_field(document: dict, field: str) -> None:
    bad = cv_from_mapping(document, source="x.json", default_key="x")
    assert isinstance(bad, Quarantined)
    assert bad.field == field
    assert field in bad.reason


def test_invalid_json_and_yaml_files(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"name": ', encoding="utf-8")
    (tmp_path / "b.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    bad_json = only(list(read_cv(tmp_path / "a.json")))
    bad_yaml = only(list(read_cv(tmp_path / "b.yaml")))
    assert isinstance(bad_json, Quarantined) and "JSON 格式错误" in bad_json.reason
    assert isinstance(bad_yaml, Quarantined) and "YAML 格式错误" in bad_yaml.reason


def test_structured_values_are_normalised() -> None:
    rec = cv_from_mapping(
        {
            "name": "张  伟",
            "gender": "male",
            "birth_year": "1978年",
            "birth_date": "1978.5",
            "titles": "教授、博士生导师",
            "employer": {"organization": "哈尔滨工业大学计算机科学与技术学院"},
            "positions": [
                {"organization": "哈工大", "title": "Professor", "start": "2010.09", "end": "至今"}
            ],
            "education": [{"school": "哈尔滨工业大学", "degree": "Ph.D."}],
            "patents": [
                "ZL 202110123456.7",
                {"application_number": "201710601862"},
                "CN202110123456.3",
            ],
            "phone": 13800000011,
            "email": "ZW@EXAMPLE.EDU.CN",
        },
        source="x.json",
        default_key="x",
    )
    assert isinstance(rec, CVRecord)
    assert (rec.name, rec.gender, rec.birth_year, rec.birth_date) == ("张伟", "男", 1978, "1978-05")
    assert rec.titles == ["教授", "博导"]
    assert rec.employer is not None
    assert (rec.employer.organization, rec.employer.unit, rec.employer.start) == (
        "哈尔滨工业大学",
        "计算机科学与技术学院",
        2010,
    )
    assert [(p.title, p.start, p.end) for p in rec.positions] == [("教授", 2010, None)]
    assert rec.education[0].degree == "博士"
    # a wrong check digit is a typo: dropped, like the patent reader refuses it
    assert rec.patents == ["CN202110123456.7", "CN201710601862.3"]
    assert (rec.phone, rec.email) == ("13800000011", "zw@example.edu.cn")


# --------------------------------------------------------------------------- pieces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2005-2010 东北林业大学", (2005, 2010, False)),
        ("2005.09-2010.07 东北林业大学", (2005, 2010, False)),
        ("2005年9月—2010年7月", (2005, 2010, False)),
        ("2005/09 ~ 2010/07", (2005, 2010, False)),
        ("2005年—至今", (2005, None, True)),
        ("2005至今", (2005, None, True)),
        ("2015-今", (2015, None, True)),
        ("2010 - present", (2010, None, True)),
        ("Sep. 2005 – Jul. 2010", (2005, 2010, False)),
        ("2018-", (2018, None, True)),
        ("2012年起", (2012, None, True)),
        ("since 2012", (2012, None, True)),
        ("2005 哈尔滨工业大学 博士", (2005, None, False)),
    ],
)
def test_year_ranges(text: str, expected: tuple[int, int | None, bool]) -> None:
    years = parse_year_range(text)
    assert years is not None
    assert (years.start, years.end, years.open_end) == expected


def test_year_range_in_a_cv_line() -> None:
    rec = parse(
        "姓名：张伟\n工作经历：\n2005.09-2010.07 东北林业大学 讲师\n2010年—至今 哈尔滨工业大学 教授"
    )
    assert isinstance(rec, CVRecord)
    assert [(p.start, p.end) for p in rec.positions] == [(2005, 2010), (2010, None)]
    assert rec.employer is not None and rec.employer.organization == "哈尔滨工业大学"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("哈尔滨工业大学计算机科学与技术学院", ("哈尔滨工业大学", "计算机科学与技术学院")),
        ("哈尔滨工业大学 计算机科学与技术学院", ("哈尔滨工业大学", "计算机科学与技术学院")),
        ("东北林业大学信息与计算机工程学院", ("东北林业大学", "信息与计算机工程学院")),
        ("黑龙江工程学院计算机科学与技术学院", ("黑龙江工程学院", "计算机科学与技术学院")),
        (
            "哈尔滨工业大学（威海）信息科学与工程学院",
            ("哈尔滨工业大学（威海）", "信息科学与工程学院"),
        ),
        (
            "中国科学院长春光学精密机械与物理研究所",
            ("中国科学院长春光学精密机械与物理研究所", None),
        ),
        (
            "黑龙江省农业科学院土壤肥料与环境资源研究所",
            ("黑龙江省农业科学院", "土壤肥料与环境资源研究所"),
        ),
        ("哈工大机器人技术与系统国家重点实验室", ("哈工大", "机器人技术与系统国家重点实验室")),
        ("哈尔滨电机厂有限责任公司技术中心", ("哈尔滨电机厂有限责任公司", "技术中心")),
        ("哈尔滨体育学院", ("哈尔滨体育学院", None)),
        ("东林化工与化学学院", ("东林", "化工与化学学院")),  # two-character alias before a unit
        ("北大荒集团", ("北大荒集团", None)),  # ... and not otherwise
        ("博实电子生产技术部", ("博实电子", "生产技术部")),
        (
            "School of Computer Science, Harbin Institute of Technology, Harbin, China",
            ("Harbin Institute of Technology", "School of Computer Science"),
        ),
    ],
)
def test_organization_unit_split(written: str, expected: tuple[str, str | None]) -> None:
    assert split_organization(written) == expected


@pytest.mark.parametrize(
    ("text", "phone", "email"),
    [
        ("联系方式：电话 13812345678，邮箱 zhang@hit.edu.cn", "13812345678", "zhang@hit.edu.cn"),
        (
            "手机：138-1234-5678  E-mail：Zhang.Wei@HIT.edu.cn",
            "13812345678",
            "zhang.wei@hit.edu.cn",
        ),
        ("Tel: +86 138 1234 5678\nEmail: wzhang@hit.edu.cn", "13812345678", "wzhang@hit.edu.cn"),
        ("办公电话：(0451) 86412345\n电子邮箱：zw[at]hit.edu.cn", "0451-86412345", "zw@hit.edu.cn"),
        ("电话：0451-86412345，13812345678", "13812345678", None),
        ("邮箱：zw#hit.edu.cn", None, "zw@hit.edu.cn"),
    ],
)
def test_contact_fields(text: str, phone: str | None, email: str | None) -> None:
    rec = parse("姓名：张伟\n" + text)
    assert isinstance(rec, CVRecord)
    assert (rec.phone, rec.email) == (phone, email)


def test_id_number_is_extracted_and_not_taken_for_a_phone() -> None:
    rec = parse("姓名：张伟\n身份证号：23010219780512123X\n研究方向：知识图谱")
    assert isinstance(rec, CVRecord)
    assert (rec.id_number, rec.phone) == ("23010219780512123X", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("教授，博士生导师", ["教授", "博导"]),
        ("副教授、硕士研究生导师", ["副教授", "硕导"]),
        ("教授级高级工程师", ["正高级工程师"]),
        ("高工", ["高级工程师"]),
        ("中国工程院院士、教授", ["院士", "教授"]),
        ("副研究员", ["副研究员"]),
        ("总工程师", []),  # a role, not a title
        ("Associate Professor; Doctoral Supervisor", ["副教授", "博导"]),
    ],
)
def test_title_normalisation(text: str, expected: list[str]) -> None:
    assert normalize_titles(text) == expected


def test_job_title_kept_when_there_is_no_rank() -> None:
    rec = parse("姓名：李海岚\n职称：总工程师\n工作单位：大庆众恒复合材料有限公司 生产技术部")
    assert isinstance(rec, CVRecord)
    assert rec.titles == ["总工程师"]
    assert rec.employer is not None and rec.employer.title == "总工程师"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("工学博士", "博士"),
        ("本科", "学士"),
        ("硕士研究生", "硕士"),
        ("Ph.D.", "博士"),
        ("M.Sc.", "硕士"),
        ("B.Eng.", "学士"),
    ],
)
def test_degree_normalisation(text: str, expected: str) -> None:
    assert normalize_degree(text) == expected


def test_patent_numbers() -> None:
    text = "ZL 2017 1 0601862.3；CN201710601862；201810345678.1；CN201710601862.9；ZL98123456.9"
    assert find_patent_numbers(text) == ["CN201710601862.3", "CN201810345678.1", "CN98123456.9"]
    assert normalize_patent_number("201710601862") == "CN201710601862.3"
    assert normalize_patent_number("not a number") is None


def test_phone_normalisation() -> None:
    assert normalize_phone("+86 138-1234-5678") == "13812345678"
    assert normalize_phone("0451-86412345") == "0451-86412345"
    assert normalize_phone("no digits") is None


# --------------------------------------------------------------------------- bad text


@pytest.mark.parametrize("text", ["", "   \n\t", "研究方向：机器学习、知识图谱\n主持项目：无"])
def test_text_without_a_name_is_quarantined(text: str) -> None:
    bad = parse(text, key="anon")
    assert isinstance(bad, Quarantined)
    assert bad.source_key == "anon"
    assert ("姓名" in bad.reason) or ("为空" in bad.reason)


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "sheet.xls").write_bytes(b"x")
    doc = only(list(read_cv(tmp_path / "old.doc")))
    xls = only(list(read_cv(tmp_path / "sheet.xls")))
    missing = only(list(read_cv(tmp_path / "missing.txt")))
    assert isinstance(doc, Quarantined) and ".docx" in doc.reason
    assert isinstance(xls, Quarantined) and "不支持" in xls.reason
    assert isinstance(missing, Quarantined) and "不存在" in missing.reason
    assert {".txt", ".md", ".docx", ".pdf", ".json", ".jsonl", ".yaml", ".yml"} <= CV_SUFFIXES


# --------------------------------------------------------------------------- NER fallback


def test_ner_fills_a_name_the_rules_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp.ner import Entity

    text = "现任哈尔滨工业大学教授的欧阳明华长期从事机器人研究。"
    start = text.index("欧阳明华")

    def fake_entities(_text: str) -> list[Entity]:
        return [Entity("欧阳明华", "NAME", start, start + 4)]

    monkeypatch.setattr(cv_text, "_ner_entities", fake_entities)
    rec = parse(text)
    assert isinstance(rec, CVRecord) and rec.name == "欧阳明华"
    without = parse_cv_text(text, source="t.txt", source_key="t", use_ner=False)
    assert isinstance(without, Quarantined)


def test_ner_model_on_prose() -> None:
    if not cv_text.ner_available():
        pytest.skip(
            "résumé NER model not installed at nlp/models/resume_ner (nlp.ner.MODEL_DIR); "
            "rules-only extraction is tested above"
        )
    rec = parse("现任哈尔滨工业大学计算机科学与技术学院教授的王建国，长期从事知识图谱研究。")
    assert isinstance(rec, CVRecord)
    assert rec.name == "王建国"


# --------------------------------------------------------------------------- properties


_FRAGMENTS = st.sampled_from(
    [
        "姓名：",
        "姓 名",
        "张伟",
        "，",
        "、",
        "\n",
        "教授",
        "博士生导师",
        "哈尔滨工业大学",
        "计算机学院",
        "2005-2010",
        "2005.09—至今",
        "工作经历：",
        "教育经历",
        "【研究方向】",
        "CN202110123456.7",
        "ZL",
        "13812345678",
        "@",
        "hit.edu.cn",
        "（负责人）",
        "现任",
        "毕业于",
        "获博士学位",
        "|",
        "**",
        "Name:",
        "Professor",
        " at ",
        "University",
        "。",
        "１２３",
        "\u3000",
        "\x00",
        "\ufeff",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), st.lists(_FRAGMENTS, max_size=60).map("".join)))
def test_parse_cv_text_never_raises(text: str) -> None:
    rec = parse_cv_text(text, source="fuzz.txt", source_key="fuzz", use_ner=False)
    assert isinstance(rec, CVRecord | Quarantined)
    if isinstance(rec, CVRecord):
        assert rec.name and rec.source_key == "fuzz"


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "name",
                "titles",
                "employer",
                "positions",
                "education",
                "patents",
                "birth_year",
                "gender",
                "text",
                "language",
            ]
        ),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=30),
            lambda c: (
                st.lists(c, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["organization", "school", "name", "start"]), c, max_size=3
                )
            ),
            max_leaves=8,
        ),
    )
)
def test_structured_mapping_never_raises(document: dict) -> None:
    rec = cv_from_mapping(document, source="fuzz.json", default_key="fuzz")
    assert isinstance(rec, CVRecord | Quarantined)


# --------------------------------------------------------------------------- demo bundle


def test_demo_cvs_parse() -> None:
    """The generated demo CVs (ingest/demo/cvs) all load, with the core fields found."""
    files = (
        sorted(p for p in DEMO_CVS.glob("*") if p.suffix.lower() in CV_SUFFIXES)
        if DEMO_CVS.is_dir()
        else []
    )
    if not files:
        pytest.skip(
            f"no generated CVs at {DEMO_CVS} (python -m bench.generate --scale demo --out ingest/demo)"
        )
    records = [r for f in files for r in read_cv(f)]
    loaded = [r for r in records if isinstance(r, CVRecord)]
    assert len(loaded) == len(records), [r.message() for r in records if isinstance(r, Quarantined)]
    for field in ("employer", "titles", "research_directions"):
        share = sum(1 for r in loaded if getattr(r, field)) / len(loaded)
        assert share >= 0.95, (field, share)


if __name__ == "__main__":  # regenerate the binary examples
    make_docx(EXAMPLES / "cv_table.docx")
    make_pdf(PDF_LINES, EXAMPLES / "cv_text_layer.pdf")
    print("wrote", EXAMPLES / "cv_table.docx", EXAMPLES / "cv_text_layer.pdf")
