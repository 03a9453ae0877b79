/**
 * Who the users are and how they prove it: accounts with roles and a link to their FHIR
 * Practitioner or Patient, Argon2id passwords under a policy, TOTP second factor with one-time
 * recovery codes, lockout after repeated failures, and the bootstrap administrator. {@link
 * org.phylax.identity.Accounts} administers accounts, {@link org.phylax.identity.SignIn} checks
 * credentials for the sign-in pages and the authorization server. Every authentication and
 * administrative event is written to the audit log.
 */
package org.phylax.identity;
