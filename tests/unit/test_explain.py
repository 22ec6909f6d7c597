"""Chinese hop explanations: one sentence per kind of tie, shared-node phrasing, robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.model import RELATIONSHIP_SCHEMA, NodeLabel, NodeRecord, RelRecord, RelType
from graph.queries.explain import (
    distinguish_namesakes,
    entity_text,
    explain_hops,
    hop_sentence,
    path_summary,
)

P1 = "patent:CN202110123456.7"


def node(node_id: str, label: str, name: str, **props) -> NodeRecord:
    return NodeRecord(id=node_id, label=label, props={"name": name, **props})


ZS = node("person:zs", "Person", "张三")
LS = node("person:ls", "Person", "李四")
WW = node("person:ww", "Person", "王五")
HIT = node("org:hit", "Organization", "哈尔滨工业大学", kind="university")
COLLEGE = node("org:hit_me", "Organization", "机电工程学院", kind="college")
FIRM = node("org:firm", "Organization", "哈尔滨精工智能装备有限公司", kind="enterprise")
TEAM = node("team:weld", "Team", "焊接机器人团队")
PATENT = node(P1, "Patent", "一种焊接机器人视觉定位方法", application_number="CN202110123456.7", year=2021)
DEMAND = node("demand:d1", "Demand", "焊缝缺陷在线检测", batch="2025H2")
RESULT = node("achievement:a1", "Achievement", "焊接机器人视觉系统")
FIELD = node("field:robot", "Field", "智能机器人")
TOPIC = node("topic:weld", "Topic", "焊接")
PAT_TEXT = "专利 CN202110123456.7《一种焊接机器人视觉定位方法》（2021）"


def rel(src: NodeRecord, t: str, dst: NodeRecord, **props) -> RelRecord:
    return RelRecord(src=src.id, type=t, dst=dst.id, props=props)


def one(left: NodeRecord, r: RelRecord, right: NodeRecord, **kw) -> str:
    return hop_sentence(left, r, right, **kw)


def test_entity_text_per_kind() -> None:
    assert entity_text(ZS) == "张三"
    assert entity_text(PATENT) == PAT_TEXT
    assert entity_text(node("patent:x", "Patent", "无号专利")) == "专利《无号专利》"
    assert entity_text(node("patent:y", "Patent", "只有日期", application_date="2019-05-01")) == "专利《只有日期》（2019）"
    assert entity_text(DEMAND) == "需求《焊缝缺陷在线检测》"
    assert entity_text(RESULT) == "成果《焊接机器人视觉系统》"
    assert entity_text(FIELD) == "“智能机器人”领域"
    assert entity_text(TOPIC) == "“焊接”主题"
    assert entity_text(NodeRecord(id="person:noname", label="Person")) == "person:noname"


def test_works_at_current_former_and_both_directions() -> None:
    r = rel(ZS, "WORKS_AT", HIT, title="教授", unit="机电工程学院", current=True)
    assert one(ZS, r, HIT) == "张三任职于哈尔滨工业大学（机电工程学院教授）"
    assert one(HIT, r, ZS) == "张三任职于哈尔滨工业大学（机电工程学院教授）"  # walking it backwards
    assert one(ZS, rel(ZS, "WORKS_AT", HIT), HIT) == "张三任职于哈尔滨工业大学"
    former = rel(ZS, "WORKS_AT", FIRM, title="工程师", start=2010, end=2015)
    assert one(ZS, former, FIRM) == "张三曾任职于哈尔滨精工智能装备有限公司（工程师，2010—2015年）"
    assert one(ZS, rel(ZS, "WORKS_AT", FIRM, current=False), FIRM) == "张三曾任职于哈尔滨精工智能装备有限公司"


def test_colleagues_of_one_organisation() -> None:
    a = rel(ZS, "WORKS_AT", HIT, title="教授", current=True)
    b = rel(LS, "WORKS_AT", HIT, title="副教授", current=True)
    assert explain_hops([ZS, HIT, LS], [a, b]) == ["张三任职于哈尔滨工业大学（教授）", "李四也任职于哈尔滨工业大学（副教授）"]
    old = rel(LS, "WORKS_AT", HIT, title="讲师", start=2001, end=2008)
    assert explain_hops([ZS, HIT, LS], [a, old])[1] == "李四也曾任职于哈尔滨工业大学（讲师，2001—2008年）"


def test_teams() -> None:
    lead = rel(ZS, "LEADS", TEAM)
    member = rel(LS, "MEMBER_OF", TEAM)
    assert one(ZS, lead, TEAM) == "张三是焊接机器人团队负责人"
    assert one(LS, member, TEAM) == "李四是焊接机器人团队成员"
    assert one(ZS, rel(ZS, "MEMBER_OF", TEAM, role="负责人"), TEAM) == "张三是焊接机器人团队负责人"
    assert one(LS, rel(LS, "MEMBER_OF", TEAM, role="骨干"), TEAM) == "李四是焊接机器人团队成员（骨干）"
    assert explain_hops([ZS, TEAM, LS], [lead, member]) == ["张三是焊接机器人团队负责人", "张三与李四同属焊接机器人团队"]


def test_part_of() -> None:
    assert one(COLLEGE, rel(COLLEGE, "PART_OF", HIT), HIT) == "机电工程学院隶属于哈尔滨工业大学"
    assert one(TEAM, rel(TEAM, "PART_OF", COLLEGE), COLLEGE) == "焊接机器人团队隶属于机电工程学院"
    sub = node("field:weld_robot", "Field", "焊接机器人")
    assert one(sub, rel(sub, "PART_OF", FIELD), FIELD) == "“焊接机器人”领域隶属于“智能机器人”领域"


def test_study_and_alumni() -> None:
    a = rel(ZS, "STUDIED_AT", HIT, degree="博士", major="机械工程", end=2005)
    b = rel(WW, "STUDIED_AT", HIT, degree="硕士")
    assert one(ZS, a, HIT) == "张三毕业于哈尔滨工业大学（博士，机械工程）"
    assert one(WW, b, HIT) == "王五就读于哈尔滨工业大学（硕士）"
    assert explain_hops([ZS, HIT, WW], [a, b])[1] == "王五与张三是哈尔滨工业大学校友（硕士）"


def test_patents_invented_and_applied_for() -> None:
    inv = rel(ZS, "INVENTED", PATENT, position=1)
    assert one(ZS, inv, PATENT) == f"张三是{PAT_TEXT}的发明人（第1发明人）"
    assert one(PATENT, rel(WW, "INVENTED", PATENT), WW) == f"王五是{PAT_TEXT}的发明人"
    lines = explain_hops([ZS, PATENT, WW], [inv, rel(WW, "INVENTED", PATENT, position=2)])
    assert lines == [f"张三是{PAT_TEXT}的发明人（第1发明人）", f"张三与王五共同发明{PAT_TEXT}"]
    app_a, app_b = rel(HIT, "APPLICANT_OF", PATENT), rel(FIRM, "APPLICANT_OF", PATENT)
    assert explain_hops([HIT, PATENT, FIRM], [app_a, app_b]) == [
        f"哈尔滨工业大学是{PAT_TEXT}的申请人",
        f"哈尔滨工业大学与哈尔滨精工智能装备有限公司共同申请{PAT_TEXT}",
    ]
    # different kinds of tie to one patent stay two plain sentences
    assert explain_hops([ZS, PATENT, FIRM], [inv, app_b])[1] == f"哈尔滨精工智能装备有限公司是{PAT_TEXT}的申请人"


def test_demands() -> None:
    assert one(FIRM, rel(FIRM, "POSTED", DEMAND, batch="2025H2"), DEMAND) == \
        "哈尔滨精工智能装备有限公司发布了技术需求《焊缝缺陷在线检测》（2025H2批次）"
    assert one(WW, rel(WW, "CONTACT_FOR", DEMAND), DEMAND) == "王五是需求《焊缝缺陷在线检测》的联系人"


def test_fields_and_topics() -> None:
    assert one(ZS, rel(ZS, "IN_FIELD", FIELD, weight=0.9), FIELD) == "张三属于“智能机器人”领域"
    assert one(DEMAND, rel(DEMAND, "HAS_TOPIC", TOPIC), TOPIC) == "需求《焊缝缺陷在线检测》涉及“焊接”主题"


def test_collaboration_with_and_without_resolved_evidence() -> None:
    collab = RelRecord(src=LS.id, type="COLLABORATED_WITH", dst=ZS.id, props={
        "weight": 0.875, "count": 4, "kinds": ["co_invention", "same_team"],
        "evidence": [P1, "patent:CN2", "patent:CN3", "team:weld"], "first_year": 2019, "last_year": 2023})
    lookup = {PATENT.id: PATENT, TEAM.id: TEAM}
    assert one(ZS, collab, LS, lookup=lookup) == (
        f"张三与李四共同发明{PAT_TEXT}等3项，同属焊接机器人团队（2019—2023年，合作强度0.88）")
    assert one(ZS, collab, LS) == "张三与李四共同发明专利，同属团队（2019—2023年，合作强度0.88）"
    single = RelRecord(src=WW.id, type="COLLABORATED_WITH", dst=ZS.id, props={
        "weight": 0.5, "kinds": ["co_invention"], "evidence": [P1], "first_year": 2021, "last_year": 2021})
    assert one(ZS, single, WW, lookup=lookup) == f"张三与王五共同发明{PAT_TEXT}（2021年，合作强度0.50）"
    results = RelRecord(src=LS.id, type="COLLABORATED_WITH", dst=ZS.id, props={
        "kinds": ["co_achievement"], "evidence": [RESULT.id]})
    assert one(ZS, results, LS, lookup={RESULT.id: RESULT}) == "张三与李四共同完成成果《焊接机器人视觉系统》"
    assert one(ZS, RelRecord(src=LS.id, type="COLLABORATED_WITH", dst=ZS.id), LS) == "张三与李四有合作关系"


def test_appointments() -> None:
    mentor = rel(ZS, "APPOINTED_AS", FIRM, role="tech_mentor", start=2023)
    assert one(ZS, mentor, FIRM) == "张三受聘担任哈尔滨精工智能装备有限公司的技术导师（2023年起）"
    prof = rel(WW, "APPOINTED_AS", HIT, role="industry_professor", unit="机电工程学院", start=2020, end=2023)
    assert one(HIT, prof, WW) == "王五曾受聘担任哈尔滨工业大学的产业教授（机电工程学院，2020—2023年）"
    liaison = rel(LS, "APPOINTED_AS", FIRM, role="liaison")
    assert one(LS, liaison, FIRM) == "李四受聘担任哈尔滨精工智能装备有限公司的高校联络员"


def test_results() -> None:
    assert one(ZS, rel(ZS, "COMPLETED", RESULT), RESULT) == "张三完成了科技成果《焊接机器人视觉系统》"
    assert one(RESULT, rel(RESULT, "COVERS", PATENT), PATENT) == f"科技成果《焊接机器人视觉系统》包含{PAT_TEXT}"
    both = explain_hops([ZS, RESULT, LS], [rel(ZS, "COMPLETED", RESULT), rel(LS, "COMPLETED", RESULT)])
    assert both[1] == "张三与李四共同完成成果《焊接机器人视觉系统》"


def test_summary_sentence() -> None:
    assert path_summary([ZS, LS], cost=0.73) == "张三与李四直接相连（1跳，路径代价0.73）"
    assert path_summary([ZS, PATENT, FIRM], cost=1.1) == (
        f"张三经由{PAT_TEXT}与哈尔滨精工智能装备有限公司相连（2跳，路径代价1.10）")
    assert path_summary([ZS, HIT, LS]) == "张三经由哈尔滨工业大学与李四相连（2跳）"
    with pytest.raises(ValueError):
        path_summary([ZS])


def test_mismatched_input_is_refused() -> None:
    with pytest.raises(ValueError, match="does not join"):
        hop_sentence(ZS, rel(LS, "WORKS_AT", HIT), HIT)
    with pytest.raises(ValueError, match="cannot be joined"):
        explain_hops([ZS, HIT], [])


# --------------------------------------------------------------------------- any input

_SAMPLE = {
    NodeLabel.PERSON: ZS, NodeLabel.TEAM: TEAM, NodeLabel.ORGANIZATION: HIT,
    NodeLabel.PATENT: PATENT, NodeLabel.ACHIEVEMENT: RESULT, NodeLabel.DEMAND: DEMAND,
    NodeLabel.FIELD: FIELD, NodeLabel.TOPIC: TOPIC,
}
_HOPS = [(t, a, b) for t, pairs in RELATIONSHIP_SCHEMA.items() for a, b in sorted(pairs)]
_values = st.one_of(
    st.none(), st.text(max_size=8), st.integers(-5, 3000), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.lists(st.text(max_size=6), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(
    hops=st.lists(st.sampled_from(_HOPS), min_size=1, max_size=5),
    props=st.lists(st.dictionaries(st.sampled_from(
        ["title", "unit", "role", "start", "end", "current", "degree", "major", "position", "batch",
         "weight", "kinds", "evidence", "first_year", "last_year", "status"]), _values, max_size=6),
        min_size=5, max_size=5),
    reverse=st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_any_chain_of_valid_hops_gets_one_nonempty_sentence_each(hops, props, reverse) -> None:
    # Chain hops end to end with fresh node ids so every relationship joins its two nodes.
    nodes: list[NodeRecord] = []
    rels: list[RelRecord] = []
    for i, (t, a, b) in enumerate(hops):
        left_label, right_label = (b, a) if reverse[i] else (a, b)
        if nodes and nodes[-1].label is not left_label:
            break
        if not nodes:
            nodes.append(NodeRecord(id=f"x:{i}l", label=left_label, props=_SAMPLE[left_label].props))
        right = NodeRecord(id=f"x:{i}r", label=right_label, props=_SAMPLE[right_label].props)
        src, dst = (right, nodes[-1]) if reverse[i] else (nodes[-1], right)
        clean = {k: v for k, v in props[i].items() if v is not None}
        rels.append(RelRecord.model_construct(src=src.id, type=RelType(t), dst=dst.id, key="", props=clean))
        nodes.append(right)
    lines = explain_hops(nodes, rels)
    assert len(lines) == len(rels)
    assert all(isinstance(line, str) and line and "None" not in line for line in lines)


def test_namesakes_on_one_path_are_told_apart() -> None:
    # Two different people called 王磊 on one chain: 龙鑫's engineer studied at 哈工大, where the
    # other 王磊 was a postdoc; without tags the chain reads as if one 王磊 met himself.
    firm = node("org:lx", "Organization", "佳木斯龙鑫医疗器械有限公司")
    wl1, wl2 = node("person:wl1", "Person", "王磊"), node("person:wl2", "Person", "王磊")
    wym = node("person:wym", "Person", "王一民")
    nodes = [firm, wl1, HIT, wl2, wym]
    rels = [rel(wl1, "WORKS_AT", firm), rel(wl1, "STUDIED_AT", HIT, degree="硕士"),
            rel(wl2, "WORKS_AT", HIT, current=False, end="2003"), rel(wl2, "COLLABORATED_WITH", wym)]
    assert path_summary(nodes, cost=3.2) == (
        "佳木斯龙鑫医疗器械有限公司经由王磊（甲）、哈尔滨工业大学、王磊（乙）与王一民相连（4跳，路径代价3.20）")
    lines = explain_hops(nodes, rels)
    assert lines[0] == "王磊（甲）任职于佳木斯龙鑫医疗器械有限公司"
    assert lines[1] == "王磊（甲）就读于哈尔滨工业大学（硕士）"
    assert lines[2].startswith("王磊（乙）曾任职于哈尔滨工业大学")
    assert lines[3].startswith("王磊（乙）与王一民")
    # One person twice is not a namesake; different people with different names keep their names.
    assert path_summary([ZS, HIT, LS]) == "张三经由哈尔滨工业大学与李四相连（2跳）"
    assert [n.name for n in distinguish_namesakes([wl1, HIT, wl1])] == ["王磊", "哈尔滨工业大学", "王磊"]
