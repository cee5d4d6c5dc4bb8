"""Telegram Desktop's chat export, `result.json` (one chat exported as JSON).

Service messages state joins (`invite_members`, `join_group_by_link`, `join_group_by_request`),
leaves (`remove_members` of oneself) and removals (`remove_members` of others), and the group's
creation (`create_group` with its first members), so leaves are known. `invite_members` naming
only its actor is someone joining a public group by themselves (a join without inviter); other
actions (`pin_message`, `migrate_from_group`, `edit_group_title`, …) are system rows. A message's
`text` is a string or a list of strings and entities; `from` is null for deleted accounts.
"""

from pathlib import Path
from typing import Any

import pandas as pd

from experiments.running.history.events import JOIN, KICK, LEAVE, SYSTEM, Sink
from experiments.running.history.formats.base import ExportError, Parser, load_json
from experiments.running.history.times import from_epoch, from_iso

_JOINS = {"invite_members": "invite", "join_group_by_link": "link",
          "join_group_by_request": "request"}


def _text(value: Any) -> str:
    """A message's text: a string, or a list of strings and entities with `text`."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v if isinstance(v, str) else str(v.get("text", "")) for v in value)
    return ""


class TelegramJson(Parser):
    name = "telegram-json"
    description = "Telegram Desktop chat export, result.json (messages with type service/message)"
    platform = "qq"
    records_leaves = True
    records_red_packets = False

    def sniff(self, head: str) -> bool:
        if head.lstrip()[:1] != "{":
            return False
        if '"personal_information"' in head or ('"chats"' in head and '"list"' in head):
            return True  # a whole-account export: parse says how to export the one group
        return '"messages"' in head and (
            '"date_unixtime"' in head or '"from_id"' in head or '"actor_id"' in head
            or '"type": "service"' in head)

    def parse(self, path: Path, sink: Sink) -> None:
        data = load_json(path)
        if isinstance(data, dict) and "chats" in data and "messages" not in data:
            raise ExportError(f"{path} is a whole-account export; export the one group "
                              "(Telegram Desktop: the group's menu, Export chat history, JSON).")
        messages = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(messages, list):
            raise ExportError(f"{path}: no 'messages' list.")
        epoch = bool(messages) and isinstance(messages[0], dict) and "date_unixtime" in messages[0]
        key, named = sink.people.key, sink.people.named
        for msg in messages:
            if not isinstance(msg, dict):
                raise ExportError(f"{path}: a message is not an object ({str(msg)[:40]!r}).")
            t = msg.get("date_unixtime") if epoch else msg.get("date")
            if t is None:
                raise ExportError(f"{path}: message {msg.get('id')} has no "
                                  f"{'date_unixtime' if epoch else 'date'}, unlike the first.")
            if epoch:
                try:
                    t = int(t)
                except (TypeError, ValueError):
                    raise ExportError(f"{path}: message {msg.get('id')}: date_unixtime {t!r} is "
                                      "not Unix seconds.") from None
            if msg.get("type") != "service":
                who = key(str(msg.get("from") or ""), str(msg.get("from_id") or ""))
                sink.message(t, who, _text(msg.get("text")))
                continue
            action = msg.get("action")
            actor_name = str(msg.get("actor") or "")
            actor = key(actor_name, str(msg.get("actor_id") or ""))
            members = [str(m) for m in msg.get("members") or () if m]
            if action == "create_group":
                sink.opened = (sink.add(t, actor, SYSTEM), actor)
                sink.join(t, [m for m in members if m != actor_name], actor, "creation")
            elif action == "invite_members" and members == [actor_name]:
                sink.add(t, actor, JOIN, method="unknown")  # joined a public group by itself
            elif action == "invite_members":
                sink.join(t, members, actor, "invite")
            elif action in _JOINS:
                inviter = msg.get("inviter")
                sink.add(t, actor, JOIN, method=_JOINS[action],
                         actor=named(str(inviter)) if inviter else None)
            elif action == "remove_members":
                for m in members:
                    if m == actor_name:
                        sink.add(t, actor, LEAVE)
                    else:
                        sink.add(t, named(m), KICK, actor=actor)
            else:
                sink.add(t, actor, SYSTEM)

    def times(self, sink: Sink, tz: str) -> pd.DatetimeIndex:
        if sink.time and isinstance(sink.time[0], int):
            return from_epoch(sink.time)
        return from_iso(sink.time, tz)
