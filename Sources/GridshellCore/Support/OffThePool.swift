import Foundation

/// Runs blocking work (a child's pipe read to its end, `waitUntilExit`, a sleep between polls) on
/// a thread of its own and awaits it. Swift's cooperative pool has one thread per core (two here):
/// blocking one of them stalls every task behind it, timers and sockets included.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// The same for work that cannot fail.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
