package org.phylax.access;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Published (synchronously, after the audit event is durable) for every refused request, so that
 * monitoring raises an alert at once. Ids only: the patient by surrogate id, the user by account id
 * ({@code null} for a backend client) and actor name as the audit log has it.
 *
 * @param at when the request was refused
 * @param accountId the user's account, or null for a backend client
 * @param actor the audit log's actor: a user's account id or {@code client:<id>}
 * @param roles the user's role keys at the time
 * @param patientId the patient whose record was asked for, or null
 * @param resourceType the FHIR type asked for, or null
 * @param action what was asked
 * @param rule the rule that refused
 * @param sourceIp the caller's address, when known
 */
public record AccessDenied(
    Instant at,
    UUID accountId,
    String actor,
    Set<String> roles,
    UUID patientId,
    String resourceType,
    AccessAction action,
    Denial.Rule rule,
    String sourceIp) {

  public AccessDenied {
    roles = Set.copyOf(roles);
  }
}
