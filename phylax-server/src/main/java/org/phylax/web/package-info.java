/**
 * The web app's pages. So far the sign-in: username and password, then a TOTP or recovery code (or
 * TOTP enrollment for workforce users without one), the home page, and sign-out; sessions live in
 * PostgreSQL (Spring Session JDBC), end after an idle timeout, an absolute lifetime, or within the
 * re-check interval once the account is disabled or locked, and every end is audited. The
 * scheduling pages: {@code /me/appointments} for patients and {@code /schedule} for practitioners
 * and the front desk (docs/scheduling.md, "Web pages"), every read and write through the access
 * gate and the record store as over FHIR.
 */
package org.phylax.web;
