import Foundation

/// A demand-response event as a VTN distributes it (`ei:eiEvent` inside `oadr:oadrEvent`).
public struct OpenADREvent: Sendable, Equatable, Codable, Identifiable {
    /// The event's life as the VTN states it (`ei:eventStatus`).
    public enum Status: String, Sendable, Equatable, Codable, CaseIterable {
        case none, far, near, active, completed, cancelled
    }

    /// Whether the VTN wants an `oadrCreatedEvent` answer (`oadr:oadrResponseRequired`).
    public enum ResponseRequired: String, Sendable, Equatable, Codable {
        case always, never
    }

    /// `ei:eventID`.
    public var id: String
    /// Raised by the VTN on every change; the copy with the higher number wins.
    public var modificationNumber: Int
    public var modificationDateTime: Date?
    public var modificationReason: String?
    /// 0 is the highest priority; nil when the VTN sent none.
    public var priority: Int?
    /// The program the event belongs to (`emix:marketContext`).
    public var marketContext: String
    public var createdDateTime: Date
    public var status: Status
    /// `ei:testEvent`: "false" for real events; anything else marks a test.
    public var testEvent: String?
    public var vtnComment: String?
    public var activePeriod: ActivePeriod
    public var signals: [Signal]
    public var targets: OpenADRTarget
    public var responseRequired: ResponseRequired

    public init(
        id: String, modificationNumber: Int = 0, modificationDateTime: Date? = nil, modificationReason: String? = nil, priority: Int? = nil,
        marketContext: String, createdDateTime: Date, status: Status, testEvent: String? = nil, vtnComment: String? = nil,
        activePeriod: ActivePeriod, signals: [Signal], targets: OpenADRTarget = OpenADRTarget(), responseRequired: ResponseRequired = .always
    ) {
        self.id = id
        self.modificationNumber = modificationNumber
        self.modificationDateTime = modificationDateTime
        self.modificationReason = modificationReason
        self.priority = priority
        self.marketContext = marketContext
        self.createdDateTime = createdDateTime
        self.status = status
        self.testEvent = testEvent
        self.vtnComment = vtnComment
        self.activePeriod = activePeriod
        self.signals = signals
        self.targets = targets
        self.responseRequired = responseRequired
    }

    /// Whether this is a test event (`ei:testEvent` present and not "false").
    public var isTest: Bool {
        guard let testEvent else { return false }
        return testEvent.trimmingCharacters(in: .whitespaces).lowercased() != "false"
    }

    /// The first signal with this name, if any.
    public func signal(named name: Signal.Name) -> Signal? {
        signals.first { $0.name == name }
    }

    /// When the event applies (`ei:eiActivePeriod`): start, length, and the optional notice,
    /// ramp-up, recovery and start tolerance around it.
    public struct ActivePeriod: Sendable, Equatable, Codable {
        public var start: Date
        /// Seconds; 0 means the VTN left the end open.
        public var duration: TimeInterval
        /// `tolerance/tolerate/startafter`: how late the VEN may randomise its start.
        public var startAfter: TimeInterval?
        /// `ei:x-eiNotification`.
        public var notification: TimeInterval?
        /// `ei:x-eiRampUp`: the time before `start` the site may use to reach the target.
        public var rampUp: TimeInterval?
        /// `ei:x-eiRecovery`: the time after the end the site may use to return.
        public var recovery: TimeInterval?

        public init(start: Date, duration: TimeInterval, startAfter: TimeInterval? = nil, notification: TimeInterval? = nil, rampUp: TimeInterval? = nil, recovery: TimeInterval? = nil) {
            self.start = start
            self.duration = duration
            self.startAfter = startAfter
            self.notification = notification
            self.rampUp = rampUp
            self.recovery = recovery
        }

        public var end: Date { start.addingTimeInterval(duration) }

        /// Whether `date` is in [start, end); an open-ended period (duration 0) never ends.
        public func contains(_ date: Date) -> Bool {
            date >= start && (duration <= 0 || date < end)
        }
    }

