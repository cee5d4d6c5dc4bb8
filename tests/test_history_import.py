"""`groupsim import`: format detection, each format's joins, leaves, red packets and 接龙, the
counting rules of the observed days, hashing, mid-life exports and the plan skeleton.

The fixtures under tests/fixtures/chat/ are hand-written exports of made-up people.
"""

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from experiments.cli.main import app
from experiments.running.history.formats.registry import FORMATS, UnknownFormat, detect
from experiments.running.history.importer import HistoryError, import_exports
from experiments.running.history.tables import HostNotFound
from scenarios.loader import load_plan

CHAT = Path(__file__).parent / "fixtures" / "chat"
DETECTED = {
    "wechat_chatlog.csv": "wechat-chatlog-csv",
    "wechat_chatlog.json": "wechat-chatlog-json",
    "wechat_pywxdump.csv": "wechat-pywxdump-csv",
    "qq.txt": "qq-txt",
    "qq_qce.json": "qq-qce-json",
    "telegram_result.json": "telegram-json",
    "whatsapp_android_us.txt": "whatsapp-txt",
    "whatsapp_android_eu.txt": "whatsapp-txt",
    "whatsapp_ios.txt": "whatsapp-txt",
    "wechat_memotrace.csv": "wechat-chatlog-csv",
    "whatsapp_ios_us.txt": "whatsapp-txt",
}
NAMES = ("阿明", "小红", "小李", "老王", "小张", "wxid_", "书虫老周", "小鹿", "大熊", "老板娘", "阿花",
         "小刚", "小美", "10001", "光影", "快门", "光圈", "20001", "Ada", "Bo", "Cy", "Eve", "Fay",
         "user111", "果园阿姨", "小雨", "阿杰", "豆豆", "wxid_auntie", "Gus", "Hal", "Ivy", "Garden")


def _import(tmp_path: Path, name: str, **kwargs):
    result = import_exports([CHAT / name], tmp_path / "history", salt="test", **kwargs)
    events = pd.read_parquet(tmp_path / "history" / "events.parquet")
    days = pd.read_parquet(tmp_path / "history" / "observed.parquet")
    return result, events, days


def _kinds(events: pd.DataFrame) -> dict[str, int]:
    return {k: int(v) for k, v in events["kind"].value_counts().items() if v}


def _column(days: pd.DataFrame, name: str) -> list:
    return [None if pd.isna(v) else v for v in days[name]]


@pytest.mark.parametrize("name", sorted(DETECTED))
def test_each_fixture_is_detected_as_its_format(name):
    assert detect(CHAT / name).name == DETECTED[name]


@pytest.mark.parametrize("text", ["shopping list\nmilk\neggs\n", "{}"])
def test_an_unknown_file_is_refused_with_the_list_of_formats(tmp_path, text):
    notes = tmp_path / "notes.txt"
    notes.write_text(text, encoding="utf-8")
    with pytest.raises(UnknownFormat) as error:
        import_exports([notes], tmp_path / "out")
    for name in FORMATS:
        assert name in str(error.value)
    assert not (tmp_path / "out").exists()


def test_the_command_exits_2_with_the_formats_on_an_unknown_file(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["import", str(notes), "--out", str(tmp_path / "h")])
    assert done.exit_code == 2
    assert "Formats:" in done.output and "whatsapp-txt" in done.output
    ok = CliRunner().invoke(app, ["import", str(CHAT / "qq.txt"), "--out", str(tmp_path / "h")])
    assert ok.exit_code == 0, ok.output
    assert "history-plan.yaml" in ok.output


def test_wechat_chatlog_csv_joins_red_packets_jielong_and_thanks(tmp_path):
    result, events, days = _import(tmp_path, "wechat_chatlog.csv")
    assert _kinds(events) == {"message": 10, "join": 2, "red_packet": 3, "jielong_entry": 3,
                              "recall": 1, "kick": 1}
    host = result.host
    joins = events[events["kind"] == "join"]
    assert list(joins["method"]) == ["invite", "qr"]
    assert joins["inviter"].iloc[0] == host  # "阿明"邀请"小红": 阿明 posts as the host
    qr_inviter = joins["inviter"].iloc[1]  # 小李 shared the QR code; 小李 also posts
    assert qr_inviter != host
    assert (events.loc[events["kind"] == "message", "who"] == qr_inviter).any()
    assert (events.loc[events["kind"] == "red_packet", "who"] == host).all()
    # the 接龙 list is posted three times; each repost adds one entry: 3 entries, not 1 + 2 + 3
    entries = events[events["kind"] == "jielong_entry"]
    assert len(entries) == 3 and entries["jielong"].nunique() == 1
    assert int(events["prompted"].sum()) == 3
    assert _column(days, "joins") == [1, 1, 0]
    assert _column(days, "leaves") == [None, None, None]  # WeChat shows no voluntary leaves
    assert _column(days, "members") == [None, None, None]
    assert _column(days, "real_messages") == [4, 4, 1]
    assert _column(days, "prompted_messages") == [2, 1, 0]
    assert _column(days, "jielong_entries") == [0, 2, 0]  # the host's own entry is not a member's
    assert _column(days, "conversation") == [2, 1, 1]
    assert _column(days, "host_messages") == [1, 2, 1]
    assert _column(days, "active_posters") == [2, 3, 1]
    assert _column(days, "red_packets") == [1, 1, 1]
    assert _column(days, "red_packet_yuan") == [None, None, None]  # amounts not shown


