"""The module the provider tests publish: the quickstart chat (users and messages), in versions.

Each variant is one change a team makes to its module code; the emulator receives the module as the
RawModuleDefV9 document the real host would extract from the compiled artifact.
"""

from __future__ import annotations

from tests.emulators.spacetimedb.modules import BOOL, STRING, U32, U64, ModuleBuilder, btree


def chat(*, room: bool = False, sent_index: bool = False, public_messages: bool = False,
         user_age: bool = False, drop_online: bool = False, status_type: bool = False) -> ModuleBuilder:
    """The chat module; each flag is one change to it."""
    b = ModuleBuilder()
    user_columns = [("id", U64), ("name", STRING)]
    if not drop_online:
        user_columns.append(("online", BOOL))
    if user_age:
        user_columns.append(("age", U32))
    user = b.table("user", *user_columns).with_auto_inc_primary_key(0).with_index(btree(0), "id")
    if user_age:
        user.with_default_column_value(len(user_columns) - 1, U32, 18)
    user.finish()
    message = b.table("message", ("sender", U64), ("sent", U64), ("text", STRING if not status_type else U32))
    message.with_access("Public" if public_messages else "Private")
    if sent_index:
        message.with_index(btree(1), "sent")
    message.finish()
    if room:
        b.table("room", ("id", U64), ("title", STRING)).finish()
    b.reducer("set_name", ("name", STRING))
    b.reducer("send_message", ("text", STRING))
    return b


MANIFEST = """
spacetimedb:
  databases:
    - name: quickstart-chat
      module: chat.wasm
"""
