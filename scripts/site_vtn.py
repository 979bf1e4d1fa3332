#!/usr/bin/env python3
"""A grid operator's OpenADR 2.0b VTN (openleadr) that calls one demand-response event on a
site, for `gridshell serve`'s end-to-end test, the demo and the event benchmark.

    python3 scripts/site_vtn.py --port 0 --log /tmp/vtn.jsonl [--signal simple|setpoint]
        [--value 3] [--start-in 2] [--duration 30] [--lifetime 120] [--ven-id site-ven]

It listens on 127.0.0.1 under /OpenADR2/Simple/2.0b and writes JSON lines to --log:
{"type": "listening", "port": N}, the registration, the report registration, {"type":
"event_added", ...} with the wall time the event was queued, every opt answer, and every report
value with the time the VTN received it. The event (a SIMPLE level or a LOAD_DISPATCH setpoint in
MW) is queued --queue-after seconds after the VEN has registered its reports, and starts --start-in
seconds after that.
"""
import argparse
import asyncio
import json
import logging
import signal
import sys
import time
from datetime import datetime, timedelta, timezone

from openleadr import OpenADRServer, objects, utils, hooks


def iso(dt):
    return dt.astimezone(timezone.utc).isoformat()


class SiteVTN:
    CONTEXT = "oadr://ercot-demand-response"

    def __init__(self, args):
        self.args = args
        self.out = open(args.log, "a", buffering=1)
        self.server = None
        self.event_id = None

    def emit(self, **entry):
        entry["wall"] = time.time()
        self.out.write(json.dumps(entry) + "\n")

    async def run(self):
        a = self.args
        self.server = OpenADRServer(vtn_id="ercot-test-vtn", http_host="127.0.0.1", http_port=a.port,
                                    requested_poll_freq=timedelta(seconds=a.poll))
        self.server.add_handler("on_create_party_registration", self.on_create_party_registration)
        self.server.add_handler("on_register_report", self.on_register_report)
        hooks.register("before_handle", self.before_handle)
        await self.server.run()
        self.emit(type="listening", port=self.server.app_runner.addresses[0][1])
        await asyncio.sleep(a.lifetime)
        await self.server.stop()

    async def before_handle(self, message_type, payload):
        if message_type == "oadrCreatedEvent":
            for r in payload.get("event_responses", []):
                self.emit(type="opt", event_id=r["event_id"], modification_number=r["modification_number"], opt=r["opt_type"])

    def on_create_party_registration(self, info):
        self.emit(type="registration", ven_name=info.get("ven_name"))
        return self.args.ven_id, "reg-" + self.args.ven_id

    async def on_register_report(self, report):
        requests = []
        for d in report["report_descriptions"]:
            requests.append((d["r_id"], self.report_callback(d["r_id"]), timedelta(seconds=self.args.report_every)))
        self.emit(type="report_registered", points=[d["r_id"] for d in report["report_descriptions"]])
        if self.event_id is None:
            self.event_id = "pending"
            asyncio.get_running_loop().call_later(self.args.queue_after, self.add_event)
        return requests

    def report_callback(self, r_id):
        async def callback(values):
            self.emit(type="report", r_id=r_id, values=[{"t": iso(t), "v": v} for t, v in values])
        return callback

    def add_event(self):
        a = self.args
        start = datetime.now(timezone.utc) + timedelta(seconds=a.start_in)
        intervals = [{"dtstart": start, "duration": timedelta(seconds=a.duration), "signal_payload": float(a.value)}]
        if a.signal == "simple":
            self.event_id = self.server.add_event(
                ven_id=a.ven_id, signal_name="SIMPLE", signal_type="level", intervals=intervals,
                callback=self.opt_callback, market_context=self.CONTEXT)
        else:
            self.event_id = self.server.add_event(
                ven_id=a.ven_id, signal_name="LOAD_DISPATCH", signal_type="setpoint", intervals=intervals,
                callback=self.opt_callback, market_context=self.CONTEXT)
            event = utils.find_by(self.server.events[a.ven_id], "event_descriptor.event_id", self.event_id)
            event.event_signals[0].measurement = objects.Measurement(
                name="powerReal", description="RealPower", unit="W", scale="M",
                power_attributes=objects.PowerAttributes(hertz=60, voltage=480, ac=True))
        self.emit(type="event_added", event_id=self.event_id, signal=a.signal, value=a.value, dtstart=iso(start), duration_s=a.duration)

    async def opt_callback(self, ven_id, event_id, opt_type):
        self.emit(type="opt_callback", event_id=event_id, opt=opt_type)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--signal", choices=["simple", "setpoint"], default="simple")
    p.add_argument("--value", type=float, default=3)
    p.add_argument("--start-in", type=float, default=2, help="seconds from queuing the event to its start")
    p.add_argument("--queue-after", type=float, default=0, help="seconds after the report registration the event is queued")
    p.add_argument("--duration", type=float, default=30)
    p.add_argument("--poll", type=float, default=1)
    p.add_argument("--report-every", type=float, default=1)
    p.add_argument("--lifetime", type=float, default=120)
    p.add_argument("--ven-id", default="site-ven")
    args = p.parse_args()
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    logging.getLogger("openleadr").setLevel(logging.ERROR)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    asyncio.run(SiteVTN(args).run())


if __name__ == "__main__":
    main()
