"""A minimal screen reader: an AT-SPI client that reads an application as Orca would.

Run with the *system* Python (Debian's python3-gi and gir1.2-atspi-2.0 give it libatspi, the
client library Orca itself uses); the kiosk's venv has neither and needs neither. It talks
JSON lines: one command per line on stdin, one reply per line on stdout, and every
`object:announcement` event that arrives is written as a line of its own when it arrives.

    {"cmd": "find", "app": "visitor-kiosk", "ids": ["lang_en"]}
    -> {"kind": "found", "app": true, "objects": {"lang_en": [{"role": "radio button", ...}]}}
    {"kind": "event", "type": "object:announcement", "text": "...", "detail1": 2, ...}

An object is matched by the last part of its AT-SPI accessible id (Qt sets that id to the
widget's objectName, or a dotted path of objectNames ending in it). It is written with its
role name, name, description, state names, accessible id and screen extents. The client
prints {"kind": "ready"} once its event listener is registered with the registry, so a test
knows no announcement after that can be missed.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

# Qt puts every widget in the tree, also those of the screens not on show; a tree deeper
# than this is a loop in a broken bridge, not a window.
MAX_DEPTH = 64


def say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def short_id(accessible: Atspi.Accessible) -> str:
    try:
        full = accessible.get_accessible_id() or ""
    except GLib.Error:
        return ""
    return full.rsplit(".", 1)[-1]


def describe(accessible: Atspi.Accessible) -> dict[str, Any]:
    states = accessible.get_state_set().get_states()
    described: dict[str, Any] = {
        "id": accessible.get_accessible_id(),
        "role": accessible.get_role_name(),
        "name": accessible.get_name(),
        "description": accessible.get_description(),
        "states": sorted(state.value_nick for state in states),
        "extents": None,
    }
    component = accessible.get_component_iface()
    if component is not None:
        rect = component.get_extents(Atspi.CoordType.SCREEN)
        described["extents"] = [rect.x, rect.y, rect.width, rect.height]
    return described


def application(name: str) -> Atspi.Accessible | None:
    desktop = Atspi.get_desktop(0)
    for index in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(index)
        if app is not None and app.get_name() == name:
            return app
    return None


def find(app_name: str, ids: list[str]) -> dict[str, Any]:
    app = application(app_name)
    if app is None:
        return {"kind": "found", "app": False, "objects": {}}
    wanted = set(ids)
    objects: dict[str, list[dict[str, Any]]] = {name: [] for name in ids}
    stack = [(app, 0)]
    while stack:
        accessible, depth = stack.pop()
        name = short_id(accessible)
        if name in wanted:
            objects[name].append(describe(accessible))
        if depth >= MAX_DEPTH:
            continue
        for index in range(accessible.get_child_count()):
            child = accessible.get_child_at_index(index)
            if child is not None:
                stack.append((child, depth + 1))
    return {"kind": "found", "app": True, "objects": objects}


def on_event(event: Atspi.Event) -> None:
    text = event.any_data if isinstance(event.any_data, str) else None
    say(
        {
            "kind": "event",
            "type": event.type,
            "text": text,
            "detail1": event.detail1,
            "detail2": event.detail2,
            "source": short_id(event.source) if event.source is not None else None,
        }
    )


def on_command(_source: int, condition: GLib.IOCondition, loop: GLib.MainLoop) -> bool:
    line = sys.stdin.readline() if condition & GLib.IOCondition.IN else ""
    if not line:  # the test closed our stdin: it is done with us
        loop.quit()
        return False
    command = json.loads(line)
    try:
        if command["cmd"] == "find":
            say(find(command["app"], command["ids"]))
        else:
            say({"kind": "error", "error": f"unknown command {command['cmd']!r}"})
    except GLib.Error as error:  # the application went away or changed under us
        say({"kind": "error", "error": str(error)})
    return True


def main() -> int:
    Atspi.init()
    listener = Atspi.EventListener.new(on_event)
    listener.register("object:announcement")
    loop = GLib.MainLoop()
    GLib.io_add_watch(
        sys.stdin.fileno(), GLib.IOCondition.IN | GLib.IOCondition.HUP, on_command, loop
    )
    say({"kind": "ready"})
    loop.run()
    listener.deregister("object:announcement")
    return 0


if __name__ == "__main__":
    sys.exit(main())
