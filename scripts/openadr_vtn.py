#!/usr/bin/env python3
"""A real OpenADR 2.0b VTN (openleadr) with a scripted scenario, for testing Gridshell's VEN.

    python3 scripts/openadr_vtn.py --port 0 --log /tmp/vtn.jsonl [--scenario full|basic]
                                   [--tls-cert C --tls-key K --tls-ca CA]

It listens on 127.0.0.1 (port 0 picks a free one) under /OpenADR2/Simple/2.0b and writes what it
sees as JSON lines to --log: first {"type": "listening", "port": N}, then registrations, report
registrations, the opt answers per event and modification, report values, and {"type": "done"}
when the scenario is over. openleadr validates every incoming message against the 2.0b schema,
so a message it accepts is schema-valid.

The full scenario, each step triggered by the VEN's answer to the one before:
  1. registration: the VEN gets venID ven-gs-1 and registrationID reg-gs-1, poll every second;
  2. report registration: every offered point is requested every second;
  3. three events: A SIMPLE level 2 (ramp-up 5 min, recovery 10 min), B LOAD_DISPATCH setpoint
     in MW with two intervals, C ELECTRICITY_PRICE;
  4. A is modified (level 3, modification 1), then cancelled (modification 2);
  5. the VTN asks the VEN to re-register (oadrRequestReregistration); it gets reg-gs-2;
  6. the VTN sends oadrCreateReport for curtailable power only, every 2 s;
  7. the VTN cancels the registration (oadrCancelPartyRegistration); the VEN registers afresh
     and gets reg-gs-3; then "done".
The basic scenario (for TLS) stops after the answer to one SIMPLE event.
"""
import argparse
import asyncio
import json
import logging
import signal
import sys
from datetime import datetime, timedelta, timezone

from openleadr import OpenADRServer, objects, utils, hooks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True)
    parser.add_argument("--scenario", choices=["full", "basic"], default="full")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--tls-ca")
    parser.add_argument("--lifetime", type=float, default=60, help="seconds before the VTN exits on its own")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    # A parent that blocks signals (a test runner may) must still be able to stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    asyncio.run(Scenario(args).run())


def iso(dt):
    return dt.astimezone(timezone.utc).isoformat()