def test_wechat_chatlog_json_knows_the_exporter_and_red_packet_types(tmp_path):
    result, events, days = _import(tmp_path, "wechat_chatlog.json")
    joins = events[events["kind"] == "join"]
    assert len(joins) == 2  # 你邀请"小鹿"、"大熊": two joins
    assert (joins["inviter"] == result.host).all()  # 你 is the exporter, isSelf in the JSON
    assert _kinds(events)["red_packet"] == 1
    assert _column(days, "prompted_messages") == [1, 0]


def test_wechat_pywxdump_csv_reads_type_names(tmp_path):
    result, events, _ = _import(tmp_path, "wechat_pywxdump.csv")
    assert _kinds(events) == {"message": 3, "join": 1, "red_packet": 1, "recall": 1}
    assert any("PyWxDump" in note for note in result.notes)


def test_qq_txt_reads_12_hour_times_and_system_notices(tmp_path):
    result, events, days = _import(tmp_path, "qq.txt")
    assert _kinds(events) == {"message": 3, "join": 2, "red_packet": 1, "leave": 1, "recall": 1}
    local = events["time"].dt.tz_convert("Asia/Shanghai")
    packet = local[events["kind"] == "red_packet"].iloc[0]
    assert (packet.day, packet.hour, packet.minute) == (24, 0, 5)  # 12:05:00 AM
    assert local.iloc[0].hour == 20  # 8:43:38 PM
    joins = events[events["kind"] == "join"]
    assert list(joins["method"]) == ["unknown", "invite"]
    assert joins["inviter"].iloc[1] == result.host
    assert _column(days, "leaves") == [None, None]  # exits show only to admins
    assert _column(days, "prompted_messages") == [0, 1]


def test_qce_json_reads_red_packets_recalls_and_invites(tmp_path):
    result, events, _ = _import(tmp_path, "qq_qce.json")
    assert _kinds(events) == {"message": 3, "red_packet": 1, "join": 1, "recall": 1}
    join = events[events["kind"] == "join"].iloc[0]
    assert join["inviter"] == result.host and join["method"] == "invite"
    assert int(events["prompted"].sum()) == 1


def test_telegram_creation_invites_links_leaves_and_removals(tmp_path):
    result, events, days = _import(tmp_path, "telegram_result.json")
    assert result.opened and result.initial_members == 2 and result.members_known
    assert "created the group" in result.host_reason
    joins = events[events["kind"] == "join"]
    assert list(joins["method"]) == ["creation", "creation", "invite", "invite", "link"]
    assert _kinds(events)["leave"] == 1 and _kinds(events)["kick"] == 1
    assert _column(days, "members") == [2, 5, 3]
    assert _column(days, "joins") == [0, 3, 0]  # creation members are not joins
    assert _column(days, "leaves") == [0, 0, 2]


@pytest.mark.parametrize("name", ["whatsapp_android_us.txt", "whatsapp_android_eu.txt",
                                  "whatsapp_ios.txt"])
def test_whatsapp_layouts_read_the_same_dates(tmp_path, name):
    result, events, days = _import(tmp_path, name)
    assert result.opened and result.first_day == "2024-01-08" and result.last_day == "2024-01-14"
    link = events[(events["kind"] == "join") & (events["method"] == "link")]
    local = link["time"].dt.tz_convert("Asia/Shanghai").iloc[0]
    assert (local.month, local.day, local.hour, local.minute) == (1, 13, 10, 15)
    assert list(days["weekday"])[0] == "mon"


def test_whatsapp_android_adds_leaves_removals_and_multiline_messages(tmp_path):
    result, events, days = _import(tmp_path, "whatsapp_android_us.txt", keep_text=True)
    assert _kinds(events) == {"message": 4, "join": 4, "leave": 1, "kick": 1, "recall": 1,
                              "system": 2}
    assert "one of them is signed." in events["text"].dropna().str.cat()
    assert _column(days, "members") == [2, 2, 2, 2, 2, 4, 2]
    assert _column(days, "leaves") == [0, 0, 0, 0, 0, 0, 2]
    assert result.initial_members == 2


def test_no_name_or_id_is_left_in_the_outputs(tmp_path):
    for name in DETECTED:
        out = tmp_path / name
        import_exports([CHAT / name], out)
        for file in out.iterdir():
            data = file.read_bytes()
            if file.suffix == ".parquet":
                data = pd.read_parquet(file).astype(str).to_csv().encode()
            for person in NAMES:
                assert person.encode() not in data, (name, file.name, person)


def test_the_salt_decides_the_hashes_and_text_is_dropped_by_default(tmp_path):
    one = import_exports([CHAT / "qq.txt"], tmp_path / "a", salt="one")
    again = import_exports([CHAT / "qq.txt"], tmp_path / "b", salt="one")
    other = import_exports([CHAT / "qq.txt"], tmp_path / "c", salt="two")
    assert one.host == again.host != other.host
    assert "text" not in pd.read_parquet(tmp_path / "a" / "events.parquet")
    unsalted = import_exports([CHAT / "qq.txt"], tmp_path / "d")
    assert not unsalted.salt_given and any("not stored" in line for line in unsalted.lines())


