"""Write the example input files described in docs/formats.md.

Run from the repository root::

    .venv/bin/python docs/examples/make_examples.py

The text files could be written by hand; the script exists because two of them cannot be
(``patents_gbk.csv`` is GBK-encoded, the ``.xlsx`` files are binary), and writing all of them
from one place keeps them consistent.  Every name, number and phone number is made up; the
application numbers and credit codes carry valid check digits.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

PATENT_HEADERS = [
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
PATENTS = [
    [
        "CN202110123456.7",
        "CN112345678A",
        "一种寒地农机作业路径规划方法",
        "本发明公开了一种寒地农机作业路径规划方法，根据地块边界和积雪深度生成作业路径。",
        "哈尔滨工业大学;黑龙江某农机装备有限公司",
        "张三;李四;王五",
        "G06Q 10/04;A01B 69/00",
        "G06Q 10/04",
        "2021-03-05",
        "2021-06-18",
        "授权",
        "发明",
        "黑龙江省哈尔滨市南岗区西大直街92号",
    ],
    [
        "CN202120654321.9",
        "CN215123456U",
        "一种玉米秸秆打捆装置",
        "本实用新型涉及一种玉米秸秆打捆装置，包括机架、喂入机构和打捆机构。",
        "东北农业大学",
        "赵六、钱七",
        "A01D 59/04",
        "",
        "2021/3/5",
        "2021.12.03",
        "有效",
        "实用新型",
        "黑龙江省哈尔滨市香坊区长江路600号",
    ],
    [
        "202230111222.6",
        "",
        "冰雪运动头盔（滑雪用）",
        "",
        "黑龙江某冰雪装备（集团）有限公司",
        "孙八",
        "",
        "",
        "2022年4月1日",
        "",
        "",
        "外观设计专利",
        "",
    ],
]

GBK_HEADERS = [
    "申请号",
    "公开（公告）号",
    "名称",
    "申请(专利权)人",
    "发明人",
    "IPC分类号",
    "申请日",
    "专利类型",
]
GBK_PATENTS = [
    [
        "CN 2021101234567",
        "CN112345678A",
        "一种寒地农机作业路径规划方法",
        "哈尔滨工业大学；黑龙江某农机装备有限公司",
        "张三、李四、王五",
        "G06Q10/04(2012.01);A01B69/00",
        "2021.03.05",
        "发明授权",
    ],
    [
        "201910987654.0",
        "",
        "一种大豆蛋白提取工艺",
        "东北农业大学",
        "周九",
        "A23J 1/14",
        "20190817",
        "发明专利",
    ],
]

DEMAND_HEADERS = [
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
DEMANDS = [
    [
        "黑龙江某农机装备有限公司",
        "寒地播种机排种器精量控制",
        "需求内容：\n在-20℃环境下实现玉米精量播种，漏播率低于2%。",
        "农机装备",
        "技术攻关",
        "50",
        "王经理",
        "0451-80000001",
        "2026-06-30",
        "哈尔滨市",
        "2026H1",
    ],
    [
        "大庆某新材料有限公司",
        "聚乙烯改性耐寒管材",
        "提高管材在-40℃下的抗冲击性能。",
        "新材料",
        "合作开发",
        "0.5亿元",
        "刘工",
        "0459-80000002",
        "2026年9月30日",
        "大庆市",
        "2026年上半年",
    ],
    [
        "齐齐哈尔某食品有限公司",
        "大豆蛋白深加工工艺",
        "开发高纯度大豆分离蛋白生产线。",
        "食品精深加工",
        "成果转化",
        "面议",
        "陈女士",
        "13800000003",
        "",
        "齐齐哈尔市",
        "2026上",
    ],
]

ENTERPRISE_HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "所在地市",
    "企业规模",
    "专精特新",
    "高新技术企业",
    "主营领域",
    "简介",
]
ACHIEVEMENT_HEADERS = [
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
ACHIEVEMENTS = [
    [
        "寒地农机作业路径规划系统",
        "哈尔滨工业大学；黑龙江某农机装备有限公司",
        "张三、李四",
        "农机装备",
        "中试",
        "是",
        "首年免费，次年起按销售额1%计",
        "ZL202110123456.7",
        "面向寒地农机的作业路径规划软件与装置。",
    ],
    [
        "高纯度大豆分离蛋白制备技术",
        "东北农业大学",
        "周九",
        "食品精深加工",
        "小批量生产",
        "否",
        "",
        "CN201910987654.0",
        "一种低能耗的大豆分离蛋白提取与纯化工艺。",
    ],
]


def _credit_code(first17: str) -> str:
    from ingest.readers.enterprises import credit_code_check_char

    return first17 + credit_code_check_char(first17)


def _enterprises() -> list[list[str]]:
    return [
        [
            "黑龙江某农机装备有限公司",
            _credit_code("91230100MA1A2B3C4"),
            "哈尔滨市",
            "龙头企业",
            "否",
            "是",
            "农机装备",
            "生产大型智能农机，服务寒地农业。",
        ],
        [
            "大庆某新材料有限公司",
            _credit_code("91230600MA1D5E6F7"),
            "大庆市",
            "中小企业",
            "是",
            "是",
            "新材料",
            "聚烯烃改性材料与管材。",
        ],
        [
            "齐齐哈尔某食品有限公司",
            "",
            "齐齐哈尔市",
            "中小企业",
            "小巨人",
            "否",
            "食品精深加工",
            "大豆蛋白与杂粮食品加工。",
        ],
    ]


def _write_csv(
    path: Path, headers: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)


def _write_patents_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "专利清单"
    ws.append(["某高校2021年专利清单（导出自商业数据库）"])
    ws.append([])
    ws.append(
        [
            "Application Number",
            "Publication Number",
            "Title",
            "Applicants",
            "Inventors",
            "IPC",
            "Application Date",
            "Patent Type",
        ]
    )
    ws.append(
        [
            "CN202110123456.7",
            "CN112345678A",
            "一种寒地农机作业路径规划方法",
            "哈尔滨工业大学; 黑龙江某农机装备有限公司",
            "张三; 李四; 王五",
            "G06Q 10/04; A01B 69/00",
            dt.datetime(2021, 3, 5),
            "Invention",
        ]
    )
    ws.append(
        [
            "CN202120654321.9",
            "CN215123456U",
            "一种玉米秸秆打捆装置",
            "东北农业大学",
            "赵六, 钱七",
            "A01D 59/04",
            dt.datetime(2021, 3, 5),
            "Utility Model",
        ]
    )
    notes = wb.create_sheet("说明")
    notes.append(["本表由数据库导出，仅供示例。"])
    wb.save(path)


def _write_demands_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2026H1需求"
    ws.append(["2026年上半年企业技术需求汇总表"])
    ws.append(
        [
            "*企业名称",
            "需求名称",
            "需求描述",
            "所属领域",
            "需求类别",
            "预算（元）",
            "联系人",
            "联系电话",
            "截止时间",
            "地市",
            "需求批次",
        ]
    )
    ws.append(
        [
            "黑龙江某农机装备有限公司",
            "寒地播种机排种器精量控制",
            "在-20℃环境下实现玉米精量播种。",
            "农机装备",
            "技术攻关",
            500000,
            "王经理",
            "0451-80000001",
            dt.datetime(2026, 6, 30),
            "哈尔滨市",
            "2026H1",
        ]
    )
    ws.append([])
    ws.append(
        [
            "佳木斯某生物科技有限公司",
            "寒地微生物菌剂",
            "秸秆还田用低温降解菌剂。",
            "生物经济",
            "合作开发",
            "面议",
            "李经理",
            "0454-80000004",
            "2026/12/31",
            "佳木斯市",
            "2026年上半年",
        ]
    )
    guide = wb.create_sheet("填表说明")
    guide.append(["1. 带 * 的列必填；2. 预算单位为元。"])
    wb.save(path)


def _write_patents_jsonl(path: Path) -> None:
    rows = [
        {
            "application_number": "CN202110123456.7",
            "title": "一种寒地农机作业路径规划方法",
            "applicants": ["哈尔滨工业大学", "黑龙江某农机装备有限公司"],
            "inventors": ["张三", "李四", "王五"],
            "ipc_codes": ["G06Q 10/04", "A01B 69/00"],
            "application_date": "2021-03-05",
            "patent_type": "发明",
        },
        {
            "申请号": "CN202120654321.9",
            "发明名称": "一种玉米秸秆打捆装置",
            "申请人": "东北农业大学",
            "发明人": "赵六;钱七",
            "申请日": "2021-03-05",
        },
    ]
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    _write_csv(HERE / "patents.csv", PATENT_HEADERS, PATENTS)
    _write_csv(HERE / "patents_gbk.csv", GBK_HEADERS, GBK_PATENTS, encoding="gbk")
    _write_patents_xlsx(HERE / "patents.xlsx")
    _write_patents_jsonl(HERE / "patents.jsonl")
    _write_csv(HERE / "demands.csv", DEMAND_HEADERS, DEMANDS)
    _write_demands_xlsx(HERE / "demands.xlsx")
    _write_csv(HERE / "enterprises.csv", ENTERPRISE_HEADERS, _enterprises())
    _write_csv(HERE / "achievements.csv", ACHIEVEMENT_HEADERS, ACHIEVEMENTS)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(HERE.parents[1]))
    main()
