package org.phylax.access;

import java.time.Instant;
import java.util.UUID;

/**
 * Published (synchronously, after the audit event is durable) when a user opens an emergency access
 * grant, so that monitoring raises a high-severity alert at once. The written reason is not
 * carried: it may hold PHI and stays encrypted with the grant.
 *
 * @param at when the grant was opened
 * @param grantId the grant
 * @param accountId the user who broke the glass
 * @param patientId the patient whose record it opens
 * @param expiresAt when the grant ends
 * @param overridesConsentDenial whether an active Consent of the patient denies this user, which
 *     the grant passes
 */
public record BreakGlassOpened(
    Instant at,
    UUID grantId,
    UUID accountId,
    UUID patientId,
    Instant expiresAt,
    boolean overridesConsentDenial) {}
