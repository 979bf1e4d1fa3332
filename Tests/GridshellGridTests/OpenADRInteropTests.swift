import Foundation
import GridshellCore
import GridshellTestSupport
import Testing

@testable import GridshellGrid

/// The VEN against the real peer: openleadr's VTN (scripts/openadr_vtn.py) in a subprocess,
/// which validates every message it receives against the 2.0b schema.
@Suite("OpenADR VEN against openleadr's VTN", .serialized)
struct OpenADRInteropTests {
    typealias S = OpenADRTestSupport

    @Test func registersAnswersModificationsAndCancellationsAndReports() async throws {
        try await S.requireOpenleadr()
        try await OpenleadrVTN.with(scenario: "full") { vtn in
            let delegate = RecordingVENDelegate()
            let configuration = OpenADRVENConfiguration(
                vtnURL: "http://127.0.0.1:\(vtn.port)/OpenADR2/Simple/2.0b", venName: "gridshell-site", requestTimeout: 5, retryInterval: 0.5,
                reportPoints: OpenADRReportPoint.standard(resourceID: "site-1", minPeriod: 1, maxPeriod: 60))
            let ven = try OpenADRVEN(configuration: configuration, delegate: delegate, logger: S.quietLogger)
            let run = Task { await ven.run() }
            defer { run.cancel() }
            try await S.wait(120, "the VTN's scenario to finish") { try vtn.entries().contains { $0.type == "done" || $0.type == "timeout" } }
            try await S.wait(30, "the VEN to settle on its third registration") { await ven.status.registrationID == "reg-gs-3" }
            let log = try vtn.entries()
            #expect(!log.contains { $0.type == "timeout" })

            // Registered with the VTN's ids, three times: fresh, re-registration (ids kept), fresh after cancellation.
            let registrations = log.filter { $0.type == "registration" }
            #expect(registrations.map(\.venName) == ["gridshell-site", "gridshell-site", "gridshell-site"])
            #expect(registrations.map(\.registrationIdSent) == [nil, "reg-gs-1", nil])
            #expect(registrations.map(\.venIdSent) == [nil, "ven-gs-1", nil])
            let status = await ven.status
            #expect(status.isRegistered && status.venID == "ven-gs-1" && status.vtnID == "gridshell-test-vtn")
            #expect(status.pollInterval == 1)
            #expect(status.lastPoll != nil)
            #expect(status.messagesRefused == 0)

            // The report the VEN offered, as openleadr read it.
            let offered = try #require(log.first { $0.type == "report_registered" })
            #expect(offered.reportName == "METADATA_TELEMETRY_USAGE")
            let points = offered.descriptions ?? []
            #expect(points.map(\.rId) == ["site_power", "curtailable_power"])
            #expect(points.allSatisfy { $0.item == "powerReal" && $0.description == "RealPower" && $0.unit == "W" && $0.scale == "M" && $0.resourceId == "site-1" })
            #expect(points.map(\.readingType) == ["Direct Read", "Estimated"])
            #expect(points.allSatisfy { $0.minPeriodS == 1 })

            // Events as the VEN received them, against what the VTN sent.
            let added = Dictionary(uniqueKeysWithValues: log.filter { $0.type == "event_added" }.map { ($0.name ?? "", $0) })
            let a = try #require(added["A"])
            let b = try #require(added["B"])
            let c = try #require(added["C"])
            let snapshots = await delegate.snapshots
            let firstA = try #require(snapshots.lazy.compactMap { $0.first { $0.id == a.eventId } }.first)
            #expect(firstA.event.modificationNumber == 0)
            #expect(firstA.event.signals.first?.name == .simple && firstA.event.signals.first?.kind == .level)
            #expect(firstA.event.signals.first?.intervals.map(\.value) == [2])
            #expect(firstA.event.activePeriod.start == S.date(a.dtstart ?? ""))
            #expect(firstA.event.activePeriod.duration == 1_800)
            #expect(firstA.event.activePeriod.rampUp == 300 && firstA.event.activePeriod.recovery == 600)
            #expect(firstA.event.marketContext == "oadr://gridshell-test")
            #expect(firstA.event.targets.venIDs == ["ven-gs-1"])
            #expect(firstA.opt == .optIn)
            let eventB = try #require(snapshots.last?.first { $0.id == b.eventId })
            #expect(eventB.event.signals.first?.name == .loadDispatch && eventB.event.signals.first?.kind == .setpoint)
            #expect(eventB.event.signals.first?.intervals.map(\.value) == [12.5, 10])
            #expect(eventB.event.signals.first?.unit?.megawattsPerUnit == 1)
            let startB = S.date(b.dtstart ?? "")
            #expect(eventB.event.activePeriod.start == startB)
            let targets = DemandResponseTargets()
            #expect(targets.target(for: eventB.event, baselineMW: 40, at: startB.addingTimeInterval(60)) == 12.5)
            #expect(targets.target(for: eventB.event, baselineMW: 40, at: startB.addingTimeInterval(960)) == 10)
            let eventC = try #require(snapshots.last?.first { $0.id == c.eventId })
            #expect(eventC.event.signals.first?.name == .electricityPrice && eventC.event.signals.first?.intervals.map(\.value) == [250])
            #expect(eventC.opt == .optOut)

            // The modification arrived (new number, new level) and was answered; the
            // cancellation arrived, was acknowledged, and the event is gone.
            let modifiedA = try #require(snapshots.lazy.compactMap { $0.first { $0.id == a.eventId && $0.event.modificationNumber == 1 } }.first)
            #expect(modifiedA.event.signals.first?.intervals.map(\.value) == [3])
            let cancelledA = try #require(snapshots.lazy.compactMap { $0.first { $0.id == a.eventId && $0.isCancelled } }.first)
            #expect(cancelledA.event.modificationNumber == 2)
            #expect(status.events.map(\.id).sorted() == [b.eventId ?? "", c.eventId ?? ""].sorted())
            let asked = await delegate.optRequests.filter { $0.id == a.eventId }.map(\.modification)
            #expect(asked == [0, 1])

            // What openleadr's VTN saw: an opt per event and modification, then the cancellation answer.
            let opts = log.filter { $0.type == "opt" }.map { "\($0.name ?? "")\($0.modificationNumber.map(String.init) ?? "-"):\($0.opt ?? "")" }
            #expect(Set(opts) == ["A0:optIn", "B0:optIn", "C0:optOut", "A1:optIn", "A-:optIn"])
            let answersForA = log.filter { $0.message == "oadrCreatedEvent" }.flatMap { $0.eventResponses ?? [] }.filter { $0.eventId == a.eventId }
            #expect(answersForA.map(\.modificationNumber) == [0, 1, 2])

            // Reports with the delegate's values, on the registered requests and on the one the
            // VTN created later (curtailable power only).
            let reports = log.filter { $0.type == "report" }
            let site = reports.filter { $0.rId == "site_power" }.flatMap { $0.values ?? [] }.map(\.v)
            let curtailable = reports.filter { $0.rId == "curtailable_power" && $0.request == nil }.flatMap { $0.values ?? [] }.map(\.v)
            let created = reports.filter { $0.request == "rr-created-1" }
            #expect(site.count >= 2 && site.allSatisfy { $0 == 42.5 })
            #expect(curtailable.count >= 2 && curtailable.allSatisfy { $0 == 17.25 })
            #expect(!created.isEmpty && created.allSatisfy { $0.rId == "curtailable_power" && ($0.values ?? []).allSatisfy { $0.v == 17.25 } })
            #expect(log.contains { $0.type == "created_report" && ($0.pending ?? []).contains("rr-created-1") })
            #expect(status.reportsSent > 0)

            // The cancellation of the registration was answered before the fresh registration.
            let canceled = log.firstIndex { $0.message == "oadrCanceledPartyRegistration" }
            let third = log.firstIndex { $0.type == "registration" && $0.n == 3 }
            #expect(canceled != nil && third != nil && canceled! < third!)
        }
    }

