"""Benchmark the compliance engine: latency of check() and rewrite() on a realistic 500-character post.

    uv run python bench/compliance.py [--iterations N]

Prints p50/p95/p99 in microseconds and throughput (texts and characters per second). Target: p50 < 1 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.compliance import check, default_rules, rewrite

POST = (
    "【政策速递】省财政厅、地方金融监管局联合印发《中小微企业贷款贴息实施细则》，对符合条件的企业新增贷款"
    "按贷款利率的50%给予贴息，最高不超过1.5个百分点，贴息期限不超过2年；项目资本金比例不低于20%。"
    "政府性融资担保机构对单户1000万元以下贷款提供担保，年化担保费率不超过1%。\n"
    "很多群友问：贴息后实际成本是多少？以某行“科创贷”为例，年化利率3.45%-6%（单利），额度最高1000万元，"
    "期限最长3年，随借随还，按日计息；日利率约0.0095%-0.0164%。提醒大家：凡是声称“包过”“无视征信”"
    "“先交费后放款”的都是诈骗，正规机构不会在放款前收取保证金。"
    "群里近期有人说“内部渠道可以秒批”，请勿轻信。\n"
    "另外，某中介发来的广告写着：经营贷包过，月息0.6%，当天必到账，比工商银行还低，联系13812345678。"
    "这类宣传违反《广告法》和人民银行关于明示年化利率的要求，大家看到请截图举报。\n"
    "本周六下午2点在高新区创业中心举办融资对接会，现场有6家银行客户经理答疑，欢迎报名。"
    "报名时请准备营业执照、近两年财务报表和近六个月的对公流水，银行会依法查询企业和法定代表人的征信。"
    "额度及利率以审批结果为准，贷款有风险，借款需谨慎。如有疑问，可在工作日联系客服热线400-820-8888咨询。"
)
assert len(POST) >= 500


def _time(fn: Callable[[str], object], text: str, iterations: int) -> list[float]:
    samples = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        fn(text)
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def _report(name: str, text: str, samples: list[float]) -> None:
    samples.sort()
    p = {q: samples[min(len(samples) - 1, int(len(samples) * q / 100))] for q in (50, 95, 99)}
    total_s = sum(samples) / 1e6
    print(
        f"{name:<8} {len(text)} chars  p50 {p[50]:8.1f} µs  p95 {p[95]:8.1f} µs  p99 {p[99]:8.1f} µs  "
        f"mean {statistics.fmean(samples):8.1f} µs  {len(samples) / total_s:8.0f} texts/s  "
        f"{len(samples) * len(text) / total_s / 1e6:5.2f} M chars/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5000)
    args = parser.parse_args()
    text = POST[:500]
    started = time.perf_counter()
    rules = default_rules()
    print(f"loaded {len(rules.rules)} rules in {(time.perf_counter() - started) * 1000:.1f} ms (once per process)")
    report = check(text)
    print(f"sample: {len(report.errors)} errors, {len(report.warnings)} warnings -> {sorted(report.rule_ids())}")
    for _ in range(200):  # warm-up
        check(text)
    _report("check", text, _time(check, text, args.iterations))
    _report("rewrite", text, _time(rewrite, text, max(1, args.iterations // 5)))
    clean = text.replace("包过", "").replace("当天必到账", "").replace("13812345678", "")
    _report("clean", clean, _time(check, clean, args.iterations))


if __name__ == "__main__":
    main()