def test_the_host_can_be_named_and_a_wrong_name_is_refused(tmp_path):
    named = import_exports([CHAT / "qq.txt"], tmp_path / "a", host="小刚", salt="s")
    inferred = import_exports([CHAT / "qq.txt"], tmp_path / "b", salt="s")
    assert named.host != inferred.host and "--host" in named.host_reason
    assert "red packets" in inferred.host_reason
    by_id = import_exports([CHAT / "qq.txt"], tmp_path / "c", host="10003", salt="s")
    assert by_id.host == named.host
    with pytest.raises(HostNotFound, match="nobody|neither"):
        import_exports([CHAT / "qq.txt"], tmp_path / "d", host="Nobody")


def test_a_bad_time_zone_is_refused(tmp_path):
    with pytest.raises(HistoryError, match="time zone"):
        import_exports([CHAT / "qq.txt"], tmp_path / "a", tz="Mars/Olympus")


def test_the_time_zone_decides_the_local_days(tmp_path):
    _, _, shanghai = _import(tmp_path, "telegram_result.json")
    _, _, honolulu = _import(tmp_path, "telegram_result.json", tz="Pacific/Honolulu")
    assert str(shanghai["date"].iloc[0]) == "2024-04-01"
    assert str(honolulu["date"].iloc[0]) == "2024-03-31"


def test_a_mid_life_export_is_not_treated_as_the_opening(tmp_path):
    result, _, _ = _import(tmp_path, "wechat_chatlog.csv")
    assert not result.opened
    assert result.initial_members == 2  # 小李 and 小张 post before any join of theirs
    text = (tmp_path / "history" / "history-plan.yaml").read_text(encoding="utf-8")
    assert "middle of the group's life" in text
    assert yaml.safe_load(text)["members"]["initial"] == 2


@pytest.mark.parametrize("name", sorted(DETECTED))
def test_every_skeleton_validates(tmp_path, name):
    import_exports([CHAT / name], tmp_path / "h")
    plan = load_plan(str(tmp_path / "h" / "history-plan.yaml"))
    platform = {"wechat": "wechat", "qq": "qq", "telegram": "qq", "whatsapp": "qq"}
    assert plan.group.platform.value == platform[DETECTED[name].split("-")[0]]


def test_the_skeleton_names_the_platform_choice_for_telegram(tmp_path):
    _import(tmp_path, "telegram_result.json")
    text = (tmp_path / "history" / "history-plan.yaml").read_text(encoding="utf-8")
    assert "platform qq: Telegram has no plan platform of its own" in text.replace("\n#  ", "")


def test_the_skeleton_finds_daily_red_packets_and_reports(tmp_path):
    _import(tmp_path, "wechat_chatlog.csv")
    plan = load_plan(str(tmp_path / "history" / "history-plan.yaml"))
    items = {(i.kind, i.hour, i.every_days) for i in plan.calendar}
    assert items == {("red_packet", 20, 1), ("daily_report", 9, 1)}
    assert plan.group.open_weekday == "mon"


def _weekly_group(path: Path) -> None:
    """Four weeks: a ¥50/20 red packet at 20:00 every day, a 接龙 every Wednesday at 10:00 with
    three members' entries, a member's chat every day at noon."""
    rows = ["Time,SenderName,Sender,TalkerName,Talker,Content"]
    for day in range(28):
        date = pd.Timestamp("2024-03-04") + pd.Timedelta(days=day)  # a Monday
        rows.append(f"{date:%Y-%m-%d} 12:00:00,小李,wxid_li,群,1@chatroom,中午吃什么")
        rows.append(f"{date:%Y-%m-%d} 20:00:00,阿明,wxid_ming,群,1@chatroom,[红包]50元20个")
        if date.weekday() == 2:
            entries = []
            for i, (who, pid) in enumerate((("阿明", "wxid_ming"), ("小红", "wxid_hong"),
                                            ("老王", "wxid_wang"), ("小张", "wxid_zhang"))):
                entries.append(f"{i + 1}. {who} 一份")
                body = "\n".join(["#接龙", f"{date:%m-%d} 团购", ""] + entries)
                rows.append(f'{date:%Y-%m-%d} 10:{i * 10:02d}:00,{who},{pid},群,1@chatroom,"{body}"')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_the_skeleton_finds_weekly_jielong_and_red_packet_amounts(tmp_path):
    export = tmp_path / "weekly.csv"
    _weekly_group(export)
    result = import_exports([export], tmp_path / "h")
    days = pd.read_parquet(tmp_path / "h" / "observed.parquet")
    assert list(days["jielong_entries"][days["weekday"] == "wed"]) == [3, 3, 3, 3]
    assert list(days["red_packet_yuan"].iloc[:3]) == [50.0, 50.0, 50.0]
    plan = load_plan(str(tmp_path / "h" / "history-plan.yaml"))
    packet = next(i for i in plan.calendar if i.kind == "red_packet")
    assert (packet.hour, packet.every_days, packet.amount, packet.count) == (20, 1, 50.0, 20)
    assert (packet.start_day, packet.end_day) == (0, 27)
    jielong = next(i for i in plan.calendar if i.kind == "jielong")
    assert (jielong.weekday, jielong.hour, jielong.hours_open) == ("wed", 10, 1)
    assert plan.group.weeks == 4 and result.days == 28


