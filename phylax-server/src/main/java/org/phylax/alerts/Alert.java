package org.phylax.alerts;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.phylax.access.AccessAction;
import org.phylax.access.Denial;

/**
 * Something a compliance officer should look at: a refused access or an emergency (break-glass)
 * access, with who (account, actor, roles, address), whose record (the patient's surrogate id),
 * what (resource type, action), the rule that refused or the grant that was opened, and whether
 * someone has acknowledged it. Ids only: an alert holds no PHI value, except possibly the
 * acknowledgement note, which {@code toString()} never prints.
 */
public final class Alert {

  /** How urgently it should be looked at. */
  public enum Severity {
    HIGH,
    MEDIUM,
    LOW
  }

  /** What happened. */
  public enum Kind {
    ACCESS_DENIED,
    BREAK_GLASS
  }

  /** Whether someone has looked at it yet. */
  public enum Status {
    OPEN,
    ACKNOWLEDGED
  }

  private final UUID id;
  private final Instant createdAt;
  private final Severity severity;
  private final Kind kind;
  private final UUID accountId;
  private final String actor;
  private final Set<String> roles;
  private final UUID patientId;
  private final String resourceType;
  private final AccessAction action;
  private final Denial.Rule rule;
  private final UUID grantId;
  private final Instant grantExpiresAt;
  private final boolean overridesConsentDenial;
  private final String sourceIp;
  private final Status status;
  private final UUID acknowledgedBy;
  private final Instant acknowledgedAt;
  private final String note;

  private Alert(Builder b) {
    this.id = Objects.requireNonNull(b.id, "id");
    this.createdAt = Objects.requireNonNull(b.createdAt, "createdAt");
    this.severity = Objects.requireNonNull(b.severity, "severity");
    this.kind = Objects.requireNonNull(b.kind, "kind");
    this.accountId = b.accountId;
    this.actor = b.actor;
    this.roles = b.roles == null ? Set.of() : Set.copyOf(b.roles);
    this.patientId = b.patientId;
    this.resourceType = b.resourceType;
    this.action = b.action;
    this.rule = b.rule;
    this.grantId = b.grantId;
    this.grantExpiresAt = b.grantExpiresAt;
    this.overridesConsentDenial = b.overridesConsentDenial;
    this.sourceIp = b.sourceIp;
    this.status = Objects.requireNonNull(b.status, "status");
    this.acknowledgedBy = b.acknowledgedBy;
    this.acknowledgedAt = b.acknowledgedAt;
    this.note = b.note;
    if ((status == Status.ACKNOWLEDGED) != (acknowledgedBy != null && acknowledgedAt != null)) {
      throw new IllegalArgumentException(
          "an acknowledged alert names who acknowledged it and when; an open one does not");
    }
    if (kind == Kind.BREAK_GLASS && grantId == null) {
      throw new IllegalArgumentException("a break-glass alert names its grant");
    }
  }

  public static Builder builder(UUID id, Instant createdAt, Severity severity, Kind kind) {
    return new Builder(id, createdAt, severity, kind);
  }

  public UUID id() {
    return id;
  }

  /** When the access it reports was refused or the grant was opened. */
  public Instant createdAt() {
    return createdAt;
  }

  public Severity severity() {
    return severity;
  }

  public Kind kind() {
    return kind;
  }

  /** The user's account; empty for a backend client. */
  public Optional<UUID> accountId() {
    return Optional.ofNullable(accountId);
  }

  /** The audit log's actor: an account id or {@code client:<id>}. */
  public Optional<String> actor() {
    return Optional.ofNullable(actor);
  }

  /** The user's role keys at the time. */
  public Set<String> roles() {
    return roles;
  }

  public Optional<UUID> patientId() {
    return Optional.ofNullable(patientId);
  }

  public Optional<String> resourceType() {
    return Optional.ofNullable(resourceType);
  }

  public Optional<AccessAction> action() {
    return Optional.ofNullable(action);
  }

  /** The rule that refused ({@link Kind#ACCESS_DENIED}). */
  public Optional<Denial.Rule> rule() {
    return Optional.ofNullable(rule);
  }

  /** The emergency access grant ({@link Kind#BREAK_GLASS}). */
  public Optional<UUID> grantId() {
    return Optional.ofNullable(grantId);
  }

  public Optional<Instant> grantExpiresAt() {
    return Optional.ofNullable(grantExpiresAt);
  }

  /** Whether the grant passes an active Consent of the patient that denies this user. */
  public boolean overridesConsentDenial() {
    return overridesConsentDenial;
  }

  public Optional<String> sourceIp() {
    return Optional.ofNullable(sourceIp);
  }

  public Status status() {
    return status;
  }

  public Optional<UUID> acknowledgedBy() {
    return Optional.ofNullable(acknowledgedBy);
  }

  public Optional<Instant> acknowledgedAt() {
    return Optional.ofNullable(acknowledgedAt);
  }

  /** What the compliance officer wrote on acknowledging; may hold PHI. */
  public Optional<String> note() {
    return Optional.ofNullable(note);
  }

  @Override
  public String toString() {
    return "Alert[id="
        + id
        + ", "
        + severity
        + " "
        + kind
        + ", account="
        + accountId
        + ", patient="
        + patientId
        + ", "
        + status
        + ", note=***]";
  }

  /** Builds an {@link Alert}; {@link #build()} checks it is consistent. */
  public static final class Builder {
    private final UUID id;
    private final Instant createdAt;
    private final Severity severity;
    private final Kind kind;
    private UUID accountId;
    private String actor;
    private Set<String> roles;
    private UUID patientId;
    private String resourceType;
    private AccessAction action;
    private Denial.Rule rule;
    private UUID grantId;
    private Instant grantExpiresAt;
    private boolean overridesConsentDenial;
    private String sourceIp;
    private Status status = Status.OPEN;
    private UUID acknowledgedBy;
    private Instant acknowledgedAt;
    private String note;

    private Builder(UUID id, Instant createdAt, Severity severity, Kind kind) {
      this.id = id;
      this.createdAt = createdAt;
      this.severity = severity;
      this.kind = kind;
    }

    public Builder who(UUID account, String actorName, Set<String> roleKeys, String ip) {
      accountId = account;
      actor = actorName;
      roles = roleKeys;
      sourceIp = ip;
      return this;
    }

    public Builder what(UUID patient, String type, AccessAction value) {
      patientId = patient;
      resourceType = type;
      action = value;
      return this;
    }

    public Builder rule(Denial.Rule value) {
      rule = value;
      return this;
    }

    public Builder grant(UUID id, Instant expiresAt, boolean overridesConsent) {
      grantId = id;
      grantExpiresAt = expiresAt;
      overridesConsentDenial = overridesConsent;
      return this;
    }

    public Builder acknowledged(UUID by, Instant at, String text) {
      status = Status.ACKNOWLEDGED;
      acknowledgedBy = by;
      acknowledgedAt = at;
      note = text;
      return this;
    }

    public Alert build() {
      return new Alert(this);
    }
  }
}
