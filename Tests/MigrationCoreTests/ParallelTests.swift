import Foundation
import MigrationCore
import Testing

/// `Parallel.ordered` hands results over in order whatever order they are made in, holds only a
/// window of them, and stops at the first error.
@Suite struct ParallelTests {
  /// What the threads saw, under a lock.
  final class Log: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var consumed: [Int] = []
    private(set) var started = 0
    private(set) var mostInFlight = 0
    private var produced = 0

    func start() { lock.withLock { started += 1 } }
    func made() {
      lock.withLock {
        produced += 1
        mostInFlight = max(mostInFlight, produced - consumed.count)
      }
    }
    func consume(_ k: Int) { lock.withLock { consumed.append(k) } }
  }

  @Test(arguments: [(1, 1), (2, 1), (2, 2), (3, 4)])
  func everyResultIsConsumedOnceInOrder(workers: Int, window: Int) throws {
    let log = Log()
    try Parallel.ordered(count: 300, workers: workers, window: window) { _, k in
      log.start()
      // Later numbers are often made first.
      usleep(UInt32.random(in: 0..<300))
      log.made()
      return k
    } consume: { k in
      log.consume(k)
    }
    #expect(log.consumed == Array(0..<300))
    // Each thread may hold one result it made and deposit it past a full window.
    #expect(log.mostInFlight <= window + workers)
  }

  struct Stop: Error, Equatable { let k: Int }

  @Test func theFirstErrorEndsTheRunAndNothingAfterItIsConsumed() throws {
    let log = Log()
    #expect(throws: Stop(k: 40)) {
      try Parallel.ordered(count: 10_000, workers: 3, window: 2) { _, k in
        log.start()
        if k == 40 { throw Stop(k: 40) }
        usleep(50)
        return k
      } consume: { k in
        log.consume(k)
      }
    }
    #expect(log.consumed == Array(log.consumed.indices))
    #expect(log.consumed.count <= 40)
    #expect(log.started < 10_000, "no new result is started after the error")
  }

  @Test func anErrorInConsumeEndsTheRun() throws {
    let log = Log()
    #expect(throws: Stop(k: 7)) {
      try Parallel.ordered(count: 10_000, workers: 2) { _, k in
        log.start()
        return k
      } consume: { k in
        if k == 7 { throw Stop(k: 7) }
        log.consume(k)
      }
    }
    #expect(log.consumed == Array(0..<7))
    #expect(log.started < 10_000)
  }
}
