#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs jobs at the same time, one thread each, and waits for all of them.
public enum Parallel {
  private final class Job: @unchecked Sendable {
    let body: @Sendable () throws -> Void
    /// Written by the job's thread before it ends, read after `pthread_join`.
    var error: (any Error)?
    init(_ body: @escaping @Sendable () throws -> Void) { self.body = body }
    func run() {
      do { try body() } catch { self.error = error }
    }
  }

  /// Runs every job, the first on the calling thread; throws the error of the first job (in
  /// the order given) that failed, once all have ended. A job whose thread cannot be started
  /// runs on the calling thread instead.
  public static func run(_ bodies: [@Sendable () throws -> Void]) throws {
    let jobs = bodies.map(Job.init)
    var threads: [pthread_t] = []
    for job in jobs.dropFirst() {
      if let thread = startThread(job.run) { threads.append(thread) } else { job.run() }
    }
    jobs.first?.run()
    for thread in threads { pthread_join(thread, nil) }
    if let error = jobs.lazy.compactMap(\.error).first { throw error }
  }
}

extension Parallel {
  /// Makes results `0..<count` on `workers` threads and hands each to `consume` in order of
  /// its number, one at a time. A thread whose result is not next leaves it waiting and makes
  /// another, while fewer than `window` results wait; the thread that makes the next result
  /// consumes it and every result waiting after it. After an error no new result is started;
  /// the first error is thrown once every thread has ended.
  public static func ordered<T>(
    count: Int, workers: Int, window: Int? = nil, produce: @escaping @Sendable (_ worker: Int, _ index: Int) throws -> T,
    consume: @escaping @Sendable (T) throws -> Void
  ) throws {
    let turns = Turns<T>(window: max(1, window ?? workers))
    try run((0..<max(1, workers)).map { worker in
      { @Sendable in
        while let k = turns.claim(below: count) {
          do {
            var ready = turns.deposit(k, try produce(worker, k))
            while !ready.isEmpty {
              for result in ready { try consume(result) }
              ready = turns.consumed()
            }
          } catch {
            turns.fail()
            throw error
          }
        }
      }
    })
  }

  /// The results made and not yet consumed, the next number to start and to consume, whether a
  /// thread is consuming, and whether one failed.
  private final class Turns<T>: @unchecked Sendable {
    private let monitor = Monitor()
    private let window: Int
    // Guarded by `monitor`.
    private var waiting: [Int: T] = [:]
    private var nextStart = 0
    private var nextConsume = 0
    private var consuming = false
    private var failed = false

    init(window: Int) { self.window = window }

    /// The next number to make; waits while `window` results wait. Nil when all are started or
    /// a thread failed.
    func claim(below count: Int) -> Int? {
      monitor.locked {
        while waiting.count >= window && !failed { monitor.wait() }
        guard !failed, nextStart < count else { return nil }
        nextStart += 1
        return nextStart - 1
      }
    }

    /// Leaves result `k`; when no thread is consuming and the next result is there, makes this
    /// thread the consumer and returns the results to consume, in order (else none).
    func deposit(_ k: Int, _ result: T) -> [T] {
      monitor.locked {
        waiting[k] = result
        if consuming { return [] }
        let ready = takeReady()
        consuming = !ready.isEmpty
        return ready
      }
    }

    /// Called by the consumer once it has consumed what it was given: what is ready since, or
    /// none (and it is no longer the consumer).
    func consumed() -> [T] {
      monitor.locked {
        let ready = takeReady()
        if ready.isEmpty { consuming = false }
        monitor.broadcast()
        return ready
      }
    }

    /// The results waiting from `nextConsume` on without a gap; the caller holds the monitor.
    private func takeReady() -> [T] {
      var ready: [T] = []
      while !failed, let result = waiting.removeValue(forKey: nextConsume) {
        ready.append(result)
        nextConsume += 1
      }
      return ready
    }

    func fail() {
      monitor.locked {
        failed = true
        waiting = [:]
        monitor.broadcast()
      }
    }
  }
}

extension Parallel {
  /// `0..<count` in consecutive runs of `size` (the last shorter): the pieces work is handed out
  /// in.
  public static func runs(_ count: Int, size: Int) -> [Range<Int>] {
    stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
  }
}

/// A value handed to other threads as it is, for code that orders the accesses itself: one
/// thread at a time (the turns of `Parallel.ordered`, a queue's thread then its caller after
/// `finish`), or several reading while none writes.
public final class Shared<Value>: @unchecked Sendable {
  public var value: Value
  public init(_ value: Value) { self.value = value }
}

