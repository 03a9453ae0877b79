/**
 * Alerts for the compliance officer: every refused access ({@link org.phylax.access.AccessDenied})
 * and every emergency access ({@link org.phylax.access.BreakGlassOpened}) becomes an {@link
 * org.phylax.alerts.Alert} the moment the access module publishes it. {@link
 * org.phylax.alerts.Alerts} lists them newest first and records their acknowledgement; {@code GET
 * /api/alerts} and {@code POST /api/alerts/{id}/acknowledge} serve them to compliance officers, and
 * every read and acknowledgement is written to the audit log.
 */
package org.phylax.alerts;
