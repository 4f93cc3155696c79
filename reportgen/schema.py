"""The submission format (SPEC §1) as data.

This module is the single source of every sheet name, header, header alias, field type,
enumeration and value alias. The reader, the validator, the blank template workbook, the sample
generator and ``docs/数据格式.md`` all take them from here; no other module spells a header or an
enumeration value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal["text", "code", "date", "int", "enum", "id_number", "phone", "credit_code"]


@dataclass(frozen=True)
class Enumeration:
    """A closed list of values with the aliases users write for them."""

    key: str
    values: tuple[str, ...]
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> canonical value
    # further spellings of standards and party-affairs systems (GB/T 4658, the national member
    # system's code tables, printed forms), accepted like aliases; the sample generator writes
    # only ``aliases``
    accepted: dict[str, str] = field(default_factory=dict)
    note: str = ""  # how unusual spellings are mapped, for docs/数据格式.md

    def lookup(self) -> dict[str, str]:
        """Map every accepted spelling (canonical values included) to its canonical value."""
        table = {v: v for v in self.values}
        table.update(self.accepted)
        table.update(self.aliases)
        return table

    def spellings(self) -> dict[str, str]:
        """Aliases and accepted spellings (not the canonical values) → canonical value."""
        return {**self.accepted, **self.aliases}


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    type: FieldType = "text"
    required: bool = False
    enum: Enumeration | None = None
    derivable: bool = False  # required unless derivable from the ID number
    aliases: tuple[str, ...] = ()
    default: str | None = None
    note: str = ""  # one line for 填报说明 and docs
    example: str = ""
    # further headers of party-affairs systems' exports, read like aliases (the sample generator
    # writes only ``aliases``)
    accepted: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases, *self.accepted)


@dataclass(frozen=True)
class Sheet:
    key: str  # attribute name on Dataset
    name: str  # canonical sheet name
    title: str  # what the sheet is, in Chinese
    fields: tuple[Field, ...]
    aliases: tuple[str, ...] = ()
    # Columns that other systems' layouts of this sheet carry and the statistics do not use (the
    # national member system's 党龄, 学位, 现居住地 …): kept like unknown columns, without a warning.
    known_columns: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    def header(self, key: str) -> str:
        return self.field(key).header

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)


# --------------------------------------------------------------------------- enumerations

YES_NO = Enumeration(
    "yes_no",
    ("是", "否"),
    {"Y": "是", "y": "是", "YES": "是", "yes": "是", "Yes": "是", "1": "是", "√": "是", "✓": "是",
     "有": "是", "已建": "是", "已建立": "是", "TRUE": "是", "True": "是", "true": "是",
     "N": "否", "n": "否", "NO": "否", "no": "否", "No": "否", "0": "否", "×": "否", "✗": "否",
     "无": "否", "未建": "否", "未建立": "否", "FALSE": "否", "False": "否", "false": "否"},
    accepted={"✔": "是", "☑": "是", "对": "是", "是的": "是", "X": "否", "x": "否", "✕": "否", "✘": "否",
              "不是": "否"},
    note="√、✓、✔、Y、1 按“是”，×、✕、X、N、0 按“否”（只用于“是/否”列）。",
)

GENDER = Enumeration("gender", ("男", "女"), {"男性": "男", "女性": "女", "M": "男", "F": "女",
                                              "m": "男", "f": "女"}, accepted={"1": "男", "2": "女"},
                     note="按 GB/T 2261.1 的代码，1 为男、2 为女。")

ORG_TYPE = Enumeration(
    "org_type",
    ("党委", "党工委", "党总支", "党支部", "联合党支部", "临时党支部"),
    {"基层党委": "党委", "党的基层委员会": "党委", "党委员会": "党委",
     "党的工作委员会": "党工委", "工委": "党工委",
     "党总支部": "党总支", "总支": "党总支", "党总支部委员会": "党总支",
     "支部": "党支部", "党支部委员会": "党支部", "独立党支部": "党支部",
     "联合支部": "联合党支部", "联合党支部委员会": "联合党支部",
     "临时支部": "临时党支部"},
)

SECTOR = Enumeration(
    "sector",
    ("机关", "事业单位", "国有企业", "非公有制企业", "社会组织", "城市社区", "农村", "学校", "其他"),
    {"党政机关": "机关", "机关单位": "机关", "事业": "事业单位",
     "国企": "国有企业", "国有": "国有企业", "国有及国有控股企业": "国有企业",
     "非公企业": "非公有制企业", "非公": "非公有制企业", "民营企业": "非公有制企业",
     "私营企业": "非公有制企业", "非公有制经济组织": "非公有制企业",
     "社会团体": "社会组织", "社团": "社会组织",
     "社区": "城市社区", "街道社区": "城市社区", "村": "农村", "行政村": "农村",
     "高校": "学校", "中小学": "学校", "学校单位": "学校"},
    # 组织类别 / 单位类别 words of party-affairs systems and printed forms
    accepted={
     "党政机关单位": "机关", "机关党组织": "机关", "行政机关": "机关", "党的机关": "机关",
     "人大机关": "机关", "政协机关": "机关", "审判机关": "机关", "检察机关": "机关",
     "事业单位党组织": "事业单位", "其他事业单位": "事业单位", "公立医院": "事业单位",
     "医院": "事业单位", "卫生事业单位": "事业单位", "科研院所": "事业单位", "科研单位": "事业单位",
     "文化事业单位": "事业单位",
     "中小学校": "学校", "高等学校": "学校", "普通高等学校": "学校", "大学": "学校",
     "中等职业学校": "学校", "民办学校": "学校",
     "国有企业党组织": "国有企业", "国有控股企业": "国有企业", "国有独资企业": "国有企业",
     "公有制企业": "国有企业", "公有制经济控制企业": "国有企业", "集体企业": "国有企业",
     "非公有制经济控制企业": "非公有制企业", "非公有制经济组织党组织": "非公有制企业",
     "私营企业党组织": "非公有制企业", "外资企业": "非公有制企业", "港澳台商投资企业": "非公有制企业",
     "个体工商户": "非公有制企业",
     "社会组织党组织": "社会组织", "民办非企业单位": "社会组织", "社会服务机构": "社会组织",
     "基金会": "社会组织", "行业协会商会": "社会组织",
     "城市社区(居委会)": "城市社区", "社区(居委会)": "城市社区", "居委会": "城市社区",
     "社区居委会": "城市社区", "街道": "城市社区", "城市街道": "城市社区",
     "农村(行政村)": "农村", "建制村": "农村", "村委会": "农村", "村民委员会": "农村",
     "乡镇": "农村", "乡": "农村", "镇": "农村"},
    note=("党务系统的“组织类别/单位类别”写法按所属领域归类：公立医院、科研院所、其他事业单位为事业单位；"
          "集体企业等公有制企业按国有企业统计；街道按城市社区、乡镇按农村统计。"
          "印刷表上的①—⑨等圈码只有在该表的表头或图例写明对应关系时才有意义，本程序不猜，按不在选项内处理；"
          "“①机关”这样圈码后跟文字的，按文字识别。"),
)

def _party_school(level: str, canonical: str) -> dict[str, str]:
    """党校 education (中央党校/省委党校/党校 + level) → the corresponding level, as the national
    member system counts it (中央党校研究生 → 研究生, 党校大学 → 大学本科, 党校大专 → 大学专科)."""
    schools = ("中央党校", "省（区、市）委党校", "省(区、市)委党校", "省委党校", "省区市委党校",
               "省级党校", "党校", "中央党校函授学院", "地（市）委党校", "地委党校", "市委党校")
    return {f"{school}{level}": canonical for school in schools}


EDUCATION = Enumeration(
    "education",
    ("研究生", "大学本科", "大学专科", "中专", "高中、中技", "初中及以下"),
    {"博士": "研究生", "硕士": "研究生", "博士研究生": "研究生", "硕士研究生": "研究生",
     "研究生及以上": "研究生",
     "本科": "大学本科", "大学": "大学本科", "大本": "大学本科",
     "大专": "大学专科", "专科": "大学专科", "高职": "大学专科",
     "中技": "高中、中技", "技校": "高中、中技", "职高": "高中、中技", "高中": "高中、中技",
     "高中中技": "高中、中技", "高中/中技": "高中、中技",
     "中专": "中专", "中师": "中专",
     "小学": "初中及以下", "初中": "初中及以下", "文盲": "初中及以下", "小学及以下": "初中及以下"},
    accepted={
     "博士及以上": "研究生", "在职研究生": "研究生", "研究生教育": "研究生",
     "博士研究生毕业": "研究生", "硕士研究生毕业": "研究生", "研究生毕业": "研究生", "研究生班": "研究生",
     "博士后": "研究生", "在职博士": "研究生", "在职硕士": "研究生", "硕士及以上": "研究生",
     **_party_school("研究生", "研究生"),
     "大学本科教育": "大学本科",
     "大学本科毕业": "大学本科", "本科毕业": "大学本科", "双学士": "大学本科", "第二学士学位": "大学本科",
     "在职本科": "大学本科", "大学普通班": "大学本科", "本科及以上": "大学本科",
     **_party_school("大学", "大学本科"), **_party_school("本科", "大学本科"),
     "大学专科教育": "大学专科",
     "大学专科毕业": "大学专科", "专科毕业": "大学专科", "在职大专": "大学专科", "高职高专": "大学专科",
     **_party_school("大专", "大学专科"), **_party_school("专科", "大学专科"),
     "职业高中": "高中、中技", "职业高中毕业": "高中、中技",
     "技工学校": "高中、中技", "技工学校毕业": "高中、中技", "普通高中": "高中、中技", "普通高中毕业": "高中、中技",
     "普通高级中学": "高中、中技", "高级中学": "高中、中技", "高中毕业": "高中、中技",
     "高中及以下": "高中、中技", "高中及中专": "高中、中技",
     "中等专科": "中专", "中等专科毕业": "中专", "中等专业学校": "中专",
     "中专毕业": "中专",
     "初中毕业": "初中及以下", "小学毕业": "初中及以下", "初级中学": "初中及以下", "初中及以下": "初中及以下",
     "半文盲": "初中及以下", "不识字或识字很少": "初中及以下", "扫盲班": "初中及以下"},
    note=("GB/T 4658 的写法（研究生、大学本科、大学专科、中等专科、职业高中、技工学校、普通高中、初中、小学，"
          "带或不带“毕业”）按对应层次统计；党校学历按全国党员信息系统的口径计入相应层次："
          "中央党校/省（区、市）委党校研究生为研究生，党校大学（本科）为大学本科，党校大专为大学专科；"
          "双学士按大学本科统计。系统简写“高中及以下”无法再分为中专、高中中技和初中及以下，"
          "一律按“高中、中技”统计（不影响大专及以上比例）；“中等职业教育”“中职”同样无法区分中专与职高，"
          "不予识别，请改填具体学历。括号写法不论全角半角，“省(区、市)委”“省（自治区、直辖市）委”都能识别。"),
)

COLLEGE_LEVELS = ("研究生", "大学本科", "大学专科")  # 大专及以上

_WORKER, _FARMER, _TECH, _MANAGER, _CIVIL, _STUDENT, _OTHER_JOB, _RETIRED = (
    "工人（工勤技能人员）", "农牧渔民", "企事业单位、社会组织专业技术人员",
    "企事业单位、社会组织管理人员", "党政机关工作人员", "学生", "其他职业人员", "离退休人员")
# the employers of the national member system's 工作岗位 sub-categories
_EMPLOYERS = ("公有制经济控制企业", "非公有制经济控制企业", "国有企业", "非公有制企业", "事业单位",
              "社会组织", "民办非企业单位", "企业", "企事业单位", "国有及国有控股企业", "私营企业")

OCCUPATION = Enumeration(
    "occupation",
    (_WORKER, _FARMER, _TECH, _MANAGER, _CIVIL, _STUDENT, _OTHER_JOB, _RETIRED),
    {"工人": _WORKER, "工勤技能人员": _WORKER, "工人(工勤技能人员)": _WORKER,
     "农民": _FARMER, "牧民": _FARMER, "渔民": _FARMER,
     "专业技术人员": _TECH, "专技人员": _TECH,
     "管理人员": _MANAGER, "企业管理人员": _MANAGER,
     "机关干部": _CIVIL, "公务员": _CIVIL, "机关工作人员": _CIVIL,
     "在校学生": _STUDENT, "其他": _OTHER_JOB,
     "离退休": _RETIRED, "退休": _RETIRED, "离休": _RETIRED, "退休人员": _RETIRED},
    accepted={
     # the older wording of 党内统计 (before 社会组织 replaced 民办非企业单位)
     "企事业单位、民办非企业单位专业技术人员": _TECH, "企事业单位、民办非企业单位管理人员": _MANAGER,
     "企事业单位专业技术人员": _TECH, "企事业单位管理人员": _MANAGER,
     "农牧渔民": _FARMER, "党政机关工作人员": _CIVIL, "其他职业人员": _OTHER_JOB, "离退休人员": _RETIRED,
     "军人武警": _OTHER_JOB, "解放军、武警": _OTHER_JOB, "解放军武警": _OTHER_JOB, "军人": _OTHER_JOB,
     # the national member system's sub-categories
     **{f"{e}专业技术人员": _TECH for e in _EMPLOYERS},
     **{f"{e}管理人员": _MANAGER for e in _EMPLOYERS},
     **{f"{e}工人": _WORKER for e in _EMPLOYERS},
     **{f"{e}工勤技能人员": _WORKER for e in _EMPLOYERS},
     "党政机关工勤技能人员": _WORKER, "机关工勤人员": _WORKER, "农民工": _WORKER, "进城务工人员": _WORKER,
     "外出务工人员": _WORKER, "产业工人": _WORKER,
     "参照公务员法管理人员": _CIVIL, "参公管理人员": _CIVIL, "参照公务员法管理的事业单位工作人员": _CIVIL,
     "党政机关公务员": _CIVIL, "党政机关干部": _CIVIL,
     "村干部": _FARMER, "农村党员": _FARMER, "农林牧渔业人员": _FARMER,
     "研究生": _STUDENT, "本科生": _STUDENT, "专科生": _STUDENT, "大学生": _STUDENT, "中专生": _STUDENT,
     "高中生": _STUDENT, "学生党员": _STUDENT, "研究生在读": _STUDENT,
     "自由职业人员": _OTHER_JOB, "自由职业者": _OTHER_JOB, "无职业": _OTHER_JOB, "无固定职业": _OTHER_JOB,
     "待业": _OTHER_JOB, "失业人员": _OTHER_JOB, "下岗": _OTHER_JOB, "个体": _OTHER_JOB,
     "个体户": _OTHER_JOB, "个体工商户": _OTHER_JOB, "新就业群体": _OTHER_JOB, "新兴领域从业人员": _OTHER_JOB,
     "离休干部": _RETIRED, "退休干部": _RETIRED, "退休工人": _RETIRED, "离退休干部": _RETIRED,
     "离退休人员(离休)": _RETIRED, "离休人员": _RETIRED, "退休职工": _RETIRED, "离退休职工": _RETIRED},
    note=("旧口径的写法（企事业单位、民办非企业单位专业技术人员/管理人员等）和全国党员信息系统的细分岗位"
          "（公有制经济控制企业、非公有制经济控制企业、事业单位、社会组织的专业技术人员、管理人员、工人，"
          "农民工，离休干部、退休人员等）都归入上面8类：农民工按工人统计，参照公务员法管理人员按党政机关"
          "工作人员统计，个体工商户、自由职业人员和军人武警按其他职业人员统计。"),
)

RETIRED = "离退休人员"

MEMBER_STATUS = Enumeration("status", ("正式党员", "预备党员"),
                            {"正式": "正式党员", "正": "正式党员", "预备": "预备党员", "预": "预备党员"},
                            accepted={"中共党员": "正式党员", "中共预备党员": "预备党员",
                             "已转正": "正式党员", "未转正": "预备党员"})

# The 56 nationalities of GB/T 3304; each is also accepted without its last character 族 ("汉", "回").
ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族",
    "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族",
    "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族",
    "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族",
    "赫哲族", "门巴族", "珞巴族", "基诺族")

ETHNICITY = Enumeration(
    "ethnicity", ETHNICITIES,
    accepted={**{e[:-1]: e for e in ETHNICITIES}, "汉": "汉族", "蒙族": "蒙古族", "维族": "维吾尔族",
     "维吾尔": "维吾尔族", "哈族": "哈萨克族"},
    note="GB/T 3304 的56个民族；可省略末尾的“族”（如“汉”“回”“蒙古”），也可写常见简称（蒙族、维族）。",
)

ELECTION_METHOD = Enumeration("method", ("党员大会", "党员代表大会"),
                              {"代表大会": "党员代表大会", "党代会": "党员代表大会", "大会": "党员大会"})

TERM = Enumeration("term", ("本届", "上届"), {"新一届": "本届", "现任": "本届", "本届委员": "本届",
                                             "上一届": "上届", "前届": "上届", "上届委员": "上届"})

ROLE = Enumeration(
    "role",
    ("书记", "副书记", "委员"),
    {"党委书记": "书记", "党总支书记": "书记", "总支书记": "书记", "党支部书记": "书记",
     "支部书记": "书记", "党工委书记": "书记",
     "党委副书记": "副书记", "党总支副书记": "副书记", "党支部副书记": "副书记", "支部副书记": "副书记",
     "党委委员": "委员", "支委": "委员", "支部委员": "委员", "总支委员": "委员",
     "组织委员": "委员", "宣传委员": "委员", "纪检委员": "委员", "青年委员": "委员",
     "统战委员": "委员", "保密委员": "委员",
     "总支副书记": "副书记", "党工委副书记": "副书记", "党总支委员": "委员", "党支部委员": "委员",
     "党工委委员": "委员", "支部组织委员": "委员", "支部宣传委员": "委员", "支部纪检委员": "委员"},
)

UNIT_TYPE = Enumeration(
    "unit_type",
    ("非公有制企业", "社会组织"),
    {"非公企业": "非公有制企业", "非公": "非公有制企业", "民营企业": "非公有制企业",
     "私营企业": "非公有制企业", "企业": "非公有制企业",
     "社会团体": "社会组织", "社团": "社会组织", "民办非企业单位": "社会组织",
     "社会服务机构": "社会组织", "基金会": "社会组织"},
)

PARTY_ORG = Enumeration(
    "party_org",
    ("单独组建", "联合组建", "未建立"),
    {"单建": "单独组建", "独立组建": "单独组建", "单独建立": "单独组建",
     "联建": "联合组建", "联合建立": "联合组建",
     "未建": "未建立", "未组建": "未建立", "无": "未建立", "没有": "未建立"},
)

ENUMERATIONS: dict[str, Enumeration] = {
    e.key: e for e in (YES_NO, GENDER, ORG_TYPE, SECTOR, EDUCATION, OCCUPATION, MEMBER_STATUS,
                       ELECTION_METHOD, TERM, ROLE, UNIT_TYPE, PARTY_ORG, ETHNICITY)
}

# Organization types and their default term length (years); SPEC §1.2 and §2.
TERM_YEARS_DEFAULT: dict[str, int] = {"党委": 5, "党工委": 5, "党总支": 3, "党支部": 3,
                                      "联合党支部": 3, "临时党支部": 3}
BRANCH_TYPES = ("党支部", "联合党支部", "临时党支部")  # 支部-level organizations
TWO_NEW_SECTORS = ("非公有制企业", "社会组织")
HAN = "汉族"
SECRETARY = "书记"
CURRENT_TERM, PREVIOUS_TERM = TERM.values
FULL_MEMBER, PROBATIONARY = MEMBER_STATUS.values
ORG_BUILT = ("单独组建", "联合组建")
YES, NO = YES_NO.values
MALE, FEMALE = GENDER.values
NOT_BUILT = PARTY_ORG.values[2]
CONGRESS = ELECTION_METHOD.values[1]  # 党员代表大会
DANGWEI_TYPES = ("党委", "党工委")
ZONGZHI = "党总支"
BRANCH = "党支部"
JOINT_BRANCH = "联合党支部"

# --------------------------------------------------------------------------- sheets

_ID_ALIASES = ("身份证号", "身份证号码", "身份证", "公民身份证号码", "证件号码", "公民身份证号")
_BIRTH_ALIASES = ("出生年月", "出生时间", "出生年月日")
_EDU_ALIASES = ("最高学历", "文化程度", "学历层次")
_ORG_CODE_ALIASES = ("党组织编码", "组织代码", "党组织代码", "单位编码")

COVER = Sheet(
    "cover", "封面", "报送单位、统计期和联系人（可选）",
    (
        Field("unit", "填报单位", aliases=("报送单位", "单位名称", "填报单位名称"),
              note="报送本表的单位全称", example="示例区城东街道党工委"),
        Field("period", "统计期", aliases=("统计期间", "报送期", "统计季度"),
              note="如 2026Q3、2026年第三季度", example="2026Q3"),
        Field("as_of", "截止日期", type="date", aliases=("统计截止日期", "数据截止日期"),
              note="统计截止日期，不填则为统计期最后一天", example="2026-09-30"),
        Field("contact", "填报人", aliases=("联系人", "经办人"), note="填表人姓名", example="张三"),
        Field("contact_phone", "联系电话", type="phone", aliases=("手机号码", "电话"),
              note="填表人电话", example="13800000000"),
    ),
    aliases=("封皮", "说明页"),
)

ORGS = Sheet(
    "orgs", "党组织", "党组织基本信息，每个党组织一行",
    (
        Field("org_id", "组织编码", "code", True, aliases=("党组织编码", "组织代码", "党组织代码", "编码"),
              note="本单位自编或系统中的组织编码，全套报送中唯一", example="A0101"),
        Field("name", "组织名称", "text", True, aliases=("党组织名称", "组织全称", "党组织全称"),
              note="党组织全称", example="中共示例区城东街道第一社区支部委员会"),
        Field("short_name", "组织简称", "text", accepted=("党组织简称", "简称"),
              note="其他表可用简称指代本组织；简称须唯一", example="城东一社区支部"),
        Field("parent_id", "上级组织编码", "code", aliases=("上级党组织编码", "上级编码", "上级组织代码"),
              accepted=("上级党组织", "上级组织名称", "上级党组织名称", "上级组织", "上级党组织编码/名称"),
              note="上级党组织的组织编码（也可填完整名称或简称）；本套数据的最上级留空", example="A01"),
        Field("org_type", "组织类别", "enum", True, ORG_TYPE, aliases=("党组织类别", "组织类型", "党组织类型"),
              note="党委、党工委、党总支、党支部、联合党支部或临时党支部", example="党支部"),
        Field("sector", "所属领域", "enum", True, SECTOR, aliases=("领域", "单位类别", "所在单位类别"),
              note="机关、事业单位、国有企业、非公有制企业、社会组织、城市社区、农村、学校或其他",
              example="城市社区"),
        Field("area", "所属片区", aliases=("片区", "所属街道", "街道乡镇", "所属系统", "所在街道"),
              note="所在街道、乡镇或系统，用于分片区统计和分片区报告", example="城东街道"),
        Field("founded", "成立日期", "date", aliases=("成立时间", "建立日期", "组建时间"),
              note="党组织成立日期", example="2008-07-01"),
        Field("last_election", "本届选举日期", "date", True,
              aliases=("换届时间", "本届起始时间", "本届换届时间", "本届换届日期", "最近换届时间"),
              note="本届班子选举产生的日期", example="2024-06-18"),
        Field("term_years", "任期年数", "int", aliases=("任期年限", "任期"),
              note="不填时党委、党工委按5年，其他按3年", example="3"),
        Field("term_end", "本届届满日期", "date", aliases=("届满日期", "届满时间", "任期届满时间"),
              note="可代替任期年数填写；两者都填时以本列为准", example="2027-06-17"),
        Field("secretary", "书记姓名", aliases=("书记", "党组织书记", "书记姓名（空缺留空）"),
              note="留空表示书记空缺", example="李四"),
        Field("secretary_union_chair", "书记兼任工会主席", "enum", enum=YES_NO,
              aliases=("书记是否兼任工会主席", "一肩挑"), note="是或否", example="否"),
        Field("has_union", "已建工会", "enum", enum=YES_NO, aliases=("是否建立工会", "建立工会"),
              note="是或否", example="是"),
        Field("has_youth_league", "已建团组织", "enum", enum=YES_NO,
              aliases=("是否建立团组织", "建立团组织", "已建共青团组织"), note="是或否", example="否"),
        Field("has_women_org", "已建妇女组织", "enum", enum=YES_NO,
              aliases=("是否建立妇女组织", "建立妇女组织", "已建妇联组织"), note="是或否", example="否"),
    ),
    aliases=("党组织信息", "党组织名册", "组织信息", "党组织基本信息", "基层党组织"),
    known_columns=('党组织所在单位情况', '在岗职工人数', '单位名称', '单位性质', '联系电话', '备注', '党员人数'),
)

MEMBERS = Sheet(
    "members", "党员", "党员花名册，每名党员一行",
    (
        Field("name", "姓名", "text", True, aliases=("党员姓名",), note="党员姓名", example="王五"),
        Field("id_number", "公民身份号码", "id_number", aliases=_ID_ALIASES,
              note="18位居民身份证号（旧15位也可）；请把本列设为文本格式", example="110105199001011234"),
        Field("gender", "性别", "enum", True, GENDER, derivable=True,
              note="男或女；不填时由身份证号推出", example="男"),
        Field("ethnicity", "民族", "enum", enum=ETHNICITY, aliases=("民族名称",),
              note="汉族或少数民族名称，可省略“族”字", example="汉族"),
        Field("birth_date", "出生日期", "date", True, derivable=True, aliases=_BIRTH_ALIASES,
              note="不填时由身份证号推出", example="1990-01-01"),
        Field("education", "学历", "enum", True, EDUCATION, aliases=_EDU_ALIASES,
              note="研究生、大学本科、大学专科、中专、高中、中技或初中及以下", example="大学本科"),
        Field("joined", "入党日期", "date", True, aliases=("入党时间", "加入党组织日期", "入党年月"),
              note="加入党组织日期", example="2015-07-01"),
        Field("full_member_since", "转正日期", "date", aliases=("转正时间", "转为正式党员日期"),
              note="预备党员留空", example="2016-07-01"),
        Field("status", "人员类别", "enum", enum=MEMBER_STATUS, aliases=("党员类型", "党籍状态", "预/正"),
              note="正式党员或预备党员；不填时按转正日期推出", example="正式党员"),
        Field("org_id", "所在党组织编码", "code", True,
              aliases=("所在党组织名称", "所在党组织", "所在党支部", "所属党支部", "党支部",
                       "所在党组织编码/名称", "所属党组织", "所属党组织编码", "所在党支部编码",
                       "所属党支部编码"),
              note="所在党组织的组织编码，或党组织表中的组织全称或简称", example="A0101"),
        Field("occupation", "工作岗位", "enum", enum=OCCUPATION, aliases=("职业", "人员身份", "岗位"),
              note="党内统计的工作岗位分类，如工人、专业技术人员、管理人员、离退休人员", example="离退休人员"),
        Field("mobile", "是否流动党员", "enum", enum=YES_NO, aliases=("流动党员",), note="是或否",
              example="否"),
        Field("phone", "联系电话", "phone", aliases=("手机号码", "手机号", "联系方式", "电话"),
              note="11位手机号或固定电话；不会出现在报告中", example="13800000000"),
    ),
    aliases=("党员信息", "党员花名册", "花名册", "党员名册", "党员基本信息"),
    known_columns=("学位", "党龄", "党龄校正值", "新社会阶层类型", "从事专业技术职务", "专业技术职务", "是否农民工",
                   "现居住地", "户籍所在地", "籍贯", "是否失联党员", "入党类型", "转正情况", "入党时所在支部",
                   "延长预备期时间", "党员所属行业", "工作岗位补充", "工作单位及职务", "工作单位", "职务", "备注",
                   "家庭住址", "毕业院校", "所学专业", "参加工作时间", "党员编号", "党员卡号"),
)

ELECTIONS = Sheet(
    "elections", "换届选举", "党组织换届选举情况，每次选举一行",
    (
        Field("org_id", "组织编码", "code", True, aliases=(*_ORG_CODE_ALIASES, "党组织名称", "组织名称", "党组织"),
              note="举行选举的党组织编码（或党组织表中的全称、简称）",
              example="A0101"),
        Field("date", "选举日期", "date", True, aliases=("换届时间", "当选时间", "换届日期", "选举时间"),
              note="召开选举大会的日期", example="2026-08-15"),
        Field("previous_date", "上届选举日期", "date", aliases=("上届换届时间", "上次换届时间"),
              note="不填时按选举日期减任期推算", example="2023-08-10"),
        Field("method", "选举方式", "enum", enum=ELECTION_METHOD, aliases=("会议形式", "大会形式"),
              note="党员大会或党员代表大会", example="党员大会"),
        Field("eligible", "应到会人数", "int", True, aliases=("应到人数", "有选举权党员数", "应到会党员数",
                                                         "应到会有选举权党员数", "应到会有选举权的党员数"),
              note="有表决权的应到会党员（代表）人数", example="25"),
        Field("present", "实到会人数", "int", True, aliases=("实到人数", "实到会党员数", "参加选举人数",
                                                        "实到会有选举权党员数", "实到会有选举权的党员数"),
              note="实际到会人数", example="23"),
        Field("seats", "应选委员数", "int", True, aliases=("应选人数", "委员职数"), note="应选委员名额",
              example="5"),
        Field("candidates", "候选人数", "int", True, aliases=("候选人人数", "委员候选人数"),
              note="正式候选人数，应多于应选人数20%以上", example="6"),
    ),
    aliases=("换届", "选举", "换届选举情况", "选举情况", "换届情况"),
    known_columns=('换届方式', '备注', '选出委员数'),
)

COMMITTEE = Sheet(
    "committee", "班子成员", "本届和上届班子成员，每人每届一行",
    (
        Field("org_id", "组织编码", "code", True,
              aliases=(*_ORG_CODE_ALIASES, "所属党支部", "所在党支部", "所属党组织", "所在党组织", "党支部",
                       "所属党支部编码", "所在党支部编码"), note="所在党组织编码",
              example="A0101"),
        Field("term", "届别", "enum", True, TERM, aliases=("届次", "本届/上届"), note="本届或上届",
              example="本届"),
        Field("name", "姓名", "text", True, aliases=("委员姓名",), note="班子成员姓名", example="李四"),
        Field("id_number", "公民身份号码", "id_number", aliases=_ID_ALIASES,
              note="用于判断连选连任；请设为文本格式", example="110105197501011234"),
        Field("gender", "性别", "enum", True, GENDER, derivable=True, note="男或女", example="女"),
        Field("birth_date", "出生日期", "date", True, derivable=True, aliases=_BIRTH_ALIASES,
              note="不填时由身份证号推出", example="1975-01-01"),
        Field("education", "学历", "enum", True, EDUCATION, aliases=_EDU_ALIASES, note="同党员表",
              example="大学本科"),
        Field("role", "职务", "enum", True, ROLE, aliases=("党内职务", "班子职务"), note="书记、副书记或委员",
              example="书记"),
        Field("concurrent", "兼任职务", aliases=("兼职情况", "兼任"),
              note="如工会主席、团组织负责人、妇女组织负责人、经营管理人员", example="工会主席"),
        Field("start_date", "任职日期", "date", aliases=("任职时间", "任职开始日期"),
              note="可选；没有“届别”列时，与离职日期和党组织的本届选举日期一起推出届别",
              example="2021-06-20"),
        Field("end_date", "离职日期", "date", aliases=("离任日期", "免职日期", "离职时间", "离任时间"),
              note="可选；仍在任的留空，换届离任的填换届日期", example="2024-06-18"),
    ),
    aliases=("班子成员名单", "委员", "委员名单", "支委成员", "班子"),
    known_columns=("民族", "籍贯", "入党日期", "入党时间", "任职方式", "职级", "工作单位", "工作单位及职务", "备注",
                   "联系电话", "手机号码"),
)

UNITS = Sheet(
    "units", "两新组织", "辖区内非公有制企业和社会组织，每个单位一行",
    (
        Field("unit_name", "单位名称", "text", True, aliases=("企业名称", "组织名称", "单位全称"),
              note="企业或社会组织全称", example="示例区某某科技有限公司"),
        Field("credit_code", "统一社会信用代码", "credit_code", aliases=("信用代码", "社会信用代码"),
              note="18位统一社会信用代码", example="91110105MA0000000X"),
        Field("unit_type", "单位类型", "enum", True, UNIT_TYPE, aliases=("单位类别", "组织类型"),
              note="非公有制企业或社会组织", example="非公有制企业"),
        Field("employees", "从业人员数", "int", True, aliases=("职工人数", "从业人数", "员工人数"),
              note="从业人员总数", example="120"),
        Field("location", "所在园区楼宇", aliases=("园区楼宇", "所在园区", "所在楼宇", "所在社区"),
              note="所在园区、商务楼宇或社区名称", example="科技园"),
        Field("party_org", "党组织建立情况", "enum", True, PARTY_ORG, aliases=("党组织组建情况", "建立党组织情况"),
              note="单独组建、联合组建或未建立", example="单独组建"),
        Field("org_id", "所属党组织编码", "code",
              aliases=("党组织编码", "所在党组织编码", "所属党组织", "所属党组织名称", "所在党组织",
                       "所在党组织名称", "党组织名称", "所属党组织编码/名称", "隶属党组织"),
              note="已建立党组织的，填该党组织编码（也可填组织全称或简称）", example="A0301"),
        Field("party_members", "党员人数", "int", aliases=("党员数",), note="本单位党员人数", example="8"),
        Field("area", "所属片区", aliases=("片区", "所属街道", "所在街道", "街道乡镇", "所在片区", "所属街道乡镇"),
              note="单位所在的片区或街道（未建立党组织的单位按此归入各片区报告）", example="望湖街道"),
        Field("has_instructor", "选派党建指导员", "enum", enum=YES_NO,
              aliases=("是否选派党建指导员", "党建指导员"), note="是或否", example="是"),
        Field("has_union", "已建工会", "enum", enum=YES_NO, aliases=("是否建立工会", "建立工会"),
              note="是或否", example="是"),
        Field("has_youth_league", "已建团组织", "enum", enum=YES_NO,
              aliases=("是否建立团组织", "建立团组织"), note="是或否", example="否"),
        Field("has_women_org", "已建妇女组织", "enum", enum=YES_NO,
              aliases=("是否建立妇女组织", "建立妇女组织"), note="是或否", example="否"),
    ),
    aliases=("两新组织名单", "非公企业和社会组织", "两新", "两新组织情况"),
)

DATA_SHEETS: tuple[Sheet, ...] = (ORGS, MEMBERS, ELECTIONS, COMMITTEE, UNITS)
SHEETS: tuple[Sheet, ...] = (COVER, *DATA_SHEETS)
SHEETS_BY_KEY: dict[str, Sheet] = {s.key: s for s in SHEETS}

# Provenance columns carried by every clean table.
PROVENANCE = ("_file", "_sheet", "_row")

# Age bands of 党内统计 (upper bounds inclusive), used by members.age_bands.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("30岁及以下", 0, 30), ("31至35岁", 31, 35), ("36至40岁", 36, 40), ("41至45岁", 41, 45),
    ("46至50岁", 46, 50), ("51至55岁", 51, 55), ("56至60岁", 56, 60), ("61岁及以上", 61, 200),
)

# Text that marks a header cell as "required" and is removed before matching.
HEADER_NOTES = ("必填", "选填", "可选", "必须填写", "非必填")

# Words that identify a workbook's period on its cover or in the folder name.
QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def sheet(key: str) -> Sheet:
    return SHEETS_BY_KEY[key]
