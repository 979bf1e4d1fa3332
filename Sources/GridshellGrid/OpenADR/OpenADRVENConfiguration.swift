import Foundation

/// What the site reports: the site's power and the power it could shed now, in MW.
public struct OpenADRSiteReading: Sendable, Equatable, Codable {
    public var sitePowerMW: Double
    public var curtailableMW: Double

    public init(sitePowerMW: Double, curtailableMW: Double) {
        self.sitePowerMW = sitePowerMW
        self.curtailableMW = curtailableMW
    }
}

/// Where the site plugs into the VEN. Every call comes from the VEN's own task, one at a time.
public protocol OpenADRVENDelegate: Sendable {
    /// Take part in this event (new, or a new modification of one already answered)?
    func opt(for event: OpenADREvent) async -> OpenADROpt
    /// The set of events changed: added, modified, cancelled, moved on in status or gone. The
    /// array is the whole set as it now stands.
    func eventsChanged(_ events: [OpenADRTrackedEvent]) async
    /// The site's reading now, for reports; nil when there is none (the sample is skipped).
    func reading(at date: Date) async -> OpenADRSiteReading?
}

/// One data point the VEN offers the VTN in its METADATA_TELEMETRY_USAGE report.
public struct OpenADRReportPoint: Sendable, Equatable {
    /// Which number of a `OpenADRSiteReading` the point carries.
    public enum Quantity: Sendable, Equatable {
        case sitePower, curtailablePower
    }

    public var rID: String
    public var quantity: Quantity
    public var resourceID: String
    /// `ei:reportType`.
    public var reportType: String
    /// `ei:readingType`.
    public var readingType: String
    /// The SI scale of the W values sent: "M" (MW), "k" (kW) or "none" (W).
    public var scale: String
    /// The sampling periods offered, in seconds.
    public var minPeriod: TimeInterval
    public var maxPeriod: TimeInterval

    public init(rID: String, quantity: Quantity, resourceID: String, reportType: String, readingType: String, scale: String = "M", minPeriod: TimeInterval, maxPeriod: TimeInterval) {
        self.rID = rID
        self.quantity = quantity
        self.resourceID = resourceID
        self.reportType = reportType
        self.readingType = readingType
        self.scale = scale
        self.minPeriod = minPeriod
        self.maxPeriod = maxPeriod
    }

    /// Site power (a direct reading of real power) and curtailable power (an estimate), in MW,
    /// sampled every `minPeriod` seconds at the fastest.
    public static func standard(resourceID: String, minPeriod: TimeInterval = 60, maxPeriod: TimeInterval = 3_600) -> [OpenADRReportPoint] {
        [
            OpenADRReportPoint(
                rID: "site_power", quantity: .sitePower, resourceID: resourceID, reportType: "usage", readingType: "Direct Read",
                minPeriod: minPeriod, maxPeriod: maxPeriod),
            OpenADRReportPoint(
                rID: "curtailable_power", quantity: .curtailablePower, resourceID: resourceID, reportType: "x-curtailablePower",
                readingType: "Estimated", minPeriod: minPeriod, maxPeriod: maxPeriod),
        ]
    }

    /// The point's value, in its scale, from a reading in MW; nil when the scale is unknown.
    public func value(from reading: OpenADRSiteReading) -> Double? {
        guard let multiplier = OpenADRItemUnit.multiplier(forScale: scale) else { return nil }
        let megawatts = quantity == .sitePower ? reading.sitePowerMW : reading.curtailableMW
        return megawatts * 1e6 / multiplier
    }
}

/// How a VEN reaches its VTN and what it offers.
public struct OpenADRVENConfiguration: Sendable, Equatable {
    /// The VTN's base URL, without the service: `https://vtn.example.com/OpenADR2/Simple/2.0b`.
    public var vtnURL: String
    /// `oadrVenName`: how the VTN knows this site before it has a venID.
    public var venName: String
    /// A venID and registrationID the VTN assigned out of band, or kept from a previous run.
    public var venID: String?
    public var registrationID: String?
    /// Client certificate, key and CA, for a VTN that requires TLS.
    public var tls: OpenADRTLS?
    /// Seconds to wait for a connection and for each answer.
    public var connectTimeout: TimeInterval
    public var requestTimeout: TimeInterval
    /// The poll interval until the VTN asks for one, and the floor under whatever it asks.
    public var defaultPollInterval: TimeInterval
    public var minimumPollInterval: TimeInterval
    /// Seconds between registration attempts while the VTN cannot be reached or refuses.
    public var retryInterval: TimeInterval
    /// The report the VEN registers.
    public var reportPoints: [OpenADRReportPoint]
    public var reportSpecifierID: String
    /// The floor under any report period a VTN requests, in seconds.
    public var minimumReportPeriod: TimeInterval
    /// Limits on what the VTN may send.
    public var limits: XMLLimits

    public init(
        vtnURL: String, venName: String, venID: String? = nil, registrationID: String? = nil, tls: OpenADRTLS? = nil,
        connectTimeout: TimeInterval = 5, requestTimeout: TimeInterval = 15, defaultPollInterval: TimeInterval = 10, minimumPollInterval: TimeInterval = 1,
        retryInterval: TimeInterval = 10, reportPoints: [OpenADRReportPoint] = OpenADRReportPoint.standard(resourceID: "site"),
        reportSpecifierID: String = "gridshell-telemetry", minimumReportPeriod: TimeInterval = 1, limits: XMLLimits = .default
    ) {
        self.vtnURL = vtnURL
        self.venName = venName
        self.venID = venID
        self.registrationID = registrationID
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.defaultPollInterval = defaultPollInterval
        self.minimumPollInterval = minimumPollInterval
        self.retryInterval = retryInterval
        self.reportPoints = reportPoints
        self.reportSpecifierID = reportSpecifierID
        self.minimumReportPeriod = minimumReportPeriod
        self.limits = limits
    }

    /// The METADATA_TELEMETRY_USAGE report that offers `reportPoints`.
    public func metadataReport(createdAt: Date) -> OpenADRReport {
        let longest = reportPoints.map(\.maxPeriod).max() ?? 3_600
        return OpenADRReport(
            reportSpecifierID: reportSpecifierID, reportRequestID: "0", reportName: "METADATA_TELEMETRY_USAGE", createdDateTime: createdAt,
            duration: longest,
            descriptions: reportPoints.map { point in
                OpenADRReportDescription(
                    rID: point.rID, resourceID: point.resourceID, reportType: point.reportType, readingType: point.readingType,
                    unit: .realPower(scale: point.scale),
                    samplingRate: .init(minPeriod: point.minPeriod, maxPeriod: point.maxPeriod, onChange: false))
            })
    }
}
