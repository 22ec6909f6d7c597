"""The synthetic data generator (bench/generate.py): determinism, formats, truth."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from bench.gen.ids import cn_application_number, cn_check_digit, uscc
from bench.gen.scale import DEMO, PROVINCE, parse_scale
from bench.generate import generate

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "ingest" / "demo"
TINY = "0.002"  # 120 researchers, 10 firms, 200 patents, 20 demands

# The format contract the ingest readers implement (kept literal on purpose).
PATENT_HEADER = [
    "申请号",
    "公开(公告)号",
    "发明名称",
    "摘要",
    "申请人",
    "发明人",
    "IPC分类号",
    "主分类号",
    "申请日",
    "公开(公告)日",
    "法律状态",
    "专利类型",
    "地址",
]
PATENT_XLSX_HEADER = [
    "申请号",
    "公开号",
    "名称",
    "摘要",
    "专利权人",
    "发明人",
    "IPC分类号",
    "主分类号",
    "申请日",
    "公开日",
    "法律状态",
    "专利类型",
    "地址",
]
ENTERPRISE_HEADER = [
    "企业名称",
    "统一社会信用代码",
    "所在地市",
    "企业规模",
    "专精特新",
    "高新技术企业",
    "主营领域",
    "简介",
]
DEMAND_HEADER = [
    "需求编号",
    "企业名称",
    "需求名称",
    "需求内容",
    "技术领域",
    "需求类型",
    "拟投入资金（万元）",
    "联系人",
    "联系电话",
    "截止日期",
    "所属地市",
    "批次",
]
ACHIEVEMENT_HEADER = [
    "成果名称",
    "完成单位",
    "完成人",
    "技术领域",
    "成熟度",
    "是否开放许可",
    "许可条件",
    "关联专利",
    "简介",
]
CV_KEYS = [
    "source_id",
    "name",
    "gender",
    "birth_year",
    "titles",
    "employer",
    "positions",
    "education",
    "research_directions",
    "keywords",
    "projects",
    "patents",
    "awards",
    "phone",
    "email",
    "language",
]
SPLIT = re.compile(r"[;；、]")


def _digest(folder: Path, by_content: bool = False) -> dict[str, str]:
    """sha256 per file; with ``by_content`` office files are hashed by their unzipped parts."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        h = hashlib.sha256()
        if by_content and p.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(p) as z:
                for name in sorted(z.namelist()):
                    if name != "docProps/core.xml":
                        h.update(name.encode())
                        h.update(z.read(name))
        else:
            h.update(p.read_bytes())
        out[p.relative_to(folder).as_posix()] = h.hexdigest()
    return out


