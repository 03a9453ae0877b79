package org.phylax.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * One audited happening, shaped after IHE's Basic Audit Log Patterns: when; who (user, role, OAuth
 * client); from where (IP address, user agent, request id); what (action on an entity); about which
 * patient (one event per patient); why (purpose of use, break-glass justification); and the outcome
 * (permit with its reason, or denial with the rule that refused).
 *
 * <p>Immutable; made with {@link #builder(AuditAction, Outcome)}. {@code toString()} never prints
 * the justification or the user agent.
 */
public final class AuditEvent {

  /** Whether the action was allowed. */
  public enum Outcome {
    PERMIT,
    DENY,
    SUCCESS,
    FAILURE
  }

  private final Instant occurredAt;
  private final String actorUser;
  private final String actorRole;
  private final String clientId;
  private final String sourceIp;
  private final String userAgent;
  private final String requestId;
  private final AuditAction action;
  private final String entityType;
  private final String entityId;
  private final Long entityVersion;
  private final UUID patientId;
  private final String purposeOfUse;
  private final Outcome outcome;
  private final String outcomeReason;
  private final String justification;

  private AuditEvent(Builder b) {
    this.occurredAt =
        Objects.requireNonNull(b.occurredAt, "occurredAt").truncatedTo(ChronoUnit.MICROS);
    this.actorUser = b.actorUser;
    this.actorRole = b.actorRole;
    this.clientId = b.clientId;
    this.sourceIp = b.sourceIp;
    this.userAgent = b.userAgent;
    this.requestId = b.requestId;
    this.action = Objects.requireNonNull(b.action, "action");
    this.entityType = b.entityType;
    this.entityId = b.entityId;
    this.entityVersion = b.entityVersion;
    this.patientId = b.patientId;
    this.purposeOfUse = b.purposeOfUse;
    this.outcome = Objects.requireNonNull(b.outcome, "outcome");
    this.outcomeReason = b.outcomeReason;
    this.justification = b.justification;
  }

  public static Builder builder(AuditAction action, Outcome outcome) {
    return new Builder(action, outcome);
  }

  public Instant occurredAt() {
    return occurredAt;
  }

  public String actorUser() {
    return actorUser;
  }

  public String actorRole() {
    return actorRole;
  }

  public String clientId() {
    return clientId;
  }

  public String sourceIp() {
    return sourceIp;
  }

  public String userAgent() {
    return userAgent;
  }

  public String requestId() {
    return requestId;
  }

  public AuditAction action() {
    return action;
  }

  public String entityType() {
    return entityType;
  }

  public String entityId() {
    return entityId;
  }

  public Long entityVersion() {
    return entityVersion;
  }

  public UUID patientId() {
    return patientId;
  }

  public String purposeOfUse() {
    return purposeOfUse;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** The reason that permitted, or the rule that refused. */
  public String outcomeReason() {
    return outcomeReason;
  }

  /** The break-glass justification, in clear here; stored encrypted. */
  public String justification() {
    return justification;
  }

  @Override
  public String toString() {
    return "AuditEvent["
        + action
        + " "
        + outcome
        + " actor="
        + actorUser
        + " entity="
        + entityType
        + "/"
        + entityId
        + " patient="
        + patientId
        + "]";
  }

  /** Builds an {@link AuditEvent}; the time defaults to now. */
  public static final class Builder {
    private Instant occurredAt = Instant.now();
    private String actorUser;
    private String actorRole;
    private String clientId;
    private String sourceIp;
    private String userAgent;
    private String requestId;
    private final AuditAction action;
    private String entityType;
    private String entityId;
    private Long entityVersion;
    private UUID patientId;
    private String purposeOfUse;
    private final Outcome outcome;
    private String outcomeReason;
    private String justification;

    private Builder(AuditAction action, Outcome outcome) {
      this.action = action;
      this.outcome = outcome;
    }

    public Builder at(Instant value) {
      occurredAt = value;
      return this;
    }

    public Builder actor(String userId, String role, String oauthClientId) {
      actorUser = userId;
      actorRole = role;
      clientId = oauthClientId;
      return this;
    }

    public Builder source(String ip, String agent, String request) {
      sourceIp = ip;
      userAgent = agent;
      requestId = request;
      return this;
    }

    public Builder entity(String type, String id, Long version) {
      entityType = type;
      entityId = id;
      entityVersion = version;
      return this;
    }

    public Builder patient(UUID value) {
      patientId = value;
      return this;
    }

    public Builder purpose(String value) {
      purposeOfUse = value;
      return this;
    }

    public Builder reason(String value) {
      outcomeReason = value;
      return this;
    }

    public Builder justification(String value) {
      justification = value;
      return this;
    }

    public AuditEvent build() {
      return new AuditEvent(this);
    }
  }
}