def test_an_export_split_in_two_files_imports_as_one(tmp_path):
    lines = (CHAT / "wechat_chatlog.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    second.write_text(lines[0] + "".join(lines[8:]), encoding="utf-8")  # given out of order
    first.write_text("".join(lines[:8]), encoding="utf-8")
    split = import_exports([second, first], tmp_path / "split", salt="s")
    whole = import_exports([CHAT / "wechat_chatlog.csv"], tmp_path / "whole", salt="s")
    assert split.host == whole.host and split.initial_members == whole.initial_members
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "split" / "observed.parquet"),
                                  pd.read_parquet(tmp_path / "whole" / "observed.parquet"))


def test_a_member_telling_of_an_invite_is_a_message_not_a_join(tmp_path):
    export = tmp_path / "chat.csv"
    export.write_text(
        "Time,SenderName,Sender,TalkerName,Talker,Content\n"
        "2024-03-04 09:00:00,阿明,wxid_ming,群,1@chatroom,我邀请小红加入了群聊，大家欢迎\n"
        '2024-03-04 09:01:00,,,群,1@chatroom,"""阿明""邀请""小红""加入了群聊"\n',
        encoding="utf-8")
    import_exports([export], tmp_path / "h", host="阿明")
    events = pd.read_parquet(tmp_path / "h" / "events.parquet")
    assert list(events["kind"]) == ["message", "join"]
    plan = (tmp_path / "h" / "history-plan.yaml").read_text(encoding="utf-8")
    assert "named by --host" in plan and "阿明" not in plan


def test_whatsapp_dates_that_fit_both_orders_are_read_day_first_and_said_so(tmp_path):
    export = tmp_path / "chat.txt"
    export.write_text("03/04/2024, 20:00 - Ada: hello\n05/04/2024, 21:00 - Bo: hi\n",
                      encoding="utf-8")
    result = import_exports([export], tmp_path / "h")
    assert (result.first_day, result.last_day) == ("2024-04-03", "2024-04-05")
    assert any("fits both" in note for note in result.notes)


def test_a_host_known_only_as_you_is_said_so(tmp_path):
    export = tmp_path / "chat.txt"
    export.write_text('1/8/24, 9:00 PM - You created group "Books"\n'
                      "1/8/24, 9:01 PM - You added Bo\n1/9/24, 9:00 AM - Ada: hello\n",
                      encoding="utf-8")
    result = import_exports([export], tmp_path / "h")
    assert result.initial_members == 1 and "created the group" in result.host_reason
    assert any("--host NAME" in note for note in result.notes)
    with_name = import_exports([export], tmp_path / "h2", host="Ada")
    assert not any("--host NAME" in note for note in with_name.notes)


def test_a_utf16_export_is_read(tmp_path):
    export = tmp_path / "qq-utf16.txt"
    export.write_text((CHAT / "qq.txt").read_text(encoding="utf-8"), encoding="utf-16")
    assert detect(export).name == "qq-txt"
    assert import_exports([export], tmp_path / "h").events == 8



# Variants of the formats as public tools document them (made-up people); each failed before.


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _events(tmp_path: Path, path: Path, **kwargs) -> tuple:
    result = import_exports([path], tmp_path / "h", salt="v", keep_text=True, **kwargs)
    return result, pd.read_parquet(tmp_path / "h" / "events.parquet")


def test_wechatmsg_csv_with_type_codes_xml_and_unix_seconds(tmp_path):
    """WeChatMsg/MemoTrace CSV (BOM, CreateTime in Unix seconds, Type/SubType, IsSender): joins by
    invitation and QR code from 你 and from a member, the red packet and 接龙 kept as app-message
    XML, a recall (type 10002) and a removal."""
    result, events, days = _import(tmp_path, "wechat_memotrace.csv")
    assert _kinds(events) == {"message": 4, "join": 4, "red_packet": 1, "jielong_entry": 2,
                              "recall": 1, "kick": 1}
    joins = events[events["kind"] == "join"]
    assert list(joins["method"]) == ["invite", "invite", "qr", "qr"]
    assert (joins["inviter"].iloc[:3] == result.host).all()  # 你 is IsSender's wxid, the host
    local = events["time"].dt.tz_convert("Asia/Shanghai")
    assert (local.iloc[0].day, local.iloc[0].hour) == (3, 8)  # Unix seconds, not local strings
    assert _column(days, "jielong_entries") == [0, 2]
    assert _column(days, "prompted_messages") == [1, 0]


def test_wechat_english_client_rows(tmp_path):
    path = _write(tmp_path, "en.csv", '''Time,SenderName,Sender,TalkerName,Talker,Content
2024-03-04 09:00:00,Ming,wxid_m,Fruit,1@chatroom,morning
2024-03-04 09:05:00,,,Fruit,1@chatroom,"""Ming"" invited ""Hong"" and ""Li"" to the group chat"
2024-03-04 09:06:00,,,Fruit,1@chatroom,"""Wang"" joined the group chat via the QR code shared by ""Li"""
2024-03-04 20:00:00,Ming,wxid_m,Fruit,1@chatroom,[Red Packet]Best wishes
2024-03-04 20:02:00,,,Fruit,1@chatroom,"""Hong"" recalled a message"
2024-03-04 20:03:00,,,Fruit,1@chatroom,"You removed ""Wang"" from the group chat"
''')
    _, events = _events(tmp_path, path)
    assert list(events["kind"]) == ["message", "join", "join", "join", "red_packet", "recall",
                                    "kick"]
    assert list(events["method"].iloc[1:4]) == ["invite", "invite", "qr"]


