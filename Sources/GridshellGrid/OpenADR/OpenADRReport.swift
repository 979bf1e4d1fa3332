import Foundation

/// A report as it travels in `oadr:oadrReport`: metadata (a `METADATA_…` report in
/// oadrRegisterReport, with descriptions) or data (in oadrUpdateReport, with intervals).
public struct OpenADRReport: Sendable, Equatable {
    public var reportSpecifierID: String
    /// "0" in metadata reports; the VTN's request in data reports.
    public var reportRequestID: String
    /// `METADATA_TELEMETRY_USAGE`, `TELEMETRY_USAGE`, …
    public var reportName: String?
    public var eiReportID: String?
    public var createdDateTime: Date
    /// `xcal:dtstart` of the whole report, if any.
    public var start: Date?
    /// `xcal:duration` of the whole report, if any (seconds).
    public var duration: TimeInterval?
    public var descriptions: [OpenADRReportDescription]
    public var intervals: [OpenADRReportValue]

    public init(
        reportSpecifierID: String, reportRequestID: String, reportName: String?, eiReportID: String? = nil, createdDateTime: Date,
        start: Date? = nil, duration: TimeInterval? = nil, descriptions: [OpenADRReportDescription] = [], intervals: [OpenADRReportValue] = []
    ) {
        self.reportSpecifierID = reportSpecifierID
        self.reportRequestID = reportRequestID
        self.reportName = reportName
        self.eiReportID = eiReportID
        self.createdDateTime = createdDateTime
        self.start = start
        self.duration = duration
        self.descriptions = descriptions
        self.intervals = intervals
    }
}

/// One data point a VEN can report (`oadr:oadrReportDescription`).
public struct OpenADRReportDescription: Sendable, Equatable {
    /// How often the point can be sampled (`oadr:oadrSamplingRate`), in seconds.
    public struct SamplingRate: Sendable, Equatable {
        public var minPeriod: TimeInterval
        public var maxPeriod: TimeInterval
        public var onChange: Bool

        public init(minPeriod: TimeInterval, maxPeriod: TimeInterval, onChange: Bool = false) {
            self.minPeriod = minPeriod
            self.maxPeriod = maxPeriod
            self.onChange = onChange
        }
    }

    /// `ei:rID`: the point's name within its report.
    public var rID: String
    /// `ei:reportDataSource/ei:resourceID`.
    public var resourceID: String?
    /// `ei:reportType`: "usage", "reading", "demand", or an `x-` extension.
    public var reportType: String
    /// `ei:readingType`: "Direct Read", "Estimated", …
    public var readingType: String
    public var unit: OpenADRItemUnit?
    public var marketContext: String?
    public var samplingRate: SamplingRate?

    public init(rID: String, resourceID: String? = nil, reportType: String, readingType: String, unit: OpenADRItemUnit? = nil, marketContext: String? = nil, samplingRate: SamplingRate? = nil) {
        self.rID = rID
        self.resourceID = resourceID
        self.reportType = reportType
        self.readingType = readingType
        self.unit = unit
        self.marketContext = marketContext
        self.samplingRate = samplingRate
    }
}

/// One value in a data report (an `ei:interval` with an `oadr:oadrReportPayload`).
public struct OpenADRReportValue: Sendable, Equatable {
    public var start: Date
    /// Seconds, when the interval has a length.
    public var duration: TimeInterval?
    public var rID: String
    public var value: Double

    public init(start: Date, duration: TimeInterval? = nil, rID: String, value: Double) {
        self.start = start
        self.duration = duration
        self.rID = rID
        self.value = value
    }
}

/// What a VTN asks the VEN to report (`oadr:oadrReportRequest`), from oadrRegisteredReport or
/// oadrCreateReport.
public struct OpenADRReportRequest: Sendable, Equatable {
    /// A point the request wants (`ei:specifierPayload`).
    public struct Point: Sendable, Equatable {
        public var rID: String
        public var readingType: String
        public var unit: OpenADRItemUnit?

        public init(rID: String, readingType: String, unit: OpenADRItemUnit? = nil) {
            self.rID = rID
            self.readingType = readingType
            self.unit = unit
        }
    }

    public var reportRequestID: String
    /// The specifier the VEN registered (its metadata report's `reportSpecifierID`).
    public var reportSpecifierID: String
    /// How often to sample, in seconds (`xcal:granularity`).
    public var granularity: TimeInterval
    /// How often to send, in seconds (`ei:reportBackDuration`); 0 means with every sample.
    public var reportBackDuration: TimeInterval
    /// `ei:reportInterval`: when reporting starts and for how long (nil: from now, no end).
    public var intervalStart: Date?
    public var intervalDuration: TimeInterval?
    public var points: [Point]

    public init(
        reportRequestID: String, reportSpecifierID: String, granularity: TimeInterval, reportBackDuration: TimeInterval,
        intervalStart: Date? = nil, intervalDuration: TimeInterval? = nil, points: [Point]
    ) {
        self.reportRequestID = reportRequestID
        self.reportSpecifierID = reportSpecifierID
        self.granularity = granularity
        self.reportBackDuration = reportBackDuration
        self.intervalStart = intervalStart
        self.intervalDuration = intervalDuration
        self.points = points
    }
}