    /// A VTN that requires TLS with client certificates: the VEN with its certificate registers and
    /// answers; without one the handshake fails and the error says so.
    @Test func registersOverTLSWithAClientCertificate() async throws {
        try await S.requireOpenleadr()
        let pki = try await TestPKI.make()
        defer { try? FileManager.default.removeItem(at: pki.dir) }
        try await OpenleadrVTN.with(scenario: "basic", extra: ["--tls-cert", pki.serverCert, "--tls-key", pki.serverKey, "--tls-ca", pki.caCert]) { vtn in
            let url = "https://127.0.0.1:\(vtn.port)/OpenADR2/Simple/2.0b"
            // Trusting the VTN but without a client certificate: the VTN closes the connection.
            let anonymous = try OpenADRVEN(
                configuration: OpenADRVENConfiguration(
                    vtnURL: url, venName: "anonymous", tls: OpenADRTLS(certificateChainPath: nil, privateKeyPath: nil, trustRootsPath: pki.caCert),
                    requestTimeout: 5, retryInterval: 0.5, reportPoints: []),
                delegate: RecordingVENDelegate(), logger: S.quietLogger)
            let refused = Task { await anonymous.run() }
            try await S.wait(45, "the handshake without a client certificate to fail") { await anonymous.status.lastError != nil }
            refused.cancel()
            await refused.value
            #expect(await !anonymous.status.isRegistered)
            let anonymousError = await anonymous.status.lastError?.message ?? ""
            #expect(anonymousError.contains("EiRegisterParty") && !anonymousError.contains("CERTIFICATE_VERIFY_FAILED"), "\(anonymousError)")
            #expect(!(try vtn.entries().contains { $0.type == "registration" }))
            // Not trusting the VTN's CA: the VEN refuses the VTN.
            let untrusting = try OpenADRVEN(
                configuration: OpenADRVENConfiguration(
                    vtnURL: url, venName: "untrusting", tls: OpenADRTLS(certificateChainPath: pki.clientCert, privateKeyPath: pki.clientKey),
                    requestTimeout: 5, retryInterval: 0.5, reportPoints: []),
                delegate: RecordingVENDelegate(), logger: S.quietLogger)
            let distrust = Task { await untrusting.run() }
            try await S.wait(45, "the VEN to refuse the VTN's certificate") { await untrusting.status.lastError != nil }
            distrust.cancel()
            await distrust.value
            #expect(await untrusting.status.lastError?.message.contains("CERTIFICATE_VERIFY_FAILED") == true)

            let tls = OpenADRTLS(certificateChainPath: pki.clientCert, privateKeyPath: pki.clientKey, trustRootsPath: pki.caCert)
            let delegate = RecordingVENDelegate()
            let ven = try OpenADRVEN(
                configuration: OpenADRVENConfiguration(
                    vtnURL: url, venName: "gridshell-site", tls: tls, requestTimeout: 5, retryInterval: 0.5,
                    reportPoints: OpenADRReportPoint.standard(resourceID: "site-1", minPeriod: 1, maxPeriod: 60)),
                delegate: delegate, logger: S.quietLogger)
            let run = Task { await ven.run() }
            defer { run.cancel() }
            try await S.wait(120, "the TLS scenario to finish") { try vtn.entries().contains { $0.type == "done" || $0.type == "timeout" } }
            let log = try vtn.entries()
            #expect(log.filter { $0.type == "registration" }.map(\.venName) == ["gridshell-site"])
            #expect(log.contains { $0.type == "opt" && $0.name == "A" && $0.opt == "optIn" })
            #expect(await ven.status.venID == "ven-gs-1")
        }
    }
}

