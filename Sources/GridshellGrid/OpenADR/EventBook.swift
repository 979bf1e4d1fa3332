import Foundation

/// An event as the VEN holds it: the VTN's latest copy and the site's answer.
public struct OpenADRTrackedEvent: Sendable, Equatable, Codable, Identifiable {
    public var event: OpenADREvent
    /// The site's answer to the current modification; nil until the site has decided (and for
    /// events that arrived already cancelled or completed).
    public var opt: OpenADROpt?
    /// The modification number the site last answered; lower than the event's while a decision
    /// is pending.
    public var optModificationNumber: Int?
    /// When this copy (this modification) arrived.
    public var receivedAt: Date

    public init(event: OpenADREvent, opt: OpenADROpt? = nil, optModificationNumber: Int? = nil, receivedAt: Date) {
        self.event = event
        self.opt = opt
        self.optModificationNumber = optModificationNumber
        self.receivedAt = receivedAt
    }

    public var id: String { event.id }
    public var isCancelled: Bool { event.status == .cancelled }

    /// Whether the site should act on the event: opted in and neither cancelled nor completed.
    public var isInForce: Bool {
        opt == .optIn && event.status != .cancelled && event.status != .completed
    }
}

/// The VEN's events and the rules that move them, as a value: an oadrDistributeEvent is the
/// VTN's complete list, so each one is applied whole. A higher modification number replaces an
/// event, a lower one is stale and ignored, `cancelled` marks it cancelled, and an event missing
/// from the list is gone. Tested without sockets.
struct EventBook: Sendable, Equatable {
    /// What applying one oadrDistributeEvent changed.
    struct Update: Sendable, Equatable {
        /// New or modified events that need the site's decision.
        var toDecide: [OpenADREvent] = []
        /// Events that became cancelled with this message (new ones included).
        var cancelled: [OpenADREvent] = []
        /// Events the VTN no longer lists.
        var removed: [OpenADREvent] = []
        /// Copies older than the one held, ignored.
        var stale: [OpenADREvent] = []
        /// Whether the set the site sees changed at all (status changes included).
        var changed = false
    }

    private(set) var events: [OpenADRTrackedEvent] = []

    func event(id: String) -> OpenADRTrackedEvent? {
        events.first { $0.id == id }
    }

    mutating func apply(_ incoming: [OpenADREvent], at now: Date) -> Update {
        var update = Update()
        // One copy per event: the highest modification number in this message wins.
        var latest: [String: OpenADREvent] = [:]
        var order: [String] = []
        for event in incoming {
            if let seen = latest[event.id] {
                if event.modificationNumber > seen.modificationNumber { latest[event.id] = event }
            } else {
                latest[event.id] = event
                order.append(event.id)
            }
        }

        var next: [OpenADRTrackedEvent] = []
        var heldByID: [String: OpenADRTrackedEvent] = [:]
        for held in events {
            heldByID[held.id] = held
            if latest[held.id] == nil {
                update.removed.append(held.event)
                update.changed = true
            }
        }
        for id in order {
            let event = latest[id]!
            guard let held = heldByID[id] else {
                next.append(OpenADRTrackedEvent(event: event, receivedAt: now))
                update.changed = true
                switch event.status {
                case .cancelled: update.cancelled.append(event)
                case .completed: break
                default: update.toDecide.append(event)
                }
                continue
            }
            if event.modificationNumber < held.event.modificationNumber {
                update.stale.append(event)
                next.append(held)
            } else if event.modificationNumber == held.event.modificationNumber {
                // Same modification: only the status may move (far → near → active → completed).
                var kept = held
                if event.status != held.event.status {
                    kept.event.status = event.status
                    update.changed = true
                    if event.status == .cancelled { update.cancelled.append(kept.event) }
                }
                next.append(kept)
            } else {
                var replaced = held
                replaced.event = event
                replaced.receivedAt = now
                next.append(replaced)
                update.changed = true
                if event.status == .cancelled {
                    update.cancelled.append(event)
                } else if event.status != .completed {
                    update.toDecide.append(event)
                }
            }
        }
        events = next
        return update
    }

    /// Records the site's answer to one modification of an event.
    mutating func record(_ opt: OpenADROpt, for id: String, modificationNumber: Int) {
        guard let index = events.firstIndex(where: { $0.id == id }), events[index].event.modificationNumber == modificationNumber else { return }
        events[index].opt = opt
        events[index].optModificationNumber = modificationNumber
    }

    /// The answers oadrCreatedEvent must carry for an update: every new or modified event and
    /// every cancellation whose event asks for a response (`oadrResponseRequired` always).
    func responses(for update: Update, requestID: String) -> [OpenADRMessage.EventResponse] {
        var responses: [OpenADRMessage.EventResponse] = []
        let heldByID = Dictionary(events.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for event in update.toDecide + update.cancelled where event.responseRequired == .always {
            let held = heldByID[event.id]
            // A cancellation keeps the answer the site gave; one never answered is declined.
            let opt = held?.opt ?? .optOut
            responses.append(.init(requestID: requestID, eventID: event.id, modificationNumber: event.modificationNumber, opt: opt))
        }
        return responses
    }
}