    /// One signal of an event (`ei:eiEventSignal`): what the VTN asks for, interval by interval.
    public struct Signal: Sendable, Equatable, Codable {
        /// `ei:signalName`.
        public enum Name: Sendable, Equatable, Hashable, Codable, RawRepresentable {
            case simple, electricityPrice, energyPrice, demandCharge, bidPrice, bidLoad, bidEnergy, chargeState, loadDispatch, loadControl
            case other(String)

            public init(rawValue: String) {
                switch rawValue {
                case "SIMPLE", "simple": self = .simple
                case "ELECTRICITY_PRICE": self = .electricityPrice
                case "ENERGY_PRICE": self = .energyPrice
                case "DEMAND_CHARGE": self = .demandCharge
                case "BID_PRICE": self = .bidPrice
                case "BID_LOAD": self = .bidLoad
                case "BID_ENERGY": self = .bidEnergy
                case "CHARGE_STATE": self = .chargeState
                case "LOAD_DISPATCH": self = .loadDispatch
                case "LOAD_CONTROL": self = .loadControl
                default: self = .other(rawValue)
                }
            }

            public var rawValue: String {
                switch self {
                case .simple: "SIMPLE"
                case .electricityPrice: "ELECTRICITY_PRICE"
                case .energyPrice: "ENERGY_PRICE"
                case .demandCharge: "DEMAND_CHARGE"
                case .bidPrice: "BID_PRICE"
                case .bidLoad: "BID_LOAD"
                case .bidEnergy: "BID_ENERGY"
                case .chargeState: "CHARGE_STATE"
                case .loadDispatch: "LOAD_DISPATCH"
                case .loadControl: "LOAD_CONTROL"
                case .other(let name): name
                }
            }
        }

        /// `ei:signalType`: how the payload is to be read.
        public enum Kind: Sendable, Equatable, Hashable, Codable, RawRepresentable {
            case delta, level, multiplier, price, priceMultiplier, priceRelative, setpoint
            case other(String)

            public init(rawValue: String) {
                switch rawValue {
                case "delta": self = .delta
                case "level": self = .level
                case "multiplier": self = .multiplier
                case "price": self = .price
                case "priceMultiplier": self = .priceMultiplier
                case "priceRelative": self = .priceRelative
                case "setpoint": self = .setpoint
                default: self = .other(rawValue)
                }
            }

            public var rawValue: String {
                switch self {
                case .delta: "delta"
                case .level: "level"
                case .multiplier: "multiplier"
                case .price: "price"
                case .priceMultiplier: "priceMultiplier"
                case .priceRelative: "priceRelative"
                case .setpoint: "setpoint"
                case .other(let kind): kind
                }
            }
        }

        public var id: String
        public var name: Name
        public var kind: Kind
        /// The unit of the payloads (`emix:itemBase`), when the VTN sent one.
        public var unit: OpenADRItemUnit?
        public var intervals: [Interval]
        /// `ei:currentValue`.
        public var currentValue: Double?
        /// A target narrower than the event's, if the VTN gave one.
        public var targets: OpenADRTarget?

        public init(id: String, name: Name, kind: Kind, unit: OpenADRItemUnit? = nil, intervals: [Interval], currentValue: Double? = nil, targets: OpenADRTarget? = nil) {
            self.id = id
            self.name = name
            self.kind = kind
            self.unit = unit
            self.intervals = intervals
            self.currentValue = currentValue
            self.targets = targets
        }

        /// The interval in force at `date`, with its start: intervals follow one another from
        /// `eventStart` unless they carry their own start.
        public func interval(at date: Date, eventStart: Date) -> (start: Date, interval: Interval)? {
            var cursor = eventStart
            for interval in intervals {
                let start = interval.start ?? cursor
                let end = start.addingTimeInterval(interval.duration)
                if date >= start && (interval.duration <= 0 || date < end) { return (start, interval) }
                cursor = end
            }
            return nil
        }
    }