/// A mutex with one condition: what the threads of `Parallel` and `BackgroundQueue` wait on.
public final class Monitor: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  public init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(condition, nil)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    condition.deallocate()
    mutex.deallocate()
  }

  public func lock() { pthread_mutex_lock(mutex) }
  public func unlock() { pthread_mutex_unlock(mutex) }

  /// Runs `body` holding the mutex.
  public func locked<T>(_ body: () throws -> T) rethrows -> T {
    lock()
    defer { unlock() }
    return try body()
  }

  /// Waits for a `broadcast`; the caller holds the mutex.
  public func wait() { pthread_cond_wait(condition, mutex) }

  public func broadcast() { pthread_cond_broadcast(condition) }
}

/// A queue of tasks for one thread of its own, so that the thread that fills it (the reader) does
/// not wait for them (rendering and writing files). Bounded: `submit` waits while `limit` tasks
/// are queued (the thread may hold as many more, taken to run), so memory does not grow with the
/// input.
///
/// Two things keep the filling thread from paying for the queue: the queue's thread is woken
/// once `wakeAt` tasks wait, not for each one; and tasks that have run are handed back, to be
/// released by the thread that made them, whose heap their memory (and what they captured)
/// came from. Freed on the queue's thread, every block would take the filling thread's malloc
/// lock, and the two threads would queue on it.
public final class BackgroundQueue: @unchecked Sendable {
  public typealias Work = () throws -> Void
  private let monitor = Monitor()
  // Guarded by `monitor`.
  private var items: [Work] = []
  private var ran: [Work] = []
  private var closed = false
  private var failure: (any Error)?
  private let limit: Int
  private let wakeAt: Int
  private let whenIdle: Idle?
  private var thread: pthread_t?

  /// Work for the queue's thread while it waits for tasks, a piece at a time: true while there
  /// is more. Tried again after each batch of tasks (which may give it more to do).
  public typealias Idle = () throws -> Bool

  /// Tasks run on the queue's thread, in order, once `start` is called. After the first error,
  /// later tasks are dropped and the error is thrown by `submit` and `finish`.
  public init(limit: Int = 256, wakeAt: Int = 32, whenIdle: Idle? = nil) {
    self.limit = limit
    self.wakeAt = min(wakeAt, limit)
    self.whenIdle = whenIdle
  }

  /// Starts the thread (without one, `submit` does the work at once).
  public func start() -> Self {
    thread = startThread(drain)
    return self
  }

  /// Whether half the queue's room is taken: its thread is falling behind the one that fills it.
  public var isBehind: Bool { thread != nil && monitor.locked { items.count >= limit / 2 } }

  /// Queues a task (or, without a thread, runs it at once).
  public func submit(_ task: @escaping Work) throws {
    guard thread != nil else { return try task() }
    var done: [Work] = []
    try monitor.locked {
      while items.count >= limit && failure == nil { monitor.wait() }
      if let failure { throw failure }
      items.append(task)
      if items.count == wakeAt { monitor.broadcast() }
      if !ran.isEmpty { swap(&done, &ran) }
    }
    // `done` is released here, on this thread, outside the lock.
  }

  /// Waits until every queued item is done and the thread has ended; throws the first error.
  public func finish() throws {
    guard let thread else { return }
    monitor.locked {
      closed = true
      monitor.broadcast()
    }
    pthread_join(thread, nil)
    self.thread = nil
    ran = []
    if let failure { throw failure }
  }

  private func drain() {
    monitor.lock()
    var batch: [Work] = []
    var idleWork = whenIdle != nil
    while true {
      while items.count < wakeAt && !closed {
        guard idleWork, let whenIdle else {
          monitor.wait()
          continue
        }
        monitor.unlock()
        var more = false
        var error: (any Error)?
        do { more = try whenIdle() } catch let e { error = e }
        monitor.lock()
        if let error {
          failure = failure ?? error
          items.removeAll()
          monitor.broadcast()
          monitor.unlock()
          return
        }
        idleWork = more
      }
      if items.isEmpty && closed { break }
      swap(&batch, &items)
      monitor.broadcast()
      monitor.unlock()
      var error: (any Error)?
      for task in batch where error == nil {
        do { try task() } catch let e { error = e }
      }
      monitor.lock()
      ran.append(contentsOf: batch)
      batch.removeAll(keepingCapacity: true)
      idleWork = whenIdle != nil
      if let error {
        failure = failure ?? error
        items.removeAll()
        monitor.broadcast()
        break
      }
    }
    monitor.unlock()
  }
}

/// Starts a thread that runs `body`; nil when none could be started.
private func startThread(_ body: @escaping () -> Void) -> pthread_t? {
  final class Body {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
  }
  let context = Unmanaged.passRetained(Body(body)).toOpaque()
  #if canImport(Darwin)
    var thread: pthread_t?
  #else
    var thread = pthread_t()
  #endif
  let started = pthread_create(&thread, nil, { context in
    #if !canImport(Darwin)
      guard let context else { return nil }
    #endif
    Unmanaged<Body>.fromOpaque(context).takeRetainedValue().run()
    return nil
  }, context)
  guard started == 0 else {
    Unmanaged<Body>.fromOpaque(context).release()
    return nil
  }
  return thread
}
