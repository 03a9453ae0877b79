package org.phylax.access;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.phylax.identity.ClientInfo;

/**
 * Emergency access ("break-glass"): a user with no relationship to a patient opens a grant with a
 * written reason, which lets them act on that record for a limited time (4 hours unless configured
 * otherwise). Opening one is audited, raises a high-severity alert at once and puts the grant in a
 * review queue, where a compliance officer records a verdict.
 */
public interface BreakGlass {

  /** The shortest reason accepted, in characters. */
  int MIN_REASON_LENGTH = 20;

  /**
   * Opens a grant for the subject on the patient's record.
   *
   * @throws IllegalArgumentException when the reason is shorter than {@link #MIN_REASON_LENGTH} or
   *     the patient does not exist (the message never repeats the reason)
   * @throws AccessDeniedException when the subject may not break the glass (their roles, or a
   *     disabled account); that refusal is audited and alerted like any other
   */
  Grant open(Subject subject, UUID patientId, String reason, ClientInfo client);

  /** The subject's grant on the patient in force at {@code at}, if any. */
  Optional<Grant> active(UUID accountId, UUID patientId, Instant at);

  /** Every grant of the user in force at {@code at}. */
  List<Grant> inForce(UUID accountId, Instant at);

  /**
   * Grants in the review queue (no verdict yet) when {@code pendingOnly}, else all; newest first.
   */
  List<Grant> reviews(boolean pendingOnly, int limit, Reader reader);

  /**
   * Records a compliance officer's verdict on a grant, once.
   *
   * @throws IllegalArgumentException when there is no such grant
   * @throws IllegalStateException when it was reviewed already
   */
  Grant review(UUID grantId, Verdict verdict, String note, Subject reviewer, ClientInfo client);

  /** A compliance officer's finding on a use of break-glass. */
  enum Verdict {
    APPROPRIATE,
    INAPPROPRIATE
  }

  /** Who reads the review queue, for the audit log. */
  record Reader(Subject subject, ClientInfo client) {}

  /**
   * One grant. Not a record: its reason and note may hold PHI, and {@link #toString()} prints
   * neither.
   */
  final class Grant {
    private final UUID id;
    private final UUID accountId;
    private final UUID patientId;
    private final String reason;
    private final Instant createdAt;
    private final Instant expiresAt;
    private final boolean overridesConsentDenial;
    private final Verdict verdict;
    private final String note;
    private final UUID reviewedBy;
    private final Instant reviewedAt;

    public Grant(
        UUID id,
        UUID accountId,
        UUID patientId,
        String reason,
        Instant createdAt,
        Instant expiresAt,
        boolean overridesConsentDenial,
        Verdict verdict,
        String note,
        UUID reviewedBy,
        Instant reviewedAt) {
      this.id = id;
      this.accountId = accountId;
      this.patientId = patientId;
      this.reason = reason;
      this.createdAt = createdAt;
      this.expiresAt = expiresAt;
      this.overridesConsentDenial = overridesConsentDenial;
      this.verdict = verdict;
      this.note = note;
      this.reviewedBy = reviewedBy;
      this.reviewedAt = reviewedAt;
    }

    public UUID id() {
      return id;
    }

    public UUID accountId() {
      return accountId;
    }

    public UUID patientId() {
      return patientId;
    }

    public String reason() {
      return reason;
    }

    public Instant createdAt() {
      return createdAt;
    }

    public Instant expiresAt() {
      return expiresAt;
    }

    public boolean overridesConsentDenial() {
      return overridesConsentDenial;
    }

    public Optional<Verdict> verdict() {
      return Optional.ofNullable(verdict);
    }

    public Optional<String> note() {
      return Optional.ofNullable(note);
    }

    public Optional<UUID> reviewedBy() {
      return Optional.ofNullable(reviewedBy);
    }

    public Optional<Instant> reviewedAt() {
      return Optional.ofNullable(reviewedAt);
    }

    public boolean inForce(Instant at) {
      return !at.isBefore(createdAt) && at.isBefore(expiresAt);
    }

    @Override
    public String toString() {
      return "Grant[" + id + ", account=" + accountId + ", expires=" + expiresAt + "]";
    }
  }
}
