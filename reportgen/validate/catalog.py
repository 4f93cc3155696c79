"""The catalogue of validation rules (SPEC §2): stable id, severity, what it means, how to fix it.

The rule checks live in ``rules.py`` (rows and sets) and ``reportgen.ingest`` (files and sheets);
they word their messages from the entries here so that the severity a user can predict is stated
once. The sample generator's manifest of planted problems uses the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "错误"
WARNING = "警告"
SKIPPED = "已跳过"  # not data: read past, neither counted nor left out (SPEC §2)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str  # what is wrong, in Chinese
    fix: str  # how to fix it, in Chinese

    @property
    def drops_row(self) -> bool:
        return self.severity == ERROR


_RULES = (
    # file and sheet level: one line for the file or sheet, the other files still run
    Rule("file.unreadable", ERROR, "文件已损坏或不是电子表格", "请用 Excel 或 WPS 打开确认后另存为 .xlsx 再报送"),
    Rule("file.encrypted", ERROR, "文件已加密", "文件已加密，请去除密码后另存为 .xlsx"),
    Rule("file.unsupported", ERROR, "不支持的文件类型", "请在 Excel 或 WPS 中另存为 .xlsx 后再报送"),
    Rule("file.too_large", ERROR, "文件过大或解压后过大，已拒绝读取", "请检查文件是否异常，或拆分为多个工作簿报送"),
    Rule("file.no_sheet", ERROR, "没有可识别的工作表", "请使用报送模板的工作表名称和表头（reportgen template 可生成模板）"),
    Rule("sheet.no_header", ERROR, "工作表找不到表头行", "请保留模板中的表头行，不要删除或改名"),
    Rule("sheet.duplicate_header", WARNING, "同一表头出现多次，只使用第一列", "请删除重复的列"),
    Rule("sheet.unknown_column", WARNING, "无法识别的列，已保留但不参与统计", "如是模板列请改回模板表头，否则可忽略"),
    Rule("sheet.period_mismatch", WARNING, "封面统计期与本次统计期不一致", "请确认报送的是本期数据"),
    Rule("file.duplicate", SKIPPED, "已跳过（与另一文件内容完全相同）",
         "如是备份或副本可删除；如应是另一单位的数据，请换成正确的文件"),
    Rule("file.own_output", SKIPPED, "已跳过（reportgen 生成的输出文件）", "输出文件不是报送数据，请不要放入报送文件夹"),
    Rule("file.output_folder", SKIPPED, "已跳过（本次的输出文件夹）", "建议把输出文件夹放在报送文件夹之外"),
    Rule("file.bad_name", ERROR, "文件名无法识别（可能是编码问题），未读取", "请把文件改名后重新报送"),
    Rule("file.folder_unreadable", ERROR, "文件夹无法打开，其中的文件未读取", "请检查文件夹权限，或把其中的文件复制到可以打开的文件夹"),
    Rule("file.folder_link", SKIPPED, "已跳过（链接指向已读取的文件夹）", "无需处理；如需读取请把文件直接放入报送文件夹"),
    # row rules
    Rule("row.required", ERROR, "必填项为空", "请补填该项"),
    Rule("row.enum", ERROR, "填写的值不在规定选项内", "请从下拉选项中选择"),
    Rule("row.date", ERROR, "日期无法识别", "请填写如 2010-05-01 或 2010年5月1日 的日期"),
    Rule("row.date_range", ERROR, "日期不合理", "请核对日期"),
    Rule("row.date_order", ERROR, "日期先后顺序不可能", "请核对出生、入党、转正日期的先后"),
    Rule("row.int", ERROR, "应为非负整数", "请填写不带小数和文字的人数"),
    Rule("row.id_numeric", ERROR, "身份证号被存成了数字，后几位已丢失",
         "请把该列设置为文本格式后重新录入完整的身份证号"),
    Rule("row.id_invalid", WARNING, "身份证号校验位或位数不正确", "请核对身份证号"),
    Rule("row.id_mismatch", ERROR, "身份证号与性别或出生日期不一致", "请核对身份证号、性别和出生日期"),
    Rule("row.present_gt_eligible", ERROR, "实到会人数多于应到会人数", "请核对到会人数"),
    Rule("row.seats_gt_candidates", ERROR, "候选人数少于应选委员数", "请核对候选人数和应选委员数"),
    Rule("row.credit_code", WARNING, "统一社会信用代码校验位或位数不正确", "请核对统一社会信用代码"),
    Rule("row.phone", WARNING, "电话号码格式不正确", "请填写11位手机号或带区号的固定电话"),
    Rule("row.age_over_100", WARNING, "年龄超过100岁", "请核对出生日期"),
    Rule("row.optional_blank", WARNING, "该项为空，相关统计将不含此行", "建议补填"),
    # set rules
    Rule("set.duplicate_org", ERROR, "组织编码重复", "请删除重复的行或更正组织编码"),
    Rule("set.duplicate_member", ERROR, "同一身份证号的党员重复出现", "请删除重复的行"),
    Rule("set.duplicate_committee", ERROR, "同一组织同一届别的班子成员重复", "请删除重复的行"),
    Rule("set.unknown_org", ERROR, "所在党组织在党组织表中不存在", "请填写党组织表中的组织编码或完整名称"),
    Rule("set.unit_unknown_org", WARNING, "所属党组织编码在党组织表中不存在", "请核对所属党组织编码"),
    Rule("set.parent_unknown", WARNING, "上级组织编码在党组织表中不存在，按最上级处理", "请核对上级组织编码"),
    Rule("set.parent_cycle", WARNING, "上级组织关系形成循环，按最上级处理", "请核对上级组织编码"),
    Rule("set.secretary_count", WARNING, "本届班子书记不是正好一名", "请核对班子成员的职务"),
    Rule("set.branch_over_50", WARNING, "党支部党员超过50名", "请核对党员所在组织，或按规定调整组织设置"),
)

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]