def test_wechat_chinese_join_and_removal_wordings(tmp_path):
    path = _write(tmp_path, "cn.csv", '''Time,SenderName,Sender,TalkerName,Talker,Content
2024-03-04 09:00:00,阿明,wxid_m,群,1@chatroom,早
2024-03-04 09:01:00,,,群,1@chatroom,"“小红”加入了群聊"
2024-03-04 09:02:00,,,群,1@chatroom,"""小李""通过扫描你分享的二维码加入群聊"
2024-03-04 09:03:00,,,群,1@chatroom,"""老王""被""阿明""移出群聊"
2024-03-04 09:04:00,,,群,1@chatroom,"""阿明""邀请你和""小张""加入了群聊"
''')
    _, events = _events(tmp_path, path)
    assert list(events["kind"]) == ["message", "join", "join", "kick", "join", "join"]
    assert events["who"].iloc[4] != events["who"].iloc[5]  # 你 and 小张
    assert list(events["method"].iloc[1:3]) == ["unknown", "qr"]


def test_older_pywxdump_csv_with_json_content(tmp_path):
    path = _write(tmp_path, "old.csv", '''id,MsgSvrID,type_name,is_sender,talker,room_name,content,CreateTime
1,9001,文本,1,wxid_boss,789@chatroom,"{""src"": """", ""msg"": ""早上好""}",2024-06-03 08:00:00
2,9002,邀请加群,0,,789@chatroom,"{""src"": """", ""msg"": ""\\""老板娘\\""邀请\\""阿花\\""加入了群聊""}",2024-06-03 08:30:00
3,9004,微信红包,1,wxid_boss,789@chatroom,"{""src"": """", ""msg"": ""[红包]恭喜发财""}",2024-06-03 20:00:00
4,9005,文本,0,wxid_ahua,789@chatroom,"{""src"": """", ""msg"": ""谢谢""}",2024-06-03 20:01:00
''')
    assert detect(path).name == "wechat-pywxdump-csv"
    _, events = _events(tmp_path, path)
    assert list(events["kind"]) == ["message", "join", "red_packet", "message"]
    assert int(events["prompted"].sum()) == 1


def test_a_gb18030_csv_is_read(tmp_path):
    path = _write(tmp_path, "gbk.csv", "Time,SenderName,Sender,TalkerName,Talker,Content\n"
                  "2024-03-04 09:00:00,阿明,wxid_m,群,1@chatroom,早\n"
                  '2024-03-04 09:05:00,,,群,1@chatroom,"""阿明""邀请""小红""加入了群聊"\n',
                  encoding="gb18030")
    _, events = _events(tmp_path, path)
    assert list(events["kind"]) == ["message", "join"]


@pytest.mark.parametrize("bad, where", [
    ("2024-03-04 09:01:00,阿明\n", "line 3"),
    ('2024-03-04 09:01:00,阿明,wxid_m,群,1@chatroom,"open quote\n', "line 3"),
    ('2024-03-04 09:01:00,阿明,wxid_m,群,1@chatroom,"open quote\n'
     '2024-03-04 09:02:00,阿明,wxid_m,群,1@chatroom,"hi" there\n',
     r"line 3: a quote \(\"\) opened"),
    ("2024-03-04 09:01:00,阿明,wxid_m,群,1@chatroom,hi\n"
     "03/04 09:02:00,阿明,wxid_m,群,1@chatroom,hi\n",
     "line 4: cannot read the time '03/04 09:02:00' \\(a date and time such as"),
])
def test_a_malformed_csv_row_is_an_error_naming_file_and_row(tmp_path, bad, where):
    path = _write(tmp_path, "bad.csv", "Time,SenderName,Sender,TalkerName,Talker,Content\n"
                  "2024-03-04 09:00:00,阿明,wxid_m,群,1@chatroom,早\n" + bad)
    with pytest.raises(HistoryError, match=where) as error:
        import_exports([path], tmp_path / "h")
    assert "bad.csv" in str(error.value) and "format=" not in str(error.value)


def test_qq_txt_half_of_day_before_the_clock_and_email_senders(tmp_path):
    path = _write(tmp_path, "qq.txt", """消息记录（此消息记录为文本格式，不支持重新导入）

================================================================
消息分组:我的群聊
================================================================
消息对象:羽毛球
================================================================

2019-09-23 20:43:38 阿明(10001)
今晚打球

2019-09-23 21:01:10 小红<xiaohong@example.com>
大家好

2019-09-24 下午 1:05:00 阿明(10001)
下午好

2019-09-24 上午 12:06:00 小刚(10003)
夜猫子
""")
    _, events = _events(tmp_path, path)
    assert list(events["text"]) == ["今晚打球", "大家好", "夜猫子", "下午好"]
    local = events["time"].dt.tz_convert("Asia/Shanghai")
    assert [t.strftime("%d %H:%M") for t in local] == ["23 20:43", "23 21:01", "24 00:06",
                                                       "24 13:05"]


def test_a_qq_txt_of_several_chats_is_refused_naming_them(tmp_path):
    section = "================================================================\n"
    path = _write(tmp_path, "all.txt", "消息记录（此消息记录为文本格式，不支持重新导入）\n\n"
                  f"{section}消息对象:羽毛球\n{section}\n2019-09-23 20:43:38 阿明(10001)\n打球\n\n"
                  f"{section}消息对象:读书会\n{section}\n2019-09-23 20:45:38 老王(10009)\n读书\n")
    with pytest.raises(HistoryError, match="2 chats.*羽毛球, 读书会"):
        import_exports([path], tmp_path / "h")


