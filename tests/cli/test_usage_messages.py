"""Click's usage errors reach staff in Chinese, with exit code 2."""

import subprocess

import pytest

from kjd.commands.common import translate_usage_message


@pytest.mark.parametrize(
    "message,expected",
    [
        ("Missing option '--output' / '-o'.", "缺少必需的选项 --output。"),
        ("Missing argument 'DEST'.", "缺少必需的参数 DEST。"),
        ("No such option: --bogus (Possible options: --verbose)", "没有选项 --bogus。"),
        ("No such command 'nosuch'.", "没有命令 nosuch。"),
        (
            "Invalid value for 'roster_dir': Directory '/x' does not exist.",
            "roster_dir 指定的 /x 不存在。",
        ),
        (
            "Invalid value for '--limit': Input should be greater than or equal to 1",
            "--limit 应不小于 1。",
        ),
        ("Option '--format' requires an argument.", "选项 --format 需要一个值。"),
        (
            "Something click says that kjd has no wording for",
            "Something click says that kjd has no wording for",
        ),
    ],
)
def test_translate_usage_message(message, expected):
    assert translate_usage_message(message) == expected


def test_missing_folder_message_in_chinese(kjd_command, subprocess_env, tmp_path):
    completed = subprocess.run(
        [*kjd_command, "--db", str(tmp_path / "k.db"), "run", str(tmp_path / "无")],
        env=subprocess_env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
    assert f"用法错误：roster_dir 指定的 {tmp_path / '无'} 不存在。" in completed.stderr
