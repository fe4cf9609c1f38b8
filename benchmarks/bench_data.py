"""Generated rosters for the matching benchmark: hard, with planted true pairs.

Each demand names a product (a modifier and an object), a property the product
must keep, and a problem, with company boilerplate around it. Its planted
achievement and planted expert address the same product and the same problem,
often in other words (a paraphrase of the problem, a synonym of the method).
Distractors are hard: most share the demand's object and property but address
another problem, others share the problem on another object. No distractor has
a demand's exact (product, problem) pair, so the planted target is the only correct
one.
"""

import random
from dataclasses import dataclass, field

# Per domain: objects, properties, problems (each as a few paraphrases), methods
# (each as a few paraphrases).
DOMAINS = {
    "铸造": (
        [
            "铝合金壳体",
            "镁合金轮毂",
            "铝合金缸体",
            "铸铁曲轴",
            "压铸支架",
            "铝合金散热器",
            "铜合金阀体",
            "钛合金叶片",
            "铸钢齿轮箱",
            "镁合金方向盘骨架",
        ],
        ["耐腐蚀性", "尺寸精度", "力学性能", "表面质量", "气密性", "疲劳寿命"],
        [
            ["气孔缺陷", "内部气孔", "针孔和气泡"],
            ["缩松缩孔", "缩孔缺陷", "补缩不足"],
            ["热裂纹", "凝固裂纹", "热撕裂"],
            ["夹渣", "氧化夹杂", "非金属夹杂物"],
            ["变形超差", "翘曲变形", "尺寸变形"],
            ["粘模", "模具粘铝", "脱模困难"],
        ],
        [
            ["真空压铸", "高真空压铸工艺"],
            ["低压铸造", "低压充型技术"],
            ["半固态成形", "流变成形"],
            ["熔体净化", "精炼除气"],
            ["模具温度场控制", "模温分区调控"],
            ["凝固模拟", "充型凝固数值仿真"],
        ],
    ),
    "电池": (
        [
            "动力电池包",
            "储能电池模组",
            "锂电池正极",
            "电池隔膜",
            "固态电解质",
            "钠离子电池负极",
            "电池极片",
            "电池壳体",
            "电动工具电池",
            "两轮车电池",
        ],
        ["能量密度", "循环寿命", "安全性", "低温性能", "倍率性能", "一致性"],
        [
            ["热失控", "热蔓延", "起火风险"],
            ["容量衰减", "循环衰减快", "容量保持率低"],
            ["析锂", "锂枝晶生长", "负极析锂"],
            ["产气胀气", "鼓包", "胀气问题"],
            ["内阻偏高", "阻抗增大", "极化严重"],
            ["自放电大", "漏电流高", "静置掉电"],
        ],
        [
            ["陶瓷涂覆", "无机涂层改性"],
            ["电解液添加剂", "功能添加剂配方"],
            ["热管理设计", "液冷热管理"],
            ["预锂化", "补锂技术"],
            ["包覆改性", "表面包覆处理"],
            ["电池管理算法", "状态估计算法"],
        ],
    ),
    "高分子": (
        [
            "聚丙烯管材",
            "聚乙烯薄膜",
            "尼龙齿轮",
            "聚氨酯泡沫",
            "环氧灌封胶",
            "聚乳酸餐具",
            "橡胶密封圈",
            "工程塑料外壳",
            "改性塑料保险杠",
            "聚酰亚胺薄膜",
        ],
        ["耐热性", "韧性", "阻燃性", "耐候性", "加工性", "透明度"],
        [
            ["低温脆裂", "低温冲击差", "低温韧性不足"],
            ["黄变老化", "光老化发黄", "耐候性差"],
            ["熔体破裂", "挤出不稳定", "表面鲨鱼皮"],
            ["气味大", "挥发物超标", "VOC偏高"],
            ["翘曲收缩", "成型收缩不均", "收缩变形"],
            ["降解过快", "热降解", "加工降解"],
        ],
        [
            ["增韧改性", "弹性体增韧"],
            ["抗氧体系", "复配抗氧剂"],
            ["反应挤出", "反应性共混"],
            ["成核剂改性", "结晶调控"],
            ["纳米填充", "纳米复合改性"],
            ["辐照交联", "交联改性"],
        ],
    ),
    "农业": (
        [
            "玉米秸秆",
            "大豆种植",
            "水稻育秧",
            "设施蔬菜",
            "人参栽培",
            "食用菌棒",
            "黑土地耕地",
            "果园土壤",
            "肉牛养殖",
            "生猪养殖",
        ],
        ["产量", "品质", "抗逆性", "成本", "效率", "安全性"],
        [
            ["土壤板结", "耕层变浅", "土壤紧实"],
            ["病虫害高发", "病害严重", "虫害频发"],
            ["连作障碍", "重茬减产", "连作病害"],
            ["粪污处理难", "粪便污染", "养殖废弃物堆积"],
            ["肥料利用率低", "化肥过量", "养分流失"],
            ["霉变损失", "储存霉变", "发霉变质"],
        ],
        [
            ["秸秆还田", "秸秆粉碎深翻"],
            ["生物防治", "天敌防控"],
            ["轮作休耕", "轮作倒茬"],
            ["厌氧发酵", "沼气化处理"],
            ["测土配方施肥", "精准施肥"],
            ["低温干燥", "低温烘干储藏"],
        ],
    ),
    "光电": (
        [
            "激光切割头",
            "红外探测器",
            "光纤激光器",
            "光学镜头",
            "成像光谱仪",
            "激光雷达",
            "显示模组",
            "LED光源",
            "光通信模块",
            "太阳能电池片",
        ],
        ["分辨率", "稳定性", "功率", "灵敏度", "光效", "响应速度"],
        [
            ["热透镜效应", "热致焦移", "热畸变"],
            ["杂散光", "背景噪声大", "鬼像干扰"],
            ["光束质量差", "模式不稳", "光斑发散"],
            ["光衰严重", "亮度衰减", "光通量下降"],
            ["串扰大", "通道串扰", "信号串扰"],
            ["温漂", "温度漂移", "热漂移"],
        ],
        [
            ["主动冷却", "微通道水冷"],
            ["非球面设计", "自由曲面光学设计"],
            ["锁模技术", "被动锁模"],
            ["封装散热", "热沉封装"],
            ["数字信号处理", "算法补偿"],
            ["镀膜工艺", "多层介质膜"],
        ],
    ),
    "环保": (
        [
            "印染废水",
            "垃圾渗滤液",
            "焦化废水",
            "工业烟气",
            "污泥",
            "河道水体",
            "餐厨垃圾",
            "电镀废水",
            "锅炉烟气",
            "养殖废水",
        ],
        ["达标排放", "运行成本", "处理效率", "稳定性", "资源化率", "能耗"],
        [
            ["氨氮超标", "氨氮去除难", "高氨氮"],
            ["难降解有机物", "COD居高不下", "有机物难生化"],
            ["重金属超标", "重金属残留", "重金属污染"],
            ["二噁英排放", "二噁英控制难", "二噁英超标"],
            ["污泥量大", "污泥产量高", "污泥难处置"],
            ["臭气扰民", "恶臭气体", "异味大"],
        ],
        [
            ["高级氧化", "芬顿氧化"],
            ["膜生物反应器", "MBR工艺"],
            ["吸附材料", "改性吸附剂"],
            ["厌氧氨氧化", "短程脱氮"],
            ["热解炭化", "低温热解"],
            ["生物滤池", "生物除臭"],
        ],
    ),
    "医药": (
        [
            "中药提取物",
            "人参皂苷",
            "注射剂",
            "缓释片剂",
            "疫苗佐剂",
            "诊断试剂盒",
            "医用导管",
            "骨科植入物",
            "牙科材料",
            "医用敷料",
        ],
        ["纯度", "稳定性", "生物相容性", "有效期", "收率", "一致性"],
        [
            ["收率低", "提取率低", "得率不高"],
            ["杂质超标", "有关物质偏高", "杂质控制难"],
            ["溶出不稳定", "释放不均", "溶出度波动"],
            ["细菌内毒素", "热原超标", "内毒素偏高"],
            ["批间差异", "质量波动", "批次不稳定"],
            ["降解失效", "效价下降", "活性损失"],
        ],
        [
            ["超临界萃取", "二氧化碳超临界提取"],
            ["膜分离纯化", "超滤纯化"],
            ["微丸包衣", "多层包衣"],
            ["冷冻干燥", "冻干工艺"],
            ["连续流合成", "微反应器合成"],
            ["过程分析技术", "在线质控"],
        ],
    ),
    "装备": (
        [
            "数控机床主轴",
            "工业机器人关节",
            "液压油缸",
            "风电齿轮箱",
            "轨道车辆转向架",
            "农机变速箱",
            "盾构刀盘",
            "起重机吊臂",
            "压缩机叶轮",
            "减速器",
        ],
        ["精度保持性", "可靠性", "效率", "噪声", "寿命", "承载能力"],
        [
            ["振动异响", "振动过大", "异常噪声"],
            ["磨损失效", "磨损严重", "早期磨损"],
            ["漏油渗油", "密封失效", "渗漏"],
            ["热变形", "温升过高", "热误差"],
            ["疲劳断裂", "疲劳开裂", "断裂失效"],
            ["定位误差", "重复定位差", "精度漂移"],
        ],
        [
            ["动平衡优化", "转子动力学设计"],
            ["表面强化", "喷丸强化"],
            ["密封结构改进", "组合密封"],
            ["热误差补偿", "温度补偿算法"],
            ["拓扑优化", "结构轻量化设计"],
            ["状态监测", "故障诊断"],
        ],
    ),
}
MODIFIERS = [
    "大规格",
    "薄壁",
    "高强",
    "微型",
    "车用",
    "医用",
    "大功率",
    "高纯",
    "低成本",
    "长寿命",
    "高精度",
    "耐高温",
    "低温",
    "轻量化",
    "一体化",
    "高效",
    "新型",
    "复合",
    "多层",
    "智能",
    "超薄",
    "宽幅",
    "高导热",
    "柔性",
    "透明",
    "无铅",
    "低噪声",
    "防爆",
    "高压",
    "超细",
    "环保型",
    "节能型",
    "便携式",
    "模块化",
    "集成化",
    "户外",
    "船用",
    "军民两用",
    "出口型",
    "定制化",
    "第三代",
    "高可靠",
    "免维护",
    "低功耗",
    "大尺寸",
    "高速",
    "精密",
    "重载",
    "耐磨",
    "抗菌",
    "阻燃",
    "可回收",
    "生物基",
    "纳米",
    "数字化",
    "网络化",
    "自动化",
    "标准化",
    "高端",
    "特种",
]
GOALS = [
    "希望与高校院所合作攻关",
    "寻求成熟技术转让",
    "拟联合开发并产业化",
    "需要专家技术指导",
    "计划共建研发中心",
    "希望引进技术团队",
]
FILLER = [
    "公司成立于二〇〇八年，是国家高新技术企业，现有员工三百余人，其中研发人员五十人",
    "近年来产品市场需求持续增长，企业年产值超过两亿元，产品远销国内外",
    "公司拥有省级企业技术中心和完善的检测设备，具备良好的产业化条件",
    "该问题已成为制约企业发展的瓶颈，亟需引进先进技术提升核心竞争力",
    "项目实施后预计新增产值五千万元，带动就业一百人，经济和社会效益显著",
    "本成果已申请发明专利三项，形成了完整的工艺包和技术标准",
    "团队长期从事相关领域研究，承担过国家重点研发计划和省重点科技项目",
    "成果已在多家企业示范应用，运行稳定，用户反馈良好",
    "依托单位建有国家重点实验室和工程技术研究中心，仪器设备总值超过一亿元",
    "项目团队由教授、副教授和博士研究生组成，具有多年产学研合作经验",
    "技术成熟度较高，已完成中试验证，具备规模化生产条件",
    "合作方式可采用技术转让、许可使用或合作开发，具体可面议",
    "企业位于省级经济开发区，交通便利，配套齐全，享受高新技术企业税收优惠",
    "本需求拟投入研发资金三百万元，合作周期两年，希望尽快启动",
    "相关产品执行国家标准和行业标准，并通过了质量管理体系认证",
    "该领域国外企业起步较早，国内同类产品在性能和稳定性方面仍有差距",
]