def _telegram(tmp_path: Path, messages: list[dict], **top) -> Path:
    import json
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "G", "type": "private_supergroup", "id": 1,
                                "messages": messages, **top}), encoding="utf-8")
    return path


def _tg(i, kind, **fields):
    return {"id": i, "type": kind, "date": f"2024-04-01T10:0{i}:00",
            "date_unixtime": str(1711936800 + 60 * i), "text": "", "text_entities": [], **fields}


def test_telegram_service_actions_and_deleted_accounts(tmp_path):
    path = _telegram(tmp_path, [
        _tg(0, "service", actor="G", actor_id="channel1", action="migrate_from_group", title="G"),
        _tg(1, "message", **{"from": "Ada", "from_id": "user1"},
            text=["Hi ", {"type": "mention", "text": "@bo"}, "!"]),
        _tg(2, "service", actor="Ada", actor_id="user1", action="pin_message", message_id=1),
        _tg(3, "service", actor="Bo", actor_id="user2", action="invite_members", members=["Bo"]),
        _tg(4, "message", **{"from": None, "from_id": "user9"}, text="from a deleted account"),
        _tg(5, "service", actor="Ada", actor_id="user1", action="remove_members",
            members=["Bo", None]),
    ])
    _, events = _events(tmp_path, path)
    assert list(events["kind"]) == ["system", "message", "system", "join", "message", "kick"]
    join = events.iloc[3]
    assert join["method"] == "unknown" and pd.isna(join["inviter"])  # joined by themselves
    assert events["text"].iloc[1] == "Hi @bo!"


def test_telegram_without_date_unixtime_on_a_message_is_an_error_naming_it(tmp_path):
    late = _tg(2, "message", **{"from": "Bo", "from_id": "user2"}, text="hi")
    del late["date_unixtime"]
    path = _telegram(tmp_path, [_tg(1, "message", **{"from": "Ada", "from_id": "user1"}), late])
    with pytest.raises(HistoryError, match="message 2 has no date_unixtime"):
        import_exports([path], tmp_path / "h")


def test_a_whole_telegram_account_export_says_how_to_export_the_group(tmp_path):
    path = _write(tmp_path, "result.json", '{"about": "x", "personal_information": {}, '
                  '"chats": {"about": "x", "list": []}}')
    with pytest.raises(HistoryError, match="whole-account export"):
        import_exports([path], tmp_path / "h")


def test_whatsapp_ios_us_layout_narrow_spaces_marks_and_deleted_messages(tmp_path):
    result, events, days = _import(tmp_path, "whatsapp_ios_us.txt")
    assert result.opened and (result.first_day, result.last_day) == ("2024-03-04", "2024-03-13")
    assert _kinds(events) == {"system": 2, "join": 3, "message": 3, "recall": 1, "leave": 1,
                              "kick": 1}
    local = events["time"].dt.tz_convert("Asia/Shanghai")
    hours = local[events["kind"] == "message"].dt.hour.tolist()
    assert hours == [20, 7, 12]  # 8:01:30 PM, 7:15:00 AM, 12:06:10 PM
    assert _column(days, "leaves")[-1] == 2


def test_whatsapp_system_wordings_and_marked_android_lines(tmp_path):
    lrm = "\u200e"
    path = _write(tmp_path, "chat.txt", f"""13/01/2024, 10:00 - Ada created this group
13/01/2024, 10:01 - Ada added you
{lrm}13/01/2024, 10:02 - Ada changed the subject from "a" to "b"
13/01/2024, 10:03 - Bo joined from the community
13/01/2024, 10:04 - Cy was added
{lrm}13/01/2024, 10:05 - Bo: hi
14/01/2024, 10:06 - You were added
14/01/2024, 10:07 - Di joined via invite link
14/01/2024, 10:08 - Bo was removed
14/01/2024, 10:09 - Cy:.
""")
    result, events = _events(tmp_path, path)
    assert result.opened
    assert list(events["kind"]) == ["system", "join", "system", "join", "join", "message",
                                    "join", "join", "kick", "message"]
    assert list(events["method"].dropna()) == ["invite", "unknown", "unknown", "unknown", "link"]
    assert events["text"].iloc[5] == "hi"  # not glued to the line before


def test_a_wechat_group_at_the_platform_cap_gets_a_valid_skeleton(tmp_path):
    """600 members post before any join: members.initial is clamped to the cap less the host's
    account, and said so (the import crashed on the plan's validation before)."""
    rows = ["Time,SenderName,Sender,TalkerName,Talker,Content"]
    rows += [f"2024-03-04 {9 + i // 60:02d}:{i % 60:02d}:00,m{i},wxid_{i},群,1@chatroom,hi"
             for i in range(600)]
    path = _write(tmp_path, "big.csv", "\n".join(rows) + "\n")
    result = import_exports([path], tmp_path / "h", host="m0")
    plan = load_plan(str(tmp_path / "h" / "history-plan.yaml"))
    assert plan.members.initial == 499 and result.initial_members == 599