// MARK: The openleadr VTN process

/// One line of the VTN script's log (see scripts/openadr_vtn.py).
struct VTNLogEntry: Decodable, Sendable {
    struct Description: Decodable, Sendable {
        var rId: String
        var resourceId: String?
        var reportType: String?
        var readingType: String?
        var item: String?
        var description: String?
        var unit: String?
        var scale: String?
        var minPeriodS: Double?
    }

    struct EventResponse: Decodable, Sendable {
        var eventId: String
        var modificationNumber: Int
        var opt: String
    }

    struct Value: Decodable, Sendable {
        var t: String
        var v: Double
    }

    var type: String
    var port: Int?
    var n: Int?
    var message: String?
    var venName: String?
    var venIdSent: String?
    var registrationIdSent: String?
    var name: String?
    var eventId: String?
    var modificationNumber: Int?
    var opt: String?
    var eventResponses: [EventResponse]?
    var reportName: String?
    var descriptions: [Description]?
    var rId: String?
    var request: String?
    var values: [Value]?
    var dtstart: String?
    var pending: [String]?
}

/// openleadr's VTN running scripts/openadr_vtn.py, stopped whatever happens.
final class OpenleadrVTN: @unchecked Sendable {
    let process: Process
    let logURL: URL
    let outputURL: URL
    private(set) var port = 0