@dataclass
class BenchData:
    """Texts and the planted pairs: demand i ↔ project i and expert i."""

    demands: list[tuple[str, str]] = field(default_factory=list)
    projects: list[tuple[str, str, str]] = field(default_factory=list)
    experts: list[tuple[str, str]] = field(default_factory=list)
    planted: int = 0


def _topic(rng: random.Random):
    domain = rng.choice(list(DOMAINS))
    objects, properties, problems, methods = DOMAINS[domain]
    return (
        domain,
        rng.choice(MODIFIERS) + rng.choice(objects),
        rng.choice(properties),
        rng.randrange(len(problems)),
        rng.randrange(len(methods)),
    )


def _filler(rng: random.Random, sentences: int) -> str:
    return "。".join(rng.sample(FILLER, sentences))


def _demand(rng, topic) -> tuple[str, str]:
    domain, product, prop, problem, _ = topic
    problem_words = DOMAINS[domain][2][problem]
    title = f"{product}{problem_words[0]}问题研究"
    body = (
        f"{_filler(rng, rng.randint(2, 4))}。"
        f"我公司主要生产{product}，客户对{prop}要求很高，"
        f"目前生产中存在{problem_words[0]}，{rng.choice(problem_words[1:])}导致废品率偏高。"
        f"{rng.choice(GOALS)}，解决{problem_words[0]}问题。{_filler(rng, 1)}。"
    )
    return title, body


