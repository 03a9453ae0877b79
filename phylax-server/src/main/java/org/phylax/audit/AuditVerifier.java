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
    private final long lastCheckpoint;
    private final String checkpointKeyId;

    private Verification(
        long events, Long brokenAt, String problem, long lastCheckpoint, String checkpointKeyId) {
      this.events = events;
      this.brokenAt = brokenAt;
      this.problem = problem;
      this.lastCheckpoint = lastCheckpoint;
      this.checkpointKeyId = checkpointKeyId;
    }

    /** An intact log; {@code lastCheckpoint} 0 when none was signed yet. */
    public static Verification intact(long events, long lastCheckpoint, String checkpointKeyId) {
      return new Verification(events, null, null, lastCheckpoint, checkpointKeyId);
    }

    public static Verification broken(long events, long seq, String problem) {
      return new Verification(events, seq, problem, 0, null);
    }

    /** Size of the last signed checkpoint that matched, or 0. */
    public long lastCheckpoint() {
      return lastCheckpoint;
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
      if (!isIntact()) {
        return "audit log broken at event " + brokenAt + ": " + problem;
      }
      return events
          + " events, chain intact, "
          + (lastCheckpoint == 0
              ? "no checkpoint yet"
              : "last checkpoint " + lastCheckpoint + " signed by key " + checkpointKeyId);
    }

    @Override
    public String toString() {
      return summary();
    }
  }
}
