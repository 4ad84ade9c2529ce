"""Lead field extraction, amounts, sensitive data detection and masking for storage."""

from __future__ import annotations

import pytest

from assistant.service.fields import (
    LeadFields,
    extract_fields,
    find_sensitive,
    mask_for_storage,
    parse_amount,
    strip_sensitive,
)

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def test_all_fields_in_one_message() -> None:
    fields = extract_fields("我叫张三，苏州星河精密机械有限公司，电话13812345678，想贷300万买设备")
    assert fields == LeadFields("张三", "苏州星河精密机械有限公司", "13812345678", 3_000_000, "买设备")
    assert fields.missing() == []


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("我是李四，我们是杭州云图科技有限公司的，需要五百万元用于研发，手机 139-1234-5678",
         LeadFields("李四", "杭州云图科技有限公司", "13912345678", 5_000_000, "研发")),
        ("姓王，王先生，公司名称：合肥智造有限公司，金额2000000，用途：流动资金周转",
         LeadFields("王先生", "合肥智造有限公司", None, 2_000_000, "流动资金周转")),
        ("我们公司需要一笔资金周转", LeadFields(purpose="资金周转")),
        ("星火科创信用贷利率多少", LeadFields()),
    ],
)  # fmt: skip
def test_extraction_cases(message: str, expected: LeadFields) -> None:
    assert extract_fields(message) == expected


@pytest.mark.parametrize(
    ("message", "name", "company"),
    [
        ("我叫张三，南京张记餐饮店，手机13800000000", "张三", "南京张记餐饮店"),
        ("王五，公司是苏州云帆科技有限公司，电话13900000000", "王五", "苏州云帆科技有限公司"),
        ("同意，赵敏，13900000000", "赵敏", None),  # a name after a short consent word
        ("欧阳娜娜，13800000000", "欧阳娜娜", None),  # a compound surname
        ("本人孙丽，鼓楼区红星五金店", "孙丽", "鼓楼区红星五金店"),
        ("联系人：陈静，宁波海曙区李记水产批发部", "陈静", "宁波海曙区李记水产批发部"),
        ("我是个体户，店名叫老王面馆", None, "老王面馆"),
        ("我在南京开了一家张记餐饮店，想贷50万", None, "张记餐饮店"),
        ("我是南京张记餐饮店的老板", None, "南京张记餐饮店"),
        ("我们是青山种植专业合作社", None, "青山种植专业合作社"),
        ("吴江区盛泽镇恒丰丝绸厂", None, "吴江区盛泽镇恒丰丝绸厂"),
        ("苏州星河在线科技开发有限公司", None, "苏州星河在线科技开发有限公司"),
        ("张记餐饮店融资50万", None, "张记餐饮店"),
        ("李四", "李四", None),  # a bare name, as an answer to the question for it
    ],
)  # fmt: skip
def test_names_and_companies_from_self_introductions(message: str, name: str | None, company: str | None) -> None:
    fields = extract_fields(message)
    assert (fields.name, fields.company) == (name, company)


@pytest.mark.parametrize(
    "message",
    [
        "我想开一家奶茶店需要多少钱",  # a kind of shop, not its name
        "我们是一家科技公司",
        "工商银行小店贷利率多少",  # a product
        "小微企业厂房贷怎么申请",
        "个体户可以贷款吗",
        "你们是不是只给有限公司贷款",  # a piece of a question
        "你们公司是哪家",
        "我持有公司股份",
        "我们公司是高新技术企业",  # a description
        "公司是做外贸的",
        "单位是国企",
        "南京分公司",  # a place alone
        "苏州工厂",
        "公司在苏州",
        "谢谢，电话13800000000",  # openings that are not names
        "周转，13800000000",
        "常州，13800000000",
        "王总好，电话13800000000",
    ],
)
def test_no_name_or_company_from_other_words(message: str) -> None:
    fields = extract_fields(message)
    assert (fields.name, fields.company) == (None, None)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("想贷300万", 3_000_000),
        ("3百万", 3_000_000),
        ("五百万元", 5_000_000),
        ("2000000", None),  # a bare number without a money context is not an amount
        ("融资2000000元", 2_000_000),
        ("需要2000000", 2_000_000),
        ("1.5亿", 150_000_000),
        ("借50w", 500_000),
        ("一千二百万", 12_000_000),
        ("融资需求才两三百万", 3_000_000),  # a rough range counts as its upper end
        ("贷款期限36个月，年化4.35%", None),
        ("2027年3月", None),
        ("电话13812345678", None),
    ],
)
def test_parse_amount(text: str, amount: int | None) -> None:
    assert parse_amount(text) == amount


def test_sensitive_data_is_found_masked_and_stripped() -> None:
    text = "身份证号320102199001011234，银行卡6222 0212 3456 7890 123，密码是123456，电话13812345678"
    assert find_sensitive(text) == ["id_card", "bank_card", "password"]
    masked = mask_for_storage(text)
    for secret in ("320102199001011234", "6222 0212 3456 7890 123", "123456", "13812345678"):
        assert secret not in masked
    assert "138****5678" in masked and "密码******" in masked
    stripped = strip_sensitive(text)
    assert "320102199001011234" not in stripped and "123456，" not in stripped
    assert "13812345678" in stripped  # the phone is a lead field, handled by consent, not stripped
    assert find_sensitive("我的电话是13812345678") == []


def test_state_never_keeps_the_phone() -> None:
    fields = LeadFields("张三", "某某有限公司", "13812345678", 100, "周转")
    assert "phone" not in fields.without_phone()
    assert LeadFields.from_state(fields.without_phone()).phone is None


def test_labelled_lines_are_taken_as_given() -> None:
    # The member page's form sends the agent's own labels; a company need not end in 公司, an English name
    # keeps its space and a purpose its comma.
    message = "您的称呼：Tom Lee\n企业名称：张记餐馆\n手机号：139 1234 5678\n融资金额：1.5万\n资金用途：周转，扩大生产"
    assert extract_fields(message) == LeadFields("Tom Lee", "张记餐馆", "13912345678", 15_000, "周转，扩大生产")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("企业名称：\n手机号：12345", LeadFields()),  # empty and invalid values are not fields
        ("融资金额：很多", LeadFields()),
        ("您的称呼：王五；融资金额：300000元", LeadFields(name="王五", amount=300_000)),
        ("资金用途：" + "研" * 300, LeadFields(purpose="研" * 200)),
    ],
)  # fmt: skip
def test_labelled_values_are_checked(message: str, expected: LeadFields) -> None:
    assert extract_fields(message) == expected
