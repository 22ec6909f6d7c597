"""A small graph for the API tests: input files written to a folder and ingested through the real
pipeline, plus one bearer token per role.

Three firms around welding robots (a leading firm, a 专精特新 SME, an SME in Qiqihar), two
universities, five patents (two co-applied by 哈尔滨工业大学 and a firm), structured CVs with
every kind of personal data, two demands with contact phones, and an open-licence result — enough
for every query route to have an answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from api.security import Role, create_token
from graph.model import NodeLabel
from graph.store.base import GraphStore
from ingest.pipeline import ingest_paths
from ingest.readers.patents import application_number_check_digit

__all__ = ["ApiGraph", "build_api_graph", "appno", "PERSONAL"]


def appno(serial: str) -> str:
    """A valid CN application number for a 12-digit serial."""
    return f"CN{serial}.{application_number_check_digit(serial)}"


P1, P2, P3, P4, P5 = (appno("202310123456"), appno("202220234567"), appno("202410345678"),
                      appno("202010456789"), appno("202410567890"))

#: The personal data of 张伟 as written in his CV (and of the first demand's contact).
PERSONAL = {
    "phone": "13800001234",
    "email": "zhangwei@hit.edu.cn",
    "id_number": "230103197805121234",
    "birth_date": "1978-05-12",
    "contact_phone": "13900002222",
}

ENTERPRISES = """企业名称,所在地市,企业规模,专精特新,高新技术企业,主营领域,简介
哈尔滨精工智能装备有限公司,哈尔滨市,龙头企业,否,是,高端智能装备,主要从事焊接机器人、自动化生产线的研发与制造。
哈尔滨焊研科技有限公司,哈尔滨市,中小企业,是,是,高端智能装备,专注焊缝跟踪传感器与焊接视觉检测，省级专精特新中小企业。
齐齐哈尔北疆冰雪装备有限公司,齐齐哈尔市,中小企业,否,否,冰雪经济,从事造雪机与压雪车关键部件的研发。
"""

PATENTS = f"""申请号,发明名称,摘要,申请人,发明人,IPC分类号,申请日,专利类型,法律状态
{P1},一种焊接机器人视觉定位方法,基于深度学习的焊接机器人视觉定位与焊缝识别方法。,哈尔滨工业大学;哈尔滨精工智能装备有限公司,张伟;李娜;王强,B25J 9/16;G06T 7/73,2023-03-05,发明,有效
{P2},一种焊缝跟踪激光传感器,用于焊接机器人的焊缝跟踪激光视觉传感器。,哈尔滨工业大学;哈尔滨焊研科技有限公司,张伟;李娜;刘博,B23K 9/127,2022-04-01,实用新型,有效
{P3},一种焊接机器人路径规划方法,焊接机器人多焊缝路径规划与离线编程方法。,哈尔滨精工智能装备有限公司;哈尔滨焊研科技有限公司,王强;赵磊,B25J 9/16,2024-01-10,发明,有效
{P4},一种寒地水稻插秧机,寒地水稻插秧机的分插机构。,东北农业大学,孙丽,A01C 11/02,2020-05-06,发明,有效
{P5},一种焊接熔池视觉检测方法,焊接熔池图像的视觉检测与缺陷识别方法。,哈尔滨工业大学,张伟;刘博,G06T 7/00,2024-06-01,发明,审中
"""

DEMANDS = """企业名称,需求名称,需求内容,技术领域,拟投入资金,联系人,联系电话,截止日期,所属地市,批次
哈尔滨精工智能装备有限公司,焊接机器人焊缝自动跟踪技术,需求内容：提高焊接机器人焊缝跟踪精度，需要视觉定位与激光传感器方面的合作。,高端智能装备,80万元,刘洋,13900002222,2026-06-30,哈尔滨,2026H1
齐齐哈尔北疆冰雪装备有限公司,造雪机喷嘴结构优化,需求内容：寒地低温条件下造雪机喷嘴结冰，需要流体仿真与结构优化。,冰雪经济,30万元,陈静,13700003333,2026-09-30,齐齐哈尔,2026H1
"""

ACHIEVEMENTS = f"""成果名称,完成单位,完成人,技术领域,成熟度,是否开放许可,许可条件,关联专利,简介
焊接机器人视觉定位与焊缝跟踪技术,哈尔滨工业大学,张伟;李娜,高端智能装备,中试阶段,是,开放许可，许可使用费5万元/年，中小微企业首年减半,{P1};{P2},面向焊接机器人的视觉定位与焊缝跟踪成套技术，可用于自动化焊接生产线。
"""

CVS = {
    "zhangwei.json": {
        "source_id": "cv-zhangwei", "name": "张伟", "gender": "男", "birth_year": 1978,
        "birth_date": PERSONAL["birth_date"], "titles": ["教授", "博士生导师"],
        "employer": {"organization": "哈尔滨工业大学", "unit": "机电工程学院", "team": "焊接机器人团队", "role": "负责人"},
        "education": [{"degree": "博士", "school": "哈尔滨工业大学", "major": "机械电子工程", "start": 2001, "end": 2005}],
        "research_directions": ["焊接机器人", "机器视觉", "焊缝跟踪"], "keywords": ["高端智能装备"],
        "patents": [P1, P2, P5], "phone": PERSONAL["phone"], "email": PERSONAL["email"],
        "id_number": PERSONAL["id_number"], "language": "zh",
    },
    "lina.json": {
        "source_id": "cv-lina", "name": "李娜", "gender": "女", "birth_year": 1986, "titles": ["副教授"],
        "employer": {"organization": "哈尔滨工业大学", "unit": "机电工程学院", "team": "焊接机器人团队", "role": "成员"},
        "research_directions": ["焊缝跟踪", "激光传感"], "patents": [P1, P2], "phone": "13800005678",
        "email": "lina@hit.edu.cn", "language": "zh",
    },
    "liubo.json": {
        "source_id": "cv-liubo", "name": "刘博", "gender": "男", "birth_year": 1997, "titles": ["博士研究生"],
        "employer": {"organization": "哈尔滨工业大学", "unit": "机电工程学院", "team": "焊接机器人团队", "role": "成员"},
        "education": [{"degree": "博士", "school": "哈尔滨工业大学", "major": "机械工程", "start": 2021, "end": None}],
        "research_directions": ["焊接熔池视觉检测"], "patents": [P2, P5], "language": "zh",
    },
    "wangqiang.json": {
        "source_id": "cv-wangqiang", "name": "王强", "gender": "男", "birth_year": 1980, "titles": ["高级工程师"],
        "employer": {"organization": "哈尔滨精工智能装备有限公司", "unit": "技术中心"},
        "education": [{"degree": "硕士", "school": "哈尔滨工业大学", "major": "材料加工工程", "start": 2003, "end": 2006}],
        "research_directions": ["焊接机器人", "路径规划"], "patents": [P1, P3], "phone": "13600007777",
        "language": "zh",
    },
}


@dataclass
class ApiGraph:
    """The ids of the graph's main entities and a token per role."""

    store: GraphStore
    ids: dict[str, str]
    tokens: dict[Role, str] = field(default_factory=dict)

    def headers(self, role: Role | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}


