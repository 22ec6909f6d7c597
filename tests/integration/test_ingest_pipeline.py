"""The ingest pipeline end to end on both backends: files in, graph out, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import NotFound, QueryError
from graph.model import NodeLabel, RelType
from graph.store.base import GraphStore
from ingest.people import REVIEW, keep_apart, merge_people, split_person
from ingest.pipeline import ingest_paths
from ingest.readers.patents import application_number_check_digit


def appno(serial: str) -> str:
    """A valid CN application number for a 12-digit serial."""
    return f"CN{serial}.{application_number_check_digit(serial)}"


P1, P2, P3, P4 = appno("202110123456"), appno("202210234567"), appno("202010345678"), appno("202310000001")

PATENTS = f"""申请号,发明名称,摘要,申请人,发明人,IPC分类号,申请日,专利类型,法律状态
{P1},一种焊接机器人视觉定位方法,本发明公开了一种基于深度学习的焊接机器人视觉定位方法。,哈尔滨工业大学;哈尔滨精工智能装备有限公司,张伟;李娜;王强,B25J 9/16;G06T 7/73,2021-03-05,发明,有效
{P2},一种焊缝跟踪传感器,一种用于焊接机器人的焊缝跟踪激光传感器。,哈尔滨工业大学,张伟;李娜,B23K 9/127,2022-04-01,实用新型,有效
{P3},一种寒地水稻插秧机,寒地水稻插秧机的分插机构。,东北农业大学,张伟;赵敏,A01C 11/02,2020-05-06,发明,审中
{P4},一种文本分类方法,基于图神经网络的文本分类。,哈尔滨工业大学,孙丽,G06F 16/35,2023-13-45,发明,有效
"""

CV = f"""姓名：张伟
性别：男
出生年月：1978年5月
职称：教授，博士生导师
工作单位：哈尔滨工业大学 机电工程学院
所在团队：焊接机器人团队（负责人）
教育经历：
2001-2005 哈尔滨工业大学 机械电子工程 博士
研究方向：焊接机器人、机器视觉、焊缝跟踪
授权专利：
{P1} 一种焊接机器人视觉定位方法
联系方式：电话 13800001234，邮箱 zhangwei@hit.edu.cn
"""

DEMANDS_H1 = """企业名称,需求名称,需求内容,技术领域,拟投入资金,联系人,联系电话,截止日期,所属地市,批次
哈尔滨精工智能装备有限公司,焊接机器人焊缝自动跟踪技术,需求内容：我公司需要提高焊接机器人焊缝跟踪精度。,高端智能装备,50万元,刘洋,13900002222,2026-06-30,哈尔滨,2026H1
"""
DEMANDS_H2 = DEMANDS_H1.replace("50万元", "80万元").replace("2026H1", "2026H2").replace(
    "哈尔滨精工智能装备有限公司", "精工智能装备（哈尔滨）有限公司")


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "patents.csv").write_text(PATENTS, encoding="utf-8")
    (d / "zhangwei.txt").write_text(CV, encoding="utf-8")
    (d / "demands.csv").write_text(DEMANDS_H1, encoding="utf-8")
    return d


def _ingest(store: GraphStore, path: Path, tmp_path: Path):
    return ingest_paths([path], store, workers=1, data_dir=tmp_path / "var")


def _people_named(store: GraphStore, name: str) -> list:
    return store.find_nodes(NodeLabel.PERSON, where={"name": name})


def test_report_counts_and_quarantine(store: GraphStore, inputs: Path, tmp_path: Path) -> None:
    r = _ingest(store, inputs, tmp_path)
    assert (r.files, r.records, r.loaded, r.updated, r.unchanged) == (3, 5, 5, 0, 0)
    assert r.quarantined == 1
    (bad,) = r.quarantine
    assert bad["row"] == 4 and bad["field"] == "申请日" and bad["source"].endswith("patents.csv")
    assert Path(r.quarantine_file).read_text(encoding="utf-8").count("\n") == 1
    assert store.get_node(f"patent:{P4}") is None and store.get_node(f"patent:{P1}") is not None


def test_same_input_twice_changes_nothing(store: GraphStore, inputs: Path, tmp_path: Path) -> None:
    _ingest(store, inputs, tmp_path)
    before = store.counts()
    again = _ingest(store, inputs, tmp_path)
    assert (again.loaded, again.updated, again.unchanged) == (0, 0, 5)
    assert again.write["nodes_created"] == again.write["nodes_updated"] == 0
    assert again.write["rels_created"] == again.write["rels_updated"] == 0
    assert store.counts() == before


def test_cv_person_links_to_listed_patent_and_homonyms_stay_apart(
    store: GraphStore, inputs: Path, tmp_path: Path
) -> None:
    _ingest(store, inputs, tmp_path)
    zhangs = _people_named(store, "张伟")
    # The HIT professor (CV + P1 by listing + P2 by co-inventor 李娜 at the same university)
    # and the NEAU inventor of P3 (other university, other co-inventor) are two people.
    assert len(zhangs) == 2
    prof = next(p for p in zhangs if p.props.get("titles"))
    invented = {r.dst for r in store.relationships(prof.id, types=[RelType.INVENTED])}
    assert invented == {f"patent:{P1}", f"patent:{P2}"}
    other = next(p for p in zhangs if p.id != prof.id)
    assert {r.dst for r in store.relationships(other.id, types=[RelType.INVENTED])} == {f"patent:{P3}"}
    assert prof.props["phone"] == "13800001234"
    # Derived tie with evidence: 张伟 and 李娜 co-invented two patents.
    (lina,) = _people_named(store, "李娜")
    ties = [r for r in store.relationships(prof.id, types=[RelType.COLLABORATED_WITH]) if lina.id in (r.src, r.dst)]
    assert len(ties) == 1 and ties[0].props["count"] == 2 and ties[0].props["weight"] == 0.75
    assert sorted(ties[0].props["evidence"]) == sorted([f"patent:{P1}", f"patent:{P2}"])


def test_changed_record_updates_in_place(store: GraphStore, inputs: Path, tmp_path: Path) -> None:
    _ingest(store, inputs, tmp_path)
    before = store.counts()
    text = (inputs / "patents.csv").read_text(encoding="utf-8")
    (inputs / "patents.csv").write_text(text.replace("审中", "有效"), encoding="utf-8")
    r = _ingest(store, inputs, tmp_path)
    assert (r.loaded, r.updated, r.unchanged) == (0, 1, 4)
    assert store.get_node(f"patent:{P3}").props["legal_status"] == "有效"
    assert store.counts() == before


def test_demand_keeps_history_across_batches(store: GraphStore, inputs: Path, tmp_path: Path) -> None:
    _ingest(store, inputs, tmp_path)
    (inputs / "demands_h2.csv").write_text(DEMANDS_H2, encoding="utf-8")
    _ingest(store, inputs, tmp_path)
    (demand,) = store.find_nodes(NodeLabel.DEMAND)
    assert demand.props["batches"] == ["2026H1", "2026H2"]
    assert demand.props["batch"] == "2026H2" and demand.props["carried_over"] is True
    # Both spellings of the firm resolve to one organisation, which posted it.
    posted = store.relationships(demand.id, types=[RelType.POSTED])
    assert len({r.src for r in posted}) == 1


def test_manual_merge_and_split_survive_reingest(store: GraphStore, inputs: Path, tmp_path: Path) -> None:
    _ingest(store, inputs, tmp_path)
    a, b = sorted(p.id for p in _people_named(store, "张伟"))
    merged = merge_people(store, a, b, note="同一人：调往东北农业大学前的专利")
    assert [p.id for p in _people_named(store, "张伟")] == [merged]
    _ingest(store, inputs, tmp_path)
    assert [p.id for p in _people_named(store, "张伟")] == [merged]
    patents = {r.dst for r in store.relationships(merged, types=[RelType.INVENTED])}
    assert patents == {f"patent:{P1}", f"patent:{P2}", f"patent:{P3}"}
    # Now split the NEAU patent off again; that too survives a re-ingest.
    ids = split_person(store, merged, [f"patent:{P3}#1"])
    assert len(ids) == 2
    _ingest(store, inputs, tmp_path)
    assert len(_people_named(store, "张伟")) == 2


def _grey_pair(store: GraphStore, tmp_path: Path) -> tuple[Path, str, str]:
    """Two 王磊 inventors at one university, nothing else shared: a review pair."""
    d = tmp_path / "grey"
    d.mkdir(exist_ok=True)
    q1, q2 = appno("202110555555"), appno("202110666666")
    (d / "p.csv").write_text(
        "申请号,发明名称,申请人,发明人,申请日\n"
        f"{q1},一种寒地混凝土养护方法,东北林业大学,王磊;陈静,2021-01-01\n"
        f"{q2},一种木材干燥设备,东北林业大学,王磊;周杰,2021-02-01\n",
        encoding="utf-8",
    )
    _ingest(store, d, tmp_path)
    return d, f"patent:{q1}#1", f"patent:{q2}#1"


def test_grey_zone_pairs_are_listed_for_review(store: GraphStore, tmp_path: Path) -> None:
    _grey_pair(store, tmp_path)
    # Same university but no shared co-inventor or topic: kept apart, listed for review.
    assert len(_people_named(store, "王磊")) == 2
    review = list(store.get_documents(REVIEW).values())
    assert len(review) == 1 and review[0].doc["name"] == "王磊"
    assert any("东北林业大学" in e or "org:" in e for e in review[0].doc["evidence"])


def test_review_pair_merged_by_hand_leaves_the_review_list(store: GraphStore, tmp_path: Path) -> None:
    d, a, b = _grey_pair(store, tmp_path)
    assert set(store.get_documents(REVIEW)) == {f"{a}|{b}"}
    people = sorted(p.id for p in _people_named(store, "王磊"))
    merged = merge_people(store, *people, note="同一人")
    assert [p.id for p in _people_named(store, "王磊")] == [merged]
    assert store.get_documents(REVIEW) == {}
    _ingest(store, d, tmp_path)
    assert store.get_documents(REVIEW) == {} and len(_people_named(store, "王磊")) == 1


def test_review_pair_kept_apart_stays_apart_and_off_the_list(store: GraphStore, tmp_path: Path) -> None:
    d, a, b = _grey_pair(store, tmp_path)
    ids = keep_apart(store, b, a, note="不同的人：不同学院")
    assert len(ids) == 2 and set(ids) == {p.id for p in _people_named(store, "王磊")}
    assert store.get_documents(REVIEW) == {}
    _ingest(store, d, tmp_path)
    assert store.get_documents(REVIEW) == {} and len(_people_named(store, "王磊")) == 2
    with pytest.raises(QueryError):
        keep_apart(store, a, a)
    with pytest.raises(NotFound):
        keep_apart(store, a, "patent:CN000000000000.0#9")