    private init(process: Process, logURL: URL, outputURL: URL) {
        self.process = process
        self.logURL = logURL
        self.outputURL = outputURL
    }

    static func with<T: Sendable>(scenario: String, extra: [String] = [], _ body: (OpenleadrVTN) async throws -> T) async throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-vtn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let logURL = dir.appendingPathComponent("vtn.jsonl")
        let outputURL = dir.appendingPathComponent("vtn.out")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "scripts/openadr_vtn.py", "--port", "0", "--log", logURL.path, "--scenario", scenario, "--lifetime", "150"] + extra
        process.currentDirectoryURL = OpenADRTestSupport.packageRoot
        let output = try FileHandle(forWritingTo: outputURL)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let vtn = OpenleadrVTN(process: process, logURL: logURL, outputURL: outputURL)
        defer {
            vtn.stop()
            try? output.close()
            try? FileManager.default.removeItem(at: dir)
        }
        try await OpenADRTestSupport.wait(90, "openleadr's VTN to listen") {
            guard process.isRunning else {
                let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
                Issue.record("the VTN script exited: \(text.suffix(2_000))")
                throw CancellationError()
            }
            return try vtn.entries().contains { $0.type == "listening" }
        }
        vtn.port = try #require(try vtn.entries().first { $0.type == "listening" }?.port)
        do {
            return try await body(vtn)
        } catch {
            let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
            Issue.record("VTN output:\n\(text.suffix(3_000))")
            throw error
        }
    }

    /// Every complete line logged so far.
    func entries() throws -> [VTNLogEntry] {
        let text = try String(contentsOf: logURL, encoding: .utf8)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try text.split(separator: "\n").filter { !$0.isEmpty && $0.hasSuffix("}") }.map { try decoder.decode(VTNLogEntry.self, from: Data($0.utf8)) }
    }

    /// SIGTERM, then SIGKILL if it is still there a second later.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(1)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, made with the openssl
/// command for one test.
struct TestPKI {
    let dir: URL
    var caCert: String { dir.appendingPathComponent("ca.pem").path }
    var serverCert: String { dir.appendingPathComponent("server.pem").path }
    var serverKey: String { dir.appendingPathComponent("server.key").path }
    var clientCert: String { dir.appendingPathComponent("client.pem").path }
    var clientKey: String { dir.appendingPathComponent("client.key").path }

    static func make() async throws -> TestPKI {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let pki = TestPKI(dir: dir)
        try "subjectAltName=IP:127.0.0.1\n".write(to: dir.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Gridshell test CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=gridshell-ven"],
            ["x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.pem", "-days", "2"],
        ]
        for arguments in steps {
            let run = try await runToEnd(URL(fileURLWithPath: "/usr/bin/env"), ["openssl"] + arguments, in: dir)
            guard run.status == 0 else {
                Issue.record("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(run.stdoutText)\(run.stderrText)")
                throw CancellationError()
            }
        }
        return pki
    }
}