@pytest.mark.parametrize("lines", [
    # older exports: a colon after the time; a comma instead of the dash; no comma after the date;
    # a year-first date in brackets; Spanish-style 'p. m.'; dotted dates with an en dash
    ["13/1/24, 9:05:00 PM: Ada: hi", "14/1/24, 10:00:00 AM: Bo: hey"],
    ["1/13/24, 21:05 , Ada: hi", "1/14/24, 10:00 , Bo: hey"],
    ["1/13/2024 9:05 p.m. - Ada: hi", "1/14/2024 10:00 a.m. - Bo: hey"],
    ["[2024-01-13, 21:05:00] Ada: hi", "[2024-01-14, 10:00:00] Bo: hey"],
    ["01/13/2024, 09:05 p. m. - Ada: hi", "01/14/2024, 10:00 a. m. - Bo: hey"],
    ["13.01.24, 21:05 – Ada: hi", "14.01.24, 10:00 – Bo: hey"],
])
def test_whatsapp_header_layouts_of_public_parsers(tmp_path, lines):
    path = _write(tmp_path, "chat.txt", "\n".join(lines) + "\n")
    result, events = _events(tmp_path, path)
    local = events["time"].dt.tz_convert("Asia/Shanghai")
    assert [t.strftime("%m-%d %H:%M") for t in local] == ["01-13 21:05", "01-14 10:00"]
    assert list(events["text"]) == ["hi", "hey"]


def test_lines_before_the_first_message_are_counted_as_skipped(tmp_path):
    path = _write(tmp_path, "chat.txt", "exported by some app\nsecond line\n\n"
                  "13/01/2024, 10:06 - Bo: hi\n13/01/2024, 10:07 - Ada: yo\n")
    result, events = _events(tmp_path, path)
    assert len(events) == 2
    assert any("2 line(s) before the first message skipped" in note for note in result.notes)


def test_qq_qr_join_names_the_joiner_and_the_sharer(tmp_path):
    path = _write(tmp_path, "qq.txt", "2019-09-23 20:43:38 阿明(10001)\n打球\n\n"
                  "2019-09-23 20:50:02 系统消息(10000)\n小红通过扫描阿明分享的二维码加入群聊。\n\n"
                  "2019-09-23 21:01:10 小红(10002)\n大家好\n")
    result, events = _events(tmp_path, path, host="阿明")
    join = events[events["kind"] == "join"].iloc[0]
    assert join["method"] == "qr" and join["inviter"] == result.host
    assert join["who"] == events["who"].iloc[2]  # 小红 who joined is 小红(10002) who posts


def test_whatsapp_spanish_notices(tmp_path):
    """A Spanish-language Android export (dates without a comma, `p. m.`), in the wordings of
    public parsers' tables and test exports."""
    path = _write(tmp_path, "chat.txt", """01/02/22 3:00 p. m. - Ana creó el grupo "Vóley"
01/02/22 3:01 p. m. - Ana añadió a Bea, a Ceci y a Dani
01/02/22 3:45 p. m. - Bea: Voy en camino
01/02/22 4:17 p. m. - Ceci: <Multimedia omitido>
01/02/22 5:05 p. m. - +39 349 000 0000 se unió usando el enlace de invitación de este grupo
01/02/22 5:26 p. m. - Dani salió del grupo
02/02/22 9:00 a. m. - Ana eliminó a Ceci
02/02/22 9:10 a. m. - Bea: Se eliminó este mensaje.
02/02/22 9:20 a. m. - Añadiste a Eva
""")
    result, events = _events(tmp_path, path)
    assert result.opened and result.initial_members == 3
    assert list(events["kind"]) == ["system", "join", "join", "join", "message", "message",
                                    "join", "leave", "kick", "recall", "join"]
    assert list(events["method"].dropna()) == ["invite", "invite", "invite", "link", "invite"]


def test_whatsapp_ios_with_every_line_marked_is_detected(tmp_path):
    """iOS marks many lines with U+200E; detection strips them per line as the parser does."""
    lines = ["\u200e[13/01/2024, 21:05:00] Garden: \u200eMessages are end-to-end encrypted."]
    lines += [f"\u200e[13/01/2024, 21:{10 + i % 40:02d}:00] Ada: \u200eimage omitted"
              for i in range(60)]
    path = _write(tmp_path, "chat.txt", "\n".join(lines) + "\n")
    assert detect(path).name == "whatsapp-txt"


def test_whatsapp_ios_notices_without_marks_are_read_by_the_group_name(tmp_path):
    """iOS notices may come as 'Group: Ada added Bo' without U+200E, or without the group's name:
    the group's name is learnt from its creation notice; a member's 'Bo left' is a message."""
    path = _write(tmp_path, "chat.txt", """[13/01/2024, 21:05:00] Garden: Ada created group "Garden"
[13/01/2024, 21:05:01] Garden: Ada added Bo
[13/01/2024, 21:06:00] Bo: Cy left
[13/01/2024, 21:07:00] Garden: Cy joined using this group's invite link
[14/01/2024, 09:00:00] \u200eDi joined using this group's invite link
[14/01/2024, 09:30:00] Garden: Bo left
[14/01/2024, 10:00:00] Ada: hi
""")
    result, events = _events(tmp_path, path)
    assert result.opened and result.host_reason == "inferred: created the group"
    assert list(events["kind"]) == ["system", "join", "message", "join", "join", "leave",
                                    "message"]
    assert list(events["method"].dropna()) == ["invite", "link", "link"]


