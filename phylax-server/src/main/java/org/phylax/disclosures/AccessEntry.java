package org.phylax.disclosures;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.phylax.audit.AuditAction;

/**
 * One access to a patient's record as the patient sees it: when; who (a person's display name, or
 * the OAuth client of an application), the roles they acted in and the organizations they work for;
 * what they did (action, resource type); and why (purpose of use, the reason the access policy
 * permitted it, and a break-glass justification). The justification may hold PHI of the patient:
 * {@code toString()} never prints it.
 */
public final class AccessEntry {

  private final Instant at;
  private final String name;
  private final String clientId;
  private final List<String> roles;
  private final List<String> organizations;
  private final AuditAction action;
  private final String resourceType;
  private final String purpose;
  private final String reason;
  private final String justification;

  public AccessEntry(
      Instant at,
      String name,
      String clientId,
      List<String> roles,
      List<String> organizations,
      AuditAction action,
      String resourceType,
      String purpose,
      String reason,
      String justification) {
    this.at = Objects.requireNonNull(at, "at");
    this.name = name;
    this.clientId = clientId;
    this.roles = List.copyOf(roles);
    this.organizations = List.copyOf(organizations);
    this.action = Objects.requireNonNull(action, "action");
    this.resourceType = resourceType;
    this.purpose = purpose;
    this.reason = reason;
    this.justification = justification;
  }

  public Instant at() {
    return at;
  }

  /** The person's display name (or username when none was given); empty for an application. */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /** The OAuth client the access came through, if any. */
  public Optional<String> clientId() {
    return Optional.ofNullable(clientId);
  }

  /** The role keys the actor had at the time of the access. */
  public List<String> roles() {
    return roles;
  }

  /** The organizations the person works for now, by name; empty when none is linked. */
  public List<String> organizations() {
    return organizations;
  }

  public AuditAction action() {
    return action;
  }

  public Optional<String> resourceType() {
    return Optional.ofNullable(resourceType);
  }

  /** The purpose of use the request declared ({@code treatment} …). */
  public Optional<String> purpose() {
    return Optional.ofNullable(purpose);
  }

  /** The reason the access policy permitted it ({@code ASSIGNED}, {@code BREAK_GLASS} …). */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /** What the user wrote on breaking the glass. */
  public Optional<String> justification() {
    return Optional.ofNullable(justification);
  }

  @Override
  public String toString() {
    return "AccessEntry["
        + at
        + " "
        + action
        + " "
        + resourceType
        + " by "
        + roles
        + " reason="
        + reason
        + ", justification=***]";
  }
}