def _project(rng, topic, paraphrase: bool) -> tuple[str, str, str]:
    domain, product, prop, problem, method = topic
    problem_words = DOMAINS[domain][2][problem]
    method_words = DOMAINS[domain][3][method]
    said = rng.choice(problem_words[1:]) if paraphrase else problem_words[0]
    how = rng.choice(method_words)
    title = f"{product}{how}技术"
    also = rng.choice(MODIFIERS) + rng.choice(DOMAINS[domain][0])
    body = (
        f"本成果针对{product}的{said}，采用{how}，显著提升{prop}。"
        f"{_filler(rng, rng.randint(2, 5))}。该技术也可用于{also}等产品。"
    )
    return title, domain, body


def _expert(rng, topic) -> tuple[str, str]:
    domain, product, _, problem, method = topic
    said = rng.choice(DOMAINS[domain][2][problem])
    how = rng.choice(DOMAINS[domain][3][method])
    return f"专家{rng.randrange(10**6):06d}", f"{product}{said}控制；{how}"


def generate(
    demands: int = 10_000, projects: int = 100_000, experts: int = 20_000, seed: int = 7
) -> BenchData:
    """Return the generated rosters; pairs i < `demands` are planted."""
    rng = random.Random(seed)
    data = BenchData(planted=demands)
    taken: set[tuple[str, int]] = set()
    topics = []
    for _ in range(demands * 50):
        if len(topics) == demands:
            break
        topic = _topic(rng)
        key = (topic[1], topic[3])
        if key not in taken:
            taken.add(key)
            topics.append(topic)
    for topic in topics:
        data.demands.append(_demand(rng, topic))
        data.projects.append(_project(rng, topic, paraphrase=rng.random() < 0.6))
        data.experts.append(_expert(rng, topic))
    while len(data.projects) < projects:
        data.projects.append(
            _project(rng, _distractor(rng, topics, taken), rng.random() < 0.5)
        )
    while len(data.experts) < experts:
        data.experts.append(_expert(rng, _distractor(rng, topics, taken)))
    return data


def _distractor(rng, topics, taken):
    # Same product and property as a demand, another problem (60 %); the same
    # problem on another product (20 %); anything else (20 %). Never a demand's
    # exact (product, problem).
    for _ in range(1000):
        base = rng.choice(topics)
        domain, product, prop, problem, method = base
        roll = rng.random()
        if roll < 0.6:
            count = len(DOMAINS[domain][2])
            topic = (domain, product, prop, rng.randrange(count), rng.randrange(6))
        elif roll < 0.8:
            other = rng.choice(MODIFIERS) + rng.choice(DOMAINS[domain][0])
            topic = (domain, other, prop, problem, rng.randrange(6))
        else:
            topic = _topic(rng)
        if (topic[1], topic[3]) not in taken:
            return topic
    raise RuntimeError("no free (product, problem) pair left for a distractor")
