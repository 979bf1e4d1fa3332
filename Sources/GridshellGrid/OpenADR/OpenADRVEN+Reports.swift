import Foundation

/// The reports the VTN requested: confirmed, sampled from the delegate, sent on time.
extension OpenADRVEN {
    /// Schedules the requests (replacing any with the same id) and confirms every request the
    /// VEN now serves with oadrCreatedReport.
    func accept(_ requests: [OpenADRReportRequest], answeringRequestID requestID: String?) async throws {
        let now = Date()
        for request in requests { schedule.add(request, at: now) }
        guard !requests.isEmpty else { return }
        logger.info("OpenADR reports requested", metadata: ["gridshell.openadr.reports": "\(requests.map(\.reportRequestID))"])
        let created = OpenADRMessage.createdReport(response: .ok(requestID: requestID), pendingReportRequestIDs: schedule.requestIDs, venID: venID)
        _ = try await exchange(.report, created)
    }

    /// Stops the named reports, after one last report when the VTN wants it, and confirms with
    /// oadrCanceledReport listing what is still reported.
    func cancelReports(_ cancel: OpenADRMessage.CancelReport) async throws {
        if cancel.reportToFollow { await report(at: Date(), finishing: Set(cancel.reportRequestIDs)) }
        for id in cancel.reportRequestIDs { schedule.cancel(id) }
        let answer = OpenADRMessage.canceledReport(response: .ok(requestID: cancel.requestID), pendingReportRequestIDs: schedule.requestIDs, venID: venID)
        _ = try await exchange(.report, answer)
    }

    /// Samples what is due, then sends what is due; with `finishing`, samples and sends those
    /// requests now instead (their last report before a cancellation).
    func report(at now: Date, finishing: Set<String> = []) async {
        guard isRegistered, let venID else { return }
        let sampleIDs = finishing.isEmpty ? Set(schedule.samplesDue(at: now)) : finishing
        if !sampleIDs.isEmpty {
            let reading = await delegate.reading(at: now)
            for id in sampleIDs {
                if let reading {
                    var values: [String: Double] = [:]
                    for point in configuration.reportPoints { values[point.rID] = point.value(from: reading) }
                    schedule.record(values, for: id, at: now)
                } else {
                    schedule.skipSample(for: id, at: now)
                }
            }
        }
        let due = finishing.isEmpty ? schedule.takeReportsDue(at: now) : schedule.takeReports(finishing)
        for (request, values) in due {
            let report = OpenADRReport(
                reportSpecifierID: request.reportSpecifierID, reportRequestID: request.reportRequestID, reportName: "TELEMETRY_USAGE",
                createdDateTime: now, start: values.map(\.start).min(), intervals: values)
            let update = OpenADRMessage.updateReport(requestID: Self.newID(), reports: [report], venID: venID)
            do {
                let reply = try await exchange(.report, update)
                switch reply {
                case .updatedReport(let response, let cancel, _):
                    guard response.isSuccess else { throw refused(update, response) }
                    reportsSent += 1
                    if let cancel { try await cancelReports(cancel) }
                case .some(let other):
                    try await handle(other)
                case nil:
                    reportsSent += 1
                }
            } catch {
                record(error, during: "oadrUpdateReport")
            }
        }
    }
}
