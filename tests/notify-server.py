#!/usr/bin/env python3
"""A desktop notification server for tests: owns org.freedesktop.Notifications
on the (private) session bus and appends every Notify call as one JSON line to
the file given as the first argument, with the time it arrived.

Writing a notification id into "<log>.click" makes the server report a click
on that notification (ActionInvoked "default"), as a user's click would.

With a second argument `markup` it also advertises "body-markup", as GNOME
and KDE do: the body is then read as markup, so a client must escape text.
"""
import json
import os
import sys
import time

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Server(dbus.service.Object):
    def __init__(self, bus, log_path, markup):
        super().__init__(bus, PATH)
        self.log_path = log_path
        self.markup = markup
        self.next_id = 0

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        self.next_id += 1
        entry = {
            "id": self.next_id,
            "app": str(app),
            "summary": str(summary),
            "body": str(body),
            "actions": [str(a) for a in actions],
            "at": time.time(),
        }
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return dbus.UInt32(self.next_id)

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["actions", "body"] + (["body-markup"] if self.markup else [])

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("kizuna-test", "kizuna", "1", "1.2")

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        self.NotificationClosed(nid, 3)

    @dbus.service.signal(NAME, signature="us")
    def ActionInvoked(self, nid, action):
        pass

    @dbus.service.signal(NAME, signature="uu")
    def NotificationClosed(self, nid, reason):
        pass

    def poll_clicks(self):
        click = self.log_path + ".click"
        if os.path.exists(click):
            with open(click, encoding="utf-8") as f:
                nid = int(f.read().strip() or 0)
            os.remove(click)
            self.ActionInvoked(dbus.UInt32(nid), "default")
        return True


def main():
    log_path = sys.argv[1]
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    server = Server(bus, log_path, len(sys.argv) > 2 and sys.argv[2] == "markup")
    GLib.timeout_add(100, server.poll_clicks)
    # Tell the test we own the name.
    open(log_path + ".ready", "w").close()
    GLib.MainLoop().run()
    del name


if __name__ == "__main__":
    main()
