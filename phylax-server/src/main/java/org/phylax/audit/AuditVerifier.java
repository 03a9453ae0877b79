package org.phylax.audit;

/**
 * Re-checks the whole audit log: sequence numbers without gaps, every event's chain hash recomputed
 * from its content and the hash before it. Reads only.
 */
public interface AuditVerifier {

  Verification verify();

  /** The outcome: how many events were checked and, when the log is broken, where and how. */
  final class Verification {
    private final long events;
    private final Long brokenAt;
    private final String problem;

    private Verification(long events, Long brokenAt, String problem) {
      this.events = events;
      this.brokenAt = brokenAt;
      this.problem = problem;
    }

    public static Verification intact(long events) {
      return new Verification(events, null, null);
    }

    public static Verification broken(long events, long seq, String problem) {
      return new Verification(events, seq, problem);
    }

    public long events() {
      return events;
    }

    public boolean isIntact() {
      return brokenAt == null;
    }

    /** The first sequence number where the log does not hold, when it is broken. */
    public Long brokenAt() {
      return brokenAt;
    }

    public String problem() {
      return problem;
    }

    /** One line for the operator. */
    public String summary() {
      return isIntact()
          ? events + " events, chain intact"
          : "audit log broken at event " + brokenAt + ": " + problem;
    }

    @Override
    public String toString() {
      return summary();
    }
  }
}