    /// One interval of a signal: a length and a value (`ei:interval`).
    public struct Interval: Sendable, Equatable, Codable {
        /// `xcal:uid`, as text (VTNs send 0, 1, 2…).
        public var uid: String?
        /// Its own start, when the VTN sent one (openleadr does); otherwise it follows the last.
        public var start: Date?
        /// Seconds.
        public var duration: TimeInterval
        /// `ei:payloadFloat/ei:value`.
        public var value: Double

        public init(uid: String? = nil, start: Date? = nil, duration: TimeInterval, value: Double) {
            self.uid = uid
            self.start = start
            self.duration = duration
            self.value = value
        }
    }
}

/// Whom an event is for (`ei:eiTarget`).
public struct OpenADRTarget: Sendable, Equatable, Codable {
    public var venIDs: [String]
    public var resourceIDs: [String]
    public var groupIDs: [String]
    public var partyIDs: [String]

    public init(venIDs: [String] = [], resourceIDs: [String] = [], groupIDs: [String] = [], partyIDs: [String] = []) {
        self.venIDs = venIDs
        self.resourceIDs = resourceIDs
        self.groupIDs = groupIDs
        self.partyIDs = partyIDs
    }

    public var isEmpty: Bool { venIDs.isEmpty && resourceIDs.isEmpty && groupIDs.isEmpty && partyIDs.isEmpty }
}

/// The unit of a signal or report value (`emix:itemBase`): `power:powerReal` in W with an SI
/// scale, or any other item by its description, unit and scale.
public struct OpenADRItemUnit: Sendable, Equatable, Codable {
    /// The element name inside `emix:itemBase`'s substitution group, namespace included:
    /// `powerReal` (power), `customUnit`, `currencyPerKWh` (oadr) and so on.
    public var element: String
    /// The namespace of `element`.
    public var namespace: String
    /// `itemDescription`: "RealPower", "currency".
    public var itemDescription: String
    /// `itemUnits`: "W", "USD".
    public var itemUnits: String
    /// `scale:siScaleCode`: "none", "k", "M".
    public var scaleCode: String
    /// `power:powerAttributes`, which every power item carries.
    public var powerAttributes: PowerAttributes?

    /// The electrical context of a power item.
    public struct PowerAttributes: Sendable, Equatable, Codable {
        public var hertz: Double
        public var voltage: Double
        public var ac: Bool

        public init(hertz: Double, voltage: Double, ac: Bool) {
            self.hertz = hertz
            self.voltage = voltage
            self.ac = ac
        }
    }

    public init(element: String, namespace: String, itemDescription: String, itemUnits: String, scaleCode: String, powerAttributes: PowerAttributes? = nil) {
        self.element = element
        self.namespace = namespace
        self.itemDescription = itemDescription
        self.itemUnits = itemUnits
        self.scaleCode = scaleCode
        self.powerAttributes = powerAttributes
    }

    /// Real power in W at this scale ("M" for MW, "k" for kW, "none" for W), on an AC supply of
    /// the given frequency and voltage.
    public static func realPower(scale: String, hertz: Double = 60, voltage: Double = 480) -> OpenADRItemUnit {
        OpenADRItemUnit(
            element: "powerReal", namespace: OpenADRNamespace.power, itemDescription: "RealPower", itemUnits: "W", scaleCode: scale,
            powerAttributes: PowerAttributes(hertz: hertz, voltage: voltage, ac: true))
    }

    /// The factor from SI scale codes to one: "k" → 1e3, "M" → 1e6, "none" → 1. Nil for codes
    /// the 2.0b schema does not list.
    public static func multiplier(forScale code: String) -> Double? {
        switch code {
        case "p": 1e-12
        case "n": 1e-9
        case "micro": 1e-6
        case "m": 1e-3
        case "c": 1e-2
        case "d": 1e-1
        case "none": 1
        case "k": 1e3
        case "M": 1e6
        case "G": 1e9
        case "T": 1e12
        default: nil
        }
    }

    /// How many MW one unit of a value in this unit is, when it is a power in W or J/s.
    public var megawattsPerUnit: Double? {
        guard itemUnits == "W" || itemUnits == "J/s", let m = Self.multiplier(forScale: scaleCode) else { return nil }
        return m / 1e6
    }
}