def _run(scale: str, out: Path, seed: int, hashseed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.generate",
            "--scale",
            scale,
            "--out",
            str(out),
            "--seed",
            str(seed),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _sheet(path: Path, sheet: str | None = None) -> list[tuple]:
    wb = load_workbook(path, read_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    return rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(DEMO, out, 42)
    return out


@pytest.fixture(scope="module")
def truth(demo: Path) -> dict[str, dict]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (demo / "truth").glob("*.json")
    }


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    # another process with another hash seed: output must not depend on set ordering
    _run(TINY, tmp_path / "a", 7, "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2")
    generate(parse_scale(TINY), tmp_path / "b", 7)
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert a and a == b


def test_demo_is_deterministic_including_office_files(demo: Path, tmp_path: Path) -> None:
    generate(DEMO, tmp_path, 42)
    assert _digest(tmp_path) == _digest(demo)


def test_different_seed_differs(tmp_path: Path) -> None:
    generate(parse_scale(TINY), tmp_path / "a", 1)
    generate(parse_scale(TINY), tmp_path / "b", 2)
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    for name in ("patents.csv", "enterprises.csv", "demands.xlsx", "truth/persons.json"):
        assert a[name] != b[name], name


def test_bundled_demo_matches_generator(demo: Path) -> None:
    if not BUNDLE.is_dir():
        pytest.skip("ingest/demo is not present")
    assert _digest(BUNDLE, by_content=True) == _digest(demo, by_content=True), (
        "ingest/demo is stale: run `python -m bench.generate --scale demo --out ingest/demo --seed 42`"
    )


# --------------------------------------------------------------------------- formats


def test_demo_has_every_file_and_header(demo: Path) -> None:
    for name in (
        "patents.csv",
        "patents.xlsx",
        "enterprises.csv",
        "demands.xlsx",
        "achievements.csv",
    ):
        assert (demo / name).is_file(), name
    for name in ("patents.csv", "enterprises.csv", "achievements.csv"):
        assert (demo / name).read_bytes().startswith(b"\xef\xbb\xbf"), f"{name} lacks a BOM"
    assert list(_csv(demo / "patents.csv")[0]) == PATENT_HEADER
    assert list(_sheet(demo / "patents.xlsx")[0]) == PATENT_XLSX_HEADER
    assert list(_csv(demo / "enterprises.csv")[0]) == ENTERPRISE_HEADER
    assert list(_csv(demo / "achievements.csv")[0]) == ACHIEVEMENT_HEADER
    assert list(_sheet(demo / "demands.xlsx", "需求清单")[0]) == DEMAND_HEADER
    suffixes = {p.suffix for p in (demo / "cvs").iterdir()}
    assert suffixes == {".txt", ".json", ".yaml", ".docx"}
    assert 180 <= len(list((demo / "cvs").iterdir())) <= 230
    for name in ("persons", "homonyms", "demand_targets", "alliances", "organizations"):
        assert (demo / "truth" / f"{name}.json").is_file()
    assert (demo / "truth" / "README.md").is_file()
    size = sum(p.stat().st_size for p in demo.rglob("*") if p.is_file())
    assert size < 3_000_000


def test_demo_cvs_follow_the_contract(demo: Path) -> None:
    english = 0
    for p in sorted((demo / "cvs").iterdir()):
        if p.suffix in (".json", ".yaml"):
            text = p.read_text(encoding="utf-8")
            rec = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
            assert list(rec) == CV_KEYS, p.name
            assert rec["source_id"] == p.stem
            assert set(rec["employer"]) == {"organization", "unit", "team", "role"}
            english += rec["language"] == "en"
        elif p.suffix == ".txt":
            text = p.read_text(encoding="utf-8")
            assert "研究方向" in text
            assert text.startswith("姓名") or "年生" in text.split("\n", 1)[0], p.name
    assert english >= 2
    docx = next((demo / "cvs").glob("*.docx"))
    from docx import Document

    assert "研究方向" in "\n".join(par.text for par in Document(str(docx)).paragraphs)


def test_identifiers_check() -> None:
    assert cn_application_number(2021, 1, 123456) == "CN202110123456.7"
    assert cn_check_digit("202110123456") == "7"
    code = uscc("230103", "MA1B2C3D")
    assert len(code) == 18 and code.startswith("91230103")


def test_scales() -> None:
    assert parse_scale("province") is PROVINCE
    tenth = parse_scale("0.1")
    assert tenth.faculty == 6000 and tenth.patents == 10000 and not tenth.cv_files
    with pytest.raises(ValueError):
        parse_scale("huge")


def test_patent_numbers_are_valid(demo: Path) -> None:
    rows = _csv(demo / "patents.csv")
    for r in rows:
        m = re.fullmatch(r"CN(\d{12})\.([\dX])", r["申请号"])
        assert m and cn_check_digit(m.group(1)) == m.group(2), r["申请号"]
        assert re.fullmatch(r"CN\d{9}[ABUS]", r["公开(公告)号"])
        assert re.fullmatch(r"\d{4}[-.]\d{2}[-.]\d{2}", r["申请日"])
        assert r["专利类型"] in ("发明", "实用新型", "外观设计")
        assert r["法律状态"] in ("有效", "审中", "失效")


# --------------------------------------------------------------------------- truth


def test_homonyms_are_planted(truth: dict[str, dict]) -> None:
    registry = truth["persons"]["persons"]
    big = {name: ids for name, ids in truth["homonyms"].items() if len(set(ids)) >= 10}
    assert len(big) >= 3, {k: len(v) for k, v in truth["homonyms"].items()}
    for name, ids in big.items():
        assert all(registry[i]["name"] == name for i in ids)
        assert len({registry[i]["org_id"] for i in ids}) >= 5, name  # spread over organisations
    kinds = {registry[i]["kind"] for ids in big.values() for i in ids}
    assert {"faculty", "expert"} <= kinds  # in universities and in firms


def test_patent_coinventors_cross_university_and_firm(demo: Path, truth: dict[str, dict]) -> None:
    registry = truth["persons"]["persons"]
    inventors = truth["persons"]["patent_inventors"]
    crossing = 0
    for r in _csv(demo / "patents.csv"):
        kinds = {registry[pid]["kind"] for pid in inventors[r["申请号"]]}
        applicants = SPLIT.split(r["申请人"])
        if len(applicants) > 1 and "expert" in kinds and kinds & {"faculty", "student"}:
            crossing += 1
    assert crossing >= 20


def test_truth_references_only_present_ids(demo: Path, truth: dict[str, dict]) -> None:
    persons = truth["persons"]
    registry = persons["persons"]
    # CVs
    cv_files = {p.stem for p in (demo / "cvs").iterdir()}
    assert set(persons["cv"]) == cv_files
    # patents: every row of both exports, inventor by inventor
    rows = {r["申请号"]: r for r in _csv(demo / "patents.csv")}
    xrows = _sheet(demo / "patents.xlsx")[1:]
    for x in xrows:
        rows.setdefault("CN" + x[0], dict(zip(PATENT_HEADER, x, strict=True)))
    assert set(persons["patent_inventors"]) == set(rows)
    for no, pids in persons["patent_inventors"].items():
        names = SPLIT.split(rows[no]["发明人"])
        assert names == [registry[p]["name"] for p in pids], no
    # demands
    demand_rows = {r[0]: r for r in _sheet(demo / "demands.xlsx", "需求清单")[1:]}
    assert set(persons["demand_contacts"]) == set(demand_rows)
    for did, t in truth["demand_targets"].items():
        assert demand_rows[did][2] == t["title"]
        assert t["patents"] and set(t["patents"]) <= set(rows)
        assert all(p in registry for p in t["person_ids"])
        for no in t["patents"]:
            assert t["topic"]["object"] in rows[no]["发明名称"]
    for new, old in truth["demand_carryover"].items():
        assert demand_rows[new][2] == demand_rows[old][2]
        assert (demand_rows[new][11], demand_rows[old][11]) == ("2026H1", "2025H2")
    # achievements
    ach_rows = {r["成果名称"]: r for r in _csv(demo / "achievements.csv")}
    assert set(persons["achievement_persons"]) == set(ach_rows)
    for t in truth["achievements"].values():
        assert set(t["patents"]) <= set(rows)
    # alliances and organisations
    firms = {r["企业名称"] for r in _csv(demo / "enterprises.csv")}
    univs = {u["name"] for u in truth["organizations"]["universities"]}
    assert truth["alliances"]
    for a in truth["alliances"].values():
        assert a["leading_firm"]["name"] in firms and len(a["smes"]) >= 2
        assert all(s["name"] in firms for s in a["smes"]) and a["university"]["name"] in univs
        assert set(a["patents"]) <= set(rows) and all(p in registry for p in a["person_ids"])
    mentioned = set(persons["cv"].values()) | set(persons["demand_contacts"].values())
    for pids in list(persons["patent_inventors"].values()) + list(
        persons["achievement_persons"].values()
    ):
        mentioned |= set(pids)
    assert set(registry) == mentioned
    for ids in truth["homonyms"].values():
        assert set(ids) <= mentioned