class Scenario:
    VEN_ID = "ven-gs-1"
    CONTEXT = "oadr://gridshell-test"

    def __init__(self, args):
        self.args = args
        self.out = open(args.log, "a", buffering=1)
        self.registrations = 0
        self.report_registrations = 0
        self.events = {}           # name -> event_id
        self.opts = set()          # (event_id, modification_number)
        self.outbox = []           # messages the next polls return, in order
        self.created_report_id = None
        self.created_report_values = 0
        self.cancel_sent = False
        self.finished = asyncio.Event()
        self.server = None

    def emit(self, **entry):
        self.out.write(json.dumps(entry) + "\n")

    async def run(self):
        a = self.args
        self.server = OpenADRServer(
            vtn_id="gridshell-test-vtn", http_host="127.0.0.1", http_port=a.port,
            requested_poll_freq=timedelta(seconds=1),
            http_cert=a.tls_cert, http_key=a.tls_key, http_ca_file=a.tls_ca)
        self.server.add_handler("on_create_party_registration", self.on_create_party_registration)
        self.server.add_handler("on_register_report", self.on_register_report)
        self.server.add_handler("on_created_report", self.on_created_report)
        hooks.register("before_handle", self.before_handle)
        # Messages the scenario pushes to the VEN ride on its next polls, ahead of openleadr's own.
        poll_service = self.server.services["poll_service"]
        own_poll = poll_service.handlers["oadrPoll"]

        async def poll(payload):
            if self.outbox:
                return self.outbox.pop(0)
            return await own_poll(payload)
        poll_service.handlers["oadrPoll"] = poll

        await self.server.run()
        port = self.server.app_runner.addresses[0][1]
        self.emit(type="listening", port=port)
        try:
            await asyncio.wait_for(self.finished.wait(), timeout=a.lifetime)
            await asyncio.sleep(a.lifetime)  # stay up for the test to look, until it stops us
        except asyncio.TimeoutError:
            self.emit(type="timeout")
        await self.server.stop()

    # Every message openleadr accepted (after schema validation), by name.
    async def before_handle(self, message_type, payload):
        entry = {"type": "received", "message": message_type, "ven_id": payload.get("ven_id")}
        if message_type == "oadrCreatedEvent":
            entry["event_responses"] = [
                {"event_id": r["event_id"], "modification_number": r["modification_number"], "opt": r["opt_type"]}
                for r in payload.get("event_responses", [])]
        if message_type == "oadrCreatePartyRegistration":
            entry["registration_id"] = payload.get("registration_id")
        self.emit(**entry)

    # 1, 5, 7: registrations.
    def on_create_party_registration(self, info):
        self.registrations += 1
        registration_id = f"reg-gs-{self.registrations}"
        self.emit(type="registration", n=self.registrations, ven_name=info.get("ven_name"),
                  ven_id_sent=info.get("ven_id"), registration_id_sent=info.get("registration_id"),
                  ven_id=self.VEN_ID, registration_id=registration_id)
        return self.VEN_ID, registration_id

    # 2: report registration (full mode: the whole report, so each rID is seen).
    async def on_register_report(self, report):
        self.report_registrations += 1
        descriptions = []
        requests = []
        for d in report["report_descriptions"]:
            m = d.get("measurement") or {}
            descriptions.append({
                "r_id": d["r_id"], "resource_id": (d.get("report_data_source") or {}).get("resource_id"),
                "report_type": d.get("report_type"), "reading_type": d.get("reading_type"),
                "item": m.get("name"), "description": m.get("description"), "unit": m.get("unit"), "scale": m.get("scale"),
                "min_period_s": d["sampling_rate"]["min_period"].total_seconds(),
            })
            requests.append((d["r_id"], self.report_callback(d["r_id"]), timedelta(seconds=1)))
        self.emit(type="report_registered", n=self.report_registrations, report_name=report.get("report_name"),
                  report_specifier_id=report.get("report_specifier_id"), descriptions=descriptions)
        n = self.report_registrations
        if n == 1:
            self.add_events()
        elif n == 2 and self.args.scenario == "full":
            self.queue_create_report(report["report_specifier_id"])
        elif n == 3:
            self.emit(type="done")
            self.finished.set()
        return requests

    def report_callback(self, r_id, request=None):
        async def callback(values):
            self.emit(type="report", r_id=r_id, request=request, values=[{"t": iso(t), "v": v} for t, v in values])
            if request is not None and request == self.created_report_id:
                self.created_report_values += len(values)
                if not self.cancel_sent:
                    self.cancel_sent = True
                    self.emit(type="cancel_party_registration", registration_id=f"reg-gs-{self.registrations}")
                    self.outbox.append(("oadrCancelPartyRegistration",
                                        {"registration_id": f"reg-gs-{self.registrations}", "ven_id": self.VEN_ID}))
        return callback

    async def on_created_report(self, payload):
        self.emit(type="created_report", pending=[p["report_request_id"] for p in payload.get("pending_reports", [])])

    # 3: the events.
    def add_events(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        start_a = now + timedelta(seconds=60)
        a = self.server.add_event(
            ven_id=self.VEN_ID, signal_name="SIMPLE", signal_type="level",
            intervals=[{"dtstart": start_a, "duration": timedelta(minutes=30), "signal_payload": 2.0}],
            callback=self.opt_callback("A"), market_context=self.CONTEXT)
        # openleadr 0.5.36's add_event drops ramp_up_period and recovery_period (add_raw_event
        # rebuilds the active period from the intervals), so they are set on the stored event.
        event_a = self.find_event(a)
        utils.setmember(event_a.active_period, "ramp_up_period", timedelta(minutes=5))
        utils.setmember(event_a.active_period, "recovery_period", timedelta(minutes=10))
        self.events["A"] = a
        self.emit(type="event_added", name="A", event_id=a, signal="SIMPLE", signal_type="level",
                  dtstart=iso(start_a), duration_s=1800, payloads=[2.0], ramp_up_s=300, recovery_s=600)
        if self.args.scenario == "basic":
            return
        start_b = now + timedelta(seconds=120)
        b = self.server.add_event(
            ven_id=self.VEN_ID, signal_name="LOAD_DISPATCH", signal_type="setpoint",
            intervals=[{"dtstart": start_b, "duration": timedelta(minutes=15), "signal_payload": 12.5},
                       {"dtstart": start_b + timedelta(minutes=15), "duration": timedelta(minutes=15), "signal_payload": 10.0}],
            callback=self.opt_callback("B"), market_context=self.CONTEXT)
        event_b = self.find_event(b)
        event_b.event_signals[0].measurement = objects.Measurement(
            name="powerReal", description="RealPower", unit="W", scale="M",
            power_attributes=objects.PowerAttributes(hertz=60, voltage=480, ac=True))
        self.events["B"] = b
        self.emit(type="event_added", name="B", event_id=b, signal="LOAD_DISPATCH", signal_type="setpoint",
                  dtstart=iso(start_b), duration_s=1800, payloads=[12.5, 10.0], unit="W", scale="M")
        start_c = now + timedelta(seconds=180)
        c = self.server.add_event(
            ven_id=self.VEN_ID, signal_name="ELECTRICITY_PRICE", signal_type="price",
            intervals=[{"dtstart": start_c, "duration": timedelta(hours=1), "signal_payload": 250.0}],
            callback=self.opt_callback("C"), market_context=self.CONTEXT)
        self.events["C"] = c
        self.emit(type="event_added", name="C", event_id=c, signal="ELECTRICITY_PRICE", signal_type="price",
                  dtstart=iso(start_c), duration_s=3600, payloads=[250.0])

    def find_event(self, event_id):
        return utils.find_by(self.server.events[self.VEN_ID], "event_descriptor.event_id", event_id)

    def opt_callback(self, name):
        async def callback(ven_id, event_id, opt_type):
            event = self.find_event(event_id)
            # A confirmed cancellation is already gone from openleadr's list.
            modification = utils.getmember(event, "event_descriptor.modification_number") if event else None
            self.emit(type="opt", name=name, event_id=event_id, modification_number=modification, opt=opt_type)
            if name == "A":
                await self.advance_a(event, modification)
            if self.args.scenario == "basic":
                self.emit(type="done")
                self.finished.set()
        return callback

    # 4, 5: A is modified, then cancelled; once the cancellation is answered, re-registration.
    async def advance_a(self, event, modification):
        if event is None:
            self.emit(type="request_reregistration")
            self.outbox.append(("oadrRequestReregistration", {"ven_id": self.VEN_ID}))
            return
        if self.args.scenario == "basic":
            return
        event_id = self.events["A"]
        if modification == 0:
            utils.setmember(event.event_signals[0].intervals[0], "signal_payload", 3.0)
            number = utils.increment_event_modification_number(event)
            event.event_descriptor.modification_reason = "level raised"
            self.server.event_callbacks[event_id] = (event, self.opt_callback("A"))
            self.server.events_updated[self.VEN_ID] = True
            self.emit(type="modified", name="A", event_id=event_id, modification_number=number, payloads=[3.0])
        elif modification == 1:
            self.server.cancel_event(self.VEN_ID, event_id)
            self.server.event_callbacks[event_id] = (event, self.opt_callback("A"))
            self.emit(type="cancelled", name="A", event_id=event_id,
                      modification_number=utils.getmember(event, "event_descriptor.modification_number"))

    # 6: a report the VTN asks for on its own.
    def queue_create_report(self, specifier_id):
        request_id = "rr-created-1"
        self.created_report_id = request_id
        self.server.services["report_service"].report_callbacks[(request_id, "curtailable_power")] = \
            self.report_callback("curtailable_power", request_id)
        request = objects.ReportRequest(
            report_request_id=request_id,
            report_specifier=objects.ReportSpecifier(
                report_specifier_id=specifier_id, granularity=timedelta(seconds=2), report_back_duration=timedelta(seconds=2),
                specifier_payloads=[objects.SpecifierPayload(r_id="curtailable_power", reading_type="Estimated")]))
        self.emit(type="create_report", report_request_id=request_id)
        self.outbox.append(("oadrCreateReport", {"report_requests": [request], "ven_id": self.VEN_ID}))


if __name__ == "__main__":
    main()
