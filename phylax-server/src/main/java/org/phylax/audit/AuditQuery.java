package org.phylax.audit;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What to look for in the audit log: every criterion given must hold (about this patient, by this
 * user, in {@code [from, to)}, one of these actions, with this outcome). Results come newest first,
 * {@link #pageSize} at a time; {@link #after} continues from the cursor of the previous page.
 *
 * <p>Made with {@link #builder()}; {@link Builder#build()} refuses a query that cannot be answered
 * (a time range that ends before it starts, a page size out of range) with an {@link
 * IllegalArgumentException} that names what is wrong.
 */
public final class AuditQuery {

  /** Page size when none is given. */
  public static final int DEFAULT_PAGE_SIZE = 50;

  /** The largest page one query may ask for. */
  public static final int MAX_PAGE_SIZE = 1000;

  private final Long seq;
  private final UUID patient;
  private final String actorUser;
  private final Instant from;
  private final Instant to;
  private final Set<AuditAction> actions;
  private final AuditEvent.Outcome outcome;
  private final int pageSize;
  private final String after;

  private AuditQuery(Builder b) {
    this.seq = b.seq;
    this.patient = b.patient;
    this.actorUser = b.actorUser;
    this.from = b.from;
    this.to = b.to;
    this.actions = b.actions.isEmpty() ? Set.of() : Set.copyOf(b.actions);
    this.outcome = b.outcome;
    this.pageSize = b.pageSize;
    this.after = b.after;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The one event with this sequence number, if the query asks for one. */
  public Optional<Long> seq() {
    return Optional.ofNullable(seq);
  }

  public Optional<UUID> patient() {
    return Optional.ofNullable(patient);
  }

  public Optional<String> actorUser() {
    return Optional.ofNullable(actorUser);
  }

  /** Inclusive lower bound of the event time. */
  public Optional<Instant> from() {
    return Optional.ofNullable(from);
  }

  /** Exclusive upper bound of the event time. */
  public Optional<Instant> to() {
    return Optional.ofNullable(to);
  }

  /** Empty means any action. */
  public Set<AuditAction> actions() {
    return actions;
  }

  public Optional<AuditEvent.Outcome> outcome() {
    return Optional.ofNullable(outcome);
  }

  public int pageSize() {
    return pageSize;
  }

  /** The cursor of the previous page ({@link AuditSearch.Page#next()}), if continuing. */
  public Optional<String> after() {
    return Optional.ofNullable(after);
  }

  /**
   * The criteria in a line that identifies no one beyond what the audit log already holds (ids,
   * times, codes); the read of the log records it as what was asked.
   */
  public String describe() {
    StringBuilder s = new StringBuilder("audit search");
    if (seq != null) {
      s.append(" seq=").append(seq);
    }
    if (patient != null) {
      s.append(" patient=").append(patient);
    }
    if (actorUser != null) {
      s.append(" user=").append(actorUser);
    }
    if (from != null) {
      s.append(" from=").append(from);
    }
    if (to != null) {
      s.append(" to=").append(to);
    }
    if (!actions.isEmpty()) {
      s.append(" action=")
          .append(String.join(",", actions.stream().map(Enum::name).sorted().toList()));
    }
    if (outcome != null) {
      s.append(" outcome=").append(outcome);
    }
    s.append(" size=").append(pageSize);
    if (after != null) {
      s.append(" after=").append(after);
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return "AuditQuery[" + describe() + "]";
  }

  /** Builds an {@link AuditQuery}. */
  public static final class Builder {
    private Long seq;
    private UUID patient;
    private String actorUser;
    private Instant from;
    private Instant to;
    private final Set<AuditAction> actions = EnumSet.noneOf(AuditAction.class);
    private AuditEvent.Outcome outcome;
    private int pageSize = DEFAULT_PAGE_SIZE;
    private String after;

    private Builder() {}

    /** Only the event with this sequence number (a read by id). */
    public Builder seq(long value) {
      seq = value;
      return this;
    }

    public Builder patient(UUID value) {
      patient = value;
      return this;
    }

    public Builder actorUser(String value) {
      actorUser = value;
      return this;
    }

    /** Events at or after {@code start} and before {@code end}; either may be null (open). */
    public Builder between(Instant start, Instant end) {
      from = start;
      to = end;
      return this;
    }

    public Builder action(AuditAction... values) {
      actions.addAll(Set.of(values));
      return this;
    }

    public Builder outcome(AuditEvent.Outcome value) {
      outcome = value;
      return this;
    }

    public Builder pageSize(int value) {
      pageSize = value;
      return this;
    }

    public Builder after(String cursor) {
      after = cursor;
      return this;
    }

    public AuditQuery build() {
      if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
        throw new IllegalArgumentException(
            "page size must be between 1 and " + MAX_PAGE_SIZE + ", not " + pageSize);
      }
      if (from != null && to != null && !from.isBefore(to)) {
        throw new IllegalArgumentException(
            "the time range is empty: from " + from + " is not before to " + to);
      }
      if (actorUser != null && actorUser.isBlank()) {
        throw new IllegalArgumentException("user must not be blank");
      }
      if (after != null) {
        AuditCursor.parse(after); // refuses a cursor this log did not hand out
      }
      return new AuditQuery(this);
    }
  }
}
