import Foundation

/// What the site hears from outside, each edge behind a small protocol so the live loop, the
/// tests and the demo use the same code:
/// - `Feeds/`: energy prices (ERCOT files as published, an HTTP endpoint polled at a set rate,
///   manual values) and Bitcoin network data (an explorer-shaped HTTP endpoint, a CSV history,
///   manual values), each with its own staleness;
/// - `OpenADR/`: the OpenADR 2.0b VEN (simple HTTP pull) that registers with a VTN, receives
///   events and reports what the site delivers.
public enum Grid {
    /// The user agent every outgoing request carries.
    public static let userAgent = "gridshell"
}