def test_an_unmarked_ios_line_is_a_message_until_the_group_is_known(tmp_path):
    path = _write(tmp_path, "chat.txt", "[13/01/2024, 21:05:00] Bo: Ada added Cy\n"
                  "[13/01/2024, 21:06:00] Cy: Bo left\n")
    result, events = _events(tmp_path, path)
    assert list(events["kind"]) == ["message", "message"]


def test_overlapping_exports_count_each_event_once_and_say_how_many_were_dropped(tmp_path):
    """Two 'ok' in one minute are two events; the file that repeats them adds none."""
    first = _write(tmp_path, "a.txt", "13/01/2024, 21:05 - Ada: hi\n13/01/2024, 21:06 - Bo: ok\n"
                   "13/01/2024, 21:06 - Bo: ok\n13/01/2024, 21:07 - Cy left\n")
    second = _write(tmp_path, "b.txt", "13/01/2024, 21:06 - Bo: ok\n13/01/2024, 21:06 - Bo: ok\n"
                    "13/01/2024, 21:07 - Cy left\n13/01/2024, 21:07 - Bo: ok\n"
                    "14/01/2024, 08:00 - Ada: hi\n")
    result = import_exports([first, second], tmp_path / "h", salt="v")
    events = pd.read_parquet(tmp_path / "h" / "events.parquet")
    assert list(events["kind"]) == ["message", "message", "message", "leave", "message",
                                    "message"]
    assert "text" not in events  # read to tell duplicates, not kept
    assert "3 event(s) found in more than one file counted once" in " ".join(result.notes)
    twice = import_exports([first, first], tmp_path / "t", salt="v")
    once = import_exports([first], tmp_path / "o", salt="v")
    assert twice.events == once.events == 4
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t" / "observed.parquet"),
                                  pd.read_parquet(tmp_path / "o" / "observed.parquet"))


def test_exports_of_different_apps_are_refused_naming_files_and_formats(tmp_path):
    wechat = _write(tmp_path, "a.csv", "Time,SenderName,Sender,TalkerName,Talker,Content\n"
                    "2024-01-13 21:05:00,Ada,wxid_a,G,g@chatroom,hi\n")
    whatsapp = _write(tmp_path, "b.txt",
                      "13/01/2024, 21:05 - Ada: hi\n13/01/2024, 21:06 - Bo: ok\n")
    with pytest.raises(HistoryError, match="different apps") as error:
        import_exports([wechat, whatsapp], tmp_path / "h", salt="v")
    assert f"{wechat}: wechat-chatlog-csv (WeChat)" in str(error.value)
    assert f"{whatsapp}: whatsapp-txt (WhatsApp)" in str(error.value)
    result = CliRunner().invoke(app, ["import", str(wechat), str(whatsapp), "--out",
                                      str(tmp_path / "c")])
    assert result.exit_code == 2 and "different apps" in result.output


@pytest.mark.parametrize("name", ["telegram_result.json", "whatsapp_android_eu.txt"])
def test_formats_without_red_packets_leave_them_and_prompted_thanks_empty(tmp_path, name):
    result, _, days = _import(tmp_path, name)
    for column in ("red_packets", "red_packet_yuan", "prompted_messages"):
        assert days[column].isna().all(), column
    assert not result.red_packets_known
    assert any("red packets and prompted thanks: not shown" in line for line in result.lines())


def test_whatsapp_times_without_seconds_are_said_to_be_to_the_minute(tmp_path):
    path = _write(tmp_path, "chat.txt", "13/01/2024, 21:05 - Ada: hi\n13/01/2024, 21:06 - Bo: ok\n")
    result, _ = _events(tmp_path, path)
    assert any("times are to the minute" in note for note in result.notes)
    path = _write(tmp_path, "ios.txt",
                  "[13/01/2024, 21:05:01] Ada: hi\n[13/01/2024, 21:06:02] Bo: ok\n")
    result, _ = _events(tmp_path, path)
    assert not any("times are to the minute" in note for note in result.notes)


@pytest.mark.parametrize("text, said", [("", "is empty: no export"),
                                        ("\n \n", "is empty (only blank lines)")])
def test_an_empty_file_is_said_to_be_empty(tmp_path, text, said):
    path = _write(tmp_path, "chat.txt", text)
    with pytest.raises(UnknownFormat, match=re.escape(said)) as error:
        import_exports([path], tmp_path / "h")
    assert "whatsapp-txt" not in str(error.value)  # not the list of formats


def test_the_skeleton_s_qr_influx_brings_no_spammers_unless_someone_was_removed(tmp_path):
    """QR joins become growth.qr_influx_per_day, whose default share of spammers would add spam
    the history never had: the share is 0 when no one was removed (a fresh user's tuanzhang
    history got a median of 3 spam messages a run from it)."""
    rows = (CHAT / "wechat_chatlog.csv").read_text(encoding="utf-8").splitlines()
    kept = tmp_path / "no_kick.csv"
    kept.write_text("\n".join(r for r in rows if "移出" not in r) + "\n", encoding="utf-8")
    for source, share in ((CHAT / "wechat_chatlog.csv", 0.1), (kept, 0.0)):
        out = tmp_path / source.stem
        import_exports([source], out)
        plan = load_plan(str(out / "history-plan.yaml"))
        assert plan.growth.qr_influx_per_day > 0
        assert plan.growth.influx_spammer_share == share
