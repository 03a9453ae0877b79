package org.phylax.bench.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load driver: {@code workers} threads each send one request, wait for its answer,
 * and send the next, first for a warm-up whose figures are dropped, then for a measured period
 * bounded by both a duration and a request count. Latency is from just before a request is sent to
 * the end of its answer's body.
 */
final class Driver {

  /** One request of a scenario: returns true when the answer was the one expected. */
  @FunctionalInterface
  interface Call {
    boolean send(int worker) throws Exception;
  }

  /** What one measured period gave. */
  record Result(
      String scenario,
      int workers,
      long requests,
      long errors,
      double seconds,
      double throughput,
      double p50Ms,
      double p95Ms,
      double p99Ms,
      double maxMs,
      long startMillis,
      long endMillis) {}

  private Driver() {}

  static Result run(
      String scenario,
      int workers,
      double warmupSeconds,
      double seconds,
      long maxRequests,
      Call call)
      throws InterruptedException {
    return run(scenario, workers, warmupSeconds, seconds, maxRequests, 0, call);
  }

  /**
   * As {@link #run(String, int, double, double, long, Call)}, but when {@code rate} is above zero
   * the requests are sent on a fixed schedule of {@code rate} a second (open loop), and each
   * latency counts from the moment its request was due, so that a stall shows in the figures rather
   * than slowing the schedule down.
   */
  static Result run(
      String scenario,
      int workers,
      double warmupSeconds,
      double seconds,
      long maxRequests,
      double rate,
      Call call)
      throws InterruptedException {
    phase(workers, warmupSeconds, Long.MAX_VALUE, rate, call, null);
    long startMillis = System.currentTimeMillis();
    long[][] latencies = new long[workers][];
    AtomicLong errors = new AtomicLong();
    long began = System.nanoTime();
    long done = phase(workers, seconds, maxRequests, rate, call, new Sink(latencies, errors));
    double took = (System.nanoTime() - began) / 1e9;
    long endMillis = System.currentTimeMillis();
    long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
    return new Result(
        scenario,
        workers,
        done,
        errors.get(),
        took,
        done / took,
        percentile(all, 0.50),
        percentile(all, 0.95),
        percentile(all, 0.99),
        all.length == 0 ? 0 : all[all.length - 1] / 1e6,
        startMillis,
        endMillis);
  }

  /** Where the measured phase puts its latencies (nanoseconds, one array per worker). */
  private record Sink(long[][] latencies, AtomicLong errors) {}

  private static long phase(
      int workers, double seconds, long maxRequests, double rate, Call call, Sink sink)
      throws InterruptedException {
    if (seconds <= 0) {
      return 0;
    }
    long origin = System.nanoTime();
    long deadline = origin + (long) (seconds * 1e9);
    double interval = rate > 0 ? 1e9 / rate : 0;
    AtomicLong issued = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(workers);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      int worker = w;
      Thread t =
          new Thread(
              () -> {
                long[] mine = new long[1 << 12];
                int n = 0;
                long sent = 0;
                try {
                  while (System.nanoTime() < deadline && issued.incrementAndGet() <= maxRequests) {
                    long t0 = System.nanoTime();
                    if (interval > 0) {
                      long due = origin + (long) ((sent++ * workers + worker) * interval);
                      if (due >= deadline) {
                        break;
                      }
                      while (due - System.nanoTime() > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                      }
                      t0 = due;
                    }
                    boolean ok;
                    try {
                      ok = call.send(worker);
                    } catch (Exception e) {
                      ok = false;
                    }
                    long took = System.nanoTime() - t0;
                    if (sink != null) {
                      if (!ok) {
                        sink.errors().incrementAndGet();
                      }
                      if (n == mine.length) {
                        mine = Arrays.copyOf(mine, n * 2);
                      }
                      mine[n++] = took;
                    }
                  }
                } finally {
                  if (sink != null) {
                    sink.latencies()[worker] = Arrays.copyOf(mine, n);
                  }
                  finished.countDown();
                }
              },
              "load-" + w);
      threads.add(t);
      t.start();
    }
    finished.await();
    return sink == null ? 0 : Arrays.stream(sink.latencies()).mapToLong(a -> a.length).sum();
  }

  static double percentile(long[] sortedNanos, double q) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    int at = (int) Math.ceil(q * sortedNanos.length) - 1;
    return sortedNanos[Math.max(0, Math.min(at, sortedNanos.length - 1))] / 1e6;
  }
}