def write_inputs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "enterprises.csv").write_text(ENTERPRISES, encoding="utf-8")
    (folder / "patents.csv").write_text(PATENTS, encoding="utf-8")
    (folder / "demands.csv").write_text(DEMANDS, encoding="utf-8")
    (folder / "achievements.csv").write_text(ACHIEVEMENTS, encoding="utf-8")
    for name, cv in CVS.items():
        (folder / name).write_text(json.dumps(cv, ensure_ascii=False), encoding="utf-8")
    return folder


def _one(store: GraphStore, label: NodeLabel, name: str) -> str:
    found = [n for n in store.find_nodes(label, name_contains=name, limit=20) if n.name == name]
    assert found, f"{label.value} {name} not in the test graph"
    # The CV's person carries the phone; prefer it among homonyms.
    found.sort(key=lambda n: (n.props.get("phone") is None, n.id))
    return found[0].id


def build_api_graph(store: GraphStore, folder: Path) -> ApiGraph:
    """Ingest the inputs into ``store`` and create one token per role."""
    ingest_paths([write_inputs(folder / "in")], store, workers=1, data_dir=folder / "var")
    ids = {
        "professor": _one(store, NodeLabel.PERSON, "张伟"),
        "engineer": _one(store, NodeLabel.PERSON, "王强"),
        "phd": _one(store, NodeLabel.PERSON, "刘博"),
        "leading_firm": _one(store, NodeLabel.ORGANIZATION, "哈尔滨精工智能装备有限公司"),
        "sme": _one(store, NodeLabel.ORGANIZATION, "哈尔滨焊研科技有限公司"),
        "university": _one(store, NodeLabel.ORGANIZATION, "哈尔滨工业大学"),
        "demand": _one(store, NodeLabel.DEMAND, "焊接机器人焊缝自动跟踪技术"),
        "field": "field:intelligent_equipment",
    }
    assert store.get_node(ids["field"]) is not None, "field:intelligent_equipment missing"
    teams = store.find_nodes(NodeLabel.TEAM, limit=5)
    if teams:
        ids["team"] = teams[0].id
    graph = ApiGraph(store=store, ids=ids)
    for role in Role:
        graph.tokens[role] = create_token(store, f"test-{role.value}", role)[1]
    return graph
