"""Fixtures for the chat-model tests: sample passages and the loopback OpenAI server."""

from __future__ import annotations

import pytest

from knowledge.types import SearchResult
from tests.support.fixtures import openai_server, openai_settings_env  # noqa: F401


def passage(number: int, title: str, text: str, heading: str = "") -> SearchResult:
    return SearchResult(
        chunk_id=f"chunk-{number}",
        source=f"corpus/doc-{number}.md",
        title=title,
        heading=heading,
        text=text,
        snippet=text[:40],
        score=1.0 / number,
    )


PRODUCT = passage(
    1,
    "小微企业经营贷产品说明",
    """## 产品要素
本产品面向成立满2年的小微企业。单户授信额度最高500万元。
贷款期限最长36个月，可按月付息、到期还本。
年化利率区间为4.35%至8.5%，具体以审批结果为准。
## 申请条件
申请人需满足以下条件：
- 企业成立满2年，近12个月纳税正常；
- 法定代表人无不良征信记录；
- 提供近6个月银行流水。
""",
)
FAQ = passage(
    2,
    "会员常见问题",
    """问：审批需要多久？
答：资料齐全后一般5个工作日内给出审批意见。
问：可以提前还款吗？
答：可以提前还款，提前还款不收取违约金。
| 项目 | 标准 |
| --- | --- |
| 账户管理费 | 0 |
| 提前还款违约金 | 不收取 |
""",
)
EVENT = passage(
    3,
    "社区活动通知",
    "本月28日下午将在线上举办融资政策解读会，会员可通过小程序报名。名额有限，先到先得。",
)


@pytest.fixture
def passages() -> list[SearchResult]:
    return [PRODUCT, FAQ, EVENT]
